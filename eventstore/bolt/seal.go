package bolt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"

	"github.com/innolic/ledger/eventstore"
)

// sealed is a batch chained after base, with each envelope's stored bytes.
type sealed struct {
	base eventstore.Head
	envs []eventstore.Envelope
	vals [][]byte
}

// last is the head after the batch.
func (b *sealed) last() eventstore.Head {
	e := &b.envs[len(b.envs)-1]
	return eventstore.Head{Seq: e.Seq, Hash: e.Hash}
}

// parallelSeal is the batch size from which canonical encoding is spread
// over the cores.
const parallelSeal = 64

// seal does what eventstore.Seal does, byte for byte (TestSealMatchesEventstore
// holds it to that), and also returns each envelope's stored encoding.
//
// It exists for speed: eventstore.Seal encodes every event once to hash it,
// and storing the envelope would encode it a second time. The stored JSON of
// an envelope is its canonical JSON with prev and hash appended, so seal
// encodes once, and does so on all cores (the canonical bytes do not depend
// on the chain); only the cheap hashing runs in sequence. The chain rule is
// the one eventstore.ChainHash documents: H(prev || canonical bytes).
func seal(base eventstore.Head, events []eventstore.Event) (*sealed, error) {
	b := &sealed{base: base, envs: make([]eventstore.Envelope, len(events))}
	for i, ev := range events {
		if y := ev.Time.UTC().Year(); y < 0 || y > 9999 {
			return nil, fmt.Errorf("event %d: time %v is outside the years 0-9999 that JSON can hold", i, ev.Time)
		}
		b.envs[i] = eventstore.Envelope{
			Seq: base.Seq + uint64(i) + 1, ID: ev.ID, Type: ev.Type, Time: ev.Time.UTC(),
			Actor: ev.Actor, Command: ev.Command, Digest: ev.Digest, Tags: ev.Tags, Data: ev.Data,
		}
	}
	canon, err := canonicalAll(b.envs)
	if err != nil {
		return nil, err
	}
	b.chain(canon)
	return b, nil
}

// canonicalAll returns the canonical bytes of every envelope, computed on
// several cores for large batches.
func canonicalAll(envs []eventstore.Envelope) ([][]byte, error) {
	canon := make([][]byte, len(envs))
	workers := min(runtime.GOMAXPROCS(0), len(envs)/parallelSeal)
	if workers <= 1 {
		return canon, canonicalRange(envs, canon)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	chunk := (len(envs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(envs))
		wg.Go(func() { errs[w] = canonicalRange(envs[lo:hi], canon[lo:hi]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return canon, nil
}

// canonicalRange fills canon with the canonical bytes of envs.
func canonicalRange(envs []eventstore.Envelope, canon [][]byte) error {
	for i := range envs {
		c, err := eventstore.CanonicalBytes(&envs[i])
		if err != nil {
			return err
		}
		canon[i] = c
	}
	return nil
}

// Stored records end with this fixed-size tail after the canonical fields.
const (
	prevKey = `,"prev":"`
	hashKey = `","hash":"`
	tailEnd = `"}`
	tailLen = len(prevKey) + 2*sha256.Size + len(hashKey) + 2*sha256.Size + len(tailEnd)
)

// chain hashes the envelopes in order and writes their stored encodings,
// all in one buffer: the canonical JSON without its closing brace, then
// prev and hash. That is exactly encoding/json's output for an Envelope,
// because the canonical struct has the envelope's fields in the same order
// and encodes them the same way.
func (b *sealed) chain(canon [][]byte) {
	size := 0
	for _, c := range canon {
		size += len(c) - 1 + tailLen
	}
	buf := make([]byte, 0, size)
	b.vals = make([][]byte, len(canon))
	h := sha256.New()
	prev := b.base.Hash
	for i, c := range canon {
		e := &b.envs[i]
		h.Reset()
		h.Write(prev[:])
		h.Write(c)
		e.Prev = prev
		h.Sum(e.Hash[:0])
		start := len(buf)
		buf = append(buf, c[:len(c)-1]...)
		buf = append(buf, prevKey...)
		buf = hex.AppendEncode(buf, e.Prev[:])
		buf = append(buf, hashKey...)
		buf = hex.AppendEncode(buf, e.Hash[:])
		buf = append(buf, tailEnd...)
		b.vals[i] = buf[start:len(buf):len(buf)]
		prev = e.Hash
	}
}
