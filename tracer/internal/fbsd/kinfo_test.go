package fbsd

import (
	"encoding/binary"
	"testing"
)

// kinfoProcFields is struct kinfo_proc as sys/sys/user.h declares it, field
// by field, with each field's LP64 size and alignment: pointers, long,
// vm_size_t, segsz_t and uint64_t 8; pid_t, uid_t, gid_t, int, u_int,
// fixpt_t, lwpid_t 4; short 2; char 1; sigset_t four uint32 (16, aligned
// 4, sys/sys/_sigset.h); struct timeval two longs; struct priority four
// u_chars (sys/sys/priority.h); struct rusage two timevals and fourteen
// longs (sys/sys/resource.h). TDNAMLEN 16, WMESGLEN 8, LOGNAMELEN 17,
// LOCKNAMELEN 8, COMMLEN 19, KI_EMULNAMELEN 16, LOGINCLASSLEN 17,
// MAXCOMLEN 19, KI_NGROUPS 16, KI_NSPARE_INT 2, KI_NSPARE_PTR 5,
// KI_NSPARE_LONG 12.
var kinfoProcFields = []struct {
	name        string
	size, align int
}{
	{"ki_structsize", 4, 4}, {"ki_layout", 4, 4},
	{"ki_args", 8, 8}, {"ki_paddr", 8, 8}, {"ki_addr", 8, 8}, {"ki_tracep", 8, 8},
	{"ki_textvp", 8, 8}, {"ki_fd", 8, 8}, {"ki_vmspace", 8, 8}, {"ki_wchan", 8, 8},
	{"ki_pid", 4, 4}, {"ki_ppid", 4, 4}, {"ki_pgid", 4, 4}, {"ki_tpgid", 4, 4},
	{"ki_sid", 4, 4}, {"ki_tsid", 4, 4},
	{"ki_jobc", 2, 2}, {"ki_spare_short1", 2, 2}, {"ki_tdev_freebsd11", 4, 4},
	{"ki_siglist", 16, 4}, {"ki_sigmask", 16, 4}, {"ki_sigignore", 16, 4}, {"ki_sigcatch", 16, 4},
	{"ki_uid", 4, 4}, {"ki_ruid", 4, 4}, {"ki_svuid", 4, 4}, {"ki_rgid", 4, 4}, {"ki_svgid", 4, 4},
	{"ki_ngroups", 2, 2}, {"ki_spare_short2", 2, 2}, {"ki_groups", 16 * 4, 4},
	{"ki_size", 8, 8}, {"ki_rssize", 8, 8}, {"ki_swrss", 8, 8}, {"ki_tsize", 8, 8},
	{"ki_dsize", 8, 8}, {"ki_ssize", 8, 8},
	{"ki_xstat", 2, 2}, {"ki_acflag", 2, 2}, {"ki_pctcpu", 4, 4}, {"ki_estcpu", 4, 4},
	{"ki_slptime", 4, 4}, {"ki_swtime", 4, 4}, {"ki_cow", 4, 4}, {"ki_runtime", 8, 8},
	{"ki_start", 16, 8}, {"ki_childtime", 16, 8}, {"ki_flag", 8, 8}, {"ki_kiflag", 8, 8},
	{"ki_traceflag", 4, 4}, {"ki_stat", 1, 1}, {"ki_nice", 1, 1}, {"ki_lock", 1, 1},
	{"ki_rqindex", 1, 1}, {"ki_oncpu_old", 1, 1}, {"ki_lastcpu_old", 1, 1},
	{"ki_tdname", 17, 1}, {"ki_wmesg", 9, 1}, {"ki_login", 18, 1}, {"ki_lockname", 9, 1},
	{"ki_comm", 20, 1}, {"ki_emul", 17, 1}, {"ki_loginclass", 18, 1}, {"ki_moretdname", 4, 1},
	{"ki_sparestrings", 46, 1}, {"ki_spareints", 2 * 4, 4}, {"ki_tdev", 8, 8},
	{"ki_oncpu", 4, 4}, {"ki_lastcpu", 4, 4}, {"ki_tracer", 4, 4}, {"ki_flag2", 4, 4},
	{"ki_fibnum", 4, 4}, {"ki_cr_flags", 4, 4}, {"ki_jid", 4, 4}, {"ki_numthreads", 4, 4},
	{"ki_tid", 4, 4}, {"ki_pri", 4, 1}, {"ki_rusage", 144, 8}, {"ki_rusage_ch", 144, 8},
	{"ki_pcb", 8, 8}, {"ki_kstack", 8, 8}, {"ki_udata", 8, 8}, {"ki_tdaddr", 8, 8},
	{"ki_pd", 8, 8}, {"ki_spareptrs", 5 * 8, 8}, {"ki_sparelongs", 12 * 8, 8},
	{"ki_sflag", 8, 8}, {"ki_tdflags", 8, 8},
}

