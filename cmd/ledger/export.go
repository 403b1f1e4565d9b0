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

// Run opens the log read-only and writes one envelope per line, exactly
// as stored, hashes included.
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
