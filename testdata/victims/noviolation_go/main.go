// Command noviolation_go does only what capability mode allows, from
// main.main on: goroutines, timers, channels, a signal to itself, fmt to
// stdout. Run under captrace with --enter=main: the report must have no
// group, so the Go runtime's own work (threads, futexes, signals,
// madvise, getrandom, sched_getaffinity, prctl(PR_SET_VMA)) must pass.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)

	var wg sync.WaitGroup
	results := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			buf[n] = byte(n)
			time.Sleep(time.Millisecond)
			results <- n * int(buf[n]+1)
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}

	timer := time.NewTimer(5 * time.Millisecond)
	<-timer.C
	ticker := time.NewTicker(time.Millisecond)
	for i := 0; i < 3; i++ {
		<-ticker.C
	}
	ticker.Stop()

	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case <-sigs:
	case <-time.After(5 * time.Second):
		fmt.Println("no signal")
		os.Exit(1)
	}

	runtime.GC()
	fmt.Printf("goroutines done sum=%d at=%d\n", sum, time.Now().Unix())
}
