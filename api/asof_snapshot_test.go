package api

import (
	"fmt"
	"testing"
)

// Snapshots beyond asOfSnapshots are thinned where they lie closest
// together, so those kept stay spread over the log.
func TestAsOfSnapshotsStayBoundedAndSpread(t *testing.T) {
	var a asOf
	for pos := uint64(4); pos <= 4*20; pos += 4 {
		a.snapshot(pos, nil)
		a.snapshot(pos, nil) // a second build taking the same one keeps one
	}
	if len(a.snaps) != asOfSnapshots {
		t.Fatalf("%d snapshots kept, want %d", len(a.snaps), asOfSnapshots)
	}
	var got []uint64
	for i, sn := range a.snaps {
		got = append(got, sn.pos)
		prev := uint64(0)
		if i > 0 {
			prev = a.snaps[i-1].pos
		}
		if gap := sn.pos - prev; gap > 20 {
			t.Errorf("snapshots %v leave a gap of %d positions", got, gap)
		}
	}
	if got[len(got)-1] != 80 {
		t.Errorf("snapshots %v: the newest (80) was dropped", got)
	}
	if a.step(0) != 1 || fmt.Sprint((&asOf{every: 4}).step(100)) != "16" {
		t.Errorf("step: %d, %d; want 1 and 16 (4·2² ≥ 100/8)", a.step(0), (&asOf{every: 4}).step(100))
	}
}
