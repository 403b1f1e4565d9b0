package api

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // RFC 7616 still offers MD5, and curl and the Devices App's clients use it
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/innolic/ledger/domain"
)

// HTTP digest authentication, server side (RFC 7616), for the rental
// history CSV API. No well-kept Go library does the server side with
// SHA-256 (github.com/abbot/go-http-auth, the one server-side package,
// offers MD5 and RFC 2617 only and is unmaintained), so it is implemented
// here: algorithms SHA-256 and MD5 (each offered in its own challenge,
// SHA-256 first), qop=auth only, the password stored as HA1 digests
// (domain.PasswordDigest), every comparison constant-time.
//
// Nonces are stateless: the time they were issued and an HMAC of it with
// a key drawn at start, so any request can be checked without a table; a
// nonce older than DigestNonceTTL is answered with a fresh challenge
// marked stale=true (the client retries without asking for the password
// again). The highest nonce count seen per nonce is kept while the nonce
// lives, so a captured request cannot be replayed. Nodes behind one load
// balancer each have their own key: a client that changes node gets a
// fresh challenge.

// DigestNonceTTL is how long a nonce is accepted.
const DigestNonceTTL = 5 * time.Minute

// maxNonceCounts bounds the nonce counts kept (one per live nonce).
const maxNonceCounts = 100_000

type digestAuth struct {
	key   []byte
	clock func() time.Time
	mu    sync.Mutex
	seen  map[string]nonceUse // nonce -> highest count, while the nonce lives
}

type nonceUse struct {
	nc     uint64
	issued time.Time
}

func newDigestAuth(clock func() time.Time) *digestAuth {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &digestAuth{key: key, clock: clock, seen: map[string]nonceUse{}}
}

// nonce is base64(issued unix nanoseconds || 8 random bytes ||
// HMAC-SHA256(key, both)[:16]): unique, and its age is known.
func (a *digestAuth) nonce(t time.Time) string {
	var b [32]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixNano()))
	_, _ = rand.Read(b[8:16])
	m := hmac.New(sha256.New, a.key)
	m.Write(b[:16])
	copy(b[16:], m.Sum(nil)[:16])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// checkNonce reports whether a nonce is one of ours, and when it was made.
func (a *digestAuth) checkNonce(n string) (time.Time, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(raw) != 32 {
		return time.Time{}, false
	}
	m := hmac.New(sha256.New, a.key)
	m.Write(raw[:16])
	if !hmac.Equal(m.Sum(nil)[:16], raw[16:]) {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8]))), true
}

// challenge sets the WWW-Authenticate headers: SHA-256, then MD5.
func (a *digestAuth) challenge(h http.Header, stale bool) {
	n := a.nonce(a.clock())
	for _, alg := range []string{"SHA-256", "MD5"} {
		h.Add("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, qop="auth", algorithm=%s, nonce=%q, opaque=%q, stale=%t`,
			domain.DigestRealm, alg, n, "ledger", stale))
	}
}

// digestResult is what a request's Authorization proves.
type digestResult struct {
	user  string
	stale bool // a good answer to an expired nonce: challenge again, stale
}

// verify checks a request's Authorization header against the passwords
// creds returns for its username; it answers the credential that
// matched, if any.
func (a *digestAuth) verify(r *http.Request, creds func(user string) []domain.DigestCredential) (domain.DigestCredential, digestResult, bool) {
	f, ok := parseDigest(r.Header.Get("Authorization"))
	if !ok || f["realm"] != domain.DigestRealm || f["qop"] != "auth" || f["uri"] != r.RequestURI || f["userhash"] == "true" {
		return domain.DigestCredential{}, digestResult{}, false
	}
	var newHash func() hash.Hash
	switch strings.ToUpper(f["algorithm"]) {
	case "", "MD5":
		newHash = md5.New
	case "SHA-256":
		newHash = sha256.New
	default:
		return domain.DigestCredential{}, digestResult{}, false
	}
	issued, ok := a.checkNonce(f["nonce"])
	if !ok {
		return domain.DigestCredential{}, digestResult{}, false
	}
	nc, err := strconv.ParseUint(f["nc"], 16, 32)
	if err != nil || f["cnonce"] == "" {
		return domain.DigestCredential{}, digestResult{}, false
	}
	ha2 := hexHash(newHash, r.Method+":"+f["uri"])
	got, _ := hex.DecodeString(f["response"])
	res := digestResult{user: f["username"]}
	for _, c := range creds(f["username"]) {
		ha1 := c.Password.SHA256
		if newHash().Size() == md5.Size {
			ha1 = c.Password.MD5
		}
		want, _ := hex.DecodeString(hexHash(newHash, ha1+":"+f["nonce"]+":"+f["nc"]+":"+f["cnonce"]+":auth:"+ha2))
		if len(want) == 0 || subtle.ConstantTimeCompare(want, got) != 1 {
			continue
		}
		if a.clock().Sub(issued) > DigestNonceTTL {
			res.stale = true
			return domain.DigestCredential{}, res, false
		}
		if !a.countOnce(f["nonce"], nc, issued) {
			return domain.DigestCredential{}, res, false
		}
		return c, res, true
	}
	return domain.DigestCredential{}, res, false
}

// countOnce accepts each nonce count of a nonce once, increasing: a
// replayed request is refused.
func (a *digestAuth) countOnce(nonce string, nc uint64, issued time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.seen[nonce]; ok && nc <= u.nc {
		return false
	}
	if len(a.seen) >= maxNonceCounts {
		now := a.clock()
		for k, u := range a.seen {
			if now.Sub(u.issued) > DigestNonceTTL {
				delete(a.seen, k)
			}
		}
		if len(a.seen) >= maxNonceCounts {
			return false // full of live nonces: the client gets a new challenge
		}
	}
	a.seen[nonce] = nonceUse{nc: nc, issued: issued}
	return true
}

func hexHash(newHash func() hash.Hash, s string) string {
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// parseDigest reads `Digest k=v, k="quoted \" value", ...`; keys lower
// case. It refuses anything else.
func parseDigest(h string) (map[string]string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Digest") || len(rest) > 4096 {
		return nil, false
	}
	out := map[string]string{}
	for s := strings.TrimSpace(rest); s != ""; {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, false
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimLeft(v, " \t")
		var val string
		if strings.HasPrefix(v, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				b.WriteByte(v[i])
			}
			if i >= len(v) {
				return nil, false
			}
			val, s = b.String(), v[i+1:]
		} else {
			end := strings.IndexByte(v, ',')
			if end < 0 {
				end = len(v)
			}
			val, s = strings.TrimSpace(v[:end]), v[end:]
		}
		if _, dup := out[k]; dup {
			return nil, false
		}
		out[k] = val
		s = strings.TrimSpace(s)
		if s != "" {
			if s[0] != ',' {
				return nil, false
			}
			s = strings.TrimSpace(s[1:])
		}
	}
	return out, true
}
