package symbolize

import (
	"debug/elf"
	"hash/crc32"
	"path/filepath"
	"sync"
)

// Cache holds parsed modules, keyed by file identity (path, device, inode,
// mtime) so that a rebuilt binary is parsed again while every process
// mapping the same file shares one parse. Safe for concurrent use by the
// unwinder and the symbolizer.
type Cache struct {
	debugDirs []string
	fetcher   DebugFetcher
	siteIn    []string // library file names counted as the program's own code
	mu        sync.Mutex
	modules   map[cacheKey]*cacheEntry
}

type cacheKey struct {
	path              string
	dev, inode, mtime uint64
	vdsoCRC           uint32 // for in-memory images
	vdsoLen           int
}

type cacheEntry struct {
	once sync.Once
	mod  *module
}

// NewCache returns an empty cache. debugDirs are searched for separate
// debug files, before /usr/lib/debug.
func NewCache(debugDirs []string) *Cache {
	return &Cache{debugDirs: debugDirs, modules: map[cacheKey]*cacheEntry{}}
}

// DebugFetcher finds a separate debug file by build-id (lower-case hex)
// somewhere other than the disk: a debuginfod server. It may block for
// as long as a download takes.
type DebugFetcher interface {
	DebugInfo(buildID string) (path string, err error)
}

// FetchDebugFiles makes the cache ask f for the debug files of programs
// and libraries (not the C library or loader, named from their symbol
// tables) that have none on disk. Call it before the cache is used. Only
// symbolization fetches, never an unwind: the ptrace thread never waits
// for the network.
func (c *Cache) FetchDebugFiles(f DebugFetcher) { c.fetcher = f }

// SiteIn makes the libraries with these file names ("libarchive.so.13")
// count as the program's own code, wherever they are installed: their
// frames can be call sites, and their DWARF and debug files are loaded as
// a program's are. Call it before the cache is used.
func (c *Cache) SiteIn(names ...string) { c.siteIn = append(c.siteIn, names...) }

// IsSiteIn reports whether the module at path was named by SiteIn.
func (c *Cache) IsSiteIn(path string) bool {
	base := filepath.Base(path)
	for _, n := range c.siteIn {
		if n == base || n == path {
			return true
		}
	}
	return false
}

func (c *Cache) entry(k cacheKey) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.modules[k]
	if e == nil {
		e = &cacheEntry{}
		c.modules[k] = e
	}
	return e
}

// moduleFor returns the parsed module behind m, or nil when its file
// cannot be read. A vDSO is available only once an unwind has read it.
func (c *Cache) moduleFor(m *Module) *module {
	if m.IsVDSO() {
		if m.vdso == nil {
			return nil
		}
		return m.vdso.loaded()
	}
	e := c.entry(cacheKey{path: m.Path, dev: m.Dev, inode: m.Inode, mtime: uint64(m.Mtime)})
	e.once.Do(func() {
		mod, err := openModule(m.Path, c.debugDirs)
		if err == nil {
			mod.fetcher = c.fetcher
			mod.siteIn = c.IsSiteIn(m.Path)
			e.mod = mod
		}
	})
	return e.mod
}

// vdsoModule reads the vDSO's ELF image out of the tracee, once per
// module map; identical images (one kernel) share one parse.
func (c *Cache) vdsoModule(m *Module, mem Memory) *module {
	if m.vdso == nil || mem == nil {
		return nil
	}
	m.vdso.once.Do(func() {
		size := m.End - m.Start
		if size == 0 || size > 1<<20 {
			return
		}
		img := make([]byte, size)
		if err := mem.ReadMemory(m.Start, img); err != nil {
			return
		}
		e := c.entry(cacheKey{path: "[vdso]", vdsoCRC: crc32.ChecksumIEEE(img), vdsoLen: len(img)})
		e.once.Do(func() {
			mod, err := newMemoryModule(img, "[vdso]")
			if err == nil {
				e.mod = mod
			}
		})
		m.vdso.set(e.mod)
	})
	return m.vdso.loaded()
}

func openELF(path string) (*elf.File, error) { return elf.Open(path) }
