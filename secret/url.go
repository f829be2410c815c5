package secret

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// credentialKeys are the query parameter names that carry a credential in the
// URLs an image or a pack can be fetched from: Azure SAS tokens (sig), AWS and
// Google presigned URLs, OAuth and bearer tokens, and plain passwords. They are
// compared ignoring case, after percent-decoding.
var credentialKeys = [...]string{
	"sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
	"x-goog-signature", "x-goog-credential", "googleaccessid", "token", "access_token",
	"id_token", "refresh_token", "code", "password", "passwd", "pwd", "secret",
	"client_secret", "api_key", "apikey", "api-key", "auth", "authorization",
}

// IsCredentialQueryKey reports whether a raw (still percent-encoded) query
// parameter name carries a credential: sig, signature, x-amz-signature, token,
// access_token, code, password and the like, in any case and however
// percent-encoded ("SIG", "%73ig", " sig").
func IsCredentialQueryKey(rawKey string) bool {
	k := NormalizeQueryKey(rawKey)
	for _, c := range credentialKeys {
		if strings.EqualFold(k, c) {
			return true
		}
	}
	return false
}

// NormalizeQueryKey percent-decodes a raw query parameter name (again and
// again, so "%2573ig" gives "sig"; invalid escapes are kept as they are), reads
// '+' as a space, and trims the white space and control characters around it.
// Compare the result with strings.EqualFold.
func NormalizeQueryKey(rawKey string) string {
	k := rawKey
	for range 4 {
		d := percentDecode(strings.ReplaceAll(k, "+", " "))
		if d == k {
			break
		}
		k = d
	}
	return strings.TrimFunc(k, func(r rune) bool {
		return r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff'
	})
}

// percentDecode decodes the valid %XX escapes of s and leaves anything else.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// RedactURL returns s with the credentials a URL can carry replaced by [Mask],
// so that a message or hint can quote a URL a user gave without repeating a
// secret. It is the one function every message quoting a URL goes through.
//
// s need not be a valid URL: it may hold white space, NBSP, control characters
// or invalid UTF-8, or be only a part of a URL. RedactURL works on the bytes and
// errs on the side of hiding too much:
//
//   - the value of every parameter whose name [IsCredentialQueryKey] — a
//     parameter starts at the beginning of s or after any '?', '&', ';' or '#',
//     and its value runs to the next '&', ';' or '#' (white space included);
//   - the whole userinfo after every "://" (and after a leading "//"): user name
//     and password, up to the last '@' before the next "://", so that a password
//     holding an unescaped '/', '?' or '#' is hidden too. A URL whose path holds
//     an '@' loses its host and path in the message, never a secret.
//
// Everything else is returned unchanged.
func RedactURL(s string) string {
	spans := credentialSpans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(Mask)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// URLHasCredentials reports whether s carries a credential that [RedactURL]
// would hide: userinfo or a credential query parameter.
func URLHasCredentials(s string) bool { return len(credentialSpans(s)) > 0 }

// credentialSpans returns the sorted, merged byte ranges of s to hide.
func credentialSpans(s string) [][2]int {
	var spans [][2]int
	// Userinfo after each "://" (or a leading "//").
	for i := 0; i < len(s); {
		var a int
		switch j := strings.Index(s[i:], "://"); {
		case i == 0 && strings.HasPrefix(s, "//"):
			a = 2
		case j >= 0:
			a = i + j + 3
		default:
			a = -1
		}
		if a < 0 {
			break
		}
		end := len(s)
		if n := strings.Index(s[a:], "://"); n >= 0 {
			end = a + n
		}
		if at := strings.LastIndexByte(s[a:end], '@'); at > 0 {
			spans = append(spans, [2]int{a, a + at})
		}
		i = a
	}
	// Parameters: at the start and after each separator.
	for p := 0; p < len(s); p++ {
		if p > 0 && !isParamSep(s[p-1]) {
			continue
		}
		eq := -1
		for k := p; k < len(s); k++ {
			if s[k] == '=' {
				eq = k
				break
			}
			if isParamSep(s[k]) {
				break
			}
		}
		if eq < 0 || !IsCredentialQueryKey(s[p:eq]) {
			continue
		}
		v := eq + 1
		e := v
		for e < len(s) && s[e] != '&' && s[e] != ';' && s[e] != '#' {
			e++
		}
		if e > v {
			spans = append(spans, [2]int{v, e})
		}
	}
	return mergeSpans(spans)
}

func isParamSep(c byte) bool { return c == '?' || c == '&' || c == ';' || c == '#' }

// mergeSpans sorts spans and joins the ones that overlap or touch.
func mergeSpans(spans [][2]int) [][2]int {
	if len(spans) < 2 {
		return spans
	}
	// Insertion sort: there are few spans.
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j][0] < spans[j-1][0]; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := spans[:1]
	for _, sp := range spans[1:] {
		lastSp := &out[len(out)-1]
		if sp[0] <= lastSp[1] {
			lastSp[1] = max(lastSp[1], sp[1])
			continue
		}
		out = append(out, sp)
	}
	return out
}
