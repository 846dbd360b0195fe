package tracer

import (
	"errors"
	"strconv"
	"strings"
)

// Exit statuses for captrace's own failures (design.md, CLI contract).
const (
	StatusUsage         = 2
	StatusFailure       = 125
	StatusNotExecutable = 126
	StatusNotFound      = 127
)

// Error is a failure to trace: what captrace was doing, to which program
// or process, and why, as os.PathError says it for a file. Status is the
// exit status the command uses for it.
type Error struct {
	Path   string // the program or image concerned, if any
	Pid    int    // the process concerned, if any
	Op     string // what failed, e.g. "cannot start the program", "--enter=main"
	Err    error  // the cause
	Status int    // StatusUsage, StatusFailure, StatusNotExecutable or StatusNotFound
}

// Error reads "PATH: process PID: OP: CAUSE", leaving out what is unset.
func (e *Error) Error() string {
	var parts []string
	if e.Path != "" {
		parts = append(parts, e.Path)
	}
	if e.Pid != 0 {
		parts = append(parts, "process "+strconv.Itoa(e.Pid))
	}
	if e.Op != "" {
		parts = append(parts, e.Op)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *Error) Unwrap() error { return e.Err }

// ExitStatus is the status the command exits with for err: an *Error's
// own, else StatusFailure.
func ExitStatus(err error) int {
	var te *Error
	if errors.As(err, &te) && te.Status != 0 {
		return te.Status
	}
	return StatusFailure
}

// usageError, failure and the like build the errors captrace reports most.
func usageError(op string, err error) *Error {
	return &Error{Op: op, Err: err, Status: StatusUsage}
}

func failure(op string, err error) *Error {
	return &Error{Op: op, Err: err, Status: StatusFailure}
}
