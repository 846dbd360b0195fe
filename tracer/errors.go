package tracer

import "fmt"

// Exit statuses for captrace's own failures (design.md, CLI contract).
const (
	StatusUsage         = 2
	StatusFailure       = 125
	StatusNotExecutable = 126
	StatusNotFound      = 127
)

// Error is a failure to trace, with the exit status the CLI must use.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}
