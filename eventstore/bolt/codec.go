package bolt

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/innolic/ledger/eventstore"
)

// decode reads a stored record into e. Records are encoding/json output
// with a fixed field order, so a hand-written parser for exactly that shape
// reads them several times faster than encoding/json; anything it does not
// recognise (an escaped string, say) goes to encoding/json instead, so the
// result is always what json.Unmarshal would give (TestDecodeMatchesJSON).
// v may be bbolt's memory: nothing of e refers to it afterwards. f is
// scratch space, which callers reuse across records.
func decode(v []byte, e *eventstore.Envelope, f *fields) error {
	if decodeFast(v, e, f) {
		return nil
	}
	*e = eventstore.Envelope{}
	if err := json.Unmarshal(v, e); err != nil {
		return fmt.Errorf("eventstore/bolt: stored record is not an envelope: %w", err)
	}
	return nil
}

// parser walks a record from the front.
type parser struct {
	b  []byte
	p  int
	ok bool
}

// lit consumes s if the input continues with it.
func (r *parser) lit(s string) bool {
	if r.ok && len(r.b)-r.p >= len(s) && string(r.b[r.p:r.p+len(s)]) == s {
		r.p += len(s)
		return true
	}
	return false
}

// must consumes s or marks the parse failed.
func (r *parser) must(s string) {
	if !r.lit(s) {
		r.ok = false
	}
}

// raw consumes a JSON string without escapes and returns its contents;
// escapes, control characters and invalid UTF-8 fail the fast parse.
func (r *parser) raw() []byte {
	if !r.lit(`"`) {
		r.ok = false
		return nil
	}
	start, ascii := r.p, true
	for ; r.p < len(r.b); r.p++ {
		switch c := r.b[r.p]; {
		case c == '"':
			s := r.b[start:r.p]
			r.p++
			if !ascii && !utf8.Valid(s) {
				r.ok = false
			}
			return s
		case c == '\\' || c < 0x20:
			r.ok = false
			return nil
		case c >= 0x80:
			ascii = false
		}
	}
	r.ok = false
	return nil
}

// uint consumes a decimal number.
func (r *parser) uint() uint64 {
	start, n := r.p, uint64(0)
	for ; r.p < len(r.b) && r.b[r.p] >= '0' && r.b[r.p] <= '9' && r.p-start < 19; r.p++ {
		n = n*10 + uint64(r.b[r.p]-'0')
	}
	if r.p == start || (r.p-start > 1 && r.b[start] == '0') {
		r.ok = false
	}
	return n
}

// fields are the parts of a stored record, as slices of the record.
type fields struct {
	seq                                  uint64
	id, typ, time, command, digest, data []byte
	person, company, channel             []byte
	vendor, hasTags                      bool
	tags                                 [][]byte
	prev, hash                           eventstore.Digest
}

// parse splits a record of the shape encoding/json writes for an Envelope
// and reports whether it could. It resets f but keeps the array of f.tags.
func (f *fields) parse(v []byte) bool {
	*f = fields{tags: f.tags[:0]}
	if len(v) < tailLen || !f.parseTail(v[len(v)-tailLen:]) {
		return false
	}
	r := &parser{b: v[:len(v)-tailLen], ok: true}
	r.must(`{"seq":`)
	f.seq = r.uint()
	r.must(`,"id":`)
	f.id = r.raw()
	r.must(`,"type":`)
	f.typ = r.raw()
	r.must(`,"time":`)
	f.time = r.raw()
	r.must(`,"actor":{`)
	r.actor(f)
	r.must(`,"command":`)
	f.command = r.raw()
	if r.lit(`,"digest":`) {
		f.digest = r.raw()
	}
	if r.lit(`,"tags":[`) {
		f.hasTags = true
		r.tags(f)
	}
	r.must(`,"data":`)
	f.data = r.b[min(r.p, len(r.b)):]
	return r.ok && len(f.data) > 0 && !isSpace(f.data[0]) && !isSpace(f.data[len(f.data)-1])
}

// isSpace reports JSON white space, which the writer never leaves around
// the payload but encoding/json would drop.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// actor parses the actor object's fields after its opening brace.
func (r *parser) actor(f *fields) {
	if r.lit(`"person":`) {
		f.person = r.raw()
		r.must(`,`)
	}
	f.vendor = r.lit(`"vendor":true,`)
	if r.lit(`"company":`) {
		f.company = r.raw()
		r.must(`,`)
	}
	r.must(`"channel":`)
	f.channel = r.raw()
	r.must(`}`)
}

