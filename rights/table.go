package rights

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Origin identifies the call that last limited a descriptor, as the tracer
// recorded it (the tracer keeps the stack; reports name it "limited at
// main, prog.c:41"). Zero means the descriptor was never limited here
// (it has all rights, or inherited its limits without a recorded call).
type Origin int

// Limits are what Capsicum allows on one descriptor: FreeBSD's struct
// filecaps (sys/sys/filedesc.h): fc_rights, fc_ioctls/fc_nioctls and
// fc_fcntls.
type Limits struct {
	Rights Set
	// IoctlsLimited is false while every ioctl command is allowed
	// (fc_nioctls == -1); when true, Ioctls lists the allowed commands.
	IoctlsLimited bool
	Ioctls        []uint64
	Fcntls        FcntlMask
	// Where each part was last narrowed: by cap_rights_limit, by
	// cap_ioctls_limit (or a rights limit that dropped CAP_IOCTL), by
	// cap_fcntls_limit (or one that dropped CAP_FCNTL).
	Origin, IoctlsOrigin, FcntlsOrigin Origin
}

// OriginOf is where the part of the limits a denial is about was set.
func (d *Denial) OriginOf() Origin {
	switch {
	case d.Ioctl:
		return d.Have.IoctlsOrigin
	case d.Fcntl:
		return d.Have.FcntlsOrigin
	}
	return d.Have.Origin
}

// Unlimited is what a descriptor has until something limits it.
func Unlimited() Limits { return Limits{Rights: All(), Fcntls: CAP_FCNTL_ALL} }

// Limited reports whether l is narrower than Unlimited in any way. A
// lookup through a limited directory descriptor must stay strictly
// beneath it, and the descriptor it opens inherits l (namei_setup in
// sys/kern/vfs_lookup.c: NIRES_STRICTREL).
func (l Limits) Limited() bool {
	return !l.Rights.IsAll() || l.IoctlsLimited || l.Fcntls != CAP_FCNTL_ALL
}

// AllowsIoctl reports whether cmd is in the ioctl limit (cap_ioctl_check,
// sys/kern/sys_capability.c). Linux passes the command as an unsigned int,
// so only its low 32 bits are compared.
func (l Limits) AllowsIoctl(cmd uint64) bool {
	if !l.IoctlsLimited {
		return true
	}
	for _, c := range l.Ioctls {
		if uint32(c) == uint32(cmd) {
			return true
		}
	}
	return false
}

func (l Limits) clone() Limits {
	l.Ioctls = slices.Clone(l.Ioctls)
	return l
}

// Errors the limit calls return, as FreeBSD's sys_capability.c does.
var (
	// ErrNotCapable: a limit would widen what the descriptor allows.
	ErrNotCapable = errors.New("the new limit is wider than the descriptor's")
	// ErrInvalid: a malformed limit (more than 256 ioctls, unknown fcntl bits).
	ErrInvalid = errors.New("invalid limit")
)

// MaxIoctls is the longest ioctl list cap_ioctls_limit accepts
// (IOCTLS_MAX_COUNT, sys/kern/sys_capability.c).
const MaxIoctls = 256

// Table is one process's descriptor limits. Descriptors it does not hold
// have all rights. It never learns which descriptors are open: the caller
// answers EBADF before asking it.
type Table struct {
	fds map[int]Limits
	// everLimited stays true once a limit was set in this process or
	// inherited: from then on its descriptor calls must be checked.
	everLimited bool
}

// NewTable is the table of a process that has limited nothing.
func NewTable() *Table { return &Table{fds: make(map[int]Limits)} }

// Get is fd's limits.
func (t *Table) Get(fd int) Limits {
	if l, ok := t.fds[fd]; ok {
		return l
	}
	return Unlimited()
}

// EverLimited reports whether any descriptor of the process was ever
// limited: until then no descriptor call can lack a right, and the tracer
// need not stop at read or write.
func (t *Table) EverLimited() bool { return t.everLimited }

// Descriptors are the limited descriptors, in order.
func (t *Table) Descriptors() []int {
	var out []int
	for fd := range t.fds {
		out = append(out, fd)
	}
	slices.Sort(out)
	return out
}

func (t *Table) set(fd int, l Limits) {
	if !l.Limited() {
		delete(t.fds, fd)
		return
	}
	t.fds[fd] = l
	t.everLimited = true
}

// LimitRights is cap_rights_limit: the new rights must lie within the old
// ones; dropping CAP_IOCTL empties the ioctl list and dropping CAP_FCNTL
// the fcntl mask (kern_cap_rights_limit, sys/kern/sys_capability.c).
func (t *Table) LimitRights(fd int, s Set, at Origin) error {
	l := t.Get(fd)
	if !l.Rights.Contains(s) {
		return ErrNotCapable
	}
	l.Rights = s
	if !s.Has(CAP_IOCTL) {
		l.IoctlsLimited, l.Ioctls, l.IoctlsOrigin = true, nil, at
	}
	if !s.Has(CAP_FCNTL) {
		l.Fcntls, l.FcntlsOrigin = 0, at
	}
	l.Origin = at
	t.set(fd, l)
	return nil
}

// LimitIoctls is cap_ioctls_limit: every command must already be allowed
// (cap_ioctl_limit_check, sys/kern/sys_capability.c).
func (t *Table) LimitIoctls(fd int, cmds []uint64, at Origin) error {
	if len(cmds) > MaxIoctls {
		return ErrInvalid
	}
	l := t.Get(fd)
	for _, c := range cmds {
		if !l.AllowsIoctl(c) {
			return ErrNotCapable
		}
	}
	l.IoctlsLimited, l.Ioctls = true, slices.Clone(cmds)
	l.IoctlsOrigin = at
	t.set(fd, l)
	return nil
}

