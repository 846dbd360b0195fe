package symbolize

import (
	"fmt"
	"os"
)

// ReadMaps reads /proc/PID/maps. On FreeBSD the tracer builds the map from
// PT_VM_ENTRY records with NewModuleMap instead.
func ReadMaps(pid int) (*ModuleMap, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, fmt.Errorf("symbolize: %w", err)
	}
	defer f.Close()
	return ParseMaps(f)
}
