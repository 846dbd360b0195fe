package symbolize

import (
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// systemDebugDir is where distributions install separate debug files
// (Debian's *-dbg and *-dbgsym packages).
const systemDebugDir = "/usr/lib/debug"

// findDebugFile locates the separate debug file of an object: first by
// build-id (<dir>/.build-id/xx/rest.debug), then by .gnu_debuglink, which
// gdb searches beside the binary, in .debug/ beside it, and under each
// debug directory followed by the binary's directory.
func findDebugFile(path string, ef *elf.File, debugDirs []string) string {
	dirs := append(append([]string(nil), debugDirs...), systemDebugDir)
	if id := buildID(ef); len(id) >= 2 {
		h := hex.EncodeToString(id)
		for _, d := range dirs {
			p := filepath.Join(d, ".build-id", h[:2], h[2:]+".debug")
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
		}
	}
	name, crc, ok := debugLink(ef)
	if !ok || path == "" {
		return ""
	}
	binDir := filepath.Dir(path)
	candidates := []string{
		filepath.Join(binDir, name),
		filepath.Join(binDir, ".debug", name),
	}
	for _, d := range dirs {
		candidates = append(candidates, filepath.Join(d, binDir, name), filepath.Join(d, name))
	}
	for _, p := range candidates {
		if p == path {
			continue
		}
		if c, err := fileCRC(p); err == nil && c == crc {
			return p
		}
	}
	return ""
}

// buildID returns the descriptor of the NT_GNU_BUILD_ID note.
func buildID(ef *elf.File) []byte {
	sec := ef.Section(".note.gnu.build-id")
	if sec == nil {
		return nil
	}
	data, err := sec.Data()
	if err != nil || len(data) < 16 {
		return nil
	}
	namesz := binary.LittleEndian.Uint32(data[0:])
	descsz := binary.LittleEndian.Uint32(data[4:])
	typ := binary.LittleEndian.Uint32(data[8:])
	off := 12 + uint64(namesz+3)&^3
	if typ != 3 || off+uint64(descsz) > uint64(len(data)) {
		return nil
	}
	return data[off : off+uint64(descsz)]
}

// debugLink parses .gnu_debuglink: a file name, padding to 4 bytes, and
// the CRC-32 of the debug file.
func debugLink(ef *elf.File) (name string, crc uint32, ok bool) {
	sec := ef.Section(".gnu_debuglink")
	if sec == nil {
		return "", 0, false
	}
	data, err := sec.Data()
	if err != nil {
		return "", 0, false
	}
	n := 0
	for n < len(data) && data[n] != 0 {
		n++
	}
	off := (n + 4) &^ 3
	if n == 0 || off+4 > len(data) {
		return "", 0, false
	}
	return filepath.Base(string(data[:n])), binary.LittleEndian.Uint32(data[off:]), true
}

func fileCRC(path string) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, f); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}
