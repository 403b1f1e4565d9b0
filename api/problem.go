package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
)

// Problem is an RFC 9457 problem document. Code is the stable string
// clients match on; Type is a URI derived from it.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// statusOf is the one table mapping error kinds to HTTP statuses.
var statusOf = map[domain.Kind]int{
	domain.KindInternal:        http.StatusInternalServerError,
	domain.KindInvalid:         http.StatusBadRequest,
	domain.KindUnauthenticated: http.StatusUnauthorized,
	domain.KindForbidden:       http.StatusForbidden,
	domain.KindNotFound:        http.StatusNotFound,
	domain.KindConflict:        http.StatusConflict,
	domain.KindRejected:        http.StatusUnprocessableEntity,
	domain.KindUnavailable:     http.StatusServiceUnavailable,
	domain.KindNotImplemented:  http.StatusNotImplemented,
	domain.KindTimeout:         http.StatusGatewayTimeout,
	domain.KindTooLarge:        http.StatusRequestEntityTooLarge,
}

// statusOfCode overrides the status of a kind for the refusals HTTP has a
// status of its own for.
var statusOfCode = map[string]int{"method-not-allowed": http.StatusMethodNotAllowed}

// httpStatus is the status of an error's answer.
func httpStatus(de *domain.Error) int {
	if st, ok := statusOfCode[de.Code]; ok {
		return st
	}
	return statusOf[de.Kind]
}

// echoCodes names the errors echo itself raises (routing, body limit).
var echoCodes = map[int]*domain.Error{
	http.StatusNotFound:              {Kind: domain.KindNotFound, Code: "route-not-found", Detail: "no such route"},
	http.StatusMethodNotAllowed:      {Kind: domain.KindInvalid, Code: "method-not-allowed", Detail: "the route does not take this method; Allow lists those it takes"},
	http.StatusRequestEntityTooLarge: {Kind: domain.KindTooLarge, Code: "body-too-large", Detail: "the request body exceeds the limit"},
	http.StatusServiceUnavailable:    {Kind: domain.KindUnavailable, Code: "request-timeout", Detail: "the request took too long"},
	http.StatusUnauthorized:          domain.ErrNotAuthenticated,
}

// toDomain turns any error into a *domain.Error, hiding internal detail.
func toDomain(err error) *domain.Error {
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if e, ok := echoCodes[he.Code]; ok {
			return e
		}
		if he.Code < 500 {
			return &domain.Error{Kind: domain.KindInvalid, Code: "bad-request", Detail: http.StatusText(he.Code)}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &domain.Error{Kind: domain.KindUnavailable, Code: "request-timeout", Detail: "the request took too long"}
	}
	return &domain.Error{Kind: domain.KindInternal, Code: "internal", Detail: "internal error"}
}

// errorHandler writes every error as problem+json.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	de := toDomain(err)
	status := httpStatus(de)
	if de.Kind == domain.KindInternal {
		s.log.Error("internal error", "err", err, "path", c.Path(), "request_id", requestID(c))
	}
	p := Problem{Type: "https://ledger.example/problems/" + de.Code, Title: http.StatusText(status),
		Status: status, Code: de.Code, Detail: de.Detail, Instance: c.Request().URL.Path, RequestID: requestID(c)}
	if de.Kind == domain.KindUnavailable {
		c.Response().Header().Set("Retry-After", strconv.Itoa(1))
	}
	if de.Kind == domain.KindUnauthenticated && c.Response().Header().Get("WWW-Authenticate") == "" {
		// (The CSV API sets its digest challenges itself.)
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="ledger"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(status)
	if c.Request().Method != http.MethodHead {
		_ = jsonEncode(c.Response(), p)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
