package bolt

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/innolic/ledger/eventstore"
)

// chainBatchSize is how many records a chainCheck hands to a worker at a
// time: enough that handing over costs little per record.
const chainBatchSize = 1024

// chainCheck verifies the hash chain of records that a scan hands it in
// order, on every core while the scan goes on: each record's hash is
// independent of the others' once the scan has read the stored hashes, so
// batches can be verified in any order. The records are views of bbolt's
// memory map, so the scan's transaction must stay open until wait returns.
type chainCheck struct {
	batch   *chainBatch
	work    chan *chainBatch // nil: verify on the scan's goroutine
	free    chan *chainBatch
	wg      sync.WaitGroup
	done    sync.Once
	brokeAt atomic.Uint64 // the earliest broken position found, 0: none

	mu    sync.Mutex
	bad   *eventstore.ChainError // the earliest found
	fault error                  // a read of the file failed
}

// chainBatch is a run of consecutive records.
type chainBatch struct {
	first  uint64            // position of vals[0]
	prev   eventstore.Digest // hash of the record before vals[0]
	vals   [][]byte
	hashes []eventstore.Digest // each record's stored hash, as the scan read it
}

// newChainCheck starts a worker per core, or none on a single core.
func newChainCheck() *chainCheck {
	c := &chainCheck{}
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 {
		return c
	}
	c.work, c.free = make(chan *chainBatch, 2*workers), make(chan *chainBatch, 4*workers)
	for range workers {
		c.wg.Go(c.worker)
	}
	return c
}

// add queues the record v at seq, chained on prev with the stored hash h.
// It returns false once a break at or before seq has been found, as the
// scan need not go on then.
func (c *chainCheck) add(seq uint64, v []byte, prev, h eventstore.Digest) bool {
	if at := c.brokeAt.Load(); at != 0 && at <= seq {
		return false
	}
	b := c.batch
	if b == nil {
		select {
		case b = <-c.free:
		default:
			b = &chainBatch{}
		}
		b.first, b.prev, b.vals, b.hashes = seq, prev, b.vals[:0], b.hashes[:0]
		c.batch = b
	}
	b.vals, b.hashes = append(b.vals, v), append(b.hashes, h)
	if len(b.vals) == chainBatchSize {
		c.flush()
	}
	return true
}

// flush hands the current batch to a worker, or verifies it in place.
func (c *chainCheck) flush() {
	b := c.batch
	c.batch = nil
	switch {
	case b == nil:
	case c.work == nil:
		c.run(b, sha256.New())
	default:
		c.work <- b
	}
}

// worker verifies batches until the scan is over.
func (c *chainCheck) worker() {
	h := sha256.New()
	for b := range c.work {
		c.run(b, h)
		select {
		case c.free <- b:
		default:
		}
	}
}

// run verifies one batch, with a fault on the file's map reported as an
// error rather than the end of the process (see protect).
func (c *chainCheck) run(b *chainBatch, h hash.Hash) {
	if err := protect(func() error { c.verify(b, h); return nil }); err != nil {
		c.mu.Lock()
		c.fault = errors.Join(c.fault, err)
		c.mu.Unlock()
	}
}

// verify checks the records of b and reports the first break.
func (c *chainCheck) verify(b *chainBatch, h hash.Hash) {
	var scratch fields
	sum := make([]byte, 0, sha256.Size)
	prev := b.prev
	for i, v := range b.vals {
		if err := verifyRecord(v, b.first+uint64(i), prev, b.hashes[i], h, sum, &scratch); err != nil {
			c.report(err)
			return
		}
		prev = b.hashes[i]
	}
}

// report keeps the earliest break found.
func (c *chainCheck) report(err *eventstore.ChainError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bad == nil || err.Seq < c.bad.Seq {
		c.bad = err
		c.brokeAt.Store(err.Seq)
	}
}

// wait lets the workers finish and returns the first problem: a failed
// read, or the earlier of the chain's first break and scanErr, the error
// that stopped the scan (if any). It may be called more than once.
func (c *chainCheck) wait(scanErr error) error {
	c.done.Do(func() {
		c.flush()
		if c.work != nil {
			close(c.work)
		}
		c.wg.Wait()
	})
	var at *eventstore.ChainError
	switch {
	case c.fault != nil:
		return c.fault
	case c.bad != nil && (scanErr == nil || errors.As(scanErr, &at) && c.bad.Seq < at.Seq):
		return c.bad
	}
	return scanErr
}

// verifyRecord checks the stored record v at seq against the hash of its
// predecessor, prev, and its own stored hash. The fast way needs no
// decoding: a record written by this package is its envelope's canonical
// bytes without the closing brace followed by a fixed tail
// `,"prev":"<hex>","hash":"<hex>"}` (see seal), so its hash is SHA-256 of
// prev, the bytes before the tail and a closing brace. A record in any
// other form (written by an older version, say) is decoded and hashed in
// full, as eventstore.Verifier does.
func verifyRecord(v []byte, seq uint64, prev, stored eventstore.Digest, h hash.Hash, sum []byte, f *fields) *eventstore.ChainError {
	if len(v) >= tailLen && f.parseTail(v[len(v)-tailLen:]) {
		if f.prev != prev {
			return &eventstore.ChainError{Seq: seq, Reason: "prev does not match the hash of the previous event"}
		}
		h.Reset()
		h.Write(prev[:])
		h.Write(v[:len(v)-tailLen])
		h.Write(closingBrace)
		if f.hash == stored && bytes.Equal(h.Sum(sum), stored[:]) {
			return nil
		}
	}
	return verifyDecoded(v, seq, prev, stored)
}

// verifyDecoded is the slow way of verifyRecord.
func verifyDecoded(v []byte, seq uint64, prev, stored eventstore.Digest) *eventstore.ChainError {
	var e eventstore.Envelope
	if err := decode(v, &e, &fields{}); err != nil {
		return &eventstore.ChainError{Seq: seq, Reason: err.Error()}
	}
	if e.Prev != prev {
		return &eventstore.ChainError{Seq: seq, Reason: "prev does not match the hash of the previous event"}
	}
	got, err := eventstore.ChainHash(e.Prev, &e)
	switch {
	case err != nil:
		return &eventstore.ChainError{Seq: seq, Reason: err.Error()}
	case got != e.Hash || e.Hash != stored:
		return &eventstore.ChainError{Seq: seq, Reason: "hash does not match the event's content"}
	}
	return nil
}
