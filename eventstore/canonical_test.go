package eventstore

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

// reference is the canonical form as encoding/json writes it: the
// definition appendCanonical must reproduce for valid UTF-8.
type reference struct {
	Seq     uint64          `json:"seq"`
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Time    string          `json:"time"`
	Actor   Actor           `json:"actor"`
	Command string          `json:"command"`
	Digest  string          `json:"digest,omitempty"`
	Tags    []string        `json:"tags,omitempty"`
	Data    json.RawMessage `json:"data"`
}

func referenceBytes(e *Envelope) ([]byte, error) {
	var data bytes.Buffer
	if err := json.Compact(&data, e.Data); err != nil {
		return nil, err
	}
	return json.Marshal(reference{Seq: e.Seq, ID: e.ID, Type: e.Type, Time: e.Time.UTC().Format(time.RFC3339Nano),
		Actor: e.Actor, Command: e.Command, Digest: e.Digest, Tags: e.Tags, Data: data.Bytes()})
}

func sampleEnvelope(s string, data []byte) *Envelope {
	return &Envelope{Seq: 42, ID: "id-" + s, Type: "T" + s, Time: time.Date(2026, 11, 22, 1, 2, 3, 456, time.FixedZone("x", 3600)),
		Actor: Actor{Person: s, Vendor: len(s)%2 == 0, Company: s, Channel: "api"}, Command: s, Digest: s,
		Tags: []string{"a:" + s, s}, Data: data}
}

func TestCanonicalMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "<b>&amp;", "ctl\x00\x01\x1f\b\f\n\r\t", "ünï©ødé ✓ 😀", "sep\u2028\u2029"} {
		data, _ := json.Marshal(map[string]any{"k": s, "n": []int{1, 2}})
		for _, d := range [][]byte{data, []byte(" { \"a\" : [ 1 , \"x y\" ] }\n")} {
			e := sampleEnvelope(s, d)
			want, err := referenceBytes(e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := CanonicalBytes(e)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%q:\n got %s (%v)\nwant %s", s, got, err, want)
			}
		}
	}
}

// TestCanonicalInvalidUTF8 pins the escape of invalid UTF-8, where builds
// of encoding/json differ (see appendCanonical).
func TestCanonicalInvalidUTF8(t *testing.T) {
	got := appendString(nil, "a\xffb\xe2\x80")
	if want := `"a\ufffdb\ufffd\ufffd"`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestCanonicalRefusesBrokenData(t *testing.T) {
	for _, d := range []string{"", `{"a":"open`, `"\`} {
		if _, err := CanonicalBytes(sampleEnvelope("x", []byte(d))); err == nil {
			t.Errorf("data %q accepted", d)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	f.Add("x<y", "1", `{"a":"b c"}`)
	f.Fuzz(func(t *testing.T, s, tag, data string) {
		if !utf8.ValidString(s) || !utf8.ValidString(tag) || !json.Valid([]byte(data)) || !utf8.ValidString(data) {
			return
		}
		e := sampleEnvelope(s, []byte(data))
		e.Tags = append(e.Tags, tag)
		want, err := referenceBytes(e)
		if err != nil {
			return
		}
		got, err := CanonicalBytes(e)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("got %s (%v)\nwant %s", got, err, want)
		}
	})
}

func BenchmarkCanonical(b *testing.B) {
	e := sampleEnvelope("person-17", []byte(`{"code":"BENCH-00000001","lines":[{"type":"PBX-Port","version":13,"quantity":20}],"order_number":"SO-2026-000123"}`))
	b.Run("hand", func(b *testing.B) {
		for range b.N {
			_, _ = CanonicalBytes(e)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for range b.N {
			_, _ = referenceBytes(e)
		}
	})
}

// TestCanonicalSizeReserves checks that the reserve is enough for an
// envelope with every field set and nothing to escape, so that encoding
// into a buffer of that size never grows it.
func TestCanonicalSizeReserves(t *testing.T) {
	e := sampleEnvelope("person-17", []byte(`{"a":1}`))
	e.Seq = 1<<64 - 1
	got, err := CanonicalBytes(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > CanonicalSize(e) {
		t.Fatalf("canonical bytes are %d long, CanonicalSize reserved %d", len(got), CanonicalSize(e))
	}
}
