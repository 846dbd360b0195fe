package victims

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"testing"
)

// Driven is a running victim a test drives through its stdin, one byte a
// request, reading one line of stdout per answer (attach_loop.c): the
// attach tests of both platforms count exactly what it did while traced.
type Driven struct {
	Cmd   *exec.Cmd
	in    io.WriteCloser
	lines *bufio.Scanner
}

// StartDriven starts the victim at path and waits for its "ready"; it is
// killed when the test ends.
func StartDriven(t testing.TB, path string, args ...string) *Driven {
	t.Helper()
	cmd := exec.Command(path, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	v := &Driven{Cmd: cmd, in: in, lines: bufio.NewScanner(out)}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	if got := v.Line(t); got != "ready" {
		t.Fatalf("victim said %q, want ready", got)
	}
	return v
}

// Line reads the victim's next line.
func (v *Driven) Line(t testing.TB) string {
	t.Helper()
	if !v.lines.Scan() {
		t.Fatalf("victim's output ended: %v", v.lines.Err())
	}
	return v.lines.Text()
}

// Ask sends one request byte and returns the answer line.
func (v *Driven) Ask(t testing.TB, request byte) string {
	t.Helper()
	if _, err := v.in.Write([]byte{request}); err != nil {
		t.Fatal(err)
	}
	return v.Line(t)
}

// Round asks for one round ("x") and returns the errno its opens got.
func (v *Driven) Round(t testing.TB) int {
	t.Helper()
	var k, errno int
	l := v.Ask(t, 'x')
	if _, err := fmt.Sscanf(l, "round %d errno %d", &k, &errno); err != nil {
		t.Fatalf("victim said %q, want a round", l)
	}
	return errno
}

// CloseInput closes the victim's stdin: attach_loop exits 0 then.
func (v *Driven) CloseInput() error { return v.in.Close() }
