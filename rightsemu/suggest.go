package rightsemu

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/captrace/captrace/rights"
)

// Root is a descriptor a process held when it entered capability mode: the
// one a program can limit before cap_enter(). Everything that later uses
// the same open file through a copy (dup, fork) or inherits its limits
// (openat through it, accept on it) adds its needs to the root's.
type Root struct {
	Pid, FD int
	// Path is what the descriptor refers to ("/etc/motd", "socket:[1234]",
	// "pipe:[99]", "/dev/pts/0"), as /proc/PID/fd names it.
	Path string
	// Opened is where the program opened it (zero: inherited, or opened
	// before captrace could see it).
	Opened rights.Origin

	Rights rights.Set
	Ioctls []uint64
	Fcntls rights.FcntlMask
}

// Recorder collects, for --suggest-rights, every use of every descriptor a
// process holds after its enter point.
type Recorder struct {
	roots []*Root
	procs map[int]map[int]*Root // pid -> fd -> its root
}

// NewRecorder is an empty recorder.
func NewRecorder() *Recorder { return &Recorder{procs: map[int]map[int]*Root{}} }

// Held is a descriptor open at the enter point.
type Held struct {
	FD     int
	Path   string
	Opened rights.Origin
}

// Enter records the descriptors pid holds as it enters capability mode.
func (r *Recorder) Enter(pid int, held []Held) {
	fds := map[int]*Root{}
	for _, h := range held {
		root := &Root{Pid: pid, FD: h.FD, Path: h.Path, Opened: h.Opened}
		r.roots = append(r.roots, root)
		fds[h.FD] = root
	}
	r.procs[pid] = fds
}

// Tracking reports whether pid's descriptor uses are being recorded.
func (r *Recorder) Tracking(pid int) bool { return r.procs[pid] != nil }

// Use records one use of a descriptor: the rights, ioctl command and fcntl
// bit it needed.
func (r *Recorder) Use(pid int, u rights.Use) {
	root := r.procs[pid][u.FD]
	if root == nil {
		return
	}
	root.Rights = root.Rights.Union(u.Rights)
	if u.Ioctl && !slices.Contains(root.Ioctls, uint64(uint32(u.IoctlCmd))) {
		root.Ioctls = append(root.Ioctls, uint64(uint32(u.IoctlCmd)))
		slices.Sort(root.Ioctls)
	}
	root.Fcntls |= u.Fcntl
}

// Apply follows the descriptors of a call that returned ret, as Apply does
// for limits: a dup shares the root, openat and accept pass it on, close
// and new descriptors drop it.
func (r *Recorder) Apply(pid int, call string, args [6]uint64, ret int64, uses []rights.Use) {
	fds := r.procs[pid]
	if fds == nil {
		return
	}
	fd := func(i int) int { return int(int32(uint32(args[i]))) }
	set := func(to int, root *Root) {
		if root == nil {
			delete(fds, to)
		} else {
			fds[to] = root
		}
	}
	switch call {
	case "close":
		delete(fds, fd(0))
		return
	case "close_range":
		if ret == 0 && args[2]&closeRangeCloexec == 0 {
			for n := range fds {
				if n >= fd(0) && uint(n) <= uint(uint32(args[1])) {
					delete(fds, n)
				}
			}
		}
		return
	}
	if ret < 0 {
		return
	}
	switch call {
	case "dup":
		set(int(ret), fds[fd(0)])
	case "dup2", "dup3":
		if fd(0) != fd(1) {
			set(fd(1), fds[fd(0)])
		}
	case "fcntl":
		if rights.LinuxFcntlDups(int(int32(uint32(args[1])))) {
			set(int(ret), fds[fd(0)])
		}
	case "accept", "accept4":
		set(int(ret), fds[fd(0)])
	case "openat", "openat2":
		for _, u := range uses {
			if u.Lookup {
				set(int(ret), fds[u.FD])
				return
			}
		}
		delete(fds, int(ret))
	default:
		if newDescriptorCalls()[call] {
			delete(fds, int(ret))
		}
	}
}

// Fork gives child the parent's descriptors: their uses count for the
// same roots.
func (r *Recorder) Fork(parent, child int) {
	fds := r.procs[parent]
	if fds == nil {
		return
	}
	r.procs[child] = maps(fds)
}