// tags parses a string array's elements after its opening bracket.
func (r *parser) tags(f *fields) {
	if r.lit(`]`) {
		return
	}
	for r.ok {
		f.tags = append(f.tags, r.raw())
		if !r.lit(`,`) {
			r.must(`]`)
			return
		}
	}
}

// parseTail reads prev and hash from the fixed-size end of a record.
func (f *fields) parseTail(tl []byte) bool {
	const prevAt, hashAt = len(prevKey), len(prevKey) + 64 + len(hashKey)
	if string(tl[:prevAt]) != prevKey || string(tl[prevAt+64:hashAt]) != hashKey || string(tl[hashAt+64:]) != tailEnd {
		return false
	}
	_, err1 := hex.Decode(f.prev[:], tl[prevAt:prevAt+64])
	_, err2 := hex.Decode(f.hash[:], tl[hashAt:hashAt+64])
	return err1 == nil && err2 == nil
}

// decodeFast decodes a record through fields and reports whether it could.
func decodeFast(v []byte, e *eventstore.Envelope, f *fields) bool {
	if !f.parse(v) {
		return false
	}
	var tm time.Time
	if len(f.time) == 0 || f.time[len(f.time)-1] != 'Z' || tm.UnmarshalText(f.time) != nil {
		return false // offsets other than Z keep encoding/json's zone handling
	}
	a := newArena(f)
	*e = eventstore.Envelope{
		Seq: f.seq, ID: a.str(f.id), Type: a.str(f.typ), Time: tm,
		Actor:   eventstore.Actor{Person: a.str(f.person), Vendor: f.vendor, Company: a.str(f.company), Channel: a.str(f.channel)},
		Command: a.str(f.command), Digest: a.str(f.digest), Data: bytes.Clone(f.data), Prev: f.prev, Hash: f.hash,
	}
	if f.hasTags {
		e.Tags = make([]string, len(f.tags))
		for i, t := range f.tags {
			e.Tags[i] = a.str(t)
		}
	}
	return true
}

// arena holds strings in large blocks: the bytes of every string of one
// envelope in one allocation (a replay decodes millions of envelopes, and
// ten small allocations each cost more than the decoding), or the tags of
// the index in blocks of arenaBlock bytes (a few hundred objects for the
// garbage collector instead of a million). The strings are views of the
// blocks, which are never written again where they hold strings, so the
// strings are as immutable as any.
type arena struct{ buf []byte }

// arenaBlock is the size of the blocks an arena allocates when it is full.
const arenaBlock = 64 << 10

func newArena(f *fields) *arena {
	n := len(f.id) + len(f.typ) + len(f.person) + len(f.company) + len(f.channel) + len(f.command) + len(f.digest)
	for _, t := range f.tags {
		n += len(t)
	}
	return &arena{buf: make([]byte, 0, n)}
}

// str copies b into the arena and returns it as a string.
func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		a.buf = make([]byte, 0, max(arenaBlock, len(b)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}

// Keys the scan looks for. Neither can occur inside a JSON string, where
// every quote is escaped, nor in the fields before the payload, so their
// first occurrences are the fields themselves.
var (
	dataKey = []byte(`,"data":`)
	tagsKey = []byte(`,"tags":[`)
)

// scanFields is the part of parse that Open needs, done with fast
// searches instead of a walk over every field: position, tags and hash.
func (f *fields) scanFields(v []byte) bool {
	const hashAt = len(prevKey) + 64 + len(hashKey)
	if len(v) < tailLen {
		return false
	}
	tl := v[len(v)-tailLen:]
	if string(tl[hashAt-len(hashKey):hashAt]) != hashKey || string(tl[hashAt+64:]) != tailEnd {
		return false
	}
	if _, err := hex.Decode(f.hash[:], tl[hashAt:hashAt+64]); err != nil {
		return false
	}
	r := &parser{b: v, ok: true}
	r.must(`{"seq":`)
	f.seq = r.uint()
	d := bytes.Index(v, dataKey)
	if d < 0 || !r.ok {
		return false
	}
	if t := bytes.Index(v[:d], tagsKey); t >= 0 {
		r.p = t + len(tagsKey)
		r.tags(f)
		return r.ok && r.p == d
	}
	return true
}
