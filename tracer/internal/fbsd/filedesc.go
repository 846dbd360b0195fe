package fbsd

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/captrace/captrace/rights"
)

// Reading a FreeBSD process's descriptor rights, as procstat -C does: the
// kern.proc.filedesc.<pid> sysctl (CTL_KERN, KERN_PROC, KERN_PROC_FILEDESC,
// pid; sys/sys/sysctl.h) returns one struct kinfo_file per descriptor, and
// kf_cap_rights holds its cap_rights_t.

// struct kinfo_file on amd64 (sys/sys/user.h): five ints and a pad, the
// 64-bit kf_offset, a 304-byte union of per-type details (kf_sock,
// kf_file, kf_sem, kf_pipe, kf_pts, kf_proc), kf_status, kf_pad1,
// _kf_ispare0, kf_cap_rights (cap_rights_t: uint64_t cr_rights[2]),
// _kf_cap_spare, then kf_path[PATH_MAX]. KINFO_FILE_SIZE is 1392 and "should
// never be changed" (user.h), so these offsets hold for every FreeBSD
// release since kf_cap_rights was added (10.0).
const (
	KinfoFileStructsize = 0
	KinfoFileType       = 4
	KinfoFileFD         = 8
	KinfoFileCapRights  = 344
	KinfoFilePath       = 368
	KinfoFileSize       = 1392 // KINFO_FILE_SIZE

	capRightsWords = 2 // CAP_RIGHTS_VERSION_00: two cr_rights words
)

// FileEntry is one kinfo_file record: the descriptor, what it refers
// to, and its capability rights as the kernel stores them.
type FileEntry struct {
	FD   int32 // kf_fd; negative for the cwd, root, jail, text... records
	Type int32 // kf_type: KF_TYPE_VNODE, KF_TYPE_SOCKET, ...
	Path string
	// Rights is kf_cap_rights.cr_rights: the version in the top bits of
	// word 0, each word's index bits, the rights (sys/sys/capsicum.h).
	Rights [capRightsWords]uint64
}

// FiledescError is a malformed kern.proc.filedesc buffer: where the
// bad record starts and what is wrong with it.
type FiledescError struct {
	Offset int
	Msg    string
}

func (e *FiledescError) Error() string {
	return fmt.Sprintf("kern.proc.filedesc: record at byte %d: %s", e.Offset, e.Msg)
}

// DecodeFiledesc splits the sysctl's buffer into records. The kernel
// packs them (KERN_FILEDESC_PACK_KINFO in sysctl_kern_proc_filedesc,
// sys/kern/kern_descrip.c): each record's kf_structsize is kf_path's offset
// plus the path and its NUL, rounded up to 8 bytes, so the records are
// walked by kf_structsize, never by KINFO_FILE_SIZE.
func DecodeFiledesc(b []byte) ([]FileEntry, error) {
	var files []FileEntry
	for off := 0; off < len(b); {
		rest := b[off:]
		if len(rest) < KinfoFilePath {
			return files, &FiledescError{off, fmt.Sprintf("%d bytes left, a record needs at least %d", len(rest), KinfoFilePath)}
		}
		size := int(int32(le.Uint32(rest[KinfoFileStructsize:])))
		if size < KinfoFilePath || size > KinfoFileSize || size > len(rest) {
			return files, &FiledescError{off, fmt.Sprintf("kf_structsize %d outside [%d, min(%d, %d)]", size, KinfoFilePath, KinfoFileSize, len(rest))}
		}
		rec := rest[:size]
		path := rec[KinfoFilePath:]
		if i := bytes.IndexByte(path, 0); i >= 0 {
			path = path[:i]
		}
		files = append(files, FileEntry{
			FD:   int32(le.Uint32(rec[KinfoFileFD:])),
			Type: int32(le.Uint32(rec[KinfoFileType:])),
			Path: string(path),
			Rights: [capRightsWords]uint64{
				le.Uint64(rec[KinfoFileCapRights:]),
				le.Uint64(rec[KinfoFileCapRights+8:]),
			},
		})
		off += size
	}
	return files, nil
}

// FileByFD finds descriptor fd among the records.
func FileByFD(files []FileEntry, fd int) (FileEntry, bool) {
	if fd < 0 {
		return FileEntry{}, false // negative kf_fd are not descriptors
	}
	for _, f := range files {
		if int(f.FD) == fd {
			return f, true
		}
	}
	return FileEntry{}, false
}

// DescriptorArgs says which arguments of a FreeBSD syscall are
// descriptors whose rights the kernel checks (sys/kern/*: the fget*(td,
// fd, &rights) calls), in the order it checks them: first argument for
// the descriptor calls and the *at calls, the exceptions listed.
func DescriptorArgs(name string) []int {
	switch name {
	case "symlinkat":
		return []int{1} // symlinkat(target, fd, path)
	case "linkat", "renameat", "copy_file_range":
		return []int{0, 2}
	case "mmap":
		return []int{4}
	case "sendfile", "bindat", "connectat":
		return []int{0, 1}
	case "pdkill", "pdgetpid", "pdwait":
		return []int{0}
	}
	return []int{0}
}

// RightsReason explains a real ENOTCAPABLE from the rights the
// descriptors held at that moment (files: kern.proc.filedesc read at the
// stop): "write(2) on fd 3 needs CAP_WRITE; fd 3 has CAP_READ|CAP_FSTAT".
// ok is false when no descriptor argument is in the table (a path escape,
// or a descriptor the process no longer holds).
func RightsReason(name string, args [6]uint64, files []FileEntry) (reason string, ok bool) {
	var parts []string
	for _, i := range DescriptorArgs(name) {
		fd := int(int32(uint32(args[i])))
		f, found := FileByFD(files, fd)
		if !found {
			continue
		}
		parts = append(parts, NameRights(name, i, fd, f.Rights))
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "; "), true
}

// NameRights says what descriptor fd (argument arg of name(2)) had when
// the call was refused, by CAP_* name: "write(2) on fd 3 needs CAP_WRITE;
// fd 3 has CAP_READ|CAP_FSTAT". What the call needs is said only for the
// calls whose needs do not depend on flags (rights.FixedNeeds), since
// FreeBSD's flag values are not Linux's; words that are no valid
// cap_rights_t are shown as the kernel stores them.
func NameRights(name string, arg, fd int, have [capRightsWords]uint64) string {
	set, err := rights.FromWords(have)
	if err != nil {
		return fmt.Sprintf("%s(2) on fd %d lacks a capability right; fd %d has cr_rights {%#016x, %#016x}", name, fd, fd, have[0], have[1])
	}
	if need, ok := rights.FixedNeeds(name); ok && arg == 0 {
		if missing := need.Remove(set); !missing.IsEmpty() {
			return fmt.Sprintf("%s(2) on fd %d needs %s; fd %d has %s", name, fd, missing, fd, set)
		}
	}
	return fmt.Sprintf("%s(2) on fd %d lacks a capability right; fd %d has %s", name, fd, fd, set)
}
