package eventstore

import "context"

// Raw is the part of a stored event that a replay into the write state
// needs: position, type, the command id with the digest of its payload and
// the person and channel that sent it (an idempotency key belongs to its
// sender), payload and chained hash. Command, Digest, Person, Channel and
// Data are views of the store's memory, valid only during the Scan callback
// that receives them; Type may be kept.
type Raw struct {
	Seq     uint64
	Type    string
	Command []byte
	Digest  []byte
	Person  []byte
	Channel []byte
	Data    []byte
	Hash    Digest
}

// Scanner is implemented by stores that can hand out Raw records without
// building envelopes. Starting the writer replays every event of the log,
// and building full envelopes (id, time, actor, tags, a copy of the
// payload) used to cost more than applying them. Verification and
// projections read full envelopes with Read.
type Scanner interface {
	// Scan calls fn for each event with from <= seq <= to, in order. It
	// stops at the first error fn returns and returns it.
	Scan(ctx context.Context, from, to uint64, fn func(*Raw) error) error
}

// Scan calls fn for each event with from <= seq <= to, in order, through
// the store's Scanner if it has one, else from envelopes read in batches.
func Scan(ctx context.Context, s Store, from, to uint64, fn func(*Raw) error) error {
	if sc, ok := s.(Scanner); ok {
		return sc.Scan(ctx, from, to, fn)
	}
	from = max(from, 1)
	for from <= to {
		evs, err := s.Read(ctx, from, int(min(to-from+1, 1024)))
		if err != nil || len(evs) == 0 {
			return err
		}
		for i := range evs {
			e := &evs[i]
			if e.Seq > to {
				return nil
			}
			r := RawOf(e)
			if err := fn(&r); err != nil {
				return err
			}
		}
		from = evs[len(evs)-1].Seq + 1
	}
	return nil
}

// RawOf returns the fields of e that Raw holds; Data is e's.
func RawOf(e *Envelope) Raw {
	return Raw{Seq: e.Seq, Type: e.Type, Command: []byte(e.Command), Digest: []byte(e.Digest),
		Person: []byte(e.Actor.Person), Channel: []byte(e.Actor.Channel), Data: e.Data, Hash: e.Hash}
}
