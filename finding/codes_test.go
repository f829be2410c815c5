package finding_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

var update = flag.Bool("update", false, "rewrite the README's list of finding codes")

// reserved lists codes declared before anything reports them, each with the
// reason. None is reserved today: every declared code is reported somewhere.
var reserved = map[string]string{}

// declaredCode is one Code* constant of codes.go.
type declaredCode struct {
	name, value, doc string
}

// declaredCodes parses codes.go and returns its Code* constants in order.
func declaredCodes(t *testing.T) []declaredCode {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var out []declaredCode
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for k, name := range vs.Names {
				if !isCodeConstName(name.Name) {
					continue
				}
				c := declaredCode{name: name.Name, doc: strings.TrimSpace(vs.Doc.Text())}
				if k < len(vs.Values) {
					if bl, ok := vs.Values[k].(*ast.BasicLit); ok && bl.Kind == token.STRING {
						c.value, _ = strconv.Unquote(bl.Value)
					}
				}
				out = append(out, c)
			}
		}
	}
	if len(out) < 100 {
		t.Fatalf("codes.go declares %d codes; expected the whole table", len(out))
	}
	return out
}

func TestEveryDeclaredCodeIsUniqueDocumentedAndExplained(t *testing.T) {
	explained := map[string]finding.Explanation{}
	for _, e := range finding.Explanations() {
		explained[e.Code] = e
	}
	byValue := map[string]string{}
	for _, c := range declaredCodes(t) {
		switch {
		case c.value == "":
			t.Errorf("%s is not a string literal; a code is declared once, as text", c.name)
			continue
		case !codeShape.MatchString(c.value):
			t.Errorf("%s = %q: a code is lower-case words joined by hyphens", c.name, c.value)
		}
		if other, dup := byValue[c.value]; dup {
			t.Errorf("%s and %s are both %q; each code is declared once", other, c.name, c.value)
		}
		byValue[c.value] = c.name
		e, ok := explained[c.value]
		if !ok {
			t.Errorf("%s = %q has no section in codes.md", c.name, c.value)
			continue
		}
		if want := c.name + ": " + e.Summary; c.doc != want {
			t.Errorf("the doc comment of %s is %q; want %q, the summary in codes.md", c.name, c.doc, want)
		}
	}
	for code := range explained {
		if _, ok := byValue[code]; !ok {
			t.Errorf("codes.md explains %q, which codes.go does not declare", code)
		}
	}
	if got, want := len(finding.Codes()), len(byValue); got != want {
		t.Errorf("Codes() returns %d codes; codes.go declares %d", got, want)
	}
}

func TestEveryCodeUsedInTheSourceIsADeclaredConstant(t *testing.T) {
	declared := map[string]string{} // name → value
	byValue := map[string]string{}
	for _, c := range declaredCodes(t) {
		declared[c.name] = c.value
		byValue[c.value] = c.name
	}
	src := scanSource(t)
	for _, l := range src.literals {
		if name, ok := byValue[l.value]; ok {
			t.Errorf("%s: code %q is written as a literal; use finding.%s", l.at, l.value, name)
		} else {
			t.Errorf("%s: code %q is not declared; declare it in finding/codes.go and explain it in finding/codes.md", l.at, l.value)
		}
	}
	for _, r := range src.refs {
		if _, ok := declared[r.name]; !ok {
			t.Errorf("%s: finding.%s is not a declared code", r.at, r.name)
		}
	}
	if len(src.refs) < len(declared) {
		t.Errorf("found %d references to finding's codes for %d codes; the scan is missing something", len(src.refs), len(declared))
	}
}

func TestEveryDeclaredCodeIsReportedSomewhere(t *testing.T) {
	used := map[string]bool{}
	for _, r := range scanSource(t).refs {
		if !r.alias {
			used[r.name] = true
		}
	}
	for _, c := range declaredCodes(t) {
		_, isReserved := reserved[c.value]
		switch {
		case !used[c.name] && !isReserved:
			t.Errorf("finding.%s (%q) is declared but nothing outside a constant declaration uses it; report it, or list it in reserved with the reason", c.name, c.value)
		case used[c.name] && isReserved:
			t.Errorf("finding.%s (%q) is listed as reserved but is used; take it off the list", c.name, c.value)
		}
	}
}

