package api

import (
	"sync"
	"time"
)

// signedCalls remembers the interface.php calls carrying ts that were
// accepted, so that a captured signed URL is accepted once, not again and
// again within its InterfaceMaxAge window. A call that writes is also
// bound to the log by its command id (the hash), which survives restarts;
// this set covers getWarranty, which writes nothing, and concurrent copies.
// Entries older than the window are pruned: by then checkTS refuses the
// call anyway, so the set holds at most the calls of one window.
type signedCalls struct {
	mu   sync.Mutex
	seen map[string]time.Time // hash -> when it was accepted
	// pruneAt is the size at which the next insert prunes; it doubles with
	// what survives, so pruning costs constant time per call.
	pruneAt int
}

// take reserves the call named by hash at now, or reports that it was
// accepted before.
func (s *signedCalls) take(hash string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen, s.pruneAt = map[string]time.Time{}, 1024
	}
	if _, used := s.seen[hash]; used {
		return false
	}
	if len(s.seen) >= s.pruneAt {
		for h, at := range s.seen {
			if now.Sub(at) > 2*InterfaceMaxAge {
				delete(s.seen, h)
			}
		}
		s.pruneAt = max(1024, 2*len(s.seen))
	}
	s.seen[hash] = now
	return true
}

// release forgets a reserved call that was not carried out (the log was
// unavailable), so that the client may send it again.
func (s *signedCalls) release(hash string) {
	s.mu.Lock()
	delete(s.seen, hash)
	s.mu.Unlock()
}
