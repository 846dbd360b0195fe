package capmode

import (
	"encoding/binary"
)

// ArgType says what one syscall argument is, and so how it is read at
// the stop and printed later.
type ArgType int

const (
	ArgHex           ArgType = iota // 0x1f: anything without a better rendering
	ArgInt                          // signed 32-bit decimal
	ArgUint                         // unsigned 64-bit decimal (sizes, lengths)
	ArgFD                           // a descriptor: signed 32-bit decimal
	ArgDirFD                        // AT_FDCWD or a descriptor
	ArgPath                         // a NUL-terminated path, quoted; NULL
	ArgOpenFlags                    // O_RDONLY|O_CREAT|O_CLOEXEC
	ArgMode                         // 0644 (left out when open flags create nothing)
	ArgAtFlags                      // AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH
	ArgSignal                       // SIGTERM
	ArgPid                          // signed 32-bit decimal
	ArgPtr                          // NULL or 0x7ffd...
	ArgSockaddr                     // a struct sockaddr; its length is the next argument
	ArgMsghdr                       // a struct msghdr, with msg_name decoded
	ArgAccessMode                   // F_OK, R_OK|W_OK
	ArgOpenHow                      // openat2's struct open_how
	ArgStringArray                  // argv/envp: ["ls", "-l"]
	ArgAccessAtFlags                // faccessat2's: AT_EACCESS, which Linux numbers as AT_REMOVEDIR
	ArgString                       // one entry of a string array: quoted, cut at 32 bytes
)

// Limits that keep Decode cheap and bounded whatever the tracee holds.
const (
	maxStringShown = 32  // strace's default -s
	maxArrayShown  = 16  // argv entries before "..."
	maxSockaddr    = 128 // sizeof(struct sockaddr_storage)
)

// Decode captures the call's arguments, typed, while the thread is
// stopped. It reads tracee memory only for pointers it knows the type of,
// and never fails: an unreadable pointer is kept as its address. Nothing
// is formatted here: Arg.String does that later, off the ptrace thread.
func (t *Table) Decode(c Call, tr Tracee) []Arg {
	e := t.entry(c.Nr)
	if e == nil || e.ArgFormat == nil {
		return RawArgs(c)
	}
	d := decoder{abi: t.abi, tr: tr, args: c.Args}
	format := e.ArgFormat
	if len(format) > len(c.Args) {
		format = format[:len(c.Args)]
	}
	out := make([]Arg, 0, len(format))
	for i, typ := range format {
		if typ == ArgMode && i > 0 && format[i-1] == ArgOpenFlags && !d.createsFile(c.Args[i-1]) {
			break // strace omits the mode of an open that creates nothing
		}
		out = append(out, d.arg(i, typ))
	}
	return out
}

// RawArgs keeps all six argument registers as numbers without a known
// meaning (a call of another ABI, or one no format describes): printed in
// hex, as strace does.
func RawArgs(c Call) []Arg {
	out := make([]Arg, len(c.Args))
	for i, v := range c.Args {
		out[i] = Arg{Type: ArgHex, Value: v}
	}
	return out
}

type decoder struct {
	abi  *abi
	tr   Tracee
	args [6]uint64
}

func (d *decoder) createsFile(flags uint64) bool {
	a := d.abi
	return flags&a.oCreat != 0 || (a.oTmpfile != 0 && flags&a.oTmpfile == a.oTmpfile)
}

func (d *decoder) arg(i int, typ ArgType) Arg {
	v := d.args[i]
	switch typ {
	case ArgPath:
		return d.path(v)
	case ArgSockaddr:
		n := uint64(0)
		if i+1 < len(d.args) {
			n = uint64(uint32(d.args[i+1]))
		}
		return d.sockaddr(v, n)
	case ArgMsghdr:
		return d.msghdr(v)
	case ArgOpenHow:
		return d.openHow(v)
	case ArgStringArray:
		return d.stringArray(v)
	}
	return Arg{Type: typ, Value: v, abi: d.abi}
}

