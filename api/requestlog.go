package api

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
)

// logRequests logs every request once, when it is answered: method, route
// template (never the raw path, which carries ids and client text), status,
// duration, request id, and the person when authenticated. Answers of 5xx
// log at error level, the others at info (--log-level warn silences them).
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := answerStatus(c, err)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		ctx := c.Request().Context()
		if !s.log.Enabled(ctx, level) {
			return err
		}
		attrs := []slog.Attr{slog.String("method", c.Request().Method), slog.String("route", c.Path()),
			slog.Int("status", status), slog.Duration("duration", time.Since(start)), slog.String("request_id", requestID(c))}
		if p, ok := c.Get(principalKey).(domain.Principal); ok {
			attrs = append(attrs, slog.Int64("person", int64(p.Person)))
		}
		s.log.LogAttrs(ctx, level, "request", attrs...)
		return err
	}
}

// answerStatus is the status a request is answered with: the handler's,
// or the one errorHandler will write for its error.
func answerStatus(c echo.Context, err error) int {
	if err == nil {
		return c.Response().Status
	}
	return httpStatus(toDomain(err))
}
