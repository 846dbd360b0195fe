package tracer

import "testing"

// The shared bookkeeping, driven through the event sequences both backends
// produce.
func TestStateInheritanceAndExec(t *testing.T) {
	s := newSessionState()
	root := s.addProcess(100, "/bin/prog", nil)
	s.addThread(101, root)
	root.inCapMode = true

	child := s.addProcess(200, root.exe, root)
	if !child.inCapMode {
		t.Fatal("a child must inherit capability mode")
	}
	// Thread 101 execs: the leader's id survives, 101 is gone.
	s.execed(root, "/bin/other")
	if s.process(101) != nil || s.process(100) != root || root.exe != "/bin/other" || !root.inCapMode {
		t.Fatalf("after exec: threads %v exe %q capmode %v", root.threads, root.exe, root.inCapMode)
	}
	if p, gone := s.threadExited(100); !gone || p != root {
		t.Fatal("the last thread's exit ends the process")
	}
	if s.empty() {
		t.Fatal("the child is still traced")
	}
	s.threadExited(200)
	if !s.empty() || s.seen != 2 {
		t.Fatalf("empty %v seen %d", s.empty(), s.seen)
	}
}

func TestStateLeaderExitsBeforeOtherThreads(t *testing.T) {
	s := newSessionState()
	p := s.addProcess(10, "x", nil)
	s.addThread(11, p)
	if _, gone := s.threadExited(10); gone {
		t.Fatal("a process lives while any thread does")
	}
	if _, gone := s.threadExited(11); !gone {
		t.Fatal("the last thread ends it")
	}
	if p, gone := s.threadExited(99); p != nil || gone {
		t.Fatal("unknown threads are ignored")
	}
}
