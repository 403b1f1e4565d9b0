//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package bolt

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFile takes the advisory lock bbolt takes on its file, exclusive for
// writing and shared for reading, waiting up to timeout for another
// process to release it. bbolt's own lock call on the same open file then
// succeeds at once (flock locks belong to the open file, and taking one
// again only confirms it).
func lockFile(f *os.File, exclusive bool, timeout time.Duration) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the log is in use by another process (is `ledger serve` running on it?): waited %v for its lock", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
