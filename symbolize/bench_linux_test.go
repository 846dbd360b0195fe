package symbolize

import (
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkUnwindSymbolizeWarm measures what one violation costs the
// tracer once caches are warm: unwinding ~10 frames (libc, an inlined
// -O2 chain, start-up) while the victim is stopped, and symbolizing them.
func BenchmarkUnwindSymbolizeWarm(b *testing.B) {
	traceUntil(b, []string{victim(b, "chain-O2")}, unix.SYS_OPENAT, 2, "", func(s *stop) {
		mm, err := ReadMaps(s.pid)
		if err != nil {
			b.Fatal(err)
		}
		c := NewCache(nil)
		u, sym := NewUnwinder(c), NewSymbolizer(c)
		pcs, _ := u.Unwind(mm, s.regs, s.mem, 64)
		for _, pc := range pcs {
			sym.Symbolize(mm, pc)
		}
		b.ReportMetric(float64(len(pcs)), "frames")
		b.ResetTimer()
		for b.Loop() {
			pcs, _ := u.Unwind(mm, s.regs, s.mem, 64)
			for _, pc := range pcs {
				sym.Symbolize(mm, pc)
			}
		}
	})
}

// BenchmarkUnwindWarm is the part that keeps the tracee stopped.
func BenchmarkUnwindWarm(b *testing.B) {
	traceUntil(b, []string{victim(b, "chain-O2")}, unix.SYS_OPENAT, 2, "", func(s *stop) {
		mm, _ := ReadMaps(s.pid)
		u := NewUnwinder(NewCache(nil))
		u.Unwind(mm, s.regs, s.mem, 64)
		b.ResetTimer()
		for b.Loop() {
			u.Unwind(mm, s.regs, s.mem, 64)
		}
	})
}
