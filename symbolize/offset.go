package symbolize

// ModuleOffset names pc by its module and its offset from the module's
// link-time addresses, the form ("module+0xoff") that survives ASLR and so
// identifies a call site in stripped code across processes and runs.
func (s *Symbolizer) ModuleOffset(mm *ModuleMap, pc uint64) (module string, off uint64, ok bool) {
	if mm == nil {
		return "", 0, false
	}
	m := mm.Find(pc)
	if m == nil {
		return "", 0, false
	}
	return m.Path, pc - m.Bias, true
}
