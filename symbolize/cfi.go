package symbolize

import (
	"debug/elf"
	"encoding/binary"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/frame"
	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// cfiTable is the call frame information of one object, sorted by
// address (frame.Parse does not sort, and FDEForPC silently fails on an
// unsorted table).
type cfiTable struct {
	fdes frame.FrameDescriptionEntries
}

// loadCFI reads .eh_frame (what the C toolchain keeps even in stripped
// objects) and .debug_frame (what Go emits). Addresses stay link-time:
// staticBase 0.
func loadCFI(ef *elf.File) cfiTable {
	var all frame.FrameDescriptionEntries
	if sec := ef.Section(".eh_frame"); sec != nil && sec.Type != elf.SHT_NOBITS && sec.Addr != 0 {
		if data, err := sec.Data(); err == nil {
			all = appendFDEs(all, data, sec.Addr)
		}
	}
	if data, err := godwarf.GetDebugSectionElf(ef, "frame"); err == nil && len(data) > 0 {
		all = appendFDEs(all, data, 0)
	}
	return cfiTable{fdes: all}
}

// appendFDEs parses one CFI section; a corrupt section is skipped whole
// rather than trusted in part.
func appendFDEs(all frame.FrameDescriptionEntries, data []byte, ehFrameAddr uint64) (out frame.FrameDescriptionEntries) {
	out = all
	defer func() {
		if p := recover(); p != nil {
			out = all
		}
	}()
	fdes, err := frame.Parse(data, binary.LittleEndian, 0, 8, ehFrameAddr)
	if err != nil {
		return all
	}
	for _, f := range fdes {
		if f.CIE == nil {
			return all
		}
	}
	return all.Append(fdes)
}

func (t *cfiTable) fdeFor(addr uint64) *frame.FrameDescriptionEntry {
	fde, err := t.fdes.FDEForPC(addr)
	if err != nil {
		return nil
	}
	return fde
}

func isSignalFrame(fde *frame.FrameDescriptionEntry) bool {
	return strings.Contains(fde.CIE.Augmentation, "S")
}

// ruleKind is a register rule reduced to what the unwinder evaluates.
type ruleKind uint8

const (
	ruleSame ruleKind = iota // no rule: the register keeps its value
	ruleUndefined
	ruleOffset    // saved at CFA+off
	ruleValOffset // value is CFA+off
	ruleRegister  // value is in another register
	ruleExpression
	ruleValExpression
)

type regRule struct {
	kind ruleKind
	reg  uint8
	off  int64
	expr []byte
}

// cfaRow is one row of the CFI table, compiled once per PC so that a warm
// unwind neither runs the CFA program nor allocates.
type cfaRow struct {
	signal  bool // the frame is a signal trampoline ('S' augmentation)
	cfaReg  uint8
	cfaOff  int64
	cfaExpr []byte
	ra      uint8
	regs    [len(Regs{})]regRule
}

// compileRow evaluates the CFI program up to addr. Malformed programs
// panic inside Delve; they yield no row.
func compileRow(fde *frame.FrameDescriptionEntry, addr uint64) (row *cfaRow) {
	defer func() {
		if p := recover(); p != nil {
			row = nil
		}
	}()
	fc, err := fde.EstablishFrame(addr)
	if err != nil || fc == nil {
		return nil
	}
	row = &cfaRow{signal: isSignalFrame(fde)}
	switch fc.CFA.Rule {
	case frame.RuleCFA:
		if fc.CFA.Reg >= uint64(len(Regs{})) {
			return nil
		}
		row.cfaReg, row.cfaOff = uint8(fc.CFA.Reg), fc.CFA.Offset
	case frame.RuleExpression:
		row.cfaExpr = fc.CFA.Expression
	default:
		return nil
	}
	if fc.RetAddrReg >= uint64(len(Regs{})) {
		return nil
	}
	row.ra = uint8(fc.RetAddrReg)
	for r, rule := range fc.Regs {
		if r >= uint64(len(Regs{})) {
			continue
		}
		rr := regRule{off: rule.Offset, expr: rule.Expression}
		switch rule.Rule {
		case frame.RuleUndefined:
			rr.kind = ruleUndefined
		case frame.RuleSameVal:
			rr.kind = ruleSame
		case frame.RuleOffset:
			rr.kind = ruleOffset
		case frame.RuleValOffset:
			rr.kind = ruleValOffset
		case frame.RuleRegister:
			if rule.Reg >= uint64(len(Regs{})) {
				rr.kind = ruleUndefined
			} else {
				rr.kind, rr.reg = ruleRegister, uint8(rule.Reg)
			}
		case frame.RuleExpression:
			rr.kind = ruleExpression
		case frame.RuleValExpression:
			rr.kind = ruleValExpression
		default:
			rr.kind = ruleUndefined
		}
		row.regs[r] = rr
	}
	return row
}
