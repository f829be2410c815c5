package cli

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

func TestExplain(t *testing.T) {
	name, _ := finding.Explain(finding.CodeAWSAMIName)
	for _, c := range []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string
		wantErr    []string
		notWantErr []string
	}{
		{"a known code prints its severity, summary and explanation", []string{"explain", "aws-ami-name"}, ExitOK,
			[]string{"aws-ami-name (error): " + name.Summary + "\n\n", name.Text}, nil, nil},
		{"a code is found whatever its case and surrounding space", []string{"explain", " AWS-AMI-Name "}, ExitOK,
			[]string{"aws-ami-name (error): " + name.Summary}, nil, nil},
		{"a misspelt code exits 2 and names the closest code", []string{"explain", "aws-ami-nme"}, ExitUsage,
			nil, []string{`"aws-ami-nme" is not a finding code; did you mean aws-ami-name?`}, nil},
		{"the start of a code exits 2 and names codes that begin with it", []string{"explain", "edge-credentials"}, ExitUsage,
			nil, []string{"did you mean edge-credentials-", " or edge-credentials-"}, nil},
		{"a code close to none exits 2 without a guess", []string{"explain", "no-such-thing-at-all"}, ExitUsage,
			nil, []string{"is not a finding code", "byoos explain lists them all"}, []string{"did you mean"}},
		{"a code with terminal escapes is echoed escaped", []string{"explain", "\x1b[2Jaws"}, ExitUsage,
			nil, []string{`"\x1b[2Jaws" is not a finding code`}, []string{"\x1b"}},
		{"two codes are a usage error", []string{"explain", "aws-ami-name", "aws-ami-arn"}, ExitUsage,
			nil, []string{"accepts at most 1 arg"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, "", c.args...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.wantCode, errOut)
			}
			if c.wantCode != ExitOK && out != "" {
				t.Errorf("printed %q on a refused code", out)
			}
			for _, w := range c.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
			for _, w := range c.notWantErr {
				if strings.Contains(errOut, w) {
					t.Errorf("stderr has %q: %s", w, errOut)
				}
			}
		})
	}
}

func TestExplainExplainsEveryCode(t *testing.T) {
	codes := finding.Codes()
	if len(codes) < 100 {
		t.Fatalf("only %d codes", len(codes))
	}
	for _, code := range codes {
		out, errOut, exit := run(t, "", "explain", code)
		ex, _ := finding.Explain(code)
		if exit != ExitOK || !strings.HasPrefix(out, code+" ("+string(ex.Severity)+"): "+ex.Summary+"\n") || !strings.Contains(out, ex.Text) {
			t.Errorf("explain %s: exit %d, stdout %q, stderr %q", code, exit, out, errOut)
		}
	}
}

func TestExplainWithoutACodeListsEveryCodeWithItsSummary(t *testing.T) {
	out, errOut, exit := run(t, "", "explain")
	if exit != ExitOK {
		t.Fatalf("exit %d: %s", exit, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	ex := finding.Explanations()
	if len(lines) != len(ex)+1 || !strings.HasPrefix(lines[0], "CODE ") {
		t.Fatalf("got %d lines for %d codes; first %q", len(lines), len(ex), lines[0])
	}
	for i, e := range ex {
		f := strings.Fields(lines[i+1])
		if len(f) < 3 || f[0] != e.Code || f[1] != string(e.Severity) || !strings.HasSuffix(lines[i+1], "  "+e.Summary) {
			t.Errorf("line %d is %q; want %s, %s and %q", i+2, lines[i+1], e.Code, e.Severity, e.Summary)
		}
	}
}
