package secret

import (
	"sort"
	"strconv"
	"strings"
)

// Derived is what a message shows instead of a value derived from a secret.
const Derived = "(derived from a secret)"

// clipFrom is the length past which a value is also found by its first
// clipFrom bytes: messages cut long values short, and a cut value is still a
// secret.
const clipFrom = 32

// wordUnder is the length under which a value is replaced only where it
// stands as a word, so that a short secret does not blot out the prose.
const wordUnder = 6

// Redactor replaces secret values, and values derived from them, in text
// meant for people (messages, hints, logs): as written, as Go quotes them
// (strconv.Quote), and cut short after their first bytes. The zero value is
// ready to use; a nil *Redactor redacts nothing.
type Redactor struct {
	items  []redaction
	sorted bool
}

type redaction struct{ form, repl string }

// Add registers value, to be replaced by repl (Mask for a secret, Derived
// for a value computed from one). Values shorter than 3 bytes, and values
// that are the mask, are not registered: they cannot be told from prose.
func (r *Redactor) Add(value, repl string) {
	if len(value) < 3 || value == Mask || value == Derived {
		return
	}
	r.items = append(r.items, redaction{value, repl})
	if q := strconv.Quote(value); q[1:len(q)-1] != value {
		r.items = append(r.items, redaction{q[1 : len(q)-1], repl})
	}
	r.sorted = false
}

// Len returns the number of forms registered.
func (r *Redactor) Len() int {
	if r == nil {
		return 0
	}
	return len(r.items)
}

// Redact returns text with every registered value replaced.
func (r *Redactor) Redact(text string) string {
	if r == nil || len(r.items) == 0 || text == "" {
		return text
	}
	if !r.sorted {
		// Longest first, so a value that holds another is replaced whole.
		sort.SliceStable(r.items, func(i, j int) bool { return len(r.items[i].form) > len(r.items[j].form) })
		r.sorted = true
	}
	for _, it := range r.items {
		text = replaceForm(text, it.form, it.repl)
	}
	return text
}

// replaceForm replaces form in text: whole, or, for a long form, any run of
// at least its first clipFrom bytes.
func replaceForm(text, form, repl string) string {
	key := form
	if len(key) > clipFrom {
		key = key[:clipFrom]
	}
	if !strings.Contains(text, key) {
		return text
	}
	var b strings.Builder
	for i := 0; ; {
		k := strings.Index(text[i:], key)
		if k < 0 {
			b.WriteString(text[i:])
			return b.String()
		}
		start := i + k
		end := start + len(key)
		for m := len(key); end < len(text) && m < len(form) && text[end] == form[m]; m++ {
			end++
		}
		if len(form) < wordUnder && (isWordByte(text, start-1) || isWordByte(text, end)) {
			b.WriteString(text[i : start+1])
			i = start + 1
			continue
		}
		b.WriteString(text[i:start])
		b.WriteString(repl)
		i = end
	}
}

func isWordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
