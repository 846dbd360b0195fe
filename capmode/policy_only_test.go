package capmode

import (
	"strings"
	"testing"
)

func TestPolicyOnlyAndExplanation(t *testing.T) {
	sub, err := Linux().Only([]string{"openat", "getpid"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteExplanation(&b, sub); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"openat (linux syscall 257): at-path", "getpid (linux syscall 39): allow", "reason: ", "hint:   "} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "hint:") != 1 {
		t.Errorf("only the refused call has a hint:\n%s", out)
	}
	if _, err := Linux().Only([]string{"no_such_call"}); err == nil {
		t.Error("an unknown syscall must be an error")
	}
}
