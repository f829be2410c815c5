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
	// cause is why a 5xx happened: logged with the request, never sent.
	cause error
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

// internalError is a 500 whose message the client sees and whose cause
// only the log does.
func internalError(cause error, format string, args ...any) *Error {
	e := errorf(http.StatusInternalServerError, CodeInternal, format, args...)
	e.cause = cause
	return e
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
	return internalError(err, "internal error")
}

// fail writes e as the answer to r, made on route. A 5xx is logged first
// with the request id, method, route and cause, and its message tells the
// client the request id to quote (never the cause).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, route string, e *Error) {
	if e.Status >= 500 {
		rid := ""
		if ri := infoFrom(r.Context()); ri != nil {
			rid = ri.id
		}
		cause := "none recorded"
		if e.cause != nil {
			cause = e.cause.Error()
		}
		s.log.ErrorContext(r.Context(), "request failed", "request_id", rid, "method", r.Method, "route", route, "err", e.Message, "cause", cause)
		if rid != "" {
			out := *e
			out.Message = fmt.Sprintf("%s (request %s)", e.Message, rid)
			e = &out
		}
	}
	writeError(w, compactFindings(r, e))
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
