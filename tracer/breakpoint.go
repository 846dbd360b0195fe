package tracer

// breakpoint is a one-shot software breakpoint (int3 on amd64) planted at the
// enter point; when it fires the process enters capability mode and the
// original instruction bytes are restored.
type breakpoint struct {
	addr uint64 // absolute address in the tracee
	orig []byte // the bytes the trap instruction replaced
	what string // the symbol, for messages
}
