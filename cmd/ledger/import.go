package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

type importCmd struct {
	storeFlags
	In string `arg:"" help:"NDJSON export to load ('-' for standard input)."`
}

// Run appends the export's events in batches; the store re-chains them and
// every recomputed hash must equal the exported one.
func (c *importCmd) Run() error {
	ctx := context.Background()
	in := io.Reader(os.Stdin)
	if c.In != "-" {
		f, err := os.Open(c.In)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	store, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if h, err := store.Head(ctx); err != nil || h.Seq != 0 {
		if err == nil {
			err = fmt.Errorf("the target log is not empty (head %d): import only into an empty log", h.Seq)
		}
		return err
	}
	n, err := importLog(ctx, store, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "imported %d events; chain verified\n", n)
	return nil
}

func importLog(ctx context.Context, store eventstore.Store, in io.Reader) (uint64, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<20))
	v := eventstore.NewVerifier(eventstore.Head{})
	var batch []eventstore.Envelope
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		return appendExact(ctx, store, batch)
	}
	for {
		var e eventstore.Envelope
		if err := dec.Decode(&e); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return v.Head().Seq, fmt.Errorf("after position %d: %w", v.Head().Seq, err)
		}
		if err := v.Check(&e); err != nil {
			return v.Head().Seq, err
		}
		if _, err := replay.Decode(e); err != nil {
			return v.Head().Seq, err
		}
		if batch = append(batch, e); len(batch) == 1000 {
			if err := flush(); err != nil {
				return v.Head().Seq, err
			}
			batch = batch[:0]
		}
	}
	return v.Head().Seq, flush()
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
