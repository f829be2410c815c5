package finding

import (
	"strings"
	"testing"
)

func TestParseExplanations(t *testing.T) {
	const good = "# Codes\n\nintro\n\n## a-one\n\n**error**: the first.\n\nWhy it matters.\n\n```yaml\n## not-a-heading\nkey: v\n```\n\n## b-two\n**warning**: the second.\nFix it.\n"
	for _, c := range []struct {
		name, text, wantErr string
	}{
		{"a well-formed file parses, headings inside code blocks included", good, ""},
		{"a file with no section is refused", "# Codes\n\nintro\n", "no codes"},
		{"a section without a summary line is refused", "## a-one\n\nWhy.\n", "expected **error**"},
		{"a section that ends before its summary is refused", "## a-one\n\n", "no **SEVERITY**: summary"},
		{"an unknown severity is refused", "## a-one\n**fatal**: x.\nWhy.\n", "expected **error**"},
		{"an empty summary is refused", "## a-one\n**error**: \nWhy.\n", "expected **error**"},
		{"a section with no explanation is refused", "## a-one\n**error**: x.\n\n## b-two\n**error**: y.\nWhy.\n", "a-one has no explanation"},
		{"sections out of order are refused", "## b-two\n**error**: x.\nWhy.\n## a-one\n**error**: y.\nWhy.\n", "a-one comes after b-two"},
		{"a code given twice is refused", "## a-one\n**error**: x.\nWhy.\n## a-one\n**error**: y.\nWhy.\n", "a-one comes after a-one"},
		{"a heading that is not a code is refused", "## Not A Code\n**error**: x.\nWhy.\n", "is not a code"},
		{"an unclosed code block is refused", "## a-one\n**error**: x.\n```yaml\nk: v\n", "never closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseExplanations(c.text)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v; want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("got %d explanations: %+v", len(got), got)
			}
			a, b := got[0], got[1]
			if a.Code != "a-one" || a.Severity != Error || a.Summary != "the first." || !strings.HasPrefix(a.Text, "Why it matters.") || !strings.Contains(a.Text, "## not-a-heading") {
				t.Errorf("first = %+v", a)
			}
			if b.Code != "b-two" || b.Severity != Warning || b.Summary != "the second." || b.Text != "Fix it." {
				t.Errorf("second = %+v", b)
			}
		})
	}
}

func TestTheEmbeddedCodesFileParses(t *testing.T) {
	ex, err := parseExplanations(codesMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) < 100 {
		t.Fatalf("codes.md explains %d codes", len(ex))
	}
	for _, e := range ex {
		if strings.Contains(e.Summary, "\n") || len(e.Summary) > 100 {
			t.Errorf("%s: the summary is not one short line: %q", e.Code, e.Summary)
		}
	}
}

func FuzzParseExplanations(f *testing.F) {
	f.Add(codesMarkdown)
	f.Add("## a-one\n**error**: x.\nWhy.\n")
	f.Add("## a-one\n**error**: x.\n```\n## b-two\n")
	f.Add("## -\n**info**:  \n")
	f.Fuzz(func(t *testing.T, text string) {
		ex, err := parseExplanations(text)
		if err != nil {
			return
		}
		for i, e := range ex {
			if !validCode(e.Code) || e.Summary == "" || e.Text == "" {
				t.Fatalf("accepted an incomplete explanation: %+v", e)
			}
			if i > 0 && ex[i-1].Code >= e.Code {
				t.Fatalf("accepted %s after %s", e.Code, ex[i-1].Code)
			}
		}
	})
}