func maps(m map[int]*Root) map[int]*Root {
	c := make(map[int]*Root, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Exit forgets a process's descriptors; its roots stay.
func (r *Recorder) Exit(pid int) { delete(r.procs, pid) }

// Suggestions are the roots, by process and descriptor, with their
// minimal limits: the rights every use needed; the ioctl commands when
// CAP_IOCTL is among them; the fcntl commands when CAP_FCNTL is.
func (r *Recorder) Suggestions() []Root {
	var out []Root
	for _, root := range r.roots {
		s := *root
		s.Ioctls = slices.Clone(root.Ioctls)
		if !s.Rights.Has(rights.CAP_IOCTL) {
			s.Ioctls = nil
		}
		if !s.Rights.Has(rights.CAP_FCNTL) {
			s.Fcntls = 0
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b Root) int {
		if a.Pid != b.Pid {
			return a.Pid - b.Pid
		}
		return a.FD - b.FD
	})
	return out
}

// ioctlNames are the Linux ioctl commands a suggestion names in a comment
// (include/uapi/asm-generic/ioctls.h).
// Built at first use, not at package initialisation (start-up, issue 15).
var ioctlNames = sync.OnceValue(func() map[uint64]string {
	return map[uint64]string{
		0x5401: "TCGETS", 0x5402: "TCSETS", 0x5403: "TCSETSW", 0x5404: "TCSETSF",
		0x540f: "TIOCGPGRP", 0x5410: "TIOCSPGRP", 0x5413: "TIOCGWINSZ", 0x5414: "TIOCSWINSZ",
		0x541b: "FIONREAD", 0x5421: "FIONBIO", 0x5450: "FIONCLEX", 0x5451: "FIOCLEX", 0x5452: "FIOASYNC",
	}
})

// IoctlName is a Linux ioctl command's name, or "" if unknown here.
func IoctlName(cmd uint64) string { return ioctlNames()[cmd] }

// WriteC prints the suggestions of one process as C to paste before its
// cap_enter(); where resolves an Origin to "main, prog.c:12" ("" when
// unknown).
func WriteC(w io.Writer, roots []Root, where func(rights.Origin) string) error {
	var b strings.Builder
	pid := 0
	for i, r := range roots {
		if i == 0 || r.Pid != pid {
			if i > 0 {
				b.WriteString("}\n")
			}
			pid = r.Pid
			fmt.Fprintf(&b, "/* captrace --suggest-rights, process %d: paste before cap_enter(). */\n{\n\tcap_rights_t r;\n", pid)
		}
		opened := "inherited"
		if loc := where(r.Opened); loc != "" {
			opened = "opened at " + loc
		}
		fmt.Fprintf(&b, "\n\t/* fd %d: %s (%s) */\n", r.FD, r.Path, opened)
		if r.Rights.IsEmpty() {
			fmt.Fprintf(&b, "\t/* not used after cap_enter(): no rights (or close it) */\n")
		}
		args := append([]string{"&r"}, r.Rights.Names()...)
		fmt.Fprintf(&b, "\tcap_rights_init(%s);\n\tcaph_rights_limit(%d, &r);\n", strings.Join(args, ", "), r.FD)
		if r.Rights.Has(rights.CAP_IOCTL) {
			var cmds []string
			for _, c := range r.Ioctls {
				s := fmt.Sprintf("%#x", c)
				if n := IoctlName(c); n != "" {
					s += " /* " + n + " */"
				}
				cmds = append(cmds, s)
			}
			if len(cmds) == 0 {
				fmt.Fprintf(&b, "\tcaph_ioctls_limit(%d, NULL, 0);\n", r.FD)
			} else {
				fmt.Fprintf(&b, "\t{\n\t\tstatic const cap_ioctl_t cmds[] = { %s };\n\t\tcaph_ioctls_limit(%d, cmds, nitems(cmds));\n\t}\n",
					strings.Join(cmds, ", "), r.FD)
			}
		}
		if r.Rights.Has(rights.CAP_FCNTL) {
			fmt.Fprintf(&b, "\tcaph_fcntls_limit(%d, %s);\n", r.FD, r.Fcntls.String())
		}
	}
	if len(roots) > 0 {
		b.WriteString("}\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Forget drops what descriptor fd of pid stood for: it now refers to a
// new file (pipe and socketpair return theirs in memory).
func (r *Recorder) Forget(pid, fd int) { delete(r.procs[pid], fd) }

// Retain keeps only the descriptors open reports open (after exec).
func (r *Recorder) Retain(pid int, open func(fd int) bool) {
	for fd := range r.procs[pid] {
		if !open(fd) {
			delete(r.procs[pid], fd)
		}
	}
}
