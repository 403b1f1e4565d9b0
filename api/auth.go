package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
)

const principalKey = "ledger.principal"

// authenticate resolves the bearer token to a principal. Tokens are stored
// only as SHA-256 hashes, so a leaked log or read model reveals none.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return domain.ErrNotAuthenticated
		}
		hash := HashToken(strings.TrimSpace(tok))
		p, ok := s.cfg.Reader.Authenticate(hash)
		if !ok && s.catchUp(c.Request().Context()) {
			// A token issued a moment ago may not be projected yet.
			p, ok = s.cfg.Reader.Authenticate(hash)
		}
		if !ok {
			return domain.ErrNotAuthenticated
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// catchUp waits, briefly, until the read models reach the log head; it
// reports whether they were behind and have caught up.
func (s *Server) catchUp(ctx context.Context) bool {
	h, err := s.cfg.Store.Head(ctx)
	if err != nil || s.cfg.Reader.Position() >= h.Seq {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return s.cfg.Runner.WaitFor(ctx, h.Seq) == nil
}

func principal(c echo.Context) domain.Principal {
	p, _ := c.Get(principalKey).(domain.Principal)
	return p
}

// HashToken is the stored form of a bearer token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewToken returns a fresh secret token, its id and its hash. The secret is
// shown once and never stored.
func NewToken() (secret, id, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	secret = "lt_" + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, TokenID(secret), HashToken(secret)
}

// TokenID is the public id of a token: a short prefix of its hash, enough to
// name it in lists and revocations without revealing it.
func TokenID(secret string) string { return HashToken(secret)[:12] }
