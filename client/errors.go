package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/finding"
)

// APIError is an error answer of the server.
type APIError struct {
	// Method and Path are the request's, without the query.
	Method string
	Path   string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the server's error code (wire.Code*), e.g.
	// InvalidClusterProfile; empty when the answer was not a byoos error (a
	// proxy's, say).
	Code string
	// Message says what is wrong.
	Message string
	// Findings are details.findings: why a profile or pack was refused.
	Findings finding.List
	// RequestID is the X-Request-Id of the answer, for the server's logs.
	RequestID string
}

// Error formats METHOD PATH: STATUS CODE: message.
func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.StatusCode)
	}
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.StatusCode, code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func newAPIError(method, path string, resp *http.Response, raw []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(raw, &body) == nil && (body.Code != "" || body.Message != "") {
		e.Code, e.Message = body.Code, body.Message
		var d struct {
			Findings finding.List `json:"findings"`
		}
		if len(body.Details) > 0 && json.Unmarshal(body.Details, &d) == nil {
			e.Findings = d.Findings
		}
		return e
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		e.Message = "the server answers with a redirect to " + loc + " (not followed, so that the API key stays with the server): give the address it redirects to"
		return e
	}
	// Not a byoos error body: keep a short, printable excerpt.
	text := strings.TrimSpace(string(raw))
	if !utf8.ValidString(text) {
		text = ""
	}
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	e.Message = strings.Join(strings.Fields(text), " ")
	return e
}

// StatusCode returns the HTTP status of an *APIError in err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// ErrorCode returns the server's error code of an *APIError in err's chain.
func ErrorCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// IsNotFound reports whether err is a 404 answer or a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return StatusCode(err) == http.StatusNotFound || errors.As(err, &nf)
}

// NotFoundError says that no resource has the name or uid asked for.
type NotFoundError struct {
	// Kind is what was looked for, e.g. "cluster profile".
	Kind string
	// Name is the name or uid asked for (with the version, if one was).
	Name string
	// Known lists what there is instead, when it helps.
	Known []string
}

func (e *NotFoundError) Error() string {
	s := fmt.Sprintf("%s %q not found", e.Kind, e.Name)
	if len(e.Known) > 0 {
		s += " (there is " + strings.Join(e.Known, ", ") + ")"
	}
	return s
}

// AmbiguousError says that a name matches several resources: several
// versions of a profile, or registries of the same name in two scopes.
type AmbiguousError struct {
	Kind string
	Name string
	// Choices lists the matches, e.g. the versions.
	Choices []string
	// Hint says how to choose.
	Hint string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s %q is ambiguous: %s; %s", e.Kind, e.Name, strings.Join(e.Choices, ", "), e.Hint)
}

// IsRefusal reports whether err is the server refusing what was sent (the
// profile, pack or request itself: 400, 409, 413, 415, 422), as opposed to
// a fault of the server or the connection, which a retry may get past.
func IsRefusal(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.StatusCode {
	case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}
