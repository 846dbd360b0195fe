package capmode

import (
	"encoding/binary"
	"errors"
	"os"
)

// fakeTracee is a process with a few mapped regions, each starting at a
// chosen address. Pid defaults to the test process, whose own descriptors
// OpenDescriptor reopens, as the tracer does the tracee's.
type fakeTracee struct {
	pid     int
	regions map[uint64][]byte
	next    uint64
	threads map[int]int // tid -> tgid, for ThreadGroup
}

var errFault = errors.New("EFAULT")

func newFake() *fakeTracee {
	return &fakeTracee{pid: os.Getpid(), regions: map[uint64][]byte{}, next: 0x10000, threads: map[int]int{}}
}

func (f *fakeTracee) Pid() int { return f.pid }

// put maps b at a fresh address and returns it.
func (f *fakeTracee) put(b []byte) uint64 {
	addr := f.next
	f.regions[addr] = append([]byte(nil), b...)
	f.next += uint64(len(b)) + 0x1000
	return addr
}

func (f *fakeTracee) str(s string) uint64 { return f.put(append([]byte(s), 0)) }

func (f *fakeTracee) u64s(vs ...uint64) uint64 {
	b := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return f.put(b)
}

func (f *fakeTracee) region(addr uint64) ([]byte, bool) {
	for base, b := range f.regions {
		if addr >= base && addr < base+uint64(len(b)) {
			return b[addr-base:], true
		}
	}
	return nil, false
}

func (f *fakeTracee) ReadMemory(addr uint64, p []byte) error {
	b, ok := f.region(addr)
	if !ok || len(b) < len(p) {
		return errFault
	}
	copy(p, b)
	return nil
}

func (f *fakeTracee) ReadString(addr uint64, max int) (string, error) {
	b, ok := f.region(addr)
	if !ok {
		return "", errFault
	}
	for i, c := range b {
		if i == max {
			return string(b[:i]), nil
		}
		if c == 0 {
			return string(b[:i]), nil
		}
	}
	return "", errFault
}

func (f *fakeTracee) ThreadGroup(tid int) int {
	if tid == f.pid {
		return f.pid
	}
	return f.threads[tid]
}

func (f *fakeTracee) OpenDescriptor(fd int) (int, error) {
	return openOwnDescriptor(fd)
}
