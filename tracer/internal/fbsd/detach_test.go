package fbsd

import "testing"

// Leaving an attached process: captrace's own SIGSTOP is where it detaches
// and is swallowed; every other stop of a process it stopped resumes it,
// passing the program's signals on; a child met meanwhile is left at its
// first stop.
func TestDetachAction(t *testing.T) {
	const sigint = 2
	for _, c := range []struct {
		kind     Stop
		signo    int32
		sentStop bool
		step     DetachStep
		sig      int
	}{
		{StopSignal, SIGSTOP, true, DetachHere, 0},
		{StopSignal, sigint, true, ResumeAndWait, sigint},
		{StopTrapCap, SIGTRAP, true, ResumeAndWait, 0},
		{StopBreak, SIGTRAP, true, ResumeAndWait, SIGTRAP},
		{StopSCE, 0, true, ResumeAndWait, 0},
		{StopExec, 0, true, ResumeAndWait, 0},
		{StopForked, 0, true, ResumeAndWait, 0},
		{StopChild, 0, false, DetachHere, 0},
		{StopSignal, sigint, false, DetachHere, sigint},
		{StopTrapCap, SIGTRAP, false, DetachHere, 0},
	} {
		step, sig := DetachAction(c.kind, c.signo, c.sentStop)
		if step != c.step || sig != c.sig {
			t.Errorf("%v signal %d sentStop %v: step %d sig %d, want %d %d", c.kind, c.signo, c.sentStop, step, sig, c.step, c.sig)
		}
	}
}

func TestTrapCapOnDetach(t *testing.T) {
	if !TrapCapOnDetach(PROC_TRAPCAP_CTL_ENABLE) || TrapCapOnDetach(PROC_TRAPCAP_CTL_DISABLE) {
		t.Error("P2_TRAPCAP must be left as PROC_TRAPCAP_STATUS said at attach")
	}
}
