package tracer

import (
	"errors"
	"testing"
)

// fakeMemory is a mapped range [base, base+len(data)); reads outside fail
// like process_vm_readv on an unmapped page.
type fakeMemory struct {
	base  uint64
	data  []byte
	reads int
}

func (m *fakeMemory) ReadMemory(addr uint64, p []byte) error {
	m.reads++
	if addr < m.base || addr+uint64(len(p)) > m.base+uint64(len(m.data)) {
		return errors.New("unmapped")
	}
	copy(p, m.data[addr-m.base:])
	return nil
}

func TestReadString(t *testing.T) {
	// A string that ends 3 bytes before an unmapped page.
	mem := &fakeMemory{base: 0x10000, data: make([]byte, 4096)}
	copy(mem.data[4096-10:], "/etc/host\x00")
	tr := &tracee{mem: mem}
	addr := uint64(0x10000 + 4096 - 10)
	if s, err := tr.ReadString(addr, 4096); err != nil || s != "/etc/host" {
		t.Fatalf("%q, %v", s, err)
	}
	// Check and Decode both read it: the second read is free.
	before := mem.reads
	if s, _ := tr.ReadString(addr, 4096); s != "/etc/host" || mem.reads != before {
		t.Fatalf("second read %q made %d reads", s, mem.reads-before)
	}
	// Truncated reads are not remembered as whole strings.
	if s, _ := tr.ReadString(0x10000+4096-10, 4); s != "/etc" {
		t.Fatalf("truncated %q", s)
	}
	long := make([]byte, 1000)
	for i := range long {
		long[i] = 'a'
	}
	copy(mem.data, long)
	mem.data[1000] = 0
	tr = &tracee{mem: mem}
	if s, _ := tr.ReadString(0x10000, 10); len(s) != 10 {
		t.Fatalf("max 10: %d bytes", len(s))
	}
	if s, _ := tr.ReadString(0x10000, 4096); len(s) != 1000 {
		t.Fatalf("after a truncated read: %d bytes", len(s))
	}
	if _, err := tr.ReadString(0x1, 10); err == nil {
		t.Fatal("unmapped address must fail")
	}
}
