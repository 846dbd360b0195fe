package tracer

import "errors"

// attach: -p is not implemented on FreeBSD yet.
func attach(cfg Config) (Result, error) {
	return Result{}, usageError("-p", errors.New("attaching to a running process is not implemented on FreeBSD yet"))
}
