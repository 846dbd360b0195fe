package fbsd

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// cKinfoFile mirrors struct kinfo_file of sys/sys/user.h field by field on
// amd64, so Go's layout rules check the offsets the decoder uses.
type cKinfoFile struct {
	structsize, typ, fd, refCount, flags, pad0 int32
	offset                                     int64
	// kf_un: the largest members (kf_sock, kf_file, kf_pipe, kf_pts) are
	// 304 bytes; kf_sock: sendq, domain, type, protocol, two
	// sockaddr_storage, pcb, inpcb, unpconn, snd/rcv sb_state, recvq.
	sockSendq, sockDomain, sockType, sockProtocol int32
	saLocal, saPeer                               [128]byte
	sockPcb, sockInpcb, sockUnpconn               uint64
	sndState, rcvState                            uint16
	recvq                                         uint32
	status, pad1                                  uint16
	ispare0                                       int32
	capRights                                     [2]uint64
	capSpare                                      uint64
	path                                          [1024]byte // PATH_MAX
}

func TestKinfoFileLayout(t *testing.T) {
	var k cKinfoFile
	for _, c := range []struct {
		field     string
		got, want uintptr
	}{
		{"kf_type", unsafe.Offsetof(k.typ), KinfoFileType},
		{"kf_fd", unsafe.Offsetof(k.fd), KinfoFileFD},
		{"kf_cap_rights", unsafe.Offsetof(k.capRights), KinfoFileCapRights},
		{"kf_path", unsafe.Offsetof(k.path), KinfoFilePath},
		{"sizeof", unsafe.Sizeof(k), KinfoFileSize},
	} {
		if c.got != c.want {
			t.Errorf("%s at %d, decoder uses %d", c.field, c.got, c.want)
		}
	}
}

// packedRecord builds one record as sysctl_kern_proc_filedesc packs it:
// kf_structsize = offsetof(kf_path) + strlen(path) + 1, rounded up to 8.
func packedRecord(fd, typ int32, path string, rights [2]uint64) []byte {
	size := (KinfoFilePath + len(path) + 1 + 7) &^ 7
	b := make([]byte, size)
	le.PutUint32(b[KinfoFileStructsize:], uint32(size))
	le.PutUint32(b[KinfoFileType:], uint32(typ))
	le.PutUint32(b[KinfoFileFD:], uint32(fd))
	le.PutUint64(b[KinfoFileCapRights:], rights[0])
	le.PutUint64(b[KinfoFileCapRights+8:], rights[1])
	copy(b[KinfoFilePath:], path)
	return b
}

// Rights as cap_rights_t stores them (sys/sys/capsicum.h): CAPRIGHT(0, x)
// sets bit 57 in word 0, CAPRIGHT(1, x) bit 58 in word 1; CAP_ALL0 and
// CAP_ALL1 are every right of each word.
var (
	readFstat = [2]uint64{1<<57 | 0x1 | 0x80000, 1 << 58}          // CAP_READ|CAP_FSTAT
	allRights = [2]uint64{1<<57 | 0x7FFFFFFFFFF, 1<<58 | 0x1FFFFF} // CAP_ALL
)

func TestDecodeFiledesc(t *testing.T) {
	var buf []byte
	buf = append(buf, packedRecord(-1, 1, "/home/user", allRights)...) // cwd
	buf = append(buf, packedRecord(0, 1, "/dev/pts/0", allRights)...)
	buf = append(buf, packedRecord(3, 1, "/tmp/limited.txt", readFstat)...)
	buf = append(buf, packedRecord(4, 2, "", allRights)...) // a socket: no path
	// An unpacked record, as kern_proc_filedesc_out writes without
	// KERN_FILEDESC_PACK_KINFO (core dumps): the full 1392 bytes.
	full := make([]byte, KinfoFileSize)
	copy(full, packedRecord(7, 1, "/etc/passwd", readFstat))
	le.PutUint32(full, KinfoFileSize)
	buf = append(buf, full...)

	files, err := DecodeFiledesc(buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []FileEntry{
		{FD: -1, Type: 1, Path: "/home/user", Rights: allRights},
		{FD: 0, Type: 1, Path: "/dev/pts/0", Rights: allRights},
		{FD: 3, Type: 1, Path: "/tmp/limited.txt", Rights: readFstat},
		{FD: 4, Type: 2, Path: "", Rights: allRights},
		{FD: 7, Type: 1, Path: "/etc/passwd", Rights: readFstat},
	}
	if len(files) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(files), len(want), files)
	}
	for i := range want {
		if files[i] != want[i] {
			t.Errorf("record %d: %+v, want %+v", i, files[i], want[i])
		}
	}
	if f, ok := FileByFD(files, 3); !ok || f.Path != "/tmp/limited.txt" {
		t.Errorf("fd 3: %+v %v", f, ok)
	}
	if _, ok := FileByFD(files, -1); ok {
		t.Error("the cwd record (kf_fd -1) was taken for a descriptor")
	}
	if _, ok := FileByFD(files, 5); ok {
		t.Error("fd 5 found, but the process does not hold it")
	}
}