// goldenLine is one finding as the CLI prints it: FILE:LINE:COL: SEVERITY CODE ...
var goldenLine = regexp.MustCompile(`(?m)^\S+: (?:error|warning|info) (\S+)`)

// goldenJSON is a code in a JSON finding.
var goldenJSON = regexp.MustCompile(`"code": *"([a-z][a-z0-9-]*)"`)

// TestGoldenFilesUseDeclaredCodes reads every testdata file (fuzz corpora
// aside) and the README's example output for findings as the CLI prints
// them (FILE:LINE:COL: SEVERITY CODE ...) or as JSON ("code": "...").
func TestGoldenFilesUseDeclaredCodes(t *testing.T) {
	known := map[string]bool{}
	for _, c := range finding.Codes() {
		known[c] = true
	}
	seen := 0
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != moduleRoot && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		slash := filepath.ToSlash(path)
		if path != filepath.Join(moduleRoot, "README.md") && (!strings.Contains(slash, "/testdata/") || strings.Contains(slash, "/testdata/fuzz/")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{goldenLine, goldenJSON} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen++
				if !known[m[1]] {
					t.Errorf("%s: code %q is not declared in finding/codes.go", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Errorf("found %d codes in testdata; expected the golden files of the invalid examples", seen)
	}
}

// readmeCodes is the README's list of codes, as generated from codes.md.
func readmeCodes() string {
	var b strings.Builder
	b.WriteString("| code | severity | meaning |\n| --- | --- | --- |\n")
	for _, e := range finding.Explanations() {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", e.Code, e.Severity, strings.ReplaceAll(e.Summary, "|", `\|`))
	}
	return b.String()
}

func TestTheREADMEListsEveryCodeWithItsSummary(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	const heading = "\n## Finding codes\n"
	start := strings.Index(readme, heading)
	if start < 0 {
		t.Fatalf("README.md has no section %q", strings.TrimSpace(heading))
	}
	start += len(heading)
	end := strings.Index(readme[start:], "\n## ")
	if end < 0 {
		end = len(readme) - start
	}
	section := readme[start : start+end]
	tableAt := strings.Index(section, "| code |")
	tableEnd := len(section)
	if tableAt >= 0 {
		tableEnd = tableAt
		for tableEnd < len(section) && section[tableEnd] == '|' {
			tableEnd += strings.IndexByte(section[tableEnd:], '\n') + 1
		}
	}
	want := readmeCodes()
	if tableAt >= 0 && section[tableAt:tableEnd] == want {
		return
	}
	if *update {
		var fixed string
		if tableAt >= 0 {
			fixed = readme[:start+tableAt] + want + readme[start+tableEnd:]
		} else {
			fixed = readme[:start+end] + "\n" + want + readme[start+end:]
		}
		if err := os.WriteFile(path, []byte(fixed), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the list of codes in README.md's Finding codes section differs from finding/codes.md (run go test ./finding -run README -update); want:\n%s", want)
}

func TestExplainFindsEveryCodeAndOnlyThose(t *testing.T) {
	for _, code := range finding.Codes() {
		e, ok := finding.Explain(code)
		if !ok || e.Code != code || e.Summary == "" || e.Text == "" {
			t.Errorf("Explain(%q) = %+v, %v", code, e, ok)
		}
	}
	for _, code := range []string{"", "aws-ami", "AWS-AMI-NAME", "aws-ami-name ", "zzz-unknown"} {
		if e, ok := finding.Explain(code); ok {
			t.Errorf("Explain(%q) = %+v; want not found", code, e)
		}
	}
	if !slices.IsSorted(finding.Codes()) {
		t.Error("Codes() is not sorted")
	}
}
