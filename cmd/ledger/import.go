package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/bolt"
	"github.com/innolic/ledger/replay"
)

type importCmd struct {
	storeFlags
	In string `arg:"" help:"NDJSON export to load ('-' for standard input)."`
}

// Run loads an export into an empty log: every event is checked against
// the chain, decoded, appended, and the store's recomputed hash must equal
// the exported one; the trailer must name the last event read, its hash
// and the count. The embedded log is built all or nothing (bolt.Build):
// after a failure the data directory holds no new log, and the import can
// be run again. A KurrentDB stream cannot be rolled back: it must be
// empty, and an export read from a file is checked whole before anything
// is appended, so only a failure while appending leaves part of it there.
func (c *importCmd) Run() error {
	ctx := context.Background()
	in, rewind, closeIn, err := openIn(c.In)
	if err != nil {
		return err
	}
	defer closeIn()
	var n uint64
	if c.Kurrentdb != "" {
		n, err = c.importKurrent(ctx, in, rewind)
	} else {
		n, err = c.importEmbedded(ctx, in)
	}
	if err != nil {
		return fmt.Errorf("import failed: %w", err)
	}
	fmt.Fprintf(os.Stderr, "imported %d events; chain and trailer verified\n", n)
	return nil
}

// importEmbedded builds the embedded log from the export.
func (c *importCmd) importEmbedded(ctx context.Context, in io.Reader) (uint64, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return 0, err
	}
	var n uint64
	_, err := bolt.Build(app.LogFile(c.DataDir), func(s *bolt.Store) error {
		var err error
		n, err = importLog(ctx, s, in)
		return err
	})
	return n, err
}

// importKurrent appends the export to an empty KurrentDB stream, after
// checking it whole if it can be read twice (rewind not nil).
func (c *importCmd) importKurrent(ctx context.Context, in io.Reader, rewind func() error) (uint64, error) {
	store, err := c.openStore(ctx, false)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	if h, err := store.Head(ctx); err != nil || h.Seq != 0 {
		if err == nil {
			err = fmt.Errorf("the target log is not empty (head %d): import only into an empty log", h.Seq)
		}
		return 0, err
	}
	if rewind != nil {
		if _, err := importLog(ctx, nil, in); err != nil {
			return 0, err
		}
		if err := rewind(); err != nil {
			return 0, err
		}
	}
	return importLog(ctx, store, in)
}

// openIn opens the export to read. rewind starts it over; it is nil for
// standard input, which cannot be read twice.
func openIn(path string) (in io.Reader, rewind, close func() error, err error) {
	if path == "-" {
		return os.Stdin, nil, func() error { return nil }, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	rewind = func() error {
		_, err := f.Seek(0, io.SeekStart)
		return err
	}
	return f, rewind, f.Close, nil
}

// importLog reads an export and appends its events to store in batches
// (with store nil, it only checks the export). Every event must chain on
// the one before from position 1 and decode; the last line must be the
// trailer and agree with what was read. It returns how many events it read.
func importLog(ctx context.Context, store eventstore.Store, in io.Reader) (uint64, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<20))
	v := eventstore.NewVerifier(eventstore.Head{})
	var batch []eventstore.Envelope
	for {
		var line exportLine
		if err := dec.Decode(&line); errors.Is(err, io.EOF) {
			return 0, errors.New("the export has no trailer line: it is incomplete (cut short?)")
		} else if err != nil {
			return 0, fmt.Errorf("after position %d: %w", v.Head().Seq, err)
		}
		if line.Trailer != nil {
			if err := flush(ctx, store, batch); err != nil {
				return 0, err
			}
			return checkTrailer(dec, line, v.Head())
		}
		if err := v.Check(&line.Envelope); err != nil {
			return 0, err
		}
		if _, err := replay.Decode(line.Envelope); err != nil {
			return 0, err
		}
		if batch = append(batch, line.Envelope); len(batch) == 1000 {
			if err := flush(ctx, store, batch); err != nil {
				return 0, err
			}
			batch = batch[:0]
		}
	}
}

// checkTrailer checks the trailer line against head, the last event read,
// and that nothing follows it; it returns the count.
func checkTrailer(dec *json.Decoder, line exportLine, head eventstore.Head) (uint64, error) {
	t := line.Trailer
	switch {
	case line.Seq != 0 || line.ID != "" || line.Type != "":
		return 0, errors.New("the trailer line also holds an event")
	case t.Last != head.Seq || t.Count != head.Seq:
		return 0, fmt.Errorf("the export's trailer names %d events up to position %d, but it holds %d: lines are missing",
			t.Count, t.Last, head.Seq)
	case t.Hash != head.Hash:
		return 0, fmt.Errorf("the export's trailer names the head hash %s, but position %d hashes to %s", t.Hash, head.Seq, head.Hash)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return 0, errors.New("the export goes on after its trailer line")
	}
	return head.Seq, nil
}

// flush appends a batch to store, if there is a store.
func flush(ctx context.Context, store eventstore.Store, batch []eventstore.Envelope) error {
	if store == nil || len(batch) == 0 {
		return nil
	}
	return appendExact(ctx, store, batch)
}

// appendExact appends envelopes and checks that the store chained them to
// the same hashes.
func appendExact(ctx context.Context, store eventstore.Store, envs []eventstore.Envelope) error {
	evs := make([]eventstore.Event, len(envs))
	for i, e := range envs {
		evs[i] = eventstore.Event{ID: e.ID, Type: e.Type, Time: e.Time, Actor: e.Actor, Command: e.Command,
			Digest: e.Digest, Tags: e.Tags, Data: e.Data}
	}
	got, err := store.Append(ctx, envs[0].Seq-1, evs)
	if err != nil {
		return err
	}
	for i := range got {
		if got[i].Hash != envs[i].Hash {
			return &eventstore.ChainError{Seq: envs[i].Seq, Reason: "stored event hashes differently from the export"}
		}
	}
	return nil
}
