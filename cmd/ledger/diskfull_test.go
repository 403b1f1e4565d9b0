package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore/bolt"
)

// TestServeRecoversFromAFullDisk runs `ledger serve` on a small tmpfs and
// registers persons until the disk is full: writes then answer 503
// log-unavailable and /readyz 503 log-degraded; once space is freed,
// /readyz is 200 again and writes succeed, without a restart; every
// acknowledged command is in the log afterwards. It needs mount (root);
// without it, it is skipped.
func TestServeRecoversFromAFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "lt_disk-full-test-token-0123456789abcdef"
	cmd, addr := startLedger(t, dir, token)
	c := &ledgerClient{t: t, base: "http://" + addr, token: token}
	var acks []ack
	full := false
	for i := 0; !full; i++ {
		status, a, code := c.register(i)
		switch {
		case status == http.StatusCreated:
			acks = append(acks, a)
		case status == http.StatusServiceUnavailable && code == "log-unavailable":
			full = true
		default:
			t.Fatalf("register %d: %d %s", i, status, code)
		}
		if i > 100_000 {
			t.Fatal("the tmpfs never filled up")
		}
	}
	if status, code := c.readyz(); status != http.StatusServiceUnavailable || code != "log-degraded" {
		t.Fatalf("/readyz with a full disk: %d %s, want 503 log-degraded", status, code)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 20*time.Second, func() bool { status, _ := c.readyz(); return status == http.StatusOK }, "/readyz 200 after space was freed")
	for i := range 5 {
		status, a, code := c.register(1_000_000 + i)
		if status != http.StatusCreated {
			t.Fatalf("register after space was freed: %d %s", status, code)
		}
		acks = append(acks, a)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	checkAcked(t, filepath.Join(dir, "ledger.db"), acks)
}

// ledgerClient talks to a ledger under test.
type ledgerClient struct {
	t     *testing.T
	base  string
	token string
}

// register registers person i and returns the status, the answer and the
// problem code.
func (c *ledgerClient) register(i int) (int, ack, string) {
	body := fmt.Sprintf(`{"email":"p%d@example.com","name":"Person %d with a name long enough to fill a disk soon"}`, i, i)
	req, _ := http.NewRequest("POST", c.base+"/v1/persons", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.do(req)
}

// readyz returns the status and problem code of /readyz.
func (c *ledgerClient) readyz() (int, string) {
	req, _ := http.NewRequest("GET", c.base+"/readyz", nil)
	status, _, code := c.do(req)
	return status, code
}

func (c *ledgerClient) do(req *http.Request) (int, ack, string) {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		ack
		Code string `json:"code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.ack, answer.Code
}

// waitUntil polls cond every 50ms for up to d.
func waitUntil(t *testing.T, d time.Duration, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// checkAcked opens the log at path and checks that every acknowledged
// command is at its position.
func checkAcked(t *testing.T, path string, acks []ack) {
	t.Helper()
	store, err := bolt.Open(path, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, a := range acks {
		evs, err := store.Read(context.Background(), a.Position, 1)
		if err != nil || len(evs) != 1 || evs[0].Command != a.CommandID {
			t.Fatalf("acknowledged command %s at position %d is not in the log: %v %v", a.CommandID, a.Position, evs, err)
		}
	}
}
