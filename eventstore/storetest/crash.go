package storetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/eventstore"
)

// The environment tells a re-executed test binary that it is the crash
// child and which log it writes.
const (
	envCrashChild = "LEDGER_STORETEST_CRASH_CHILD"
	envCrashName  = "LEDGER_STORETEST_CRASH_LOG"
)

// Crash test parameters: kill cycles on the same log, acknowledged appends
// to wait for before each kill, and the time a cycle may take.
const (
	crashCycles  = 3
	crashMinAcks = 200
	crashTimeout = 20 * time.Second
	// crashKillJitter bounds the random delay between the last awaited ack
	// and the kill: a few appends' time.
	crashKillJitter = 5 * time.Millisecond
	crashTag        = "domain:crash"
)

// crashRun is what one child printed: the batches it tried, in order, and
// those acknowledged as durable.
type crashRun struct {
	tries []crashTry
	acks  []crashAck
}

// crashTry is a batch the child was about to append.
type crashTry struct{ first, last uint64 }

// crashAck is an acknowledged append: its last position and hash.
type crashAck struct {
	seq  uint64
	hash string
}

// RunCrash checks durability and atomicity under process death: it
// re-executes the test binary as a child running only childTest (which
// calls CrashChild), lets it append batches of 1 to 50 events in a loop,
// kills it with SIGKILL after at least 200 acknowledged appends, reopens the
// log and checks that the chain verifies from position 1, that the head is
// at a batch boundary (no torn batch) and that every acknowledged append is
// there with its acknowledged hash; three times on the same log.
//
// SIGKILL loses the process, not the machine: data the kernel has accepted
// survives, so this tests the adapter's atomicity and its acknowledgement
// order, not the disk's fsync. Only adapters whose durability lives in the
// process under test (the embedded one) need it.
func RunCrash(t *testing.T, open Factory, childTest string) {
	if os.Getenv(envCrashChild) != "" {
		t.Skip("this process is a crash child")
	}
	name := uniqueName(t)
	var acks []crashAck
	var head eventstore.Head
	for cycle := range crashCycles {
		run := runCrashChild(t, name, childTest)
		head = checkCrash(t, open, name, cycle, head, run, &acks)
	}
}

// runCrashChild starts a child on log name, waits for enough acks, kills it
// and returns everything it printed.
func runCrashChild(t *testing.T, name, childTest string) crashRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+childTest+"$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashName+"="+name)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("crash child pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting crash child %s: %v", os.Args[0], err)
	}
	lines := make(chan string, 1024)
	go scanLines(stdout, lines)
	var run crashRun
	var other []string
	waitErr := collectUntil(&run, &other, lines, crashMinAcks)
	time.Sleep(rand.N(crashKillJitter)) // land anywhere in a commit, not just after an ack
	_ = cmd.Process.Kill()
	for line := range lines { // whatever was written before the kill counts
		parseCrashLine(line, &run, &other)
	}
	_ = cmd.Wait()
	if waitErr != "" {
		t.Fatalf("crash child: %s; %d acks seen; its other output:\n%s\nstderr:\n%s",
			waitErr, len(run.acks), tail(other), stderr.String())
	}
	return run
}

// scanLines sends every line of r to lines and closes it at end of file.
func scanLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines <- sc.Text()
	}
}

// collectUntil parses lines until want acks were seen; it returns a reason
// when the child stopped or took too long instead.
func collectUntil(run *crashRun, other *[]string, lines <-chan string, want int) string {
	deadline := time.After(crashTimeout)
	for len(run.acks) < want {
		select {
		case line, ok := <-lines:
			if !ok {
				return "exited before it was killed"
			}
			parseCrashLine(line, run, other)
		case <-deadline:
			return fmt.Sprintf("fewer than %d acknowledged appends within %v", want, crashTimeout)
		}
	}
	return ""
}

// parseCrashLine records a try or ack line, and keeps any other line for
// failure messages.
func parseCrashLine(line string, run *crashRun, other *[]string) {
	var a, b uint64
	var h string
	if n, _ := fmt.Sscanf(line, "try %d %d", &a, &b); n == 2 {
		run.tries = append(run.tries, crashTry{a, b})
	} else if n, _ := fmt.Sscanf(line, "ack %d %s", &a, &h); n == 2 {
		run.acks = append(run.acks, crashAck{a, h})
	} else {
		*other = append(*other, line)
	}
}

