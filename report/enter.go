package report

import (
	"fmt"
	"path/filepath"
)

// EnterReachedText says where the run's enter point was first reached, as
// the text and HTML reports print it: "cap_enter reached in pid 4242 at
// sandbox_init prog.c:41" (the caller of the enter function), or "exec
// reached in pid 4242 at exec of /bin/prog". It is "" when the report
// does not say (never reached, or a report older than the field).
func (r *Report) EnterReachedText() string {
	s := r.EnterReached
	if s == nil {
		return ""
	}
	text := fmt.Sprintf("%s reached in pid %d", r.Enter, s.Pid)
	switch {
	case s.Exec != "":
		return text + " at exec of " + s.Exec
	case s.Function == "":
		return text
	case s.File != "" && s.Line > 0:
		return fmt.Sprintf("%s at %s %s:%d", text, s.Function, filepath.Base(s.File), s.Line)
	case s.Module != "":
		return fmt.Sprintf("%s at %s (%s)", text, s.Function, filepath.Base(s.Module))
	}
	return text + " at " + s.Function
}
