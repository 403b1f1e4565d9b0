package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/bolt"
)

// TestMain lets the tests run the ledger binary itself: the test binary
// re-executed with LEDGER_RUN_MAIN=1 is the ledger.
func TestMain(m *testing.M) {
	if os.Getenv("LEDGER_RUN_MAIN") == "1" {
		os.Args = append([]string{"ledger"}, strings.Fields(os.Getenv("LEDGER_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var listening = regexp.MustCompile(`msg="ledger listening" addr=(\S+)`)

// startLedger runs `ledger serve` in a child process and returns its
// address once it listens.
func startLedger(t *testing.T, dir, token string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LEDGER_RUN_MAIN=1",
		"LEDGER_ARGS=serve --data-dir "+dir+" --addr 127.0.0.1:0 --admin-token "+token)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, a
	case <-time.After(60 * time.Second): // generous: CI machines can be busy
		t.Fatal("ledger did not start listening")
	}
	return nil, ""
}

type ack struct {
	Position  uint64 `json:"position"`
	CommandID string `json:"command_id"`
}

// TestSIGTERMLosesNothingAcknowledged sends SIGTERM while clients are
// submitting commands and checks that every acknowledged command is in the
// log after the process exits, with an intact chain.
func TestSIGTERMLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	const token = "lt_sigterm-test-token-of-32-characters"
	cmd, addr := startLedger(t, dir, token)
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				body := fmt.Sprintf(`{"email":"p%d-%d@example.com","name":"P"}`, g, i)
				req, _ := http.NewRequest("POST", "http://"+addr+"/v1/persons", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var a ack
				err = json.NewDecoder(resp.Body).Decode(&a)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated || err != nil {
					return
				}
				mu.Lock()
				acks = append(acks, a)
				mu.Unlock()
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ledger exited with %v after SIGTERM, want a clean exit", err)
	}
	if len(acks) == 0 {
		t.Fatal("no command was acknowledged before SIGTERM; the test proves nothing")
	}
	store, err := bolt.Open(filepath.Join(dir, "ledger.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	v := eventstore.NewVerifier(eventstore.Head{})
	byPos := map[uint64]string{}
	err = eventstore.ReadAll(context.Background(), store, 1, 1000, func(envs []eventstore.Envelope) error {
		for i := range envs {
			if err := v.Check(&envs[i]); err != nil {
				return err
			}
			byPos[envs[i].Seq] = envs[i].Command
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acks {
		if byPos[a.Position] != a.CommandID {
			t.Fatalf("acknowledged command %s at position %d is not in the log", a.CommandID, a.Position)
		}
	}
	t.Logf("%d commands acknowledged before SIGTERM, all in the log (head %d)", len(acks), v.Head().Seq)
}

// TestShortAdminTokenIsRefused: an administrator token shorter than 32
// characters, by flag or variable, stops the start with a clear error
// before anything is opened or bootstrapped.
func TestShortAdminTokenIsRefused(t *testing.T) {
	for _, tc := range []struct{ args, env string }{
		{args: "--admin-token lt_short"},
		{env: "LEDGER_ADMIN_TOKEN=" + strings.Repeat("x", MinAdminTokenLength-1)},
	} {
		dir := t.TempDir()
		// A ledger that takes the token starts serving: the deadline ends it.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = append(os.Environ(), "LEDGER_RUN_MAIN=1", "LEDGER_ARGS=serve --data-dir "+dir+" --addr 127.0.0.1:0 "+tc.args)
		if tc.env != "" {
			cmd.Env = append(cmd.Env, tc.env)
		}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("%s%s: the ledger started", tc.args, tc.env)
		}
		if !strings.Contains(string(out), "must have at least 32") {
			t.Fatalf("%s%s: output %q does not say why", tc.args, tc.env, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "ledger.db")); err == nil {
			t.Fatalf("%s%s: a log was created", tc.args, tc.env)
		}
	}
}
