package commands

import (
	"hash/maphash"
	"math/bits"

	"github.com/innolic/ledger/replay"
)

// idemKey is a 128-bit hash of a command id or digest. The idempotency
// table holds one entry per command ever written (millions), so its keys
// and values are fixed-size and pointer-free: the garbage collector never
// scans the table, and a replay inserts without allocating strings. Two
// independent 64-bit hashes make a collision (which would answer one
// command with another's result) about as likely as 2^-128 per pair.
type idemKey [2]uint64

// idemEntry remembers a command id. A command's events are appended
// together, so its positions are the range first..first+n-1.
type idemEntry struct {
	digest idemKey
	first  uint64
	n      uint32
	used   bool // false: an empty slot of the table
}

func (e idemEntry) positions() []uint64 {
	out := make([]uint64, e.n)
	for i := range out {
		out[i] = e.first + uint64(i)
	}
	return out
}

// idemTable maps command ids to what they wrote. The seeds are per process:
// the table lives only in memory and is rebuilt from the log at start.
//
// It is a flat array probed linearly rather than a Go map: for a million
// commands it takes two thirds of the memory (a map sized for a million
// rounds up to two million slots), a lookup touches one place in memory
// instead of a control word and a slot, and a fresh table costs nothing
// until it is filled: the kernel hands out zeroed pages as they are first
// written, where a map writes its control words up front.
type idemTable struct {
	s1, s2 maphash.Seed
	slots  []idemSlot
	used   int
}

// idemSlot is one place of the table, 48 bytes.
type idemSlot struct {
	id idemKey
	e  idemEntry
}

// newIdemTable returns a table that holds size commands before it grows.
func newIdemTable(size uint64) *idemTable {
	return &idemTable{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), slots: make([]idemSlot, slotsFor(size))}
}

// slotsFor keeps the table at most two thirds full, where linear probing
// stays short.
func slotsFor(n uint64) uint64 { return max(64, n+n/2) }

// slot returns the slot of k, or the empty slot where k goes. The first
// place to look is k's hash scaled to the table (keys are uniform hashes).
func (t *idemTable) slot(k idemKey) *idemSlot {
	i, _ := bits.Mul64(k[0], uint64(len(t.slots)))
	for {
		if s := &t.slots[i]; !s.e.used || s.id == k {
			return s
		}
		if i++; i == uint64(len(t.slots)) {
			i = 0
		}
	}
}

// set stores e for k.
func (t *idemTable) set(k idemKey, e idemEntry) {
	s := t.slot(k)
	if !s.e.used {
		if uint64(t.used+1) > uint64(len(t.slots))*2/3 {
			t.grow()
			s = t.slot(k)
		}
		t.used++
	}
	e.used = true
	*s = idemSlot{id: k, e: e}
}

// grow moves the entries to a table twice the size.
func (t *idemTable) grow() {
	old := t.slots
	t.slots = make([]idemSlot, 2*len(old))
	for _, s := range old {
		if s.e.used {
			*t.slot(s.id) = s
		}
	}
}

func (t *idemTable) key(s string) idemKey {
	return idemKey{maphash.String(t.s1, s), maphash.String(t.s2, s)}
}

// keyBytes is key of string(b), without building the string.
func (t *idemTable) keyBytes(b []byte) idemKey {
	return idemKey{maphash.Bytes(t.s1, b), maphash.Bytes(t.s2, b)}
}

func (t *idemTable) get(id string) (idemEntry, bool) {
	s := t.slot(t.key(id))
	return s.e, s.e.used
}

// sameDigest reports whether digest is the one recorded in e.
func (t *idemTable) sameDigest(e idemEntry, digest string) bool { return e.digest == t.key(digest) }

func (t *idemTable) put(id, digest string, first uint64, n uint32) {
	t.set(t.key(id), idemEntry{digest: t.key(digest), first: first, n: n})
}

// replay records the command ids of replayed events.
func (t *idemTable) replay(recs []replay.Lean) {
	for i := range recs {
		if r := &recs[i]; len(r.Command) > 0 {
			t.extend(r.Command, r.Digest, r.Seq)
		}
	}
}

// extend records one more event of a command seen while replaying.
func (t *idemTable) extend(id, digest []byte, seq uint64) {
	k := t.keyBytes(id)
	if s := t.slot(k); s.e.used {
		s.e.n++
		return
	}
	t.set(k, idemEntry{digest: t.keyBytes(digest), first: seq, n: 1})
}
