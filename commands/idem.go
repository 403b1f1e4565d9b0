package commands

import (
	"hash/maphash"

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
type idemTable struct {
	s1, s2 maphash.Seed
	m      map[idemKey]idemEntry
}

func newIdemTable(size uint64) *idemTable {
	return &idemTable{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), m: make(map[idemKey]idemEntry, size)}
}

func (t *idemTable) key(s string) idemKey {
	return idemKey{maphash.String(t.s1, s), maphash.String(t.s2, s)}
}

// keyBytes is key of string(b), without building the string.
func (t *idemTable) keyBytes(b []byte) idemKey {
	return idemKey{maphash.Bytes(t.s1, b), maphash.Bytes(t.s2, b)}
}

func (t *idemTable) get(id string) (idemEntry, bool) {
	e, ok := t.m[t.key(id)]
	return e, ok
}

// sameDigest reports whether digest is the one recorded in e.
func (t *idemTable) sameDigest(e idemEntry, digest string) bool { return e.digest == t.key(digest) }

func (t *idemTable) put(id, digest string, first uint64, n uint32) {
	t.m[t.key(id)] = idemEntry{digest: t.key(digest), first: first, n: n}
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
	e, ok := t.m[k]
	if !ok {
		e = idemEntry{digest: t.keyBytes(digest), first: seq}
	}
	e.n++
	t.m[k] = e
}
