// Package apperr carries an error's kind and a Vietnamese message for the
// user from the capability that knows what went wrong to the one HTTP helper
// that turns it into a status code, a form message or a problem document.
package apperr

import (
	"errors"
	"strings"
)

// Kind classifies an error for the HTTP layer.
type Kind int

const (
	KindInternal        Kind = iota
	KindInvalid              // bad input: 422, or field messages on a form
	KindNotFound             // missing or not visible to the caller: 404
	KindConflict             // state does not allow it, or a duplicate: 409
	KindForbidden            // visible but not allowed: 403
	KindUnauthenticated      // not signed in or bad credentials: 401
	KindLocked               // account locked: 423
	KindUnavailable          // a dependency is down: 503
)

// Error is a user-facing error. Message is Vietnamese; Fields maps form
// field names to Vietnamese messages.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string
	Err     error // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for f, m := range e.Fields {
		b.WriteString("; " + f + ": " + m)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches errors of the same kind, so errors.Is(err, apperr.NotFound("")) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Message == "" && t.Fields == nil
}

// New builds an error of kind with a Vietnamese message.
func New(kind Kind, message string) *Error { return &Error{Kind: kind, Message: message} }

// Wrap keeps cause for the logs behind a Vietnamese message.
func Wrap(kind Kind, message string, cause error) *Error {
	return &Error{Kind: kind, Message: message, Err: cause}
}

// Invalid reports bad input, optionally per field.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Message: message, Fields: fields}
}

// NotFound reports a record that does not exist or may not be seen.
func NotFound(message string) *Error { return New(KindNotFound, message) }

// Conflict reports a request the current state does not allow.
func Conflict(message string) *Error { return New(KindConflict, message) }

// Forbidden reports an action the caller may not take.
func Forbidden(message string) *Error { return New(KindForbidden, message) }

// Sentinels for errors.Is checks by kind.
var (
	ErrNotFound  = &Error{Kind: KindNotFound}
	ErrInvalid   = &Error{Kind: KindInvalid}
	ErrConflict  = &Error{Kind: KindConflict}
	ErrForbidden = &Error{Kind: KindForbidden}
)

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects field messages while validating a form.
type Fields map[string]string

// Add records msg for field unless it already has one.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an Invalid error when any field failed, else nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid("Vui lòng kiểm tra lại các trường được đánh dấu.", f)
}
