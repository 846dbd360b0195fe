package capmode

import "strconv"

// Check decides one trapped call. Always-allowed and always-denied
// entries answer without touching the tracee; argument rules read only
// what they need (a path, a msghdr), and only for their own syscalls.
func (t *Table) Check(c Call, tr Tracee) Verdict {
	e := t.entry(c.Nr)
	if e == nil {
		return Verdict{
			Outcome: CapMode,
			Kind:    KindSyscall,
			Reason:  "syscall " + strconv.Itoa(c.Nr) + " is unknown to the " + t.OS + " table; capability mode refuses what it does not list (subr_syscall.c)",
			Hint:    "find the library call behind it and do that work before cap_enter()",
		}
	}
	switch e.Rule {
	case RuleAllow:
		return Verdict{}
	case RuleDeny:
		return e.refusal()
	case RuleAtPath:
		return t.checkAtPath(e, c, tr)
	case RuleExecFD:
		return t.checkExecFD(e, c, tr)
	case RuleSignalProcess:
		return checkSignalProcess(e, c, tr)
	case RuleSignalThreadGroup:
		return checkSignalThreadGroup(e, c, tr)
	case RuleSignalThread:
		return checkSignalThread(e, c, tr)
	case RuleSignalDescriptor:
		return checkSignalDescriptor(e, c)
	case RuleSendAddress:
		return checkSendAddress(e, c)
	case RuleSendmsgAddress:
		return t.checkSendmsgAddress(e, c, tr)
	case RuleSendmmsgAddress:
		return t.checkSendmmsgAddress(e, c, tr)
	case RuleSocketAt:
		return t.checkSocketAt(e, c)
	case RuleSocketcall:
		return t.checkSocketcall(c, tr)
	case RuleSocketProtocol:
		return t.checkSocketCreate(e, c)
	case RuleOwnProcess:
		return checkOwnProcess(e, c, tr)
	case RuleNoNamespaces:
		return checkNoNamespaces(e, c.Args[0])
	case RuleNoNamespaces3:
		return checkClone3(e, c, tr)
	case RuleWaitDescriptor:
		return checkWaitDescriptor(e, c)
	case RulePrctlSelf:
		return checkPrctlSelf(e, c)
	case RuleReadClock:
		return checkReadClock(e, c, tr)
	}
	return e.refusal()
}

// refusal is the entry's own verdict: what an always-denied call gets,
// and what an argument rule gets when its arguments fail it.
func (e *Entry) refusal() Verdict {
	out := e.Outcome
	if out == Allow {
		out = CapMode
	}
	return Verdict{Outcome: out, Kind: e.Kind, Reason: e.Reason, Hint: e.Hint}
}

func violation(o Outcome, k Kind, reason, hint string) Verdict {
	return Verdict{Outcome: o, Kind: k, Reason: reason, Hint: hint}
}
