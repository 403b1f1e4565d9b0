package bolt

import "slices"

// postings are the positions carrying one tag, ascending: the first in the
// index's map slot, the rest behind a pointer. Most tags (a key's code, a
// device) occur a few times, and a million small slices, each behind a
// pointer of its own, were most of what the garbage collector had to mark
// after opening a large log, over and over while the writer replayed it.
type postings struct {
	first uint64
	rest  *[]uint64
}

// with adds seq to p (ok: p exists) and reports whether the map must be
// given the result: for a new tag and for a tag's second position. A tag
// repeated within one event counts once.
func (p postings) with(ok bool, seq uint64) (postings, bool) {
	switch {
	case !ok:
		return postings{first: seq}, true
	case p.last() == seq:
		return p, false
	case p.rest == nil:
		return postings{first: p.first, rest: &[]uint64{seq}}, true
	}
	*p.rest = append(*p.rest, seq)
	return p, false
}

func (p postings) last() uint64 {
	if p.rest != nil {
		return (*p.rest)[len(*p.rest)-1]
	}
	return p.first
}

// index records that the event at seq carries tags, while Open scans the
// log. The tags are views of the file: their bytes go to s.names when the
// map takes them as a key.
func (s *Store) index(seq uint64, tags [][]byte) {
	for _, t := range tags {
		p, ok := s.tags[string(t)]
		if p, changed := p.with(ok, seq); changed {
			s.tags[s.names.str(t)] = p
		}
	}
}

// addTag records that the event at seq carries tag, for a committed append.
func (s *Store) addTag(tag string, seq uint64) {
	p, ok := s.tags[tag]
	if p, changed := p.with(ok, seq); changed {
		s.tags[tag] = p
	}
}

// tagged returns up to limit positions carrying tag from position from.
// Past the first position, the slice shares the index's array: publish
// only appends past its end.
func (s *Store) tagged(tag string, from uint64, limit int) []uint64 {
	s.mu.RLock()
	p, ok := s.tags[tag]
	var rest []uint64
	if p.rest != nil {
		rest = *p.rest
	}
	s.mu.RUnlock()
	switch {
	case !ok || limit <= 0:
		return nil
	case from <= p.first:
		return append([]uint64{p.first}, rest[:min(len(rest), limit-1)]...)
	}
	i, _ := slices.BinarySearch(rest, from)
	return rest[i:min(len(rest), i+limit)]
}
