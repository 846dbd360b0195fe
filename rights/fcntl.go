package rights

import "strings"

// FcntlMask is cap_fcntls_limit's mask of CAP_FCNTL_* bits: which of the
// four fcntl commands Capsicum guards a descriptor may still use.
type FcntlMask uint32

// CAP_FCNTL_* are 1 << the FreeBSD command number (sys/sys/capsicum.h with
// sys/sys/fcntl.h's F_GETFL 3, F_SETFL 4, F_GETOWN 5, F_SETOWN 6). Linux
// numbers these commands differently; LinuxFcntl maps them.
const (
	CAP_FCNTL_GETFL  FcntlMask = 1 << 3
	CAP_FCNTL_SETFL  FcntlMask = 1 << 4
	CAP_FCNTL_GETOWN FcntlMask = 1 << 5
	CAP_FCNTL_SETOWN FcntlMask = 1 << 6
	CAP_FCNTL_ALL              = CAP_FCNTL_GETFL | CAP_FCNTL_SETFL | CAP_FCNTL_GETOWN | CAP_FCNTL_SETOWN
)

var fcntlNames = []struct {
	name string
	bit  FcntlMask
}{
	{"CAP_FCNTL_GETFL", CAP_FCNTL_GETFL},
	{"CAP_FCNTL_SETFL", CAP_FCNTL_SETFL},
	{"CAP_FCNTL_GETOWN", CAP_FCNTL_GETOWN},
	{"CAP_FCNTL_SETOWN", CAP_FCNTL_SETOWN},
}

// FcntlDefinitions lists the CAP_FCNTL_* names and values, CAP_FCNTL_ALL
// last; the shim's header is generated from it.
func FcntlDefinitions() []FcntlDefinition {
	var out []FcntlDefinition
	for _, n := range fcntlNames {
		out = append(out, FcntlDefinition{n.name, n.bit})
	}
	return append(out, FcntlDefinition{"CAP_FCNTL_ALL", CAP_FCNTL_ALL})
}

// FcntlDefinition is one CAP_FCNTL_* name and its value.
type FcntlDefinition struct {
	Name string
	Mask FcntlMask
}

// Names are the CAP_FCNTL_* names of the bits in m.
func (m FcntlMask) Names() []string {
	var out []string
	for _, n := range fcntlNames {
		if m&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// String is m as C would spell it: "CAP_FCNTL_GETFL|CAP_FCNTL_SETFL", or
// "0" for no command.
func (m FcntlMask) String() string {
	if m&CAP_FCNTL_ALL == 0 {
		return "0"
	}
	return strings.Join(m.Names(), "|")
}

// LookupFcntl finds a CAP_FCNTL_* bit by name.
func LookupFcntl(name string) (FcntlMask, bool) {
	for _, d := range FcntlDefinitions() {
		if d.Name == name {
			return d.Mask, true
		}
	}
	return 0, false
}
