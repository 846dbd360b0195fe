package rightsemu

import (
	"encoding/binary"

	"github.com/captrace/captrace/rights"
)

// Layouts of struct msghdr and struct cmsghdr on LP64 Linux
// (include/linux/socket.h): 8-byte pointers and size_t, CMSG_ALIGN to 8.
const (
	msghdrSize       = 56
	msghdrControl    = 32
	msghdrControlLen = 40
	cmsghdrSize      = 16
	solSocket        = 1
	scmRights        = 1
	maxControl       = 64 << 10
)

// SCMRights lists the descriptors in the SCM_RIGHTS control messages of
// the struct msghdr at addr: at sendmsg entry, the sender's descriptors;
// at recvmsg exit, the receiver's new ones.
func SCMRights(mem rights.Memory, addr uint64) []int {
	var h [msghdrSize]byte
	if addr == 0 || mem.ReadMemory(addr, h[:]) != nil {
		return nil
	}
	ctl := binary.LittleEndian.Uint64(h[msghdrControl:])
	n := binary.LittleEndian.Uint64(h[msghdrControlLen:])
	if ctl == 0 || n < cmsghdrSize || n > maxControl {
		return nil
	}
	buf := make([]byte, n)
	if mem.ReadMemory(ctl, buf) != nil {
		return nil
	}
	var fds []int
	for off := uint64(0); off+cmsghdrSize <= n; {
		l := binary.LittleEndian.Uint64(buf[off:])
		level := int32(binary.LittleEndian.Uint32(buf[off+8:]))
		typ := int32(binary.LittleEndian.Uint32(buf[off+12:]))
		if l < cmsghdrSize || off+l > n {
			break
		}
		if level == solSocket && typ == scmRights {
			for p := off + cmsghdrSize; p+4 <= off+l; p += 4 {
				fds = append(fds, int(int32(binary.LittleEndian.Uint32(buf[p:]))))
			}
		}
		off += (l + 7) &^ 7
	}
	return fds
}

// FileID names an open file across processes: the device and inode the
// descriptor refers to (fstat of /proc/PID/fd/N).
type FileID struct{ Dev, Ino uint64 }

// Transit carries limits from a sendmsg with SCM_RIGHTS to the recvmsg
// that receives the descriptors: the kernel passes the file with its
// filecaps (unp_internalize/unp_externalize, sys/kern/uipc_usrreq.c). A
// descriptor is matched by the file it refers to, which both ends see.
type Transit struct{ inFlight map[FileID][]rights.Limits }

// Sent records the limits of a descriptor passed in a message; unlimited
// ones need nothing.
func (tr *Transit) Sent(id FileID, l rights.Limits) {
	if !l.Limited() {
		return
	}
	if tr.inFlight == nil {
		tr.inFlight = map[FileID][]rights.Limits{}
	}
	tr.inFlight[id] = append(tr.inFlight[id], l)
}

// Received gives the descriptor fd that arrived referring to file id the
// limits it was sent with, first sent first received.
func (tr *Transit) Received(t *rights.Table, fd int, id FileID) {
	q := tr.inFlight[id]
	if len(q) == 0 {
		t.Opened(fd)
		return
	}
	t.Install(fd, q[0])
	if len(q) == 1 {
		delete(tr.inFlight, id)
	} else {
		tr.inFlight[id] = q[1:]
	}
}
