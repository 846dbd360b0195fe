package fbsd

import "testing"

// Leaving an attached process: captrace's own SIGSTOP is where it detaches
// and is swallowed; every other stop of a process it stopped resumes it,
// passing the program's signals on; a child met meanwhile is left at its
// first stop. While a thread is owed a denied call's error return,
// captrace never detaches: its SIGSTOP is swallowed and sent again.
func TestDetachAction(t *testing.T) {
	const sigint = 2
	for _, c := range []struct {
		kind     Stop
		signo    int32
		sentStop bool
		owed     bool
		step     DetachStep
		sig      int
	}{
		{StopSignal, SIGSTOP, true, false, DetachHere, 0},
		{StopSignal, sigint, true, false, ResumeAndWait, sigint},
		{StopTrapCap, SIGTRAP, true, false, ResumeAndWait, 0},
		{StopBreak, SIGTRAP, true, false, ResumeAndWait, SIGTRAP},
		{StopSCE, 0, true, false, ResumeAndWait, 0},
		{StopSCX, 0, true, false, ResumeAndWait, 0},
		{StopExec, 0, true, false, ResumeAndWait, 0},
		{StopForked, 0, true, false, ResumeAndWait, 0},
		{StopChild, 0, false, false, DetachHere, 0},
		{StopSignal, sigint, false, false, DetachHere, sigint},
		{StopTrapCap, SIGTRAP, false, false, DetachHere, 0},

		// A denied call's exit stop is still to come.
		{StopSignal, SIGSTOP, true, true, ResumeAndResend, 0},
		{StopSignal, sigint, true, true, ResumeAndWait, sigint},
		{StopSCX, 0, true, true, ResumeAndWait, 0},
		{StopSCE, 0, true, true, ResumeAndWait, 0},
		{StopSignal, sigint, false, true, ResumeAndWait, sigint},
		{StopBreak, SIGTRAP, false, true, ResumeAndWait, SIGTRAP},
		{StopSCX, 0, false, true, ResumeAndWait, 0},
	} {
		step, sig := DetachAction(c.kind, c.signo, c.sentStop, c.owed)
		if step != c.step || sig != c.sig {
			t.Errorf("%v signal %d sentStop %v owed %v: step %d sig %d, want %d %d", c.kind, c.signo, c.sentStop, c.owed, step, sig, c.step, c.sig)
		}
	}
}

func TestTrapCapOnDetach(t *testing.T) {
	if !TrapCapOnDetach(PROC_TRAPCAP_CTL_ENABLE) || TrapCapOnDetach(PROC_TRAPCAP_CTL_DISABLE) {
		t.Error("P2_TRAPCAP must be left as PROC_TRAPCAP_STATUS said at attach")
	}
}
