package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/store"
)

// Error is an API error as Palette's clients decode it (V1Error).
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
	Ref     string `json:"ref,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Error codes. ResourceNotFound is the one Palette's SDK matches on.
const (
	CodeNotFound       = "ResourceNotFound"
	CodeBadRequest     = "BadRequest"
	CodeInvalidProfile = "InvalidClusterProfile"
	CodeInvalidPack    = "InvalidPack"
	CodeUnauthorized   = "Unauthorized"
	CodeForbidden      = "Forbidden"
	CodeConflict       = "Conflict"
	CodeExists         = "AlreadyExists"
	CodeImmutable      = "ImmutablePackVersion"
	CodeTooLarge       = "RequestTooLarge"
	CodeUnsupported    = "UnsupportedMediaType"
	CodeInternal       = "InternalError"
)

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFound(kind, uid string) *Error {
	return errorf(http.StatusNotFound, CodeNotFound, "%s %q not found", kind, uid)
}

// fromStore maps a store error to an API error, in one place.
func fromStore(err error, kind, uid string) *Error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound(kind, uid)
	case errors.Is(err, store.ErrConflict):
		return errorf(http.StatusConflict, CodeConflict, "%s %q changed since it was read; read it again and retry", kind, uid)
	case errors.Is(err, store.ErrExists):
		return errorf(http.StatusConflict, CodeExists, "%s already exists: %v", kind, err)
	case errors.Is(err, store.ErrImmutable):
		return errorf(http.StatusConflict, CodeImmutable, "%v", err)
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error", Details: nil}
}

// FindingsHeader, set to "full" by a client, asks for every field of the
// findings in an error's details. Others get the short form: the error's
// message already says each finding in words, and Palette's clients (the
// Terraform provider) print details in full next to it.
const FindingsHeader = "Byoos-Findings"

// shortFinding is a finding without its words, for error details.
type shortFinding struct {
	Severity finding.Severity `json:"severity"`
	Code     string           `json:"code"`
	Layer    string           `json:"layer,omitempty"`
	Path     string           `json:"path,omitempty"`
	Line     int              `json:"line,omitempty"`
	Column   int              `json:"column,omitempty"`
}

// compactFindings shortens the findings in an error's details unless the
// client asked for them in full.
func compactFindings(r *http.Request, e *Error) *Error {
	d, ok := e.Details.(map[string]any)
	if !ok || strings.EqualFold(r.Header.Get(FindingsHeader), "full") {
		return e
	}
	fl, ok := d["findings"].(finding.List)
	if !ok {
		return e
	}
	short := make([]shortFinding, len(fl))
	for i, f := range fl {
		short[i] = shortFinding{Severity: f.Severity, Code: f.Code, Layer: f.Layer, Path: f.Path, Line: f.Line, Column: f.Column}
	}
	out := *e
	out.Details = map[string]any{"findings": short}
	return &out
}

// writeJSON writes a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, e)
}
