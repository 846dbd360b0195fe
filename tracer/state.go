package tracer

import "github.com/captrace/captrace/symbolize"

// The bookkeeping both backends share: which processes and threads are
// traced, and which processes are in (emulated) capability mode. It is
// plain data so the FreeBSD backend, which cannot run here, drives the same
// tested code as the Linux one.

// process is one traced thread group.
type process struct {
	pid int
	// inCapMode: the enter point has been reached in this process or an
	// ancestor. Capability mode is inherited by children and survives exec,
	// as on FreeBSD.
	inCapMode bool
	// exe is the program image the process runs (changes at exec).
	exe string
	// threads alive in this process, the leader included.
	threads map[int]bool

	// maps is the module map, read when a stack is first unwound and again
	// when it is stale; a child starts with its parent's.
	maps *symbolize.ModuleMap
	// mem reads the process's memory; opened on first use, closed when
	// the image or the process goes.
	mem processMemory
	// bps are the breakpoints that find this image's enter point.
	bps *breakpointTable
	// quiet: a child under --no-follow, traced only as far as the platform
	// needs (Linux: an untraced process gets ENOSYS from SECCOMP_RET_TRACE)
	// and never reported.
	quiet bool
	// vforked: the process shares its parent's memory until it execs.
	vforked bool
	// vforkCaller: the stack of the thread that vforked this process, for
	// as long as it shares that thread's memory.
	vforkCaller []symbolize.PC

	// shim: the process runs a program built against the Capsicum shim
	// (or called it), so its default errnos in enforce mode are the shim's
	// (internal/shimabi). Children inherit it; exec decides it again.
	shim bool

	// os is the platform's own data about the process.
	os *osProcess
}

// processMemory is a process's memory as capmode and symbolize read it.
type processMemory interface {
	ReadMemory(addr uint64, p []byte) error
	// ReadMemoryPartial reads the mapped prefix of [addr, addr+len(p)).
	ReadMemoryPartial(addr uint64, p []byte) (int, error)
	Close() error
}

// closeMemory lets go of the process's memory (at exec, or when it exits).
func (p *process) closeMemory() {
	if p.mem != nil {
		p.mem.Close()
		p.mem = nil
	}
}

// sessionState tracks processes and threads by id.
type sessionState struct {
	procs   map[int]*process // by pid (tgid)
	threads map[int]*process // tid -> its process
	seen    int              // processes ever seen
}

func newSessionState() *sessionState {
	return &sessionState{procs: map[int]*process{}, threads: map[int]*process{}}
}

// addProcess registers a new process; a child inherits capability mode from
// its parent (nil for the first program).
func (s *sessionState) addProcess(pid int, exe string, parent *process) *process {
	p := &process{pid: pid, exe: exe, threads: map[int]bool{pid: true}, os: &osProcess{}}
	if parent != nil {
		p.inCapMode = parent.inCapMode
		p.shim = parent.shim
	}
	s.procs[pid] = p
	s.threads[pid] = p
	s.seen++
	return p
}

// addThread registers a new thread of p.
func (s *sessionState) addThread(tid int, p *process) {
	p.threads[tid] = true
	s.threads[tid] = p
}

// threadExited forgets tid; the process goes when its last thread does.
// It reports whether the process is gone.
func (s *sessionState) threadExited(tid int) (p *process, gone bool) {
	p = s.threads[tid]
	if p == nil {
		return nil, false
	}
	delete(s.threads, tid)
	delete(p.threads, tid)
	if len(p.threads) == 0 {
		delete(s.procs, p.pid)
		return p, true
	}
	return p, false
}

// processExited forgets p and all its threads.
func (s *sessionState) processExited(p *process) {
	for tid := range p.threads {
		s.threadExited(tid)
	}
	delete(s.procs, p.pid)
}

// execed records a successful exec by any thread of p: every other thread
// is gone and the thread-group leader now carries the new image (Linux
// reports the exec at the leader's tid even when another thread called it).
func (s *sessionState) execed(p *process, exe string) {
	for tid := range p.threads {
		if tid != p.pid {
			delete(s.threads, tid)
		}
	}
	p.threads = map[int]bool{p.pid: true}
	s.threads[p.pid] = p
	p.exe = exe
}

// process returns the process of thread tid, or nil.
func (s *sessionState) process(tid int) *process { return s.threads[tid] }

// empty reports whether nothing is traced any more.
func (s *sessionState) empty() bool { return len(s.procs) == 0 }
