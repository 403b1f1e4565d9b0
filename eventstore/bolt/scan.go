package bolt

import (
	"context"
	"encoding/binary"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

var _ eventstore.Scanner = (*Store)(nil)

// Scan implements eventstore.Scanner in one read transaction. Records are
// split by the fast parser, and the views it returns point into bbolt's
// memory map, so nothing is copied or allocated per event; records the
// parser does not take are decoded in full instead. Event types, a small
// set, are interned, so Raw.Type stays valid after the callback.
func (s *Store) Scan(ctx context.Context, from, to uint64, fn func(*eventstore.Raw) error) error {
	if _, err := s.readable(ctx); err != nil {
		return err
	}
	types := map[string]string{}
	return s.view(func(b *bbolt.Bucket) error {
		var r eventstore.Raw
		var f fields
		c := b.Cursor()
		for k, v := c.Seek(key(max(from, 1))); k != nil && binary.BigEndian.Uint64(k) <= to; k, v = c.Next() {
			if err := rawOf(v, &r, &f, types); err != nil {
				return err
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}

// rawOf splits a stored record into r, interning its type in types; f is
// scratch space.
func rawOf(v []byte, r *eventstore.Raw, f *fields, types map[string]string) error {
	if !f.parse(v) {
		var e eventstore.Envelope
		if err := decode(v, &e, f); err != nil {
			return err
		}
		*r = eventstore.RawOf(&e)
		return nil
	}
	typ, ok := types[string(f.typ)]
	if !ok {
		typ = string(f.typ)
		types[typ] = typ
	}
	// Clipped, so that an append to a view can never reach the map.
	*r = eventstore.Raw{Seq: f.seq, Type: typ, Command: slices.Clip(f.command), Digest: slices.Clip(f.digest),
		Person: slices.Clip(f.person), Channel: slices.Clip(f.channel), Data: slices.Clip(f.data), Hash: f.hash}
	return nil
}
