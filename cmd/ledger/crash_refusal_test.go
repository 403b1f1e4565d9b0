package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/bolt"
)

// TestSIGKILLRefusalsAreDurable: two companies race to redeem the same
// activation keys while the process is killed with SIGKILL. Every answer a
// client got must hold in the log found after the crash: a 201 names a
// redemption that is there, and a key-already-redeemed refusal names a key
// whose redemption is there (a refusal decided on a redemption that was
// still being written, and then lost, would be a lie).
func TestSIGKILLRefusalsAreDurable(t *testing.T) {
	if testing.Short() {
		t.Skip("crash trials are slow")
	}
	for trial := range 3 {
		t.Run(fmt.Sprint("trial-", trial), func(t *testing.T) { refusalCrashTrial(t) })
	}
}

// raceAnswer is one redemption attempt's answer.
type raceAnswer struct {
	code   string // the activation key
	status int
	body   map[string]any
}

func refusalCrashTrial(t *testing.T) {
	dir := t.TempDir()
	const token = "lt_crash-refusal-test-token-0123456789"
	cmd, addr := startLedger(t, dir, token)
	c := &apiClient{t: t, base: "http://" + addr, http: &http.Client{Timeout: 10 * time.Second}}
	var projects []string
	for i := range 2 {
		p := c.must("POST", "/v1/persons", token, fmt.Sprintf(`{"email":"p%d@example.com","name":"P"}`, i))
		tok := c.must("POST", fmt.Sprintf("/v1/persons/%v/tokens", p["person"]), token, `{"label":"t"}`)["token"].(string)
		co := c.must("POST", "/v1/companies", tok, fmt.Sprintf(`{"name":"Company %d"}`, i))
		projects = append(projects, fmt.Sprintf("%v|%s", co["default_project"], tok))
	}
	var keys []string
	for range 400 {
		k := c.must("POST", "/v1/activation-keys", token, `{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`)
		keys = append(keys, k["code"].(string))
	}
	var mu sync.Mutex
	var answers []raceAnswer
	var wg sync.WaitGroup
	for g := range 16 {
		project, tok, _ := strings.Cut(projects[g%2], "|")
		wg.Go(func() {
			for i := g / 2; i < len(keys); i += 2 {
				status, body, err := c.do("POST", "/v1/projects/"+project+"/redemptions", tok, fmt.Sprintf(`{"code":%q}`, keys[i]))
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				answers = append(answers, raceAnswer{keys[i], status, body})
				mu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Kill()
	wg.Wait()
	_ = cmd.Wait()
	redeemed := redeemedKeys(t, filepath.Join(dir, "ledger.db"))
	refusals := 0
	for _, a := range answers {
		switch {
		case a.status == http.StatusCreated && redeemed[a.code] != uint64(a.body["position"].(float64)):
			t.Errorf("redemption of %s acknowledged at %v is not in the log", a.code, a.body["position"])
		case a.status == http.StatusUnprocessableEntity && a.body["code"] == "key-already-redeemed":
			refusals++
			if redeemed[a.code] == 0 {
				t.Errorf("client told key-already-redeemed for %s, which no durable event redeems", a.code)
			}
		}
	}
	if refusals == 0 {
		t.Fatalf("no refusal answered before the crash (%d answers): the trial proves nothing", len(answers))
	}
	t.Logf("%d answers before SIGKILL, %d of them refusals", len(answers), refusals)
}

// redeemedKeys reads the log after the crash: each redeemed key with the
// position of its redemption.
func redeemedKeys(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	store, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out := map[string]uint64{}
	err = eventstore.ReadAll(context.Background(), store, 1, 1000, func(envs []eventstore.Envelope) error {
		for _, e := range envs {
			if e.Type != "ActivationKeyRedeemed" {
				continue
			}
			var r struct{ Code string }
			if err := json.Unmarshal(e.Data, &r); err != nil {
				return err
			}
			out[r.Code] = e.Seq
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// apiClient calls a ledger started by startLedger.
type apiClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func (c *apiClient) do(method, path, token, body string) (int, map[string]any, error) {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return 0, nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out, nil
}

// must calls the API and fails the test unless the answer is a success.
func (c *apiClient) must(method, path, token, body string) map[string]any {
	c.t.Helper()
	status, out, err := c.do(method, path, token, body)
	if err != nil || status >= 300 {
		c.t.Fatalf("%s %s: %d %v %v", method, path, status, out, err)
	}
	return out
}