func TestDecodeFiledescMalformed(t *testing.T) {
	good := packedRecord(3, 1, "/x", readFstat)
	tooBig := append([]byte(nil), good...)
	le.PutUint32(tooBig, uint32(len(good)+8))
	tooSmall := append([]byte(nil), good...)
	le.PutUint32(tooSmall, 16)
	for _, c := range []struct {
		name    string
		buf     []byte
		records int
		offset  int
	}{
		{"truncated header", good[:100], 0, 0},
		{"structsize past the buffer", tooBig, 0, 0},
		{"structsize below kf_path", tooSmall, 0, 0},
		{"good then truncated", append(append([]byte(nil), good...), good[:40]...), 1, len(good)},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, err := DecodeFiledesc(c.buf)
			var fe *FiledescError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v, want a *FiledescError", err)
			}
			if fe.Offset != c.offset || len(files) != c.records {
				t.Errorf("offset %d, %d records; want %d, %d", fe.Offset, len(files), c.offset, c.records)
			}
		})
	}
	if files, err := DecodeFiledesc(nil); err != nil || len(files) != 0 {
		t.Errorf("empty buffer: %v %v", files, err)
	}
}

func TestRightsReason(t *testing.T) {
	var buf []byte
	buf = append(buf, packedRecord(3, 1, "/tmp/limited.txt", readFstat)...)
	buf = append(buf, packedRecord(5, 1, "/tmp/dir", allRights)...)
	files, err := DecodeFiledesc(buf)
	if err != nil {
		t.Fatal(err)
	}
	// write(3, ...): fd 3 is named with its rights.
	reason, ok := RightsReason("write", [6]uint64{3, 0x1000, 1}, files)
	if want := "write(2) on fd 3 needs CAP_WRITE; fd 3 has CAP_READ|CAP_FSTAT"; !ok || reason != want {
		t.Errorf("write: %q %v, want %q", reason, ok, want)
	}
	// Words that are no valid cap_rights_t are shown as stored.
	if got := NameRights("read", 0, 7, [2]uint64{1, 2}); !strings.Contains(got, "cr_rights {0x0000000000000001, 0x0000000000000002}") {
		t.Errorf("invalid words: %q", got)
	}
	// symlinkat(target, fd, path): the descriptor is the second argument;
	// C passes the int zero-extended, Go sign-extends: low 32 bits count.
	reason, ok = RightsReason("symlinkat", [6]uint64{0x1000, 0xffffffff00000003, 0x2000}, files)
	if !ok || !strings.HasPrefix(reason, "symlinkat(2) on fd 3 ") {
		t.Errorf("symlinkat: %q %v", reason, ok)
	}
	// renameat(5, a, 3, b): both directories are checked, in order.
	reason, ok = RightsReason("renameat", [6]uint64{5, 0x1000, 3, 0x2000}, files)
	if !ok || strings.Count(reason, "renameat(2) on fd") != 2 || !strings.Contains(reason, "fd 5") {
		t.Errorf("renameat: %q %v", reason, ok)
	}
	// A descriptor the process does not hold: nothing to say.
	if reason, ok := RightsReason("read", [6]uint64{9}, files); ok {
		t.Errorf("read on fd 9: %q", reason)
	}
}
