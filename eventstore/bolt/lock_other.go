//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package bolt

import (
	"os"
	"time"
)

// lockFile does nothing where flock does not exist: the file is checked
// before bbolt takes its own lock, so another process could still change
// it in between.
func lockFile(*os.File, bool, time.Duration) error { return nil }
