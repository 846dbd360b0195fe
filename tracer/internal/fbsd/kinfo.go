package fbsd

import "fmt"

// struct kinfo_proc, what the kern.proc.pid.PID sysctl returns for one
// process (sys/sys/user.h; filled by fill_kinfo_proc() in
// sys/kern/kern_proc.c). Capability mode cannot be asked of another
// process (cap_getmode(2) answers for the caller only), but the kernel
// copies it into every kinfo_proc: ki_cr_flags has KI_CRF_CAPABILITY_MODE
// set when the process's credential carries CRED_FLAG_CAPMODE, which
// cap_enter(2) sets. Offsets are LP64 (amd64), where the structure is
// KINFO_PROC_SIZE = 1088 bytes (sys/amd64/include/proc.h); the test
// derives them from the header's field list.
const (
	KinfoProcStructsize = 0   // int ki_structsize
	KinfoProcPid        = 72  // pid_t ki_pid
	KinfoProcTracer     = 576 // int ki_tracer: pid of the tracing process, 0 if none
	KinfoProcFlag2      = 580 // int ki_flag2: P2_* flags
	KinfoProcCrFlags    = 588 // u_int ki_cr_flags: credential flags
	SizeofKinfoProc     = 1088

	KI_CRF_CAPABILITY_MODE = 0x00000001 // sys/sys/user.h
)

// KinfoProc is the part of struct kinfo_proc the backend reads.
type KinfoProc struct {
	Pid     int32
	Tracer  int32 // the tracing process, 0 when untraced
	Flag2   int32
	CrFlags uint32
}

// InCapabilityMode reports whether the process has entered capability
// mode (cap_enter(2)), from ki_cr_flags.
func (k KinfoProc) InCapabilityMode() bool { return k.CrFlags&KI_CRF_CAPABILITY_MODE != 0 }

// DecodeKinfoProc reads the first struct kinfo_proc of a kern.proc.pid
// answer. ki_structsize must be the amd64 size: a kernel whose layout
// differs says so there, and then nothing else in the record is read.
func DecodeKinfoProc(b []byte) (KinfoProc, error) {
	if len(b) < SizeofKinfoProc {
		return KinfoProc{}, fmt.Errorf("kinfo_proc: %d bytes, want %d", len(b), SizeofKinfoProc)
	}
	if size := int32(le.Uint32(b[KinfoProcStructsize:])); size != SizeofKinfoProc {
		return KinfoProc{}, fmt.Errorf("kinfo_proc: ki_structsize %d, want %d", size, SizeofKinfoProc)
	}
	return KinfoProc{
		Pid:     int32(le.Uint32(b[KinfoProcPid:])),
		Tracer:  int32(le.Uint32(b[KinfoProcTracer:])),
		Flag2:   int32(le.Uint32(b[KinfoProcFlag2:])),
		CrFlags: le.Uint32(b[KinfoProcCrFlags:]),
	}, nil
}
