package commands

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestEventIDIsNameBasedUUID: event ids are the version-5 UUIDs of
// "command/index", the same ids a retry computes and KurrentDB
// deduplicates on, whatever the length of the command id.
func TestEventIDIsNameBasedUUID(t *testing.T) {
	for _, cmd := range []string{"", "c", "0190b6c2-7d1e-7a3b-9c4d-3f0e1a2b3c4d", strings.Repeat("k", 300)} {
		for _, i := range []int{0, 1, 17, 123456} {
			want := uuid.NewSHA1(eventIDSpace, []byte(cmd+"/"+strconv.Itoa(i))).String()
			if got := EventID(cmd, i); got != want {
				t.Fatalf("EventID(%q, %d) = %s, want %s", cmd, i, got, want)
			}
		}
	}
}
