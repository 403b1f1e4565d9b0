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
// an envelope is its canonical JSON with prev and hash inserted before the
// closing brace, so seal encodes each envelope once, straight into the
// buffer it is stored from, leaving room for prev and hash; it does so on
// all cores (the canonical bytes do not depend on the chain), and only the
// cheap hashing runs in sequence. The chain rule is the one
// eventstore.ChainHash documents: H(prev || canonical bytes).
func seal(base eventstore.Head, events []eventstore.Event) (*sealed, error) {
	b := &sealed{base: base, envs: make([]eventstore.Envelope, len(events)), vals: make([][]byte, len(events))}
	for i, ev := range events {
		if y := ev.Time.UTC().Year(); y < 0 || y > 9999 {
			return nil, fmt.Errorf("event %d: time %v is outside the years 0-9999 that JSON can hold", i, ev.Time)
		}
		b.envs[i] = eventstore.Envelope{
			Seq: base.Seq + uint64(i) + 1, ID: ev.ID, Type: ev.Type, Time: ev.Time.UTC(),
			Actor: ev.Actor, Command: ev.Command, Digest: ev.Digest, Tags: ev.Tags, Data: ev.Data,
		}
	}
	if err := b.encodeAll(); err != nil {
		return nil, err
	}
	b.chain()
	return b, nil
}

// encodeAll fills vals, on several cores for large batches.
func (b *sealed) encodeAll() error {
	workers := min(runtime.GOMAXPROCS(0), len(b.envs)/parallelSeal)
	if workers <= 1 {
		return encodeRange(b.envs, b.vals)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	chunk := (len(b.envs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(b.envs))
		wg.Go(func() { errs[w] = encodeRange(b.envs[lo:hi], b.vals[lo:hi]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// encodeRange writes, into one buffer, each envelope's canonical bytes
// without the closing brace followed by tailLen bytes that chain fills in.
func encodeRange(envs []eventstore.Envelope, vals [][]byte) error {
	size := 0
	for i := range envs {
		size += eventstore.CanonicalSize(&envs[i]) + tailLen
	}
	buf := make([]byte, 0, size)
	ends := make([]int, len(envs))
	for i := range envs {
		var err error
		if buf, err = eventstore.AppendCanonical(buf, &envs[i]); err != nil {
			return err
		}
		buf = append(buf[:len(buf)-1], make([]byte, tailLen)...)
		ends[i] = len(buf)
	}
	start := 0
	for i, end := range ends { // buf may have moved while growing
		vals[i] = buf[start:end:end]
		start = end
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

var closingBrace = []byte{'}'}

// chain hashes the envelopes in order and writes prev and hash into each
// stored encoding. Canonical bytes plus this tail are exactly
// encoding/json's output for an Envelope, because the canonical struct has
// the envelope's fields in the same order and encodes them the same way.
func (b *sealed) chain() {
	h := sha256.New()
	prev := b.base.Hash
	for i, v := range b.vals {
		e := &b.envs[i]
		canon, tail := v[:len(v)-tailLen], v[len(v)-tailLen:]
		h.Reset()
		h.Write(prev[:])
		h.Write(canon)
		h.Write(closingBrace)
		e.Prev = prev
		h.Sum(e.Hash[:0])
		t := append(tail[:0], prevKey...)
		t = hex.AppendEncode(t, e.Prev[:])
		t = append(t, hashKey...)
		t = hex.AppendEncode(t, e.Hash[:])
		_ = append(t, tailEnd...)
		prev = e.Hash
	}
}
