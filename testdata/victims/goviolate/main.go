// goviolate is the Go victim: a violation from a goroutine, at a known line
// of a known function.
package main

import (
	"fmt"
	"os"
	"sync"
)

//go:noinline
func readConfig(path string) error {
	f, err := os.Open(path) // SITE:go_open
	if err != nil {
		return err
	}
	return f.Close()
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		readConfig("/etc/hostname") // LINE:go_func
	}()
	wg.Wait()
	fmt.Println("done")
}
