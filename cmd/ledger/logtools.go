package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

type verifyCmd struct {
	storeFlags
}

// Run checks the chain, then replays the log twice, in parallel batches and
// one event at a time, and requires the same state fingerprint.
func (c *verifyCmd) Run() error {
	ctx := context.Background()
	cat, store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	v := eventstore.NewVerifier(eventstore.Head{})
	err = eventstore.ReadAll(ctx, store, 1, 4096, func(envs []eventstore.Envelope) error {
		for i := range envs {
			if err := v.Check(&envs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	head := v.Head()
	fmt.Printf("chain ok: %d events, head hash %s\n", head.Seq, head.Hash)
	a := domain.NewState(cat)
	if _, err := replay.Into(ctx, store, a, 1, head.Seq); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	b := domain.NewState(cat)
	err = eventstore.ReadAll(ctx, store, 1, 1, func(envs []eventstore.Envelope) error {
		r, err := replay.Decode(envs[0])
		if err != nil {
			return err
		}
		return b.Evolve(r.Event)
	})
	if err != nil {
		return fmt.Errorf("sequential replay: %w", err)
	}
	fa, fb := a.Fingerprint(), b.Fingerprint()
	if fa != fb {
		return fmt.Errorf("replay is not deterministic: fingerprints %s and %s differ", fa, fb)
	}
	fmt.Printf("replay deterministic: state fingerprint %s\n", fa)
	return nil
}

type exportCmd struct {
	storeFlags
	From uint64 `help:"First position to export." default:"1"`
	To   uint64 `help:"Last position to export (0: the head)." default:"0"`
	Out  string `short:"o" help:"Output file (default: standard output)." default:"-"`
}

// Run writes one envelope per line, exactly as stored, hashes included.
func (c *exportCmd) Run() error {
	ctx := context.Background()
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	out, closeOut, err := openOut(c.Out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	enc := json.NewEncoder(w)
	n := 0
	err = eventstore.ReadAll(ctx, store, max(c.From, 1), 4096, func(envs []eventstore.Envelope) error {
		for i := range envs {
			if c.To != 0 && envs[i].Seq > c.To {
				return errStop
			}
			if err := enc.Encode(&envs[i]); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exported %d events\n", n)
	return closeOut()
}

var errStop = errors.New("stop")

func openOut(path string) (io.Writer, func() error, error) {
	if path == "-" || path == "" {
		return os.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

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
	store, err := c.openStore(ctx)
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
