package kurrentdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/storetest"
)

// These tests run the adapter through the real v4 client against the
// in-process fake of fake_test.go. They check the adapter's use of the
// client (requests, iterators, subscriptions, errors, shutdown), not the
// real server's semantics: see fakeServer.

// fakeURL starts a fake server for the test and returns its connection
// string.
func fakeURL(t *testing.T) (*fakeServer, string) {
	f := newFakeServer()
	srv, addr := f.serve(t, "127.0.0.1:0")
	t.Cleanup(srv.Stop)
	return f, "kurrentdb://" + addr + "?tls=false"
}

func TestConformanceFake(t *testing.T) {
	if testing.Short() {
		t.Skip("the conformance suite takes a few seconds")
	}
	_, url := fakeURL(t)
	storetest.Run(t, func(t testing.TB, name string) eventstore.Store {
		return openStream(t, url, testStream(name))
	})
}

func TestTwoInstancesFake(t *testing.T) {
	_, url := fakeURL(t)
	t.Setenv("LEDGER_KURRENTDB_URL", url)
	TestTwoInstances(t)
}

func TestRetryIsDeduplicatedFake(t *testing.T) {
	_, url := fakeURL(t)
	t.Setenv("LEDGER_KURRENTDB_URL", url)
	TestRetryIsDeduplicated(t)
}

// TestServerRestart stops the server for longer than the client's
// rediscovery lasts, which makes the v4 client close itself for good: the
// store must renew its client, and a follower must resume after the last
// event it delivered, without gaps or duplicates.
func TestServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the client's rediscovery to fail")
	}
	f := newFakeServer()
	srv, addr := f.serve(t, "127.0.0.1:0")
	url := "esdb://" + addr + "?tls=false"
	s := openStream(t, url, "ledger")
	defer s.Close()
	first := s.acquire()
	s.release(first)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)

	if _, err := s.Append(ctx, 0, events("before", 2, now)); err != nil {
		t.Fatalf("Append: %v", err)
	}
	got := make(chan eventstore.Envelope, 100)
	followed := make(chan error, 1)
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		followed <- s.Follow(fctx, 1, func(e eventstore.Envelope) error { got <- e; return nil })
	}()
	for range 2 {
		<-got
	}

	srv.Stop()
	time.Sleep(500 * time.Millisecond)
	down, cancelDown := context.WithTimeout(ctx, time.Second)
	defer cancelDown()
	if _, err := s.Head(down); err == nil {
		t.Fatal("Head succeeded with the server stopped")
	}
	time.Sleep(2 * time.Second) // longer than a rediscovery: the client gives up
	srv, _ = f.serve(t, addr)
	defer srv.Stop()

	// The first request after the restart may still meet the dead client;
	// the one after it must succeed on the renewed one.
	var h eventstore.Head
	var err error
	for range 3 {
		if h, err = s.Head(ctx); err == nil {
			break
		}
	}
	if err != nil || h.Seq != 2 {
		t.Fatalf("Head after the restart = %d, %v; want 2", h.Seq, err)
	}
	if _, err := s.Append(ctx, 2, events("after", 2, now)); err != nil {
		t.Fatalf("Append after the restart: %v", err)
	}
	for want := uint64(3); want <= 4; want++ {
		select {
		case e := <-got:
			if e.Seq != want {
				t.Fatalf("follower delivered seq %d after the restart, want %d", e.Seq, want)
			}
		case err := <-followed:
			t.Fatalf("Follow returned %v across the restart", err)
		case <-ctx.Done():
			t.Fatal("follower did not resume after the restart")
		}
	}
	stop()
	if err := <-followed; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow returned %v, want context.Canceled", err)
	}
	if cn := s.acquire(); cn == first {
		t.Error("the client that gave up was not replaced")
	} else {
		s.release(cn)
	}
}
