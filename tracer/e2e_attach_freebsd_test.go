//go:build freebsd

package tracer_test

// captrace -p on FreeBSD, end to end: the real captrace attaches to a
// running victim (testdata/victims/freebsd/attach_loop.c) that the test
// drives round by round through its stdin, so the violations made while
// it is traced are counted exactly; after captrace detaches on SIGINT the
// victim must be alive, untraced, in capability mode exactly when it was
// before, with P2_TRAPCAP as before, and still working. Not yet run on a
// FreeBSD kernel (docs/freebsd.md, "Status").

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// startAttachVictim starts attach_loop; a request 's' asks it what
// cap_getmode(2) answers.
func startAttachVictim(t *testing.T, args ...string) *victims.Driven {
	t.Helper()
	return victims.StartDriven(t, attachBin, args...)
}

// kinfo is the victim's kinfo_proc, as the kernel tells anyone.
func kinfo(t *testing.T, pid int) fbsd.KinfoProc {
	t.Helper()
	b, err := unix.SysctlRaw("kern.proc.pid", pid)
	if err != nil {
		t.Fatal(err)
	}
	k, err := fbsd.DecodeKinfoProc(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// trapCap is the victim's P2_TRAPCAP (PROC_TRAPCAP_STATUS).
func trapCap(t *testing.T, pid int) int32 {
	t.Helper()
	var v int32
	_, _, e := unix.Syscall6(fbsd.SYS_procctl, fbsd.P_PID, uintptr(pid), fbsd.PROC_TRAPCAP_STATUS, uintptr(unsafe.Pointer(&v)), 0, 0)
	runtime.KeepAlive(&v)
	if e != 0 {
		t.Fatalf("procctl(PROC_TRAPCAP_STATUS): %v", e)
	}
	return v
}

// waitTraced waits until the kernel says pid has a tracer.
func waitTraced(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if kinfo(t, pid).Tracer != 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d not traced after 10s", pid)
}

func TestAttach(t *testing.T) {
	const enoent, ecapmode = int(syscall.ENOENT), fbsd.ECAPMODE
	site := group{"openat", "ECAPMODE", "violate", filepath.Base(attachSrc), markerLines(t, attachSrc)["attach_open"]}
	for _, c := range []struct {
		name        string
		mode        string
		capmode     bool // the victim enters capability mode itself
		errnoTraced int  // what its opens get while traced
		getmode     string
	}{
		// Outside capability mode: captrace's emulation at syscall
		// entries; cap_getmode answers 1 while traced.
		{"emulated audit", "audit", false, enoent, "status capmode:1"},
		{"emulated enforce", "enforce", false, ecapmode, "status capmode:1"},
		// In capability mode already: the kernel refuses, TRAP_CAP reports.
		{"observed", "audit", true, ecapmode, "status capmode:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"25"}
			if c.capmode {
				args = append(args, "capmode")
			}
			v := startAttachVictim(t, args...)
			pid := v.Cmd.Process.Pid
			trapWas := trapCap(t, pid)
			out := filepath.Join(t.TempDir(), "attach.json")
			var stderr bytes.Buffer
			ct := exec.Command(captraceBin, "--mode="+c.mode, "-o", out, "-p", strconv.Itoa(pid))
			ct.Stderr = &stderr
			if err := ct.Start(); err != nil {
				t.Fatal(err)
			}
			waitTraced(t, pid)
			for i := 0; i < 4; i++ {
				if errno := v.Round(t); errno != c.errnoTraced {
					t.Errorf("round %d while traced: errno %d, want %d", i+1, errno, c.errnoTraced)
				}
			}
			if got := v.Ask(t, 's'); got != c.getmode {
				t.Errorf("cap_getmode while traced: %q, want %q", got, c.getmode)
			}
			ct.Process.Signal(syscall.SIGINT)
			if err := ct.Wait(); err != nil {
				t.Fatalf("captrace: %v\nstderr:\n%s", err, stderr.String())
			}

			gs, enter := readReport(t, out)
			want := []countedGroup{{site, 100}}
			if enter != "attach" || fmt.Sprint(gs) != fmt.Sprint(want) {
				t.Errorf("enter %q, groups:\n got  %v\n want %v\nstderr:\n%s", enter, gs, want, stderr.String())
			}

			// Left as it was: alive, untraced, in capability mode only if
			// it entered it itself, P2_TRAPCAP as before, working.
			k := kinfo(t, pid)
			if k.Tracer != 0 || k.InCapabilityMode() != c.capmode {
				t.Errorf("after detach: tracer %d, capability mode %v; want 0 and %v", k.Tracer, k.InCapabilityMode(), c.capmode)
			}
			if got := trapCap(t, pid); got != trapWas {
				t.Errorf("after detach: PROC_TRAPCAP_STATUS %d, was %d", got, trapWas)
			}
			wantAfter, getmodeAfter := enoent, "status capmode:0"
			if c.capmode {
				wantAfter, getmodeAfter = ecapmode, "status capmode:1"
			}
			if errno := v.Round(t); errno != wantAfter {
				t.Errorf("round after detach: errno %d, want %d", errno, wantAfter)
			}
			if got := v.Ask(t, 's'); got != getmodeAfter {
				t.Errorf("cap_getmode after detach: %q, want %q", got, getmodeAfter)
			}
			v.CloseInput()
			if err := v.Cmd.Wait(); err != nil {
				t.Errorf("victim after detach: %v", err)
			}
		})
	}
}