// tail keeps the last lines of a child's output for a failure message.
func tail(lines []string) string {
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// checkCrash reopens the log after a kill and checks it against what the
// child printed and every earlier ack; it returns the log's head.
func checkCrash(t *testing.T, open Factory, name string, cycle int, before eventstore.Head, run crashRun, acks *[]crashAck) eventstore.Head {
	t.Helper()
	s := openStore(t, open, name)
	defer mustClose(t, s)
	all := readAll(t, s)
	head := verifyChain(t, all)
	if h := mustHead(t, s); h != head {
		t.Fatalf("cycle %d: Head says %d/%s, the log verifies to %d/%s", cycle, h.Seq, h.Hash, head.Seq, head.Hash)
	}
	checkBoundary(t, cycle, before, head.Seq, run)
	t.Logf("cycle %d: %d batches tried, %d acknowledged up to %d, log head %d after the kill",
		cycle, len(run.tries), len(run.acks), run.acks[len(run.acks)-1].seq, head.Seq)
	*acks = append(*acks, run.acks...)
	for _, a := range *acks {
		if a.seq > head.Seq || all[a.seq-1].Hash.String() != a.hash {
			t.Fatalf("cycle %d: acknowledged append up to %d (hash %s) is lost; log head %d", cycle, a.seq, a.hash, head.Seq)
		}
	}
	checkCrashContent(t, s, cycle, all)
	return head
}

// checkBoundary fails unless head is the end of the last acknowledged batch
// or of the batch the child was writing when it died.
func checkBoundary(t *testing.T, cycle int, before eventstore.Head, head uint64, run crashRun) {
	t.Helper()
	lastAck := before.Seq
	if n := len(run.acks); n > 0 {
		lastAck = run.acks[n-1].seq
	}
	if head == lastAck {
		return
	}
	if head < lastAck {
		t.Fatalf("cycle %d: log head %d is behind the last acknowledged position %d: acknowledged appends were lost", cycle, head, lastAck)
	}
	for _, tr := range run.tries {
		if tr.first == lastAck+1 && tr.last == head {
			return
		}
	}
	t.Fatalf("cycle %d: log head %d is neither the last acknowledged position %d nor the end of the batch in flight (tries %v): torn or invented batch",
		cycle, head, lastAck, run.tries[max(0, len(run.tries)-3):])
}

// checkCrashContent checks that each event is the one the child wrote at
// its position and that the tag index agrees with the log.
func checkCrashContent(t *testing.T, s eventstore.Store, cycle int, all []eventstore.Envelope) {
	t.Helper()
	for i, e := range all {
		if want := crashEventID(e.Seq); e.ID != want {
			t.Fatalf("cycle %d: position %d holds event %q, want %q", cycle, e.Seq, e.ID, want)
		}
		if i > 0 && e.Seq != all[i-1].Seq+1 {
			t.Fatalf("cycle %d: gap between %d and %d", cycle, all[i-1].Seq, e.Seq)
		}
	}
	for _, tag := range []string{crashTag, "company:c3"} {
		want := withTag(all, tag)
		got, err := s.ReadTag(ctxFor(t), tag, 1, len(all)+1)
		if err != nil {
			t.Fatalf("cycle %d: ReadTag(%q): %v", cycle, tag, err)
		}
		expectEnvelopes(t, fmt.Sprintf("cycle %d: ReadTag(%q) after reopening", cycle, tag), want, got)
	}
}

// CrashChild is the body of the adapter's crash child test. It returns at
// once unless the environment says this process is RunCrash's child; in the
// child it appends batches of 1 to 50 events to the named log forever,
// printing "try <first> <last>" before and "ack <last> <hash>" after each
// acknowledged append, until the parent kills it.
func CrashChild(t *testing.T, open Factory) {
	if os.Getenv(envCrashChild) == "" {
		return
	}
	s := open(t, os.Getenv(envCrashName))
	ctx := ctxFor(t)
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatalf("crash child: Head: %v", err)
	}
	for {
		n := 1 + rand.IntN(50)
		fmt.Fprintf(os.Stdout, "try %d %d\n", head.Seq+1, head.Seq+uint64(n))
		out, err := s.Append(context.Background(), head.Seq, crashEvents(head.Seq, n))
		if err != nil {
			fmt.Fprintf(os.Stdout, "append failed: %v\n", err)
			t.Fatalf("crash child: Append at %d: %v", head.Seq, err)
		}
		last := out[len(out)-1]
		head = eventstore.Head{Seq: last.Seq, Hash: last.Hash}
		fmt.Fprintf(os.Stdout, "ack %d %s\n", head.Seq, head.Hash)
	}
}

// crashEvents builds the n events the child appends after position after.
func crashEvents(after uint64, n int) []eventstore.Event {
	evs := make([]eventstore.Event, n)
	now := time.Now().UTC()
	for i := range evs {
		seq := after + uint64(i) + 1
		evs[i] = eventstore.Event{
			ID: crashEventID(seq), Type: "storetest.crashed", Time: now,
			Actor:   eventstore.Actor{Person: "person:crash", Channel: eventstore.ChannelSystem},
			Command: fmt.Sprintf("crash-cmd-%d", after), Digest: fmt.Sprintf("sha256:%064x", after),
			Tags: []string{crashTag, fmt.Sprintf("company:c%d", seq%7)},
			Data: json.RawMessage(fmt.Sprintf(`{"seq":%d,"pad":"%s"}`, seq, strings.Repeat("x", 150))),
		}
	}
	return evs
}

// crashEventID is the id the child gives the event at seq.
func crashEventID(seq uint64) string { return fmt.Sprintf("crash-%d", seq) }
