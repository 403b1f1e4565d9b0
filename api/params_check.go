package api

import (
	"net/http"
	"reflect"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
)

// Parameters are text too: every query and path parameter of every route
// is held to the rules of single-line text (domain.CheckText) and capped,
// before the handler sees it, answering 400 invalid-text. A parameter the
// route documents with maxLength is capped there, a path parameter at
// maxPathParam and any other query parameter at maxQueryParam.
const (
	maxPathParam  = 100
	maxQueryParam = 256
)

// paramLimits are the caps of one route's parameters, by name.
type paramLimits struct {
	query map[string]int
}

// limitsOf reads the maxLength of the query parameters a route documents
// (its Params struct and the conventional ones of queries).
func limitsOf(op Op) paramLimits {
	l := paramLimits{query: map[string]int{}}
	for _, p := range []any{op.Params, consistencyParams{}} {
		if p == nil {
			continue
		}
		walkParams(reflect.TypeOf(p), func(f reflect.StructField) {
			if name, max := f.Tag.Get("query"), f.Tag.Get("maxLength"); name != "" && max != "" {
				if n, err := strconv.Atoi(max); err == nil {
					l.query[name] = n
				}
			}
		})
	}
	return l
}

// walkParams calls fn on the fields of a parameter struct, embedded ones
// included.
func walkParams(t reflect.Type, fn func(reflect.StructField)) {
	t = derefType(t)
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			walkParams(f.Type, fn)
			continue
		}
		fn(f)
	}
}

// checkParams is the middleware of one route that holds its parameters
// (and a command's Idempotency-Key) to the text rules.
func (l paramLimits) checkParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := l.check(c); err != nil {
			return err
		}
		return next(c)
	}
}

func (l paramLimits) check(c echo.Context) error {
	values := c.ParamValues()
	for i, name := range c.ParamNames() {
		if i < len(values) {
			if err := domain.CheckText("path parameter "+name, values[i], domain.SingleLine, maxPathParam); err != nil {
				return err
			}
		}
	}
	if c.Request().URL.RawQuery != "" {
		for name, vs := range c.QueryParams() {
			if err := l.checkQuery(name, vs); err != nil {
				return err
			}
		}
	}
	if c.Request().Method != http.MethodGet {
		key := c.Request().Header.Get(HeaderIdempotencyKey)
		if err := domain.CheckText(HeaderIdempotencyKey, key, domain.SingleLine, 0); err != nil {
			return &domain.Error{Kind: domain.KindInvalid, Code: "invalid-idempotency-key", Detail: err.(*domain.Error).Detail}
		}
	}
	return nil
}

func (l paramLimits) checkQuery(name string, vs []string) error {
	if err := domain.CheckText("a query parameter's name", name, domain.SingleLine, maxQueryParam); err != nil {
		return err
	}
	max, ok := l.query[name]
	if !ok {
		max = maxQueryParam
	}
	for _, v := range vs {
		if err := domain.CheckText("query parameter "+name, v, domain.SingleLine, max); err != nil {
			return err
		}
	}
	return nil
}
