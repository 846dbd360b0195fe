package symbolize

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Mapping is one region of a process's address space, as /proc/PID/maps
// (Linux) or a PT_VM_ENTRY record (FreeBSD) describes it.
type Mapping struct {
	Start, End uint64
	Offset     uint64 // file offset of Start
	Perm       string // "r-xp" style; only 'x' matters here
	Path       string // mapped file, or a pseudo name such as "[vdso]"
	Inode, Dev uint64
}

// Module is one mapped ELF object: every mapping of one file, with the
// load bias that turns its link-time addresses into run-time ones.
type Module struct {
	Path       string
	Start, End uint64 // span of all its mappings
	Offset     uint64 // file offset of the lowest mapping
	Bias       uint64 // run-time address minus link-time address
	Inode, Dev uint64
	Mtime      int64 // nanoseconds; part of the cache key, 0 when unknown

	ranges []Mapping // its mappings, sorted
	vdso   *vdsoImage
}

// Name is the module's base name, as used in "module+0xoff".
func (m *Module) Name() string { return filepath.Base(m.Path) }

// IsVDSO reports whether the module is the kernel-provided vDSO, whose ELF
// image exists only in the traced process's memory.
func (m *Module) IsVDSO() bool { return m.Path == "[vdso]" }

// vdsoImage holds the vDSO's ELF bytes, read from the tracee at most once
// per module map.
type vdsoImage struct {
	once sync.Once
	mod  atomic.Pointer[module]
}

func (v *vdsoImage) loaded() *module { return v.mod.Load() }
func (v *vdsoImage) set(m *module)   { v.mod.Store(m) }

// ModuleMap is an immutable snapshot of the modules mapped into one
// process; it is shared between the unwinder and the symbolizer.
type ModuleMap struct {
	modules []*Module
	// index holds every executable mapping, sorted by Start, so that a PC
	// resolves only inside code and not inside a module's data or a gap.
	index []indexEntry
}

type indexEntry struct {
	start, end uint64
	mod        *Module
}

// Modules lists the mapped modules in address order.
func (m *ModuleMap) Modules() []*Module { return m.modules }

// Find returns the module whose executable mapping holds pc, or nil.
func (m *ModuleMap) Find(pc uint64) *Module {
	if m == nil {
		return nil
	}
	i := sort.Search(len(m.index), func(i int) bool { return m.index[i].end > pc })
	if i < len(m.index) && m.index[i].start <= pc {
		return m.index[i].mod
	}
	return nil
}

