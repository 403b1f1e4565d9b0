package bolt

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// protect runs fn, which reads the file through bbolt, and turns what a
// damaged file makes of such a read into an error instead of the end of
// the process: a memory fault on the file's map (SIGBUS when the file was
// truncated under the map, SIGSEGV when a damaged page points outside it)
// and a panic raised inside bbolt (its "assertion failed" checks). A fault
// is recoverable only on a goroutine that asked for it with
// debug.SetPanicOnFault, so protect sets that for the call and restores it
// after. Any other panic is a bug in the caller and goes on.
func protect(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if err = storeFault(r); err == nil {
				panic(r)
			}
		}
	}()
	return fn()
}

// storeFault is the error for a panic that a damaged file caused, or nil
// for any other panic. It must be called from the deferred function that
// recovered r, while the panicking frames are still on the stack.
func storeFault(r any) error {
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		return fmt.Errorf("eventstore/bolt: memory fault at %#x reading the log file (was it truncated or changed by another program, or did the disk fail?)", f.Addr())
	}
	if raisedInBbolt() {
		return fmt.Errorf("eventstore/bolt: bbolt failed reading the log file, which looks damaged: %v", r)
	}
	return nil
}

// raisedInBbolt reports whether the panic being recovered was raised by
// bbolt's code: the innermost frame below the runtime's panic machinery is
// in one of its packages. A panic of the caller's own code that merely runs
// inside a bbolt transaction (a Scan callback) is not.
func raisedInBbolt() bool {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	seenPanic := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			seenPanic = true
		case seenPanic && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}
