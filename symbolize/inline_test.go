package symbolize

import "testing"

// TestBaseName checks that a demangled symbol and a DWARF DW_AT_name of
// one C++ function agree on its base name, whatever their spelling of
// template arguments.
func TestBaseName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"app::detail::Loader<int>::load<main::{lambda(int)#1}>", "load"},
		{"load<main()::<lambda(int)> >", "load"},
		{"shop::Widget::open_config", "open_config"},
		{"main", "main"},
		{"std::map<int, std::less<int> >::find", "find"},
		{"(anonymous namespace)::helper", "helper"},
		{"ns::C::operator>", "ns::C::operator>"}, // unbalanced: no match, DWARF's name is kept
	}
	for _, tt := range tests {
		if got := baseName(tt.in); got != tt.want {
			t.Errorf("baseName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
