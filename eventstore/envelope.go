package eventstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Channel names where a change came from.
const (
	ChannelAPI        = "api"
	ChannelInterface  = "interface"
	ChannelDevicesApp = "devices-app"
	ChannelSystem     = "system"
)

// Actor is who caused an event: a person (possibly vendor staff), the
// company on whose behalf they acted, and the channel.
type Actor struct {
	Person  string `json:"person,omitempty"`
	Vendor  bool   `json:"vendor,omitempty"`
	Company string `json:"company,omitempty"`
	Channel string `json:"channel"`
}

// Event is an event before it is written: everything of the envelope the
// writer decides; the store assigns seq, prev and hash.
type Event struct {
	ID      string          // uuid, derived from the command id and index
	Type    string          // stable wire name
	Time    time.Time       // UTC, from the caller's clock
	Actor   Actor           //
	Command string          // command id = idempotency key
	Digest  string          // digest of the command's payload, for idempotency checks
	Tags    []string        // company:, project:, device:, key:, person:, domain: ids
	Data    json.RawMessage // typed payload
}

// Envelope is an event as written in the log.
type Envelope struct {
	Seq     uint64          `json:"seq"`
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Time    time.Time       `json:"time"`
	Actor   Actor           `json:"actor"`
	Command string          `json:"command"`
	Digest  string          `json:"digest,omitempty"`
	Tags    []string        `json:"tags,omitempty"`
	Data    json.RawMessage `json:"data"`
	Prev    Digest          `json:"prev"`
	Hash    Digest          `json:"hash"`
}

// Digest is a SHA-256 value, written as lowercase hex in JSON.
type Digest [sha256.Size]byte

func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// MarshalText writes the digest as hex.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a hex digest.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) != 2*sha256.Size {
		return fmt.Errorf("digest: want %d hex characters, got %d", 2*sha256.Size, len(b))
	}
	_, err := hex.Decode(d[:], b)
	return err
}

// CanonicalBytes returns the bytes the chain hashes for e (the form is
// defined by appendCanonical). Changing it breaks every existing chain.
func CanonicalBytes(e *Envelope) ([]byte, error) {
	return appendCanonical(make([]byte, 0, CanonicalSize(e)), e)
}

// AppendCanonical appends the canonical bytes of e to b, for callers that
// keep many envelopes in one buffer.
func AppendCanonical(b []byte, e *Envelope) ([]byte, error) { return appendCanonical(b, e) }

// CanonicalSize is at least the size of e's canonical bytes unless its
// strings need escaping: what to reserve for them. The fixed part is the
// keys, a 20-digit position and a 35-byte time.
func CanonicalSize(e *Envelope) int {
	n := 232 + len(e.ID) + len(e.Type) + len(e.Actor.Person) + len(e.Actor.Company) + len(e.Actor.Channel) +
		len(e.Command) + len(e.Digest) + len(e.Data)
	for _, t := range e.Tags {
		n += len(t) + 3
	}
	return n
}

// ChainHash computes H(prev || canonical bytes of e).
func ChainHash(prev Digest, e *Envelope) (Digest, error) {
	b, err := CanonicalBytes(e)
	if err != nil {
		return Digest{}, err
	}
	h := sha256.New()
	h.Write(prev[:])
	h.Write(b)
	var d Digest
	h.Sum(d[:0])
	return d, nil
}

// Seal turns the events of one batch into envelopes chained after head:
// seq head+1.., prev and hash. Adapters call it inside their append.
func Seal(head Head, events []Event) ([]Envelope, error) {
	out := make([]Envelope, len(events))
	prev := head.Hash
	for i, ev := range events {
		e := &out[i]
		*e = Envelope{
			Seq: head.Seq + uint64(i) + 1, ID: ev.ID, Type: ev.Type, Time: ev.Time.UTC(),
			Actor: ev.Actor, Command: ev.Command, Digest: ev.Digest, Tags: ev.Tags, Data: ev.Data,
			Prev: prev,
		}
		h, err := ChainHash(prev, e)
		if err != nil {
			return nil, err
		}
		e.Hash = h
		prev = h
	}
	return out, nil
}

// ChainError names the first position where the chain does not hold.
type ChainError struct {
	Seq    uint64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("hash chain broken at position %d: %s", e.Seq, e.Reason)
}

// Verifier checks envelopes one by one, in order, against the chain.
type Verifier struct{ head Head }

// NewVerifier starts a verification after head (the zero Head for a whole log).
func NewVerifier(head Head) *Verifier { return &Verifier{head: head} }

// Head is the last verified position and hash.
func (v *Verifier) Head() Head { return v.head }

// Check verifies the next envelope and advances, or returns a *ChainError.
func (v *Verifier) Check(e *Envelope) error {
	if e.Seq != v.head.Seq+1 {
		return &ChainError{Seq: v.head.Seq + 1, Reason: fmt.Sprintf("expected position %d, found %d", v.head.Seq+1, e.Seq)}
	}
	if e.Prev != v.head.Hash {
		return &ChainError{Seq: e.Seq, Reason: "prev does not match the hash of the previous event"}
	}
	h, err := ChainHash(e.Prev, e)
	if err != nil {
		return &ChainError{Seq: e.Seq, Reason: err.Error()}
	}
	if h != e.Hash {
		return &ChainError{Seq: e.Seq, Reason: "hash does not match the event's content"}
	}
	v.head = Head{Seq: e.Seq, Hash: e.Hash}
	return nil
}