// ParseMaps reads the /proc/PID/maps format. It does not open the mapped
// files except to read their program headers for the load bias.
func ParseMaps(r io.Reader) (*ModuleMap, error) {
	var maps []Mapping
	sc := bufio.NewScanner(r)
	// A line is a few dozen bytes and a path (at most PATH_MAX): the
	// scanner's own 4 KiB buffer, grown if ever needed, where 64 KiB
	// allocated up front were 16 fresh pages at every read of a map.
	sc.Buffer(nil, 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		mp, ok := parseMapsLine(sc.Text())
		if !ok {
			return nil, fmt.Errorf("symbolize: maps line %d: malformed: %q", line, sc.Text())
		}
		maps = append(maps, mp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("symbolize: reading maps: %w", err)
	}
	return NewModuleMap(maps), nil
}

// parseMapsLine parses "start-end perm offset dev inode   path".
func parseMapsLine(s string) (Mapping, bool) {
	var mp Mapping
	f := strings.Fields(s)
	if len(f) < 5 {
		return mp, false
	}
	se := strings.SplitN(f[0], "-", 2)
	if len(se) != 2 {
		return mp, false
	}
	var err1, err2, err3, err4 error
	mp.Start, err1 = strconv.ParseUint(se[0], 16, 64)
	mp.End, err2 = strconv.ParseUint(se[1], 16, 64)
	mp.Perm = f[1]
	mp.Offset, err3 = strconv.ParseUint(f[2], 16, 64)
	mp.Inode, err4 = strconv.ParseUint(f[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || mp.End < mp.Start {
		return mp, false
	}
	if mj, mn, ok := strings.Cut(f[3], ":"); ok {
		a, _ := strconv.ParseUint(mj, 16, 64)
		b, _ := strconv.ParseUint(mn, 16, 64)
		// Encoded as stat(2)'s st_dev, which it is compared with.
		mp.Dev = unix.Mkdev(uint32(a), uint32(b))
	}
	if len(f) > 5 {
		// The path is everything after the fifth field, the inode; it may
		// hold spaces. (Searching for the inode's text instead finds "0"
		// inside the offset "00000000" of every anonymous mapping, the
		// vDSO's included.)
		mp.Path = strings.TrimSpace(afterFields(s, 5))
	}
	return mp, true
}

// afterFields is s without its first n space-separated fields.
func afterFields(s string, n int) string {
	for ; n > 0; n-- {
		s = strings.TrimLeft(s, " \t")
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = s[i:]
	}
	return s
}

// NewModuleMap groups mappings into modules. Anonymous mappings, and
// pseudo files other than the vDSO, are dropped: no ELF describes them.
func NewModuleMap(mappings []Mapping) *ModuleMap {
	ms := append([]Mapping(nil), mappings...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })

	type key struct {
		path       string
		inode, dev uint64
	}
	byKey := map[key]*Module{}
	mm := &ModuleMap{}
	for i := range ms {
		mp := ms[i]
		if mp.Path == "" || (strings.HasPrefix(mp.Path, "[") && mp.Path != "[vdso]") {
			continue
		}
		k := key{mp.Path, mp.Inode, mp.Dev}
		m := byKey[k]
		// A file mapped twice (two dlopens of copies, or a remap) forms a
		// new module when its offset-0 mapping starts again.
		if m == nil || (mp.Offset == 0 && mp.Start >= m.End && len(m.ranges) > 0 && hasOffsetZero(m)) {
			m = &Module{Path: mp.Path, Start: mp.Start, End: mp.End, Offset: mp.Offset, Inode: mp.Inode, Dev: mp.Dev}
			if m.IsVDSO() {
				m.vdso = &vdsoImage{}
			}
			byKey[k] = m
			mm.modules = append(mm.modules, m)
		}
		m.ranges = append(m.ranges, mp)
		m.End = max(m.End, mp.End)
		if strings.Contains(mp.Perm, "x") {
			mm.index = append(mm.index, indexEntry{mp.Start, mp.End, m})
		}
	}
	for _, m := range mm.modules {
		m.Bias = computeBias(m)
	}
	return mm
}

func hasOffsetZero(m *Module) bool {
	for _, r := range m.ranges {
		if r.Offset == 0 {
			return true
		}
	}
	return false
}

// computeBias finds the run-time minus link-time displacement: the start
// of the offset-0 mapping minus the page-aligned p_vaddr of the first
// PT_LOAD. The vDSO is linked at 0 and mapped whole from its start.
func computeBias(m *Module) uint64 {
	base := m.Start
	for _, r := range m.ranges {
		if r.Offset == 0 {
			base = r.Start
			break
		}
	}
	if m.IsVDSO() {
		return base
	}
	st, err := os.Stat(m.Path)
	if err != nil {
		return base
	}
	m.Mtime = st.ModTime().UnixNano()
	id := fileIdentity{path: m.Path, dev: m.Dev, inode: m.Inode, mtime: m.Mtime, size: st.Size()}
	r, known := loadVaddrs.get(id)
	if !known {
		f, err := os.Open(m.Path)
		if err != nil {
			return base
		}
		r.vaddr, r.ok = firstLoadVaddr(f)
		f.Close()
		loadVaddrs.put(id, r)
	}
	if r.ok {
		return base - (r.vaddr &^ (pageSize - 1))
	}
	return base
}

// fileIdentity names one version of a file: a rebuilt program has another
// inode, modification time or size.
type fileIdentity struct {
	path        string
	dev, inode  uint64
	mtime, size int64
}

// loadVaddrs remembers each file's first PT_LOAD address: the tracer reads
// a process's map again whenever it changed (at the entry point, at the
// enter point, after a dlopen), and every process runs the same C
// library, so each file's program headers are read once per run.
var loadVaddrs = &vaddrMemo{known: map[fileIdentity]vaddrResult{}}

type vaddrResult struct {
	vaddr uint64
	ok    bool
}

type vaddrMemo struct {
	mu    sync.Mutex
	known map[fileIdentity]vaddrResult
}

func (m *vaddrMemo) get(id fileIdentity) (vaddrResult, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, known := m.known[id]
	return r, known
}

func (m *vaddrMemo) put(id fileIdentity, r vaddrResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.known[id] = r
}

// firstLoadVaddr is the p_vaddr of the first PT_LOAD of the ELF file r.
// For a 64-bit little-endian file it reads the file header and the
// program headers only: elf.NewFile also reads and names every section,
// and this runs for each module of each new module map, the first of
// them while the program is stopped at its entry point, before it has
// run an instruction (docs/performance.md, "Start-up").
func firstLoadVaddr(r io.ReaderAt) (uint64, bool) {
	var hdr elf.Header64
	if err := binary.Read(io.NewSectionReader(r, 0, int64(binary.Size(hdr))), binary.LittleEndian, &hdr); err != nil {
		return firstLoadVaddrDecoded(r)
	}
	if string(hdr.Ident[:4]) != elf.ELFMAG || elf.Class(hdr.Ident[elf.EI_CLASS]) != elf.ELFCLASS64 ||
		elf.Data(hdr.Ident[elf.EI_DATA]) != elf.ELFDATA2LSB || int(hdr.Phentsize) != binary.Size(elf.Prog64{}) || hdr.Phnum == 0xffff {
		// Another class or byte order, or more program headers than
		// e_phnum holds (PN_XNUM): debug/elf knows them all.
		return firstLoadVaddrDecoded(r)
	}
	progs := make([]elf.Prog64, hdr.Phnum)
	if err := binary.Read(io.NewSectionReader(r, int64(hdr.Phoff), int64(binary.Size(progs))), binary.LittleEndian, progs); err != nil {
		return 0, false
	}
	for _, p := range progs {
		if elf.ProgType(p.Type) == elf.PT_LOAD {
			return p.Vaddr, true
		}
	}
	return 0, false
}

// firstLoadVaddrDecoded is firstLoadVaddr through elf.NewFile.
func firstLoadVaddrDecoded(r io.ReaderAt) (uint64, bool) {
	ef, err := elf.NewFile(r)
	if err != nil {
		return 0, false
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			return p.Vaddr, true
		}
	}
	return 0, false
}

const pageSize = 4096
