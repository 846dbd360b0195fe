package rights

import (
	"errors"
	"math/bits"
	"strings"
)

// Right is one CAP_* value as FreeBSD's CAPRIGHT(idx, bit) builds it
// (sys/sys/capsicum.h): bits 57..61 hold a one-hot array index (bit 57 for
// cr_rights[0], bit 58 for cr_rights[1]); the low 57 bits are the right's
// bits in that word. Some rights are unions within one word (CAP_SEEK is
// CAP_SEEK_TELL plus a bit, CAP_MKDIRAT is CAP_LOOKUP plus a bit).
type Right uint64

// capright is FreeBSD's CAPRIGHT(idx, bit) macro.
func capright(idx uint, bit uint64) Right { return Right(1<<(57+idx) | bit) }

const (
	indexBits = 0x1F << 57    // CAPIDXBIT's field
	rightBits = 1<<57 - 1     // the bits a right may set within its word
	version00 = uint64(0)     // CAP_RIGHTS_VERSION_00 (sys/sys/caprights.h)
	all0Bits  = 0x7FFFFFFFFFF // CAP_ALL0's bits: index 0 uses 43 bits
	all1Bits  = 0x1FFFFF      // CAP_ALL1's bits: index 1 uses 21 bits
)

// index is the cr_rights element the right lives in (0 or 1), or -1 for a
// malformed value (CAPIDXBIT with FreeBSD's bit2idx table,
// sys/kern/subr_capability.c).
func (r Right) index() int {
	switch (uint64(r) & indexBits) >> 57 {
	case 1:
		return 0
	case 2:
		return 1
	}
	return -1
}

func (r Right) bits() uint64 { return uint64(r) & rightBits }

// Index is the cr_rights element r lives in (0 or 1; -1 if malformed).
func (r Right) Index() int { return r.index() }

// Bits are r's bits within its element, without the index bits: the
// second argument of CAPRIGHT(idx, bit).
func (r Right) Bits() uint64 { return r.bits() }

// Valid reports whether r is a well-formed right of version 00 that uses
// only bits FreeBSD assigns.
func (r Right) Valid() bool {
	switch r.index() {
	case 0:
		return r.bits() != 0 && r.bits()&^all0Bits == 0 && uint64(r)>>62 == 0
	case 1:
		return r.bits() != 0 && r.bits()&^all1Bits == 0 && uint64(r)>>62 == 0
	}
	return false
}

// String is the right's CAP_* name, or its set of names for a value that is
// not itself named.
func (r Right) String() string {
	if n, ok := nameOf()[r]; ok {
		return n
	}
	return Of(r).String()
}

// Set is a cap_rights_t: which rights a descriptor has or a call needs. The
// zero Set is empty; All is what a descriptor has until it is limited.
type Set struct {
	w [2]uint64 // rights bits of cr_rights[0] and cr_rights[1], index and version bits stripped
}

// Of is the set holding the given rights (cap_rights_init).
func Of(rs ...Right) Set {
	var s Set
	for _, r := range rs {
		s = s.With(r)
	}
	return s
}

// All is every right FreeBSD defines (CAP_ALL).
func All() Set { return Set{w: [2]uint64{all0Bits, all1Bits}} }

// With is s plus r (cap_rights_set). A malformed r adds nothing.
func (s Set) With(r Right) Set {
	if i := r.index(); i >= 0 {
		s.w[i] |= r.bits()
	}
	return s
}

// Has reports whether s holds every bit of r (cap_rights_is_set).
func (s Set) Has(r Right) bool {
	i := r.index()
	return i >= 0 && s.w[i]&r.bits() == r.bits()
}

// Union is s merged with o (cap_rights_merge).
func (s Set) Union(o Set) Set { return Set{w: [2]uint64{s.w[0] | o.w[0], s.w[1] | o.w[1]}} }

// Remove is s without o's bits (cap_rights_remove).
func (s Set) Remove(o Set) Set { return Set{w: [2]uint64{s.w[0] &^ o.w[0], s.w[1] &^ o.w[1]}} }

// Contains reports whether every right in o is in s (cap_rights_contains).
func (s Set) Contains(o Set) bool { return o.Remove(s).IsEmpty() }

// IsEmpty reports whether s holds no right (cap_rights_is_empty).
func (s Set) IsEmpty() bool { return s.w == [2]uint64{} }

// IsAll reports whether s holds every right: a descriptor with all rights
// is not limited.
func (s Set) IsAll() bool { return s == All() }

// Words is s as the two uint64 words of cap_rights_t.cr_rights, with the
// version and index bits FreeBSD stores in each (CAP_NONE, CAP_ALL): the
// layout the shim's struct and kf_cap_rights use.
func (s Set) Words() [2]uint64 {
	return [2]uint64{version00<<62 | uint64(capright(0, s.w[0])), uint64(capright(1, s.w[1]))}
}

// ErrInvalidRights is the error for a cap_rights_t FreeBSD would reject
// (cap_rights_is_valid, sys/kern/subr_capability.c).
var ErrInvalidRights = errors.New("invalid cap_rights_t: wrong version, index bits or unknown rights")

// FromWords decodes cap_rights_t.cr_rights, checking it as
// cap_rights_is_valid does: version 00, element i tagged with index i, no
// bit outside CAP_ALL.
func FromWords(w [2]uint64) (Set, error) {
	if w[0]>>62 != version00 || w[1]>>62 != 0 {
		return Set{}, ErrInvalidRights
	}
	if Right(w[0]).index() != 0 || Right(w[1]).index() != 1 {
		return Set{}, ErrInvalidRights
	}
	s := Set{w: [2]uint64{w[0] & rightBits, w[1] & rightBits}}
	if !All().Contains(s) {
		return Set{}, ErrInvalidRights
	}
	return s, nil
}

// Names are the CAP_* names that spell s, in sys/sys/capsicum.h's order,
// each right named once: a right whose bits lie within another named right
// (CAP_SEEK_TELL in CAP_SEEK, CAP_LOOKUP in CAP_MKDIRAT) is left out.
func (s Set) Names() []string {
	// A right is named when s has its own bits (those no right defined
	// before it has): a difference such as CAP_MKDIRAT without CAP_LOOKUP
	// is still "CAP_MKDIRAT".
	var picked []spelled
	for _, n := range spelling() {
		if s.Has(n.own) {
			picked = append(picked, n)
		}
	}
	var out []string
	for i, n := range picked {
		covered := false
		for j, m := range picked {
			if i != j && n.right.index() == m.right.index() && n.right.bits()&^m.right.bits() == 0 && n.right != m.right {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, n.name)
		}
	}
	return out
}

// String is s as FreeBSD code would write it: "CAP_READ|CAP_FSTAT"; the
// empty set is "no rights" and All is "all rights".
func (s Set) String() string {
	switch {
	case s.IsEmpty():
		return "no rights"
	case s.IsAll():
		return "all rights"
	}
	return strings.Join(s.Names(), "|")
}

// Count is the number of right bits in s: a measure for choosing the
// smaller of two sets.
func (s Set) Count() int { return bits.OnesCount64(s.w[0]) + bits.OnesCount64(s.w[1]) }

func splitNames(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '|' || r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}
