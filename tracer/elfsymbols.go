package tracer

import (
	"debug/elf"

	"github.com/captrace/captrace/symbolize"
)

// eachDefinedFunction calls fn with the name and link-time address of
// every function f defines, .symtab first, then .dynsym, in table order:
// a defined STT_FUNC with a non-zero value. It runs while the program is
// stopped at its entry point, to find __libc_start_main in libc
// (tracer/breakpoints.go, resolve), so it reads the tables raw through
// symbolize.EachSymbol rather than building an elf.Symbol for each of
// libc's ~3,000 dynamic symbols (docs/performance.md, "Start-up").
func eachDefinedFunction(f *elf.File, fn func(name string, value uint64)) {
	for _, typ := range []elf.SectionType{elf.SHT_SYMTAB, elf.SHT_DYNSYM} {
		symbolize.EachSymbol(f, typ, func(name string, value, _ uint64, info byte, section elf.SectionIndex) {
			if section != elf.SHN_UNDEF && value != 0 && elf.ST_TYPE(info) == elf.STT_FUNC {
				fn(name, value)
			}
		})
	}
}
