package api

import (
	"fmt"
	"time"
)

// Default connection timeouts. The header timeout cuts off a client that
// sends its request slowly (slow-loris) long before a handler runs; the
// write timeout is derived from the others (withTimeoutDefaults), so that
// an answer is never cut off while its command may still become durable.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// writeMargin is what the derived write timeout leaves for writing the
	// answer after the longest request.
	writeMargin = 30 * time.Second
)

// withTimeoutDefaults fills the zero timeouts; a zero WriteTimeout is
// ReadTimeout + Timeout + writeMargin.
func (c Config) withTimeoutDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxWait == 0 {
		c.MaxWait = 5 * time.Second
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = c.ReadTimeout + c.Timeout + writeMargin
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	return c
}

// Validate checks that the timeouts fit together: a ?after= wait ends
// before the request does (else it would answer request-timeout, not
// position-not-reached), the headers are read within the request's read
// time, and the write timeout outlasts reading the request and handling
// it. net/http's write deadline runs from the end of the headers, and a
// command is answered only once durable, even after the request timeout:
// a shorter write timeout would cut off the answer of a command that was
// written.
func (c Config) Validate() error {
	c = c.withTimeoutDefaults()
	for _, t := range []struct {
		name string
		d    time.Duration
	}{{"request timeout", c.Timeout}, {"max wait", c.MaxWait}, {"read header timeout", c.ReadHeaderTimeout},
		{"read timeout", c.ReadTimeout}, {"write timeout", c.WriteTimeout}, {"idle timeout", c.IdleTimeout}} {
		if t.d < 0 {
			return fmt.Errorf("the %s (%s) must not be negative", t.name, t.d)
		}
	}
	switch {
	case c.MaxWait >= c.Timeout:
		return fmt.Errorf("the max wait (%s) must be shorter than the request timeout (%s)", c.MaxWait, c.Timeout)
	case c.ReadHeaderTimeout > c.ReadTimeout:
		return fmt.Errorf("the read header timeout (%s) must not exceed the read timeout (%s)", c.ReadHeaderTimeout, c.ReadTimeout)
	case c.WriteTimeout <= c.ReadTimeout+c.Timeout:
		return fmt.Errorf("the write timeout (%s) must exceed the read timeout plus the request timeout (%s): "+
			"a shorter one cuts off answers of commands that are durable", c.WriteTimeout, c.ReadTimeout+c.Timeout)
	}
	return nil
}

// configureHTTPServer sets the connection timeouts on the http.Server that
// serves the API (Server.Server, echo's).
func (s *Server) configureHTTPServer() {
	hs := s.Echo.Server
	hs.ReadHeaderTimeout = s.cfg.ReadHeaderTimeout
	hs.ReadTimeout = s.cfg.ReadTimeout
	hs.WriteTimeout = s.cfg.WriteTimeout
	hs.IdleTimeout = s.cfg.IdleTimeout
}
