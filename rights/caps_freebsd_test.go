package rights

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The values in caps.go are copied from sys/sys/capsicum.h; x/sys/unix
// generates its own from the same header on FreeBSD. Where both have a
// name, they must agree.
func TestValuesAgreeWithXSysUnix(t *testing.T) {
	want := map[string]uint64{
		"CAP_ACCEPT": unix.CAP_ACCEPT, "CAP_ACL_CHECK": unix.CAP_ACL_CHECK, "CAP_ACL_DELETE": unix.CAP_ACL_DELETE,
		"CAP_ACL_GET": unix.CAP_ACL_GET, "CAP_ACL_SET": unix.CAP_ACL_SET, "CAP_ALL0": unix.CAP_ALL0,
		"CAP_ALL1": unix.CAP_ALL1, "CAP_BIND": unix.CAP_BIND, "CAP_BINDAT": unix.CAP_BINDAT,
		"CAP_CHFLAGSAT": unix.CAP_CHFLAGSAT, "CAP_CONNECT": unix.CAP_CONNECT, "CAP_CONNECTAT": unix.CAP_CONNECTAT,
		"CAP_CREATE": unix.CAP_CREATE, "CAP_EVENT": unix.CAP_EVENT, "CAP_EXTATTR_DELETE": unix.CAP_EXTATTR_DELETE,
		"CAP_EXTATTR_GET": unix.CAP_EXTATTR_GET, "CAP_EXTATTR_LIST": unix.CAP_EXTATTR_LIST,
		"CAP_EXTATTR_SET": unix.CAP_EXTATTR_SET, "CAP_FCHDIR": unix.CAP_FCHDIR, "CAP_FCHFLAGS": unix.CAP_FCHFLAGS,
		"CAP_FCHMOD": unix.CAP_FCHMOD, "CAP_FCHMODAT": unix.CAP_FCHMODAT, "CAP_FCHOWN": unix.CAP_FCHOWN,
		"CAP_FCHOWNAT": unix.CAP_FCHOWNAT, "CAP_FCNTL": unix.CAP_FCNTL, "CAP_FEXECVE": unix.CAP_FEXECVE,
		"CAP_FLOCK": unix.CAP_FLOCK, "CAP_FPATHCONF": unix.CAP_FPATHCONF, "CAP_FSCK": unix.CAP_FSCK,
		"CAP_FSTAT": unix.CAP_FSTAT, "CAP_FSTATAT": unix.CAP_FSTATAT, "CAP_FSTATFS": unix.CAP_FSTATFS,
		"CAP_FSYNC": unix.CAP_FSYNC, "CAP_FTRUNCATE": unix.CAP_FTRUNCATE, "CAP_FUTIMES": unix.CAP_FUTIMES,
		"CAP_FUTIMESAT": unix.CAP_FUTIMESAT, "CAP_GETPEERNAME": unix.CAP_GETPEERNAME,
		"CAP_GETSOCKNAME": unix.CAP_GETSOCKNAME, "CAP_GETSOCKOPT": unix.CAP_GETSOCKOPT, "CAP_IOCTL": unix.CAP_IOCTL,
		"CAP_KQUEUE": unix.CAP_KQUEUE, "CAP_KQUEUE_CHANGE": unix.CAP_KQUEUE_CHANGE,
		"CAP_KQUEUE_EVENT": unix.CAP_KQUEUE_EVENT, "CAP_LINKAT_SOURCE": unix.CAP_LINKAT_SOURCE,
		"CAP_LINKAT_TARGET": unix.CAP_LINKAT_TARGET, "CAP_LISTEN": unix.CAP_LISTEN, "CAP_LOOKUP": unix.CAP_LOOKUP,
		"CAP_MAC_GET": unix.CAP_MAC_GET, "CAP_MAC_SET": unix.CAP_MAC_SET, "CAP_MKDIRAT": unix.CAP_MKDIRAT,
		"CAP_MKFIFOAT": unix.CAP_MKFIFOAT, "CAP_MKNODAT": unix.CAP_MKNODAT, "CAP_MMAP": unix.CAP_MMAP,
		"CAP_MMAP_R": unix.CAP_MMAP_R, "CAP_MMAP_RW": unix.CAP_MMAP_RW, "CAP_MMAP_RWX": unix.CAP_MMAP_RWX,
		"CAP_MMAP_RX": unix.CAP_MMAP_RX, "CAP_MMAP_W": unix.CAP_MMAP_W, "CAP_MMAP_WX": unix.CAP_MMAP_WX,
		"CAP_MMAP_X": unix.CAP_MMAP_X, "CAP_PDGETPID": unix.CAP_PDGETPID, "CAP_PDKILL": unix.CAP_PDKILL,
		"CAP_PDWAIT": unix.CAP_PDWAIT, "CAP_PEELOFF": unix.CAP_PEELOFF, "CAP_POLL_EVENT": unix.CAP_POLL_EVENT,
		"CAP_PREAD": unix.CAP_PREAD, "CAP_PWRITE": unix.CAP_PWRITE, "CAP_READ": unix.CAP_READ,
		"CAP_RECV": unix.CAP_RECV, "CAP_RENAMEAT_SOURCE": unix.CAP_RENAMEAT_SOURCE,
		"CAP_RENAMEAT_TARGET": unix.CAP_RENAMEAT_TARGET, "CAP_SEEK": unix.CAP_SEEK,
		"CAP_SEEK_TELL": unix.CAP_SEEK_TELL, "CAP_SEM_GETVALUE": unix.CAP_SEM_GETVALUE,
		"CAP_SEM_POST": unix.CAP_SEM_POST, "CAP_SEM_WAIT": unix.CAP_SEM_WAIT, "CAP_SEND": unix.CAP_SEND,
		"CAP_SETSOCKOPT": unix.CAP_SETSOCKOPT, "CAP_SHUTDOWN": unix.CAP_SHUTDOWN,
		"CAP_SOCK_CLIENT": unix.CAP_SOCK_CLIENT, "CAP_SOCK_SERVER": unix.CAP_SOCK_SERVER,
		"CAP_SYMLINKAT": unix.CAP_SYMLINKAT, "CAP_TTYHOOK": unix.CAP_TTYHOOK, "CAP_UNLINKAT": unix.CAP_UNLINKAT,
		"CAP_UNUSED0_44": unix.CAP_UNUSED0_44, "CAP_UNUSED0_57": unix.CAP_UNUSED0_57,
		"CAP_UNUSED1_22": unix.CAP_UNUSED1_22, "CAP_UNUSED1_57": unix.CAP_UNUSED1_57, "CAP_WRITE": unix.CAP_WRITE,
	}
	for name, v := range want {
		r, ok := Lookup(name)
		if !ok || uint64(r) != v {
			t.Errorf("%s = %#x, x/sys/unix has %#x", name, uint64(r), v)
		}
	}
	for _, tc := range []struct {
		got  FcntlMask
		want uint64
	}{
		{CAP_FCNTL_GETFL, unix.CAP_FCNTL_GETFL}, {CAP_FCNTL_SETFL, unix.CAP_FCNTL_SETFL},
		{CAP_FCNTL_GETOWN, unix.CAP_FCNTL_GETOWN}, {CAP_FCNTL_SETOWN, unix.CAP_FCNTL_SETOWN},
		{CAP_FCNTL_ALL, unix.CAP_FCNTL_ALL},
	} {
		if uint64(tc.got) != tc.want {
			t.Errorf("%s = %#x, x/sys/unix has %#x", tc.got, uint64(tc.got), tc.want)
		}
	}
	// cap_rights_init's layout: x/sys/unix's CapRightsInit builds the words.
	cr, err := unix.CapRightsInit([]uint64{unix.CAP_READ, unix.CAP_FSTAT})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Rights != Of(CAP_READ, CAP_FSTAT).Words() {
		t.Errorf("words %#x, x/sys/unix builds %#x", Of(CAP_READ, CAP_FSTAT).Words(), cr.Rights)
	}
}
