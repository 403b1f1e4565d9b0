package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

// Exit statuses of `ledger verify` besides 0 (the log verified).
const (
	exitBroken     = 1 // the chain is broken or the replay is not deterministic
	exitUnreadable = 2 // the log cannot be opened or read: missing, damaged, locked
)

type verifyCmd struct {
	storeFlags
}

// Run opens the log read-only, checks the chain, then replays the log
// twice, in parallel batches and one event at a time, and requires the
// same state fingerprint. Its exit status says which of these failed.
func (c *verifyCmd) Run() error {
	ctx := context.Background()
	cat, store, err := c.open(ctx, true)
	if err != nil {
		return openFailure(err)
	}
	defer store.Close()
	head, err := verifyChain(ctx, store)
	if err != nil {
		return err
	}
	fmt.Printf("chain ok: %d events, head hash %s\n", head.Seq, head.Hash)
	fp, err := verifyReplay(ctx, store, cat, head)
	if err != nil {
		return &exitError{exitBroken, err}
	}
	fmt.Printf("replay deterministic: state fingerprint %s\n", fp)
	return nil
}

// openFailure is the exit error of a log that did not open: broken if
// opening found a break in the chain (the embedded log verifies it),
// unreadable otherwise.
func openFailure(err error) error {
	if errors.As(err, new(*eventstore.ChainError)) {
		return &exitError{exitBroken, err}
	}
	return &exitError{exitUnreadable, fmt.Errorf("the log cannot be opened: %w", err)}
}

// verifyChain reads every envelope and checks the chain.
func verifyChain(ctx context.Context, store eventstore.Store) (eventstore.Head, error) {
	v := eventstore.NewVerifier(eventstore.Head{})
	var broken error
	err := eventstore.ReadAll(ctx, store, 1, 4096, func(envs []eventstore.Envelope) error {
		for i := range envs {
			if broken = v.Check(&envs[i]); broken != nil {
				return broken
			}
		}
		return nil
	})
	switch {
	case broken != nil:
		return v.Head(), &exitError{exitBroken, broken}
	case err != nil:
		return v.Head(), &exitError{exitUnreadable, fmt.Errorf("reading the log after position %d: %w", v.Head().Seq, err)}
	}
	return v.Head(), nil
}

// verifyReplay replays the log up to head twice and returns the state
// fingerprint both gave.
func verifyReplay(ctx context.Context, store eventstore.Store, cat *domain.Catalog, head eventstore.Head) (string, error) {
	a := domain.NewState(cat)
	if _, err := replay.Into(ctx, store, a, 1, head.Seq); err != nil {
		return "", fmt.Errorf("replay: %w", err)
	}
	b := domain.NewState(cat)
	err := eventstore.ReadAll(ctx, store, 1, 1, func(envs []eventstore.Envelope) error {
		r, err := replay.Decode(envs[0])
		if err != nil {
			return err
		}
		return b.Evolve(r.Event)
	})
	if err != nil {
		return "", fmt.Errorf("sequential replay: %w", err)
	}
	fa, fb := a.Fingerprint(), b.Fingerprint()
	if fa != fb {
		return "", fmt.Errorf("replay is not deterministic: fingerprints %s and %s differ", fa, fb)
	}
	return fa, nil
}
