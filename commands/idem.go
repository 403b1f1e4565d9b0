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
// written, where a map writes its control words up front, on the replay's
// serial path. Like a map, it grows a little at a time.
type idemTable struct {
	s1, s2 maphash.Seed
	slots  []idemSlot
	used   int // entries, in slots and old together
	// While the table grows, old holds the previous array, and each insert
	// moves a few of its slots over, so that no command waits for a table
	// of millions to be copied. old[:moved] are in slots.
	old   []idemSlot
	moved int
}

// idemSlot is one place of the table, 48 bytes.
type idemSlot struct {
	id idemKey
	e  idemEntry
}

// newIdemTable returns a table that holds size commands before it grows.
func newIdemTable(size uint64) *idemTable {
	return &idemTable{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), slots: make([]idemSlot, max(64, size+size/2))}
}

// probe returns the slot of k in slots, or the empty slot where k goes.
// The first place to look is k's hash scaled to the array (keys are
// uniform hashes); a table at most two thirds full keeps probing short.
func probe(slots []idemSlot, k idemKey) *idemSlot {
	i, _ := bits.Mul64(k[0], uint64(len(slots)))
	for {
		if s := &slots[i]; !s.e.used || s.id == k {
			return s
		}
		if i++; i == uint64(len(slots)) {
			i = 0
		}
	}
}

// slot returns the slot holding k, or the empty slot where k goes.
func (t *idemTable) slot(k idemKey) *idemSlot {
	s := probe(t.slots, k)
	if !s.e.used && t.old != nil {
		// Not moved yet, then: moved slots are in both arrays.
		if o := probe(t.old, k); o.e.used {
			return o
		}
	}
	return s
}

// set stores e for k.
func (t *idemTable) set(k idemKey, e idemEntry) {
	e.used = true
	if s := t.slot(k); s.e.used {
		s.e = e
		return
	}
	t.insert(k, e)
}

// insert stores e for k, which is in neither array.
func (t *idemTable) insert(k idemKey, e idemEntry) {
	e.used = true
	t.used++
	if t.old == nil && uint64(t.used) > uint64(len(t.slots))*2/3 {
		t.old, t.slots, t.moved = t.slots, make([]idemSlot, 2*len(t.slots)), 0
	}
	*probe(t.slots, k) = idemSlot{id: k, e: e}
	t.move(4) // the old array is moved before the new one is two thirds full
}

// move moves up to n slots of the old array over.
func (t *idemTable) move(n int) {
	for ; n > 0 && t.old != nil; n-- {
		if s := t.old[t.moved]; s.e.used {
			*probe(t.slots, s.id) = s
		}
		if t.moved++; t.moved == len(t.old) {
			t.old = nil
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

// get looks id up; its key serves a following add.
func (t *idemTable) get(id string) (idemKey, idemEntry, bool) {
	k := t.key(id)
	s := t.slot(k)
	return k, s.e, s.e.used
}

// add records a command whose id get has just not found, without looking
// for it again.
func (t *idemTable) add(k idemKey, digest string, first uint64, n uint32) {
	t.insert(k, idemEntry{digest: t.key(digest), first: first, n: n})
}

// sameDigest reports whether digest is the one recorded in e.
func (t *idemTable) sameDigest(e idemEntry, digest string) bool { return e.digest == t.key(digest) }

// replay records the command ids of replayed events, each in the scope of
// the person and channel that sent it (appendScoped).
func (t *idemTable) replay(recs []replay.Lean) {
	var scoped []byte
	for i := range recs {
		if r := &recs[i]; len(r.Command) > 0 {
			scoped = appendScoped(scoped[:0], r.Channel, r.Person, r.Command)
			t.extend(scoped, r.Digest, r.Seq)
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
