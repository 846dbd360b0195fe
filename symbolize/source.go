package symbolize

import (
	"fmt"
	"os"
)

// maxSourceSize keeps a stray path to a huge file from stalling a report.
const maxSourceSize = 16 << 20

// ReadSource reads a source file a frame names (File), for what is
// computed from its text (the report's fingerprints hash the site's
// line). Only regular files up to 16 MiB are read.
func ReadSource(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxSourceSize {
		return nil, fmt.Errorf("%s: not a source file", name)
	}
	return os.ReadFile(name)
}
