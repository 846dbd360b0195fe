package main

import (
	"path/filepath"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestEnterInALibraryLoadedLater: --enter names a function of a plugin
// the program loads with dlopen, which no module has when the program
// starts. Capability mode begins at the plugin's function: the open
// before it is not a violation, the one after it is, and the enter site
// is the call in the host.
func TestEnterInALibraryLoadedLater(t *testing.T) {
	host := victims.C(t, "plugin/host", victims.O0, "-ldl")
	plugin := victims.Build(t, "plugin/libplugin.so", func(out string) error {
		return victims.Run("gcc", "-g", "-O0", "-shared", "-fPIC", "-o", out, victims.Source("plugin/plugin.c"))
	})
	r := captrace(t, "--enter=plugin_enter", host, plugin)
	if r.stdout != "1 1\n" {
		t.Errorf("host printed %q, want both opens to succeed in audit mode", r.stdout)
	}
	checkGroups(t, r, []wantGroup{{"openat", "ECAPMODE", "main", "plugin/host.c", "host_open", 1}})
	line := victims.Line(t, "plugin/host.c", "ENTER:plugin")
	if got := r.report.EnterReached; got == nil || got.Function != "main" || filepath.Base(got.File) != "host.c" || got.Line != line {
		t.Errorf("enter_reached %+v, want main host.c:%d", got, line)
	}
}
