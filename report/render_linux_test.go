package report

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openTerminal opens the terminal side of a new pseudo-terminal.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_WRONLY|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the terminal side: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// A terminal gets colors unless NO_COLOR is set and not empty
// (https://no-color.org).
func TestColorTerminal(t *testing.T) {
	tty := openTerminal(t)
	t.Setenv("NO_COLOR", "")
	if !useColor(tty, ColorAuto) {
		t.Error("ColorAuto did not color a terminal (NO_COLOR empty)")
	}
	t.Setenv("NO_COLOR", "1")
	if useColor(tty, ColorAuto) {
		t.Error("NO_COLOR did not turn color off")
	}
}