// kinfoProcLayout lays the fields out as the C compiler does: each at the
// next multiple of its alignment, the whole rounded up to the largest.
func kinfoProcLayout() (offsets map[string]int, size int) {
	offsets = map[string]int{}
	off, maxAlign := 0, 1
	for _, f := range kinfoProcFields {
		off = (off + f.align - 1) / f.align * f.align
		offsets[f.name] = off
		off += f.size
		maxAlign = max(maxAlign, f.align)
	}
	return offsets, (off + maxAlign - 1) / maxAlign * maxAlign
}

func TestKinfoProcLayout(t *testing.T) {
	offsets, size := kinfoProcLayout()
	if size != SizeofKinfoProc {
		t.Fatalf("struct kinfo_proc from the field list: %d bytes, KINFO_PROC_SIZE is %d", size, SizeofKinfoProc)
	}
	for _, c := range []struct {
		field string
		want  int
	}{
		{"ki_structsize", KinfoProcStructsize},
		{"ki_pid", KinfoProcPid},
		{"ki_tracer", KinfoProcTracer},
		{"ki_flag2", KinfoProcFlag2},
		{"ki_cr_flags", KinfoProcCrFlags},
	} {
		if offsets[c.field] != c.want {
			t.Errorf("%s at %d, the constant says %d", c.field, offsets[c.field], c.want)
		}
	}
}

// kinfoProcBytes builds a kinfo_proc record field by field.
func kinfoProcBytes(structsize, pid, tracer int32, crFlags uint32) []byte {
	offsets, size := kinfoProcLayout()
	b := make([]byte, size)
	for i := range b {
		b[i] = 0xa5 // whatever the other fields hold
	}
	binary.LittleEndian.PutUint32(b[offsets["ki_structsize"]:], uint32(structsize))
	binary.LittleEndian.PutUint32(b[offsets["ki_pid"]:], uint32(pid))
	binary.LittleEndian.PutUint32(b[offsets["ki_tracer"]:], uint32(tracer))
	binary.LittleEndian.PutUint32(b[offsets["ki_cr_flags"]:], crFlags)
	return b
}

func TestDecodeKinfoProc(t *testing.T) {
	for _, c := range []struct {
		name    string
		crFlags uint32
		tracer  int32
		capMode bool
	}{
		{"outside capability mode", 0, 0, false},
		{"in capability mode", KI_CRF_CAPABILITY_MODE, 0, true},
		// KI_CRF_GRP_OVERFLOW (0x80000000) shares the word.
		{"more groups than KI_NGROUPS", 0x80000000, 0, false},
		{"in capability mode, traced", 0x80000000 | KI_CRF_CAPABILITY_MODE, 812, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := DecodeKinfoProc(kinfoProcBytes(SizeofKinfoProc, 4242, c.tracer, c.crFlags))
			if err != nil {
				t.Fatal(err)
			}
			if k.Pid != 4242 || k.Tracer != c.tracer || k.InCapabilityMode() != c.capMode {
				t.Errorf("got pid %d tracer %d capability mode %v, want 4242 %d %v", k.Pid, k.Tracer, k.InCapabilityMode(), c.tracer, c.capMode)
			}
		})
	}
	if _, err := DecodeKinfoProc(kinfoProcBytes(816, 1, 0, 0)); err == nil {
		t.Error("a kinfo_proc of another size (816: kinfo_proc32) must be refused")
	}
	if _, err := DecodeKinfoProc(make([]byte, 100)); err == nil {
		t.Error("a short record must be refused")
	}
}
