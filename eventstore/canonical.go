package eventstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendCanonical writes the canonical bytes of e: the JSON object
// {"seq","id","type","time","actor":{"person","vendor","company","channel"},
// "command","digest","tags","data"} in this order, empty person, vendor,
// company, digest and tags left out, time in RFC 3339 UTC nanoseconds.
//
// It is written by hand, not with encoding/json, for two reasons. The chain
// must not depend on how a JSON library is built: encoding/json under
// GOEXPERIMENT=jsonv2 writes an invalid UTF-8 byte as a raw U+FFFD where the
// classic implementation writes the escape \ufffd, and a log hashed by one
// build must verify with the other. And it is several times faster, which
// matters because every append and every verification hashes every event.
// The rules are those of the classic encoding/json: HTML-safe escaping of
// <, > and &, \u2028 and \u2029 escaped, invalid UTF-8 as \ufffd; the
// payload is compacted and escaped the same way.
func appendCanonical(b []byte, e *Envelope) ([]byte, error) {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = appendField(b, `,"id":`, e.ID)
	b = appendField(b, `,"type":`, e.Type)
	b = appendField(b, `,"time":`, e.Time.UTC().Format(time.RFC3339Nano))
	b = append(b, `,"actor":{`...)
	sep := ""
	if e.Actor.Person != "" {
		b, sep = appendField(b, `"person":`, e.Actor.Person), ","
	}
	if e.Actor.Vendor {
		b, sep = append(b, sep+`"vendor":true`...), ","
	}
	if e.Actor.Company != "" {
		b, sep = appendField(b, sep+`"company":`, e.Actor.Company), ","
	}
	b = appendField(b, sep+`"channel":`, e.Actor.Channel)
	b = appendField(b, `},"command":`, e.Command)
	if e.Digest != "" {
		b = appendField(b, `,"digest":`, e.Digest)
	}
	if len(e.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range e.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"data":`...)
	b, err := appendCompact(b, e.Data)
	if err != nil {
		return nil, fmt.Errorf("event %d: data is not JSON: %w", e.Seq, err)
	}
	return append(b, '}'), nil
}

func appendField(b []byte, key, v string) []byte { return appendString(append(b, key...), v) }

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string with the classic encoding/json
// escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}

// appendCompact copies a JSON value without insignificant white space,
// escaping <, >, &, U+2028 and U+2029 inside strings as encoding/json's
// Compact-with-HTML-escaping does. A payload that is not valid JSON is
// refused: every stored envelope must decode.
func appendCompact(b []byte, data []byte) ([]byte, error) {
	if data == nil {
		return append(b, "null"...), nil // as encoding/json writes a nil RawMessage
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("invalid JSON")
	}
	// Runs of bytes that stay as they are are copied whole.
	inStr, esc, start := false, false, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == ' ' || c == '\n' || c == '\t' || c == '\r'):
			b, start = append(b, data[start:i]...), i+1
		case c == '<' || c == '>' || c == '&':
			b = append(b, data[start:i]...)
			b, start = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]), i+1
		case c == 0xe2 && i+2 < len(data) && data[i+1] == 0x80 && data[i+2]&^1 == 0xa8:
			b = append(b, data[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[data[i+2]&0xf])
			i += 2
			start = i + 1
		}
	}
	b = append(b, data[start:]...)
	if inStr || esc {
		return nil, fmt.Errorf("unterminated string")
	}
	return b, nil
}
