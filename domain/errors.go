// Package domain is the pure model of the license ledger: value types, the
// catalog, events, the state they build and one decider per command. It does
// no I/O and reads no clock: the same log always gives the same state, and the
// same state, command and time always give the same decision.
package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the API. The set is append-only: a client may
// rely on the mapping of every kind to its HTTP status.
type Kind int

// The kinds, with the HTTP status the API maps them to.
const (
	KindInternal        Kind = iota // 500, detail hidden
	KindInvalid                     // 400, malformed or missing input
	KindUnauthenticated             // 401
	KindForbidden                   // 403, the caller lacks the right
	KindNotFound                    // 404
	KindConflict                    // 409, idempotency key reused, lost append
	KindRejected                    // 422, a business rule refuses the command
	KindUnavailable                 // 503, retry later
	KindNotImplemented              // 501, the command exists but is not built
	KindTimeout                     // 504, a bounded wait ran out
	KindTooLarge                    // 413, request body over the limit
)

var kindNames = [...]string{"internal", "invalid", "unauthenticated", "forbidden",
	"not-found", "conflict", "rejected", "unavailable", "not-implemented", "timeout", "too-large"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a domain or application error with a stable code (e.g.
// "key-already-redeemed") that clients match on, and a human detail.
type Error struct {
	Kind   Kind
	Code   string
	Detail string
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// Is matches another *Error by code, so errors.Is(err, ErrKeyNotFound) works
// on errors that carry a more specific detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf builds an *Error.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, KindInternal for errors that are not *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Sentinel errors, matched with errors.Is. Rules with more detail build their
// own *Error with the same code.
var (
	ErrNotAuthenticated = &Error{KindUnauthenticated, "not-authenticated", "a valid bearer token is required"}
	ErrVendorOnly       = &Error{KindForbidden, "vendor-only", "only vendor staff may do this"}
	ErrNotMember        = &Error{KindForbidden, "not-member", "the caller is not a member of this company"}
	ErrPersonLocked     = &Error{KindForbidden, "person-locked", "the caller is locked in this company"}
	ErrNoRight          = &Error{KindForbidden, "no-right", "the caller's rights in this company do not allow this"}
	ErrNotAdministrator = &Error{KindForbidden, "not-administrator", "only a company administrator may do this"}
	ErrKeyNotFound      = &Error{KindNotFound, "key-not-found", "no activation key with this code"}
	ErrKeyRedeemed      = &Error{KindRejected, "key-already-redeemed", "this activation key has already been redeemed"}
	ErrProjectNameTaken = &Error{KindRejected, "project-name-taken", "the company already has a project with this name"}
	ErrEmailTaken       = &Error{KindRejected, "email-taken", "a person with this email is already registered"}
)