// LimitFcntls is cap_fcntls_limit: only CAP_FCNTL_* bits, none the
// descriptor lacks (kern_cap_fcntls_limit, sys/kern/sys_capability.c).
func (t *Table) LimitFcntls(fd int, m FcntlMask, at Origin) error {
	if m&^CAP_FCNTL_ALL != 0 {
		return ErrInvalid
	}
	l := t.Get(fd)
	if m&^l.Fcntls != 0 {
		return ErrNotCapable
	}
	l.Fcntls = m
	l.FcntlsOrigin = at
	t.set(fd, l)
	return nil
}

// Dup gives to the limits of from: dup, dup2, dup3, F_DUPFD and
// F_DUPFD_CLOEXEC copy the filecaps (do_dup, sys/kern/kern_descrip.c).
func (t *Table) Dup(from, to int) {
	if from == to {
		return
	}
	t.set(to, t.Get(from).clone())
}

// Install gives fd the limits l: a descriptor received with SCM_RIGHTS
// keeps the sender's limits (unp_externalize, sys/kern/uipc_usrreq.c).
func (t *Table) Install(fd int, l Limits) { t.set(fd, l.clone()) }

// OpenedThrough records that fd was opened by a lookup relative to dirfd
// (openat) or accepted on the listening socket dirfd: it gets dirfd's
// limits when dirfd is limited, else all rights (kern_openat,
// sys/kern/vfs_syscalls.c; kern_accept4, sys/kern/uipc_syscalls.c).
func (t *Table) OpenedThrough(dirfd, fd int) {
	l := t.Get(dirfd)
	if !l.Limited() {
		delete(t.fds, fd)
		return
	}
	t.set(fd, l.clone())
}

// Opened records a new descriptor with all rights (open, socket, pipe...).
func (t *Table) Opened(fd int) { delete(t.fds, fd) }

// Close forgets fd's limits.
func (t *Table) Close(fd int) { delete(t.fds, fd) }

// CloseRange forgets the limits of first..last (close_range).
func (t *Table) CloseRange(first, last uint) {
	for fd := range t.fds {
		if fd >= 0 && uint(fd) >= first && uint(fd) <= last {
			delete(t.fds, fd)
		}
	}
}

// Retain keeps only the descriptors open reports open: after exec, which
// closes close-on-exec descriptors and keeps the others' limits.
func (t *Table) Retain(open func(fd int) bool) {
	for fd := range t.fds {
		if !open(fd) {
			delete(t.fds, fd)
		}
	}
}

// Fork is the child's table: fork copies the descriptor table with its
// limits (fdcopy, sys/kern/kern_descrip.c).
func (t *Table) Fork() *Table {
	c := &Table{fds: make(map[int]Limits, len(t.fds)), everLimited: t.everLimited}
	for fd, l := range t.fds {
		c.fds[fd] = l.clone()
	}
	return c
}

// Denial is why a descriptor use fails with ENOTCAPABLE.
type Denial struct {
	Use  Use
	Have Limits
	// Missing are the rights the use needs and the descriptor lacks; empty
	// when the rights suffice but the ioctl or fcntl limit refuses.
	Missing Set
	// Ioctl: the command is not in the descriptor's ioctl limit.
	Ioctl bool
	// Fcntl: the command's CAP_FCNTL_* bit is not in the fcntl limit.
	Fcntl bool
}

// Check decides one use of a descriptor against the table, in FreeBSD's
// order: the rights first (fget with the call's cap_*_rights), then the
// ioctl list or fcntl mask (cap_ioctl_check, cap_fcntl_check).
func (t *Table) Check(u Use) *Denial {
	l := t.Get(u.FD)
	if missing := u.Rights.Remove(l.Rights); !missing.IsEmpty() {
		return &Denial{Use: u, Have: l, Missing: missing}
	}
	if u.Ioctl && !l.AllowsIoctl(u.IoctlCmd) {
		return &Denial{Use: u, Have: l, Ioctl: true}
	}
	if u.Fcntl != 0 && l.Fcntls&u.Fcntl == 0 {
		return &Denial{Use: u, Have: l, Fcntl: true}
	}
	return nil
}

// Reason is the denial in one line, for a call named call:
// "write(2) on fd 3 needs CAP_WRITE; fd 3 has CAP_READ|CAP_FSTAT". The
// caller appends where the descriptor was limited.
func (d *Denial) Reason(call string) string {
	fd := "fd " + strconv.Itoa(d.Use.FD)
	var b strings.Builder
	b.WriteString(call + "(2) on " + fd + " needs ")
	switch {
	case d.Ioctl:
		b.WriteString("ioctl command " + hexCmd(d.Use.IoctlCmd) + " in its ioctl limit; " + fd + " allows ")
		if len(d.Have.Ioctls) == 0 {
			b.WriteString("no ioctl command")
		} else {
			var cmds []string
			for _, c := range d.Have.Ioctls {
				cmds = append(cmds, hexCmd(c))
			}
			b.WriteString(strings.Join(cmds, ", "))
		}
	case d.Fcntl:
		b.WriteString(d.Use.Fcntl.String() + " in its fcntl limit; " + fd + " allows " + d.Have.Fcntls.String())
	default:
		b.WriteString(d.Missing.String() + "; " + fd + " has " + d.Have.Rights.String())
	}
	return b.String()
}

func hexCmd(c uint64) string { return "0x" + strconv.FormatUint(uint64(uint32(c)), 16) }
