package api

import (
	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
)

// command builds the handler of a command route: decode the body B, build
// the domain command, submit it, answer with status and answer(result).
func command[B any](s *Server, status int, build func(c echo.Context, b B) (domain.Command, error),
	answer func(commands.Result) any) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b B
		raw, err := readBody(c, &b)
		if err != nil {
			return err
		}
		cmd, err := build(c, b)
		if err != nil {
			return err
		}
		res, err := s.submit(c, raw, cmd)
		if err != nil {
			return err
		}
		return c.JSON(status, answer(res))
	}
}

// justWritten is the answer of commands that create nothing to name.
func justWritten(r commands.Result) any { return written(r) }

// eventOf returns the command's first event of type T.
func eventOf[T domain.Event](r commands.Result) T {
	for _, e := range r.Events {
		if t, ok := e.(T); ok {
			return t
		}
	}
	var zero T
	return zero
}
