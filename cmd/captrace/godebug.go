//go:debug updatemaxprocs=0

package main

// The go:debug setting above keeps a runtime duty off captrace's start-up
// (issue 15): the background task that re-reads the cgroup's CPU limit to
// update GOMAXPROCS. captrace runs one ptrace thread and a collector; the
// number of CPUs it starts with is plenty.
