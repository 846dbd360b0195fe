//go:build !(linux && amd64) && !(freebsd && amd64)

// This file stops the build on a platform captrace cannot trace: its
// package name, not tracer, makes "go build" refuse the directory with one
// sentence naming it, where the build would otherwise fail on whatever the
// platform lacks (registers, ptrace requests). Delve uses the same device
// (pkg/proc/native/support_sentinel_linux.go).

package captrace_traces_only_linux_amd64_and_freebsd_amd64
