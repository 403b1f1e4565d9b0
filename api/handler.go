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
		be := err.(*bodyError)
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

// submit runs a command for the caller. The digest covers method, path and
// body, so the same Idempotency-Key with another request is a conflict.
func (s *Server) submit(c echo.Context, raw []byte, cmd domain.Command) (commands.Result, error) {
	key := strings.TrimSpace(c.Request().Header.Get(HeaderIdempotencyKey))
	if len(key) > 200 {
		return commands.Result{}, domain.Errorf(domain.KindInvalid, "invalid-idempotency-key", "Idempotency-Key is at most 200 characters")
	}
	h := sha256.New()
	h.Write([]byte(c.Request().Method + " " + c.Request().URL.Path + "\n"))
	h.Write(raw)
	by := principal(c)
	req := commands.Request{ID: key, Digest: hex.EncodeToString(h.Sum(nil)[:16]), By: by, Command: cmd,
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
	if !past {
		rd = s.cfg.Reader
		pos = rd.Position()
	}
	v, err := q(rd, principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(HeaderPosition, strconv.FormatUint(pos, 10))
	return c.JSON(http.StatusOK, QueryAnswer{Position: pos, Data: v})
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
