package service

import (
	"errors"
	"fmt"
	"strings"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// Error is a verdict on a request: what was asked is refused, or not there,
// with an application code (wire.Code*) that each transport maps to its own
// status (the HTTP API in one table). Any other error an operation returns
// is a fault: the request may be fine, the server could not carry it out.
type Error struct {
	// Code is one of wire's Code constants.
	Code    string
	Message string
	// Findings say why a profile was refused.
	Findings finding.List
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the verdict for an object that is not there (or that the
// caller may not see).
func NotFound(kind, uid string) *Error {
	return Errorf(wire.CodeNotFound, "%s %q not found", kind, uid)
}

// FromStore turns the store's verdicts into *Error and wraps its faults.
func FromStore(err error, kind, uid string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return NotFound(kind, uid)
	case errors.Is(err, store.ErrConflict):
		return Errorf(wire.CodeConflict, "%s %q changed since it was read; read it again and retry", kind, uid)
	case errors.Is(err, store.ErrExists):
		return Errorf(wire.CodeExists, "%s already exists", what(err, store.ErrExists, kind))
	case errors.Is(err, store.ErrImmutable):
		return Errorf(wire.CodeImmutable, "%v", err)
	}
	return fmt.Errorf("%s %s: %w", kind, uid, err)
}

// what returns what the store says exists or conflicts: the message of
// the error in err's chain that wraps target directly, less target's own
// text (`macro "x"` of `macro "x": already exists`), without the layers
// around it that name the storage engine or the operation; fallback when
// no error wraps target directly.
func what(err, target error, fallback string) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Unwrap(e) == target {
			if w := strings.TrimSuffix(e.Error(), ": "+target.Error()); w != e.Error() && w != "" {
				return w
			}
		}
	}
	return fallback
}
