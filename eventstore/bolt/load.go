package bolt

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

// key is the bucket key of position seq: big-endian, so that bbolt's byte
// order is log order and appends always go to the rightmost page.
func key(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// load creates the bucket of a new file, then scans the log once to set
// the head and build the tag index.
func (s *Store) load() error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketName)
		return err
	})
	if err != nil {
		return err
	}
	return s.db.View(func(tx *bbolt.Tx) error { return s.scan(tx.Bucket(bucketName)) })
}

// scan walks every record in order, checking that positions are contiguous
// and match the records, indexing tags and keeping the last hash; then it
// decodes the last record in full. It decodes no more than that: hashes are
// not recomputed (see Open).
func (s *Store) scan(b *bbolt.Bucket) error {
	var tagBuf [16][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		seq := s.head.Seq + 1
		if len(k) != 8 || binary.BigEndian.Uint64(k) != seq {
			return fmt.Errorf("log is not contiguous: expected position %d, found key %x", seq, k)
		}
		f := fields{tags: tagBuf[:0]}
		if !f.scanFields(v) && !parseMetaJSON(v, &f) {
			return fmt.Errorf("record at position %d does not decode", seq)
		}
		if f.seq != seq {
			return fmt.Errorf("record at position %d says it is at %d", seq, f.seq)
		}
		s.index(seq, f.tags)
		s.head = eventstore.Head{Seq: seq, Hash: f.hash}
	}
	return s.checkLast(b)
}

// parseMetaJSON is the slow path of scan, for records the fast parser does
// not take: only position, tags and hash, through encoding/json.
func parseMetaJSON(v []byte, f *fields) bool {
	var m struct {
		Seq  uint64            `json:"seq"`
		Tags []string          `json:"tags"`
		Hash eventstore.Digest `json:"hash"`
	}
	if json.Unmarshal(v, &m) != nil {
		return false
	}
	f.seq, f.hash, f.tags = m.Seq, m.Hash, f.tags[:0]
	for _, t := range m.Tags {
		f.tags = append(f.tags, []byte(t))
	}
	return true
}

// checkLast decodes the last record in full and checks it against the head
// the scan found: a torn or foreign last record fails Open.
func (s *Store) checkLast(b *bbolt.Bucket) error {
	if s.head.Seq == 0 {
		return nil
	}
	var e eventstore.Envelope
	if err := decode(b.Get(key(s.head.Seq)), &e, &fields{}); err != nil {
		return fmt.Errorf("last record (position %d): %w", s.head.Seq, err)
	}
	if e.Seq != s.head.Seq || e.Hash != s.head.Hash {
		return fmt.Errorf("last record (position %d) decodes as position %d hash %s", s.head.Seq, e.Seq, e.Hash)
	}
	if h, err := eventstore.ChainHash(e.Prev, &e); err != nil || h != e.Hash {
		return fmt.Errorf("last record (position %d) does not match its hash", s.head.Seq)
	}
	return nil
}
