package capmode

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ArgType says how one syscall argument is printed.
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
)

// Limits that keep Decode cheap and bounded whatever the tracee holds.
const (
	maxStringShown = 32  // strace's default -s
	maxArrayShown  = 16  // argv entries before "..."
	maxSockaddr    = 128 // sizeof(struct sockaddr_storage)
)

// Decode renders the call's arguments as strace does. It reads tracee
// memory only for pointers it knows the type of, and never fails: an
// unreadable pointer prints as its address.
func (t *Table) Decode(c Call, tr Tracee) []string {
	e := t.entry(c.Nr)
	if e == nil || e.ArgFormat == nil {
		out := make([]string, len(c.Args))
		for i, v := range c.Args {
			out[i] = hex(v)
		}
		return out
	}
	d := decoder{abi: t.abi, tr: tr, args: c.Args}
	format := e.ArgFormat
	if len(format) > len(c.Args) {
		format = format[:len(c.Args)]
	}
	out := make([]string, 0, len(format))
	for i, typ := range format {
		if typ == ArgMode && i > 0 && format[i-1] == ArgOpenFlags && !d.createsFile(c.Args[i-1]) {
			break // strace omits the mode of an open that creates nothing
		}
		out = append(out, d.arg(i, typ))
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

func (d *decoder) arg(i int, typ ArgType) string {
	v := d.args[i]
	switch typ {
	case ArgInt, ArgFD, ArgPid:
		return strconv.Itoa(int(int32Arg(v)))
	case ArgUint:
		return strconv.FormatUint(v, 10)
	case ArgDirFD:
		if int32Arg(v) == d.abi.atFDCWD {
			return "AT_FDCWD"
		}
		return strconv.Itoa(int(int32Arg(v)))
	case ArgPath:
		return d.path(v)
	case ArgOpenFlags:
		return d.openFlags(v)
	case ArgMode:
		return octal(v & 0o7777777)
	case ArgAtFlags:
		return flagString(uint64(uint32(v)), d.abi.atFlags, "0")
	case ArgAccessAtFlags:
		return flagString(uint64(uint32(v)), d.abi.accessAtFlags, "0")
	case ArgSignal:
		return d.signal(v)
	case ArgPtr:
		return pointer(v)
	case ArgSockaddr:
		n := uint64(0)
		if i+1 < len(d.args) {
			n = uint64(uint32(d.args[i+1]))
		}
		return d.sockaddr(v, n)
	case ArgMsghdr:
		return d.msghdr(v)
	case ArgAccessMode:
		return accessMode(uint32(v))
	case ArgOpenHow:
		return d.openHow(v)
	case ArgStringArray:
		return d.stringArray(v)
	}
	return hex(v)
}

// octal prints a mode as C does: 0644, and 0 alone.
func octal(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0" + strconv.FormatUint(v, 8)
}

func hex(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func pointer(v uint64) string {
	if v == 0 {
		return "NULL"
	}
	return hex(v)
}

func (d *decoder) path(addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	s, err := d.tr.ReadString(addr, maxPath)
	if err != nil {
		return hex(addr)
	}
	return quote(s, maxPath)
}

// quote prints s as a C string literal the way strace does: printable
// ASCII as is, the usual escapes, octal for the rest; longer than limit,
// it is cut and "..." follows the closing quote.
func quote(s string, limit int) string {
	cut := len(s) > limit
	if cut {
		s = s[:limit]
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\v':
			b.WriteString(`\v`)
		case c == '\f':
			b.WriteString(`\f`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		case i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7':
			// Three digits, or the digit that follows would read as part
			// of the escape ("\0012b" is \001 then "2b"), as strace does.
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte('\\')
			b.WriteString(strconv.FormatUint(uint64(c), 8))
		}
	}
	b.WriteByte('"')
	if cut {
		b.WriteString("...")
	}
	return b.String()
}

func flagString(v uint64, names []flagName, zero string) string {
	if v == 0 {
		return zero
	}
	var parts []string
	for _, f := range names {
		if v&f.bit == f.bit {
			parts = append(parts, f.name)
			v &^= f.bit
		}
	}
	if v != 0 {
		parts = append(parts, hex(v))
	}
	return strings.Join(parts, "|")
}

func (d *decoder) openFlags(v uint64) string {
	v = uint64(uint32(v))
	acc := d.abi.accessModes[v&3]
	rest := flagString(v&^3, d.abi.openFlags, "")
	if rest == "" {
		return acc
	}
	return acc + "|" + rest
}

func accessMode(m uint32) string {
	if m == 0 {
		return "F_OK"
	}
	return flagString(uint64(m), []flagName{{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}}, "F_OK")
}

func (d *decoder) signal(v uint64) string {
	n := int(int32Arg(v))
	if n >= 0 && n < len(d.abi.signals) {
		return d.abi.signals[n]
	}
	if d.abi == linuxABI && n >= 32 && n <= 64 {
		return "SIGRT_" + strconv.Itoa(n-32)
	}
	return strconv.Itoa(n)
}

var resolveFlags = []flagName{
	{0x01, "RESOLVE_NO_XDEV"}, {0x02, "RESOLVE_NO_MAGICLINKS"}, {0x04, "RESOLVE_NO_SYMLINKS"},
	{0x08, "RESOLVE_BENEATH"}, {0x10, "RESOLVE_IN_ROOT"}, {0x20, "RESOLVE_CACHED"},
}

func (d *decoder) openHow(addr uint64) string {
	var how [24]byte
	if addr == 0 {
		return "NULL"
	}
	if d.tr.ReadMemory(addr, how[:]) != nil {
		return hex(addr)
	}
	flags := binary.LittleEndian.Uint64(how[0:])
	mode := binary.LittleEndian.Uint64(how[8:])
	resolve := binary.LittleEndian.Uint64(how[16:])
	return "{flags=" + d.openFlags(flags) + ", mode=" + octal(mode) +
		", resolve=" + flagString(resolve, resolveFlags, "0") + "}"
}

func (d *decoder) sockaddr(addr, n uint64) string {
	if addr == 0 {
		return "NULL"
	}
	if n > maxSockaddr {
		n = maxSockaddr
	}
	if n < 2 {
		return hex(addr)
	}
	buf := make([]byte, n)
	if d.tr.ReadMemory(addr, buf) != nil {
		return hex(addr)
	}
	return d.formatSockaddr(buf)
}

func (d *decoder) formatSockaddr(b []byte) string {
	a := d.abi
	var family int
	if a.sockaddrLen {
		family = int(b[1])
	} else {
		family = int(binary.LittleEndian.Uint16(b))
	}
	switch {
	case family == a.afUnix:
		return "{sa_family=AF_UNIX, sun_path=" + sunPath(b[2:]) + "}"
	case family == a.afInet && len(b) >= 8:
		port := binary.BigEndian.Uint16(b[2:])
		ip := netip.AddrFrom4([4]byte(b[4:8]))
		return "{sa_family=AF_INET, sin_port=htons(" + strconv.Itoa(int(port)) +
			"), sin_addr=inet_addr(\"" + ip.String() + "\")}"
	case family == a.afInet6 && len(b) >= 24:
		port := binary.BigEndian.Uint16(b[2:])
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		return "{sa_family=AF_INET6, sin6_port=htons(" + strconv.Itoa(int(port)) +
			"), inet_pton(AF_INET6, \"" + ip.String() + "\", &sin6_addr)}"
	}
	return "{sa_family=" + strconv.Itoa(family) + "}"
}

// sunPath prints a sun_path; a leading NUL is Linux's abstract namespace,
// which strace shows as @"name".
func sunPath(p []byte) string {
	if len(p) > 0 && p[0] == 0 {
		return "@" + quote(strings.TrimRight(string(p[1:]), "\x00"), len(p))
	}
	if i := strings.IndexByte(string(p), 0); i >= 0 {
		p = p[:i]
	}
	return quote(string(p), len(p))
}

func (d *decoder) msghdr(addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var h [msghdrSize]byte
	if d.tr.ReadMemory(addr, h[:]) != nil {
		return hex(addr)
	}
	name := binary.LittleEndian.Uint64(h[0:])
	namelen := binary.LittleEndian.Uint32(h[8:])
	iov := binary.LittleEndian.Uint64(h[16:])
	iovlen := binary.LittleEndian.Uint64(h[24:])
	return "{msg_name=" + d.sockaddr(name, uint64(namelen)) +
		", msg_namelen=" + strconv.FormatUint(uint64(namelen), 10) +
		", msg_iov=" + pointer(iov) +
		", msg_iovlen=" + strconv.FormatUint(iovlen, 10) + "}"
}

func (d *decoder) stringArray(addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var parts []string
	var p [8]byte
	for i := 0; ; i++ {
		if i == maxArrayShown {
			parts = append(parts, "...")
			break
		}
		if d.tr.ReadMemory(addr+uint64(8*i), p[:]) != nil {
			if i == 0 {
				return hex(addr)
			}
			parts = append(parts, "...")
			break
		}
		s := binary.LittleEndian.Uint64(p[:])
		if s == 0 {
			break
		}
		str, err := d.tr.ReadString(s, maxStringShown+1)
		if err != nil {
			parts = append(parts, hex(s))
			continue
		}
		parts = append(parts, quote(str, maxStringShown))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
