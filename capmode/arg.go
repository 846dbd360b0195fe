package capmode

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
)

// Arg is one syscall argument as the tracer captured it at the stop: the
// register value and, for a pointer whose type is known, what it pointed
// to, read before the thread ran on (tracee memory changes afterwards).
// It stays typed until it is printed, as debug/dwarf's Field{Attr, Val,
// Class} does: a path is its raw bytes, a descriptor a number, flags a
// value with the names table of the OS that made the call. String formats
// it the way strace does; nothing should parse that text back.
//
// Decode builds Args on the ptrace thread and must stay cheap there: an
// Arg holds no more than the bytes read from the tracee.
type Arg struct {
	Type ArgType
	// Value is the argument's register value: the number, descriptor or
	// flags, or the address of what Data holds.
	Value uint64
	// Data is what Value points to, read at the stop, byte for byte (Go
	// strings hold any bytes): a path without its NUL (ArgPath, ArgString)
	// or a struct sockaddr (ArgSockaddr). Meaningful only when Read.
	Data string
	// Elems are the parts of a composite argument, typed in turn: a
	// string array's entries (ArgString), a struct msghdr's msg_name,
	// msg_namelen, msg_iov and msg_iovlen, a struct open_how's flags, mode
	// and resolve.
	Elems []Arg
	// Read is true when what Value points to was read; a NULL or
	// unreadable pointer prints as NULL or its address.
	Read bool
	// More marks a string array shown in part: more entries than are
	// kept, or an entry that could not be read ("..." in strace's form).
	More bool

	abi *abi // the calling OS: names of flags, signals, address families
}

// String prints the argument as strace does: AT_FDCWD, "/etc/x",
// O_RDONLY|O_CLOEXEC, 0644, SIGTERM, {sa_family=AF_INET, ...}.
func (a Arg) String() string {
	v := a.Value
	if a.abi == nil {
		// Not from Decode: only the value is known.
		switch a.Type {
		case ArgInt, ArgFD, ArgPid, ArgUint, ArgMode, ArgPtr, ArgAccessMode:
		default:
			return hex(v)
		}
	}
	switch a.Type {
	case ArgInt, ArgFD, ArgPid:
		return strconv.Itoa(int(int32Arg(v)))
	case ArgUint:
		return strconv.FormatUint(v, 10)
	case ArgDirFD:
		if a.IsAtFDCWD() {
			return "AT_FDCWD"
		}
		return strconv.Itoa(int(int32Arg(v)))
	case ArgPath:
		if !a.Read {
			return pointer(v)
		}
		return quote(a.Data, maxPath)
	case ArgString:
		if !a.Read {
			return hex(v)
		}
		return quote(a.Data, maxStringShown)
	case ArgOpenFlags:
		return a.abi.openFlagString(v)
	case ArgMode:
		return octal(v & 0o7777777)
	case ArgAtFlags:
		return flagString(uint64(uint32(v)), a.abi.atFlags, "0")
	case ArgAccessAtFlags:
		return flagString(uint64(uint32(v)), a.abi.accessAtFlags, "0")
	case ArgSignal:
		return a.abi.signalName(v)
	case ArgPtr:
		return pointer(v)
	case ArgSockaddr:
		if !a.Read {
			return pointer(v)
		}
		return a.abi.sockaddrString([]byte(a.Data))
	case ArgMsghdr:
		if !a.Read || len(a.Elems) != 4 {
			return pointer(v)
		}
		e := a.Elems
		return "{msg_name=" + e[0].String() + ", msg_namelen=" + e[1].String() +
			", msg_iov=" + e[2].String() + ", msg_iovlen=" + e[3].String() + "}"
	case ArgAccessMode:
		return accessMode(uint32(v))
	case ArgOpenHow:
		if !a.Read || len(a.Elems) != 3 {
			return pointer(v)
		}
		e := a.Elems
		return "{flags=" + e[0].String() + ", mode=" + octal(e[1].Value) +
			", resolve=" + flagString(e[2].Value, resolveFlags, "0") + "}"
	case ArgStringArray:
		if !a.Read {
			return pointer(v)
		}
		parts := make([]string, 0, len(a.Elems)+1)
		for _, s := range a.Elems {
			parts = append(parts, s.String())
		}
		if a.More {
			parts = append(parts, "...")
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return hex(v)
}

// Strings prints each argument: the "args" of a JSON report.
func Strings(args []Arg) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a.String()
	}
	return out
}

// IsAtFDCWD reports a directory-descriptor argument that names the
// working directory.
func (a Arg) IsAtFDCWD() bool {
	return a.Type == ArgDirFD && a.abi != nil && int32Arg(a.Value) == a.abi.atFDCWD
}

// Path is the path a path argument named, byte for byte; ok is false for
// any other argument, and for a NULL or unreadable pointer.
func (a Arg) Path() (path string, ok bool) {
	if a.Type != ArgPath || !a.Read {
		return "", false
	}
	return a.Data, true
}

// SocketPath is the file a struct sockaddr names in the AF_UNIX family
// (not Linux's abstract namespace); a msghdr answers for its msg_name.
func (a Arg) SocketPath() (path string, ok bool) {
	if a.Type == ArgMsghdr && len(a.Elems) == 4 {
		return a.Elems[0].SocketPath()
	}
	if a.Type != ArgSockaddr || !a.Read || len(a.Data) < 2 || a.abi.family([]byte(a.Data)) != a.abi.afUnix {
		return "", false
	}
	p := a.Data[2:]
	if p == "" || p[0] == 0 {
		return "", false
	}
	if i := strings.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	return p, true
}

// Port is the port a struct sockaddr names in the AF_INET or AF_INET6
// family; a msghdr answers for its msg_name.
func (a Arg) Port() (port int, ok bool) {
	if a.Type == ArgMsghdr && len(a.Elems) == 4 {
		return a.Elems[0].Port()
	}
	if a.Type != ArgSockaddr || !a.Read || len(a.Data) < 4 {
		return 0, false
	}
	b := []byte(a.Data)
	switch f := a.abi.family(b); {
	case f == a.abi.afInet && len(b) >= 8, f == a.abi.afInet6 && len(b) >= 24:
		return int(binary.BigEndian.Uint16(b[2:])), true
	}
	return 0, false
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
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
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

func (a *abi) openFlagString(v uint64) string {
	v = uint64(uint32(v))
	acc := a.accessModes[v&3]
	rest := flagString(v&^3, a.openFlags, "")
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

func (a *abi) signalName(v uint64) string {
	n := int(int32Arg(v))
	if n >= 0 && n < len(a.signals) {
		return a.signals[n]
	}
	if a == linuxABI() && n >= 32 && n <= 64 {
		return "SIGRT_" + strconv.Itoa(n-32)
	}
	return strconv.Itoa(n)
}

var resolveFlags = []flagName{
	{0x01, "RESOLVE_NO_XDEV"}, {0x02, "RESOLVE_NO_MAGICLINKS"}, {0x04, "RESOLVE_NO_SYMLINKS"},
	{0x08, "RESOLVE_BENEATH"}, {0x10, "RESOLVE_IN_ROOT"}, {0x20, "RESOLVE_CACHED"},
}

// family is a struct sockaddr's sa_family: BSD sockaddrs start with sa_len.
func (a *abi) family(b []byte) int {
	if a.sockaddrLen {
		return int(b[1])
	}
	return int(binary.LittleEndian.Uint16(b))
}

func (a *abi) sockaddrString(b []byte) string {
	switch family := a.family(b); {
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
	default:
		return "{sa_family=" + strconv.Itoa(family) + "}"
	}
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
