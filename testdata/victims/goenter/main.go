// goenter opens one file before and one inside the functions --enter names:
// a closure (main.main.func1) and a function the compiler inlines into it
// (main.openSecret), so that an enter point on either reports only the
// second open.
package main

import "os"

var opened int

// openSecret is small enough to be inlined: its callers never call the
// out-of-line copy Go keeps.
func openSecret(path string) (*os.File, error) {
	opened++
	return openFile(path)
}

//go:noinline
func openFile(path string) (*os.File, error) {
	return os.Open(path) // SITE:go_secret
}

//go:noinline
func call(fn func()) { fn() }

func main() {
	if f, err := os.Open("/etc/hostname"); err == nil { // SITE:go_before
		f.Close()
	}
	call(func() {
		if f, err := openSecret("/etc/passwd"); err == nil { // LINE:go_closure
			f.Close()
		}
	})
}
