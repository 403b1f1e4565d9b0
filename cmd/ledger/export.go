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
)

type exportCmd struct {
	storeFlags
	From uint64 `help:"First position to export." default:"1"`
	To   uint64 `help:"Last position to export (0: the head)." default:"0"`
	Out  string `short:"o" help:"Output file (default: standard output)." default:"-"`
}

// trailer is the last line of an export: the last position exported, its
// hash and how many events the export holds, so that an export cut short,
// or with lines left out, is refused by import. An export of nothing has
// last 0 and the zero hash.
type trailer struct {
	Last  uint64            `json:"last"`
	Hash  eventstore.Digest `json:"hash"`
	Count uint64            `json:"count"`
}

// exportLine is one line of an export: an envelope, or the trailer.
type exportLine struct {
	eventstore.Envelope
	Trailer *trailer `json:"trailer,omitempty"`
}

// Run opens the log read-only and writes one envelope per line, exactly as
// stored, hashes included, then the trailer line.
func (c *exportCmd) Run() error {
	ctx := context.Background()
	store, err := c.openStore(ctx, true)
	if err != nil {
		return err
	}
	defer store.Close()
	out, closeOut, err := openOut(c.Out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	t, err := exportRange(ctx, store, json.NewEncoder(w), max(c.From, 1), c.To)
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exported %d events\n", t.Count)
	return closeOut()
}

// exportRange encodes the envelopes from position from to position to (0:
// the head) and the trailer.
func exportRange(ctx context.Context, store eventstore.Store, enc *json.Encoder, from, to uint64) (trailer, error) {
	var t trailer
	err := eventstore.ReadAll(ctx, store, from, 4096, func(envs []eventstore.Envelope) error {
		for i := range envs {
			if to != 0 && envs[i].Seq > to {
				return errStop
			}
			if err := enc.Encode(&envs[i]); err != nil {
				return err
			}
			t.Last, t.Hash = envs[i].Seq, envs[i].Hash
			t.Count++
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return t, err
	}
	return t, enc.Encode(struct {
		Trailer trailer `json:"trailer"`
	}{t})
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
	return f, func() error {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}
