package secret

import (
	"strconv"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	long := "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
	tests := []struct {
		name, text, want string
	}{
		{name: "a secret is replaced by the mask", text: `password "hunter22" is weak`, want: `password "********" is weak`},
		{name: "a secret as Go quotes it is replaced", text: "value " + strconv.Quote("tab\there") + " is bad", want: `value "********" is bad`},
		{name: "a long secret cut short in a message is replaced", text: "key " + strconv.Quote(long[:60]) + "… (64 bytes in all)", want: `key "********"… (64 bytes in all)`},
		{name: "a value derived from a secret says so", text: `image "reg.example.com/derived:v1" is bad`, want: `image "(derived from a secret)" is bad`},
		{name: "a short secret is replaced where it stands as a word", text: "pin 4711 and 47110", want: "pin ******** and 47110"},
		{name: "text without secrets is left alone", text: "nothing here", want: "nothing here"},
		{name: "every occurrence is replaced", text: "hunter22 hunter22", want: "******** ********"},
	}
	var r Redactor
	r.Add("hunter22", Mask)
	r.Add("tab\there", Mask)
	r.Add(long, Mask)
	r.Add("4711", Mask)
	r.Add("reg.example.com/derived:v1", Derived)
	r.Add("ab", Mask) // too short to tell from prose: not registered
	r.Add(Mask, Mask) // the mask itself: not registered
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.text); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	var nilR *Redactor
	if got := nilR.Redact("hunter22"); got != "hunter22" {
		t.Errorf("a nil Redactor changed the text: %q", got)
	}
}

// FuzzRedactor checks that a registered secret of 6 bytes or more never
// survives redaction, wherever it stands in the text (secrets made of the
// mask's own stars aside: the mask next to a star rebuilds them).
func FuzzRedactor(f *testing.F) {
	f.Add("hunter22", "password is hunter22.")
	f.Add("a\"b\\c\x00d", "quoted \"a\\\"b\\\\c\\x00d\"")
	f.Add(strings.Repeat("k", 40), "x"+strings.Repeat("k", 35)+"…")
	f.Fuzz(func(t *testing.T, secret, text string) {
		var r Redactor
		r.Add(secret, Mask)
		out := r.Redact(text + secret + text)
		if len(secret) >= wordUnder && !strings.Contains(secret, "*") && strings.Contains(out, secret) {
			t.Fatalf("secret %q survived in %q", secret, out)
		}
	})
}
