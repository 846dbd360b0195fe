package tracer

// trapInsn is int3. It is a trap, not a fault: when it fires the program
// counter is already one past it, on Linux and on FreeBSD alike (FreeBSD
// sends SIGTRAP with si_code TRAP_BRKPT and leaves rip as the CPU left it,
// T_BPTFLT in trap() of sys/amd64/amd64/trap.c).
var trapInsn = []byte{0xcc}

// trapAddr is the address of the trap instruction that stopped a thread
// whose program counter is now pc.
func trapAddr(pc uint64) uint64 { return pc - uint64(len(trapInsn)) }
