package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
)

// HeaderIdempotencyKey carries the command id; a retry with the same key
// and body returns the first answer and writes nothing.
const HeaderIdempotencyKey = "Idempotency-Key"

// HeaderPosition carries the log position a command wrote or a query
// reflects; HeaderAfter is the header form of ?after=.
const (
	HeaderPosition = "Ledger-Position"
	HeaderAfter    = "Ledger-After"
)

// readBody reads the JSON body into v and returns the raw bytes for the
// idempotency digest. An empty body is {}. Syntax is checked first
// (invalid-json), then the body is held to v's type as the OpenAPI
// document states it (checkBody: invalid-body, invalid-text), and only
// then decoded.
func readBody(c echo.Context, v any) ([]byte, error) {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) || strings.Contains(err.Error(), "too large") {
			return nil, echoCodes[http.StatusRequestEntityTooLarge]
		}
		return nil, domain.Errorf(domain.KindInvalid, "invalid-body", "cannot read body: %v", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	if err := checkJSON(raw, v); err != nil {
		return nil, err
	}
	return raw, nil
}

// checkJSON checks raw against v's type and decodes it into v.
func checkJSON(raw []byte, v any) error {
	if !json.Valid(raw) {
		return domain.Errorf(domain.KindInvalid, "invalid-json", "the body is not one valid JSON value: %v", syntaxError(raw))
	}
	t, err := bodyTypeOf(reflect.TypeOf(v))
	if err != nil {
		return fmt.Errorf("checking a body: %w", err)
	}
	if err := checkBody(raw, t); err != nil {
		var be *bodyError
		if !errors.As(err, &be) {
			return err
		}
		return &domain.Error{Kind: domain.KindInvalid, Code: be.code, Detail: be.detail()}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		// The check passed: only a type's own UnmarshalJSON refuses here.
		return domain.Errorf(domain.KindInvalid, "invalid-body", "%v", err)
	}
	return nil
}

// syntaxError is encoding/json's description of a syntax error.
func syntaxError(raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	return errors.New("trailing data after the JSON value")
}

// submit runs a command for the caller. The Idempotency-Key belongs to the
// caller (the writer scopes it to the person and channel), and the digest
// covers method, path and the JSON value of the body, so the same key with
// another request is a conflict while a retry whose body differs only in
// white space or key order is the same command.
func (s *Server) submit(c echo.Context, raw []byte, cmd domain.Command) (commands.Result, error) {
	key := strings.TrimSpace(c.Request().Header.Get(HeaderIdempotencyKey))
	if len(key) > 200 {
		return commands.Result{}, domain.Errorf(domain.KindInvalid, "invalid-idempotency-key", "Idempotency-Key is at most 200 characters")
	}
	digest, err := requestDigest(c.Request().Method, c.Request().URL.Path, raw)
	if err != nil {
		return commands.Result{}, err
	}
	by := principal(c)
	req := commands.Request{ID: key, Digest: digest, By: by, Command: cmd,
		Actor: eventstore.Actor{Channel: eventstore.ChannelAPI}}
	// A command's fate must not depend on the HTTP timeout once queued.
	res, err := s.cfg.Writer.Submit(context.WithoutCancel(c.Request().Context()), req)
	if err != nil {
		return res, err
	}
	c.Response().Header().Set(HeaderPosition, strconv.FormatUint(res.Last(), 10))
	c.Response().Header().Set(HeaderIdempotencyKey, res.CommandID)
	return res, nil
}

// requestDigest identifies a command request by method, path and the JSON
// value of its body: the body is decoded (numbers kept as written) and
// encoded again, which sorts object keys and drops white space.
func requestDigest(method, path string, raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", domain.Errorf(domain.KindInvalid, "invalid-json", "%v", err)
	}
	canon, err := json.Marshal(v)
	if err != nil {
		return "", domain.Errorf(domain.KindInvalid, "invalid-json", "%v", err)
	}
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// Written is the part of every command answer that says what was written.
type Written struct {
	Position  uint64   `json:"position"`
	Positions []uint64 `json:"positions"`
	CommandID string   `json:"command_id"`
	Replayed  bool     `json:"replayed,omitempty"`
}

func written(r commands.Result) Written {
	return Written{Position: r.Last(), Positions: r.Positions, CommandID: r.CommandID, Replayed: r.Replayed}
}

// QueryAnswer wraps every query answer with the position it reflects.
type QueryAnswer struct {
	Position uint64 `json:"position"`
	Data     any    `json:"data"`
}

// query waits for ?after= (or the Ledger-After header), picks the read
// model (the live one, or with as_of / at one replayed to that point), runs
// q on it and answers with the position the answer reflects. Every query
// goes through here, so every query honours after, as_of and at.
func (s *Server) query(c echo.Context, q func(rd projections.Reader, by domain.Principal) (any, error)) error {
	if err := s.waitAfter(c); err != nil {
		return err
	}
	rd, pos, past, err := s.pastReader(c)
	if err != nil {
		return err
	}
	by := principal(c)
	if past {
		if by, err = s.rightsNow(c.Request().Context(), q, by); err != nil {
			return err
		}
	} else {
		rd = s.cfg.Reader
		pos = rd.Position()
	}
	v, err := q(rd, by)
	if err != nil {
		return err
	}
	c.Response().Header().Set(HeaderPosition, strconv.FormatUint(pos, 10))
	return c.JSON(http.StatusOK, QueryAnswer{Position: pos, Data: v})
}

// rightsNow prepares the caller of an as-of query: access to a past state
// is decided by the caller's rights today, not by those they had then. The
// query is first put to the live read model, and a refusal there is the
// answer (a removed member, a revoked grant); an entity that no longer
// exists is decided on the past state with the caller's memberships of
// today (domain.Principal.Now), which also decide whether a secret such
// as a trust value is shown.
func (s *Server) rightsNow(ctx context.Context, q func(rd projections.Reader, by domain.Principal) (any, error), by domain.Principal) (domain.Principal, error) {
	// Today is the log head: a right removed a moment ago counts.
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return by, err
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.MaxWait)
	defer cancel()
	if err := s.cfg.Runner.WaitFor(wctx, head.Seq); err != nil {
		return by, err
	}
	live := s.cfg.Reader
	if _, err := q(live, by); err != nil {
		if k := domain.KindOf(err); k == domain.KindForbidden || k == domain.KindUnauthenticated {
			return by, err
		}
	}
	me, err := live.Person(by, by.Person)
	if err != nil {
		return by, err
	}
	now := &domain.Standing{Memberships: make(map[domain.CompanyID]domain.Membership, len(me.Memberships))}
	for _, m := range me.Memberships {
		now.Memberships[m.Company] = domain.Membership{Right: m.Right, BuyOnCredit: m.BuyOnCredit}
	}
	by.Now = now
	return by, nil
}

func (s *Server) waitAfter(c echo.Context) error {
	raw := c.QueryParam("after")
	if raw == "" {
		raw = c.Request().Header.Get(HeaderAfter)
	}
	if raw == "" {
		return nil
	}
	after, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return domain.Errorf(domain.KindInvalid, "invalid-after", "after must be a log position (a non-negative integer)")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.MaxWait)
	defer cancel()
	return s.cfg.Runner.WaitFor(ctx, after)
}

// idParam parses a numeric path parameter.
func idParam(c echo.Context, name string) (int64, error) {
	v, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.Errorf(domain.KindInvalid, "invalid-"+name, "%s must be a positive integer", name)
	}
	return v, nil
}
