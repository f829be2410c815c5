package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/wire"
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

// Error codes: wire's, which the client shares.
const (
	CodeNotFound       = wire.CodeNotFound
	CodeBadRequest     = wire.CodeBadRequest
	CodeInvalidProfile = wire.CodeInvalidProfile
	CodeInvalidPack    = wire.CodeInvalidPack
	CodeUnauthorized   = wire.CodeUnauthorized
	CodeForbidden      = wire.CodeForbidden
	CodeConflict       = wire.CodeConflict
	CodeExists         = wire.CodeExists
	CodeImmutable      = wire.CodeImmutable
	CodeTooLarge       = wire.CodeTooLarge
	CodeUnsupported    = wire.CodeUnsupported
	CodeInternal       = wire.CodeInternal
	CodeUnavailable    = wire.CodeUnavailable
)

// statusOf is the one table from an error code to its HTTP status: handlers
// and the service say the code, this says the status.
func statusOf(code string) int {
	switch code {
	case CodeNotFound:
		return http.StatusNotFound
	case CodeBadRequest, CodeInvalidProfile, CodeInvalidPack:
		return http.StatusBadRequest
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeConflict, CodeExists, CodeImmutable:
		return http.StatusConflict
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupported:
		return http.StatusUnsupportedMediaType
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// apiError returns the error of a code, its status from statusOf.
func apiError(code, format string, args ...any) *Error {
	return &Error{Status: statusOf(code), Code: code, Message: fmt.Sprintf(format, args...)}
}

// errorFrom turns an error of the service into the answer: a verdict
// (*service.Error) with its code's status and its findings; anything else
// is a fault, a 500 whose cause is logged, never sent.
func errorFrom(err error) *Error {
	var se *service.Error
	if errors.As(err, &se) {
		e := apiError(se.Code, "%s", se.Message)
		if len(se.Findings) > 0 {
			e.Details = map[string]any{"findings": se.Findings}
		}
		return e
	}
	return internalError(err, "internal error")
}

// internalError is a 500 whose message the client sees and whose cause
// only the log does.
func internalError(cause error, format string, args ...any) *Error {
	e := apiError(CodeInternal, format, args...)
	e.cause = cause
	return e
}

func notFound(kind, uid string) *Error {
	return apiError(CodeNotFound, "%s %q not found", kind, uid)
}

// fromStore maps a store error to an API error (through the service's
// mapping, so that there is one).
func fromStore(err error, kind, uid string) *Error {
	return errorFrom(service.FromStore(err, kind, uid))
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
// findings in an error's details (see wire.FindingsHeader).
const FindingsHeader = wire.FindingsHeader

// shortFinding is a finding without its words, for error details.
type shortFinding struct {
	Severity finding.Severity `json:"severity"`
	Code     string           `json:"code"`
	Layer    string           `json:"layer,omitempty"`
	Path     string           `json:"path,omitempty"`
	Field    string           `json:"field,omitempty"`
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
		short[i] = shortFinding{Severity: f.Severity, Code: f.Code, Layer: f.Layer, Path: f.Path, Field: f.Field, Line: f.Line, Column: f.Column}
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
