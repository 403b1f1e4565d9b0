package kurrentdb

import (
	"sort"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/innolic/ledger/eventstore"
)

// This file holds the pure translations between the log's 1-based positions
// and KurrentDB's 0-based stream revisions, the event-id derivation and the
// connection-string rewrite, kept free of I/O so that they are unit-tested
// without a server.

// expectedRevision is the optimistic-concurrency condition of an append
// decided against log head expected: "the stream does not exist yet" for the
// empty log, otherwise "the stream's last revision is expected-1" (log seq s
// is stream revision s-1).
func expectedRevision(expected uint64) esdb.ExpectedRevision {
	if expected == 0 {
		return esdb.NoStream{}
	}
	return esdb.StreamRevision{Value: expected - 1}
}

// readFrom is the start of a forward read returning seq >= from. ReadStream's
// start revision is inclusive.
func readFrom(from uint64) esdb.StreamPosition {
	if from <= 1 {
		return esdb.Start{}
	}
	return esdb.Revision(from - 1)
}

// subscribeFrom is the start of a catch-up subscription delivering seq >=
// from. A subscription's start revision is exclusive (the server delivers the
// events after it), so seq from (revision from-1) needs revision from-2, and
// seq 1 needs Start.
func subscribeFrom(from uint64) esdb.StreamPosition {
	if from <= 1 {
		return esdb.Start{}
	}
	return esdb.Revision(from - 2)
}

// seqOf is the log position of the event at a stream revision.
func seqOf(revision uint64) uint64 { return revision + 1 }

// readCount is the count of a read for at most max events, max <= 0 meaning
// no limit (the server streams the result, so a huge count costs nothing).
func readCount(max int) uint64 {
	if max <= 0 {
		return 1<<63 - 1
	}
	return uint64(max)
}

// idNamespace is the uuid name space of the event ids this adapter derives
// itself, itself derived from a URL so that it is reproducible.
var idNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/innolic/ledger/eventstore/kurrentdb"))

// eventID is the KurrentDB event id of an event. The writer normally sets
// the envelope id to a uuid derived from the command id and the event's
// index, and the server deduplicates a retried append by those ids, so that
// id is used as is. When it is missing or not a uuid, the same derivation is
// done here from the command id and the event's index among that command's
// events in the batch; without a command id, from the event's chained hash,
// which is the same for a retry of the same batch at the same head.
func eventID(id, command string, index int, hash eventstore.Digest) uuid.UUID {
	if u, err := uuid.Parse(id); err == nil && u != uuid.Nil {
		return u
	}
	if command != "" {
		return uuid.NewSHA1(idNamespace, []byte(command+"/"+strconv.Itoa(index)))
	}
	return uuid.NewSHA1(idNamespace, hash[:])
}

// eventIDs derives the ids of a sealed batch, counting the index of each
// event within its own command, so that a command's ids do not depend on the
// other commands grouped into the same batch.
func eventIDs(envs []eventstore.Envelope) []uuid.UUID {
	ids := make([]uuid.UUID, len(envs))
	perCommand := make(map[string]int)
	for i := range envs {
		e := &envs[i]
		n := perCommand[e.Command]
		perCommand[e.Command] = n + 1
		ids[i] = eventID(e.ID, e.Command, n, e.Hash)
	}
	return ids
}

// schemes maps the connection-string schemes KurrentDB accepts to those the
// v4 client parses (it only knows esdb:// and esdb+discover://).
var schemes = map[string]string{
	"esdb":               "esdb",
	"esdb+discover":      "esdb+discover",
	"kurrentdb":          "esdb",
	"kurrentdb+discover": "esdb+discover",
	"kurrent":            "esdb",
	"kurrent+discover":   "esdb+discover",
	"kdb":                "esdb",
	"kdb+discover":       "esdb+discover",
}

// clientURL rewrites a KurrentDB connection string (kurrentdb://, kurrent://,
// kdb://, with or without +discover) to the esdb:// form the client parses;
// other strings are returned unchanged for the client to reject.
func clientURL(url string) string {
	i := strings.Index(url, "://")
	if i < 0 {
		return url
	}
	if s, ok := schemes[strings.ToLower(url[:i])]; ok {
		return s + url[i:]
	}
	return url
}

// parseWrongExpected extracts the log head from the message of the client's
// wrong-expected-version error ("... expecting 'x' but got 'y'", where y is
// the stream's current revision or no_stream). It is the fallback when the
// head cannot be read after a conflict.
func parseWrongExpected(msg string) (uint64, bool) {
	const marker = "but got '"
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return 0, false
	}
	rest := msg[i+len(marker):]
	j := strings.IndexByte(rest, '\'')
	if j < 0 {
		return 0, false
	}
	current := rest[:j]
	if current == "no_stream" {
		return 0, true
	}
	rev, err := strconv.ParseUint(current, 10, 64)
	if err != nil {
		return 0, false
	}
	return seqOf(rev), true
}

// span is a range of log positions, first to last inclusive.
type span struct{ first, last uint64 }

// spans groups sorted positions into ranges read with one request each,
// merging positions less than maxGap apart: reading a few unwanted events is
// cheaper than a round trip per event.
func spans(seqs []uint64, maxGap uint64) []span {
	var out []span
	for _, s := range seqs {
		if n := len(out); n > 0 && s-out[n-1].last <= maxGap {
			out[n-1].last = s
			continue
		}
		out = append(out, span{s, s})
	}
	return out
}

// tagIndex maps each tag to the ascending positions of the events carrying
// it. It is built from the whole stream at Open and extended in order.
type tagIndex struct {
	ver  *eventstore.Verifier // the indexed prefix, verified against the chain
	tags map[string][]uint64
}

func newTagIndex() *tagIndex {
	return &tagIndex{ver: eventstore.NewVerifier(eventstore.Head{}), tags: make(map[string][]uint64)}
}

// add verifies e as the next event of the chain and indexes its tags.
func (x *tagIndex) add(e *eventstore.Envelope) error {
	if err := x.ver.Check(e); err != nil {
		return err
	}
	for _, t := range e.Tags {
		if seqs := x.tags[t]; len(seqs) == 0 || seqs[len(seqs)-1] != e.Seq {
			x.tags[t] = append(seqs, e.Seq)
		}
	}
	return nil
}

// positions returns up to max (max <= 0: all) positions >= from of tag.
func (x *tagIndex) positions(tag string, from uint64, max int) []uint64 {
	seqs := x.tags[tag]
	i := sort.Search(len(seqs), func(i int) bool { return seqs[i] >= from })
	seqs = seqs[i:]
	if max > 0 && len(seqs) > max {
		seqs = seqs[:max]
	}
	return append([]uint64(nil), seqs...)
}