func (d *decoder) path(addr uint64) Arg {
	a := Arg{Type: ArgPath, Value: addr, abi: d.abi}
	if addr == 0 {
		return a
	}
	if s, err := d.tr.ReadString(addr, maxPath); err == nil {
		a.Data, a.Read = s, true
	}
	return a
}

func (d *decoder) openHow(addr uint64) Arg {
	a := Arg{Type: ArgOpenHow, Value: addr, abi: d.abi}
	var how [24]byte
	if addr == 0 || d.tr.ReadMemory(addr, how[:]) != nil {
		return a
	}
	a.Read = true
	a.Elems = []Arg{
		{Type: ArgOpenFlags, Value: binary.LittleEndian.Uint64(how[0:]), abi: d.abi},
		{Type: ArgMode, Value: binary.LittleEndian.Uint64(how[8:]), abi: d.abi},
		{Type: ArgHex, Value: binary.LittleEndian.Uint64(how[16:]), abi: d.abi}, // RESOLVE_* flags
	}
	return a
}

func (d *decoder) sockaddr(addr, n uint64) Arg {
	a := Arg{Type: ArgSockaddr, Value: addr, abi: d.abi}
	n = min(n, maxSockaddr)
	if addr == 0 || n < 2 {
		return a
	}
	buf := make([]byte, n)
	if d.tr.ReadMemory(addr, buf) == nil {
		a.Data, a.Read = string(buf), true
	}
	return a
}

func (d *decoder) msghdr(addr uint64) Arg {
	a := Arg{Type: ArgMsghdr, Value: addr, abi: d.abi}
	size, nameLenOff, _ := d.abi.msghdrLayout()
	h := make([]byte, size)
	if addr == 0 || d.tr.ReadMemory(addr, h) != nil {
		return a
	}
	// msg_name, msg_namelen, msg_iov, msg_iovlen: a pointer, an int
	// padded to a pointer, a pointer, a size_t.
	ps := d.abi.pointerSize()
	namelen := uint64(binary.LittleEndian.Uint32(h[nameLenOff:]))
	a.Read = true
	a.Elems = []Arg{
		d.sockaddr(d.abi.pointerAt(h[0:]), namelen),
		{Type: ArgUint, Value: namelen, abi: d.abi},
		{Type: ArgPtr, Value: d.abi.pointerAt(h[2*ps:]), abi: d.abi},
		{Type: ArgUint, Value: d.abi.pointerAt(h[3*ps:]), abi: d.abi},
	}
	return a
}

func (d *decoder) stringArray(addr uint64) Arg {
	a := Arg{Type: ArgStringArray, Value: addr, abi: d.abi}
	if addr == 0 {
		return a
	}
	ps := d.abi.pointerSize()
	p := make([]byte, ps)
	for i := 0; ; i++ {
		if i == maxArrayShown {
			a.More = true
			break
		}
		if d.tr.ReadMemory(addr+uint64(ps*i), p) != nil {
			if i == 0 {
				return a
			}
			a.More = true
			break
		}
		s := d.abi.pointerAt(p)
		if s == 0 {
			break
		}
		e := Arg{Type: ArgString, Value: s, abi: d.abi}
		if str, err := d.tr.ReadString(s, maxStringShown+1); err == nil {
			e.Data, e.Read = str, true
		}
		a.Elems = append(a.Elems, e)
	}
	a.Read = true
	return a
}

// Describe names the call and decodes its arguments as strace shows them.
// i386's socketcall is shown as the call it makes, as strace does.
func (t *Table) Describe(c Call, tr Tracee) (name string, args []Arg) {
	if e := t.entry(c.Nr); e != nil && e.Rule == RuleSocketcall {
		if target, ok := t.SocketcallTarget(c, tr); ok {
			return t.Name(target.Nr), t.Decode(target, tr)
		}
	}
	return t.Name(c.Nr), t.Decode(c, tr)
}
