package tracer

// MaybeRunLauncher returns nil at once on FreeBSD: the kernel enforces
// capability mode itself, so there is no seccomp launcher to re-execute.
func MaybeRunLauncher() error { return nil }
