package bolt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

// key is the bucket key of position seq: big-endian, so that bbolt's byte
// order is log order and appends always go to the rightmost page.
func key(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// load scans the whole log once, verifying it, to set the head and build
// the tag index.
func (s *Store) load() error {
	return s.view(func(b *bbolt.Bucket) error {
		head, err := scanLog(b, eventstore.Head{}, s.index)
		s.head = head
		return err
	})
}

// scanLog walks the records after from in order, checking that positions
// are contiguous and match the records and verifying the hash chain; it
// calls index with each record's tags (views of the file) and returns the
// last position and hash. From a head other than the empty log's, the
// record at from must be there with from's hash: the log must still be the
// one that was read up to there.
//
// The scan itself reads only each record's position, tags and hash;
// hashes are recomputed by a chainCheck on the other cores meanwhile. A
// problem at a position is reported as an *eventstore.ChainError, the
// earliest one found.
func scanLog(b *bbolt.Bucket, from eventstore.Head, index func(uint64, [][]byte)) (eventstore.Head, error) {
	if b == nil {
		return from, errors.New("the file has no events bucket")
	}
	c := b.Cursor()
	k, v := c.First()
	if from.Seq > 0 {
		k, v = c.Seek(key(from.Seq))
		if err := checkAt(k, v, from); err != nil {
			return from, err
		}
		k, v = c.Next()
	}
	chk := newChainCheck()
	// On a panic too, no worker may read the map once the transaction is over.
	defer chk.wait(nil)
	head, err := scanRecords(c, k, v, from, chk, index)
	return head, chk.wait(err)
}

// scanRecords is the loop of scanLog from the record k, v on.
func scanRecords(c *bbolt.Cursor, k, v []byte, head eventstore.Head, chk *chainCheck, index func(uint64, [][]byte)) (eventstore.Head, error) {
	var tagBuf [16][]byte
	for ; k != nil; k, v = c.Next() {
		seq := head.Seq + 1
		if len(k) != 8 || binary.BigEndian.Uint64(k) != seq {
			return head, &eventstore.ChainError{Seq: seq, Reason: fmt.Sprintf("the log is not contiguous: found key %x", k)}
		}
		f := fields{tags: tagBuf[:0]}
		if !f.scanFields(v) && !parseMetaJSON(v, &f) {
			return head, &eventstore.ChainError{Seq: seq, Reason: "the record does not decode"}
		}
		if f.seq != seq {
			return head, &eventstore.ChainError{Seq: seq, Reason: fmt.Sprintf("the record says it is at position %d", f.seq)}
		}
		index(seq, f.tags)
		if !chk.add(seq, v, head.Hash, f.hash) {
			break // the chain is broken before here
		}
		head = eventstore.Head{Seq: seq, Hash: f.hash}
	}
	return head, nil
}

// checkAt checks that the record k, v is the one at head.
func checkAt(k, v []byte, head eventstore.Head) error {
	var f fields
	switch {
	case k == nil || binary.BigEndian.Uint64(k) != head.Seq:
		return fmt.Errorf("the log on disk no longer holds position %d, which was written", head.Seq)
	case !f.scanFields(v) && !parseMetaJSON(v, &f), f.hash != head.Hash:
		return fmt.Errorf("the record at position %d on disk is not the one written there", head.Seq)
	}
	return nil
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
