package wire

// Error is an error answer (V1Error).
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
	Ref     string `json:"ref,omitempty"`
}

// Error codes the server sends. ResourceNotFound is the one Palette's SDK
// matches on. Each code has one HTTP status (see api's status table).
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
	CodeUnavailable    = "ServiceUnavailable"
)

// FindingsHeader, set to "full" by a client, asks for every field of the
// findings in an error's details. Others get the short form: the error's
// message already says each finding in words, and Palette's clients (the
// Terraform provider) print details in full next to it.
const FindingsHeader = "Byoos-Findings"

// RequestIDHeader carries the id of a request, in both directions.
const RequestIDHeader = "X-Request-Id"
