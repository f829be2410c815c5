package finding_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// findingImport is the import path of package finding.
const findingImport = "github.com/byoos/byoos/finding"

// codeShape is what a finding code looks like: lower-case words joined by
// hyphens. The API's error codes (InvalidClusterProfile, ...) are another
// namespace, written in PascalCase, and are not finding codes.
var codeShape = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)

// codeLiteral is a string literal written where a finding code goes.
type codeLiteral struct {
	at    string // file:line
	value string
}

// codeRef is a reference to a constant of package finding named Code*.
type codeRef struct {
	at   string
	name string
	// alias is set when the reference is the value of another package's
	// constant (osimage.CodeOCIInvalid = finding.CodeOCIInvalid): that
	// names the code again but does not report it.
	alias bool
}

// sourceCodes is what the scan of the module's non-test Go files found.
type sourceCodes struct {
	literals []codeLiteral
	refs     []codeRef
}

// moduleRoot is the repository root, seen from this package's directory.
const moduleRoot = ".."

// goFiles lists the module's Go files outside testdata, by package directory.
func goFiles(t *testing.T) map[string][]string {
	t.Helper()
	dirs := map[string][]string{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != moduleRoot && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 10 {
		t.Fatalf("found Go files in only %d directories under %s; is the module root right?", len(dirs), moduleRoot)
	}
	return dirs
}

// scanSource parses every non-test Go file of the module and collects the
// finding codes it uses: string literals in code positions, and references
// to finding's Code* constants.
//
// A code position is
//   - the value of a Code: field in a composite literal (finding.Finding,
//     osimage.Problem, macro.Issue, schema.CheckError, ...);
//   - an argument of a call at the place of a parameter named code, of a
//     function or method declared in the same package or a function literal
//     bound to a name there (newProblem, c.add, bad, at, ...), and the first
//     argument of the Errorf and Warnf methods of finding.List;
//   - the value given to a variable named code;
//   - a case of a switch on code or on X.Code, and either side of a
//     comparison with code or X.Code;
//   - the value of a constant named Code* or code* in a package other than
//     finding.
//
// A code held in a variable of another name, or built at run time, is not
// seen: keep codes in the constants and these positions.
func scanSource(t *testing.T) sourceCodes {
	t.Helper()
	var out sourceCodes
	fset := token.NewFileSet()
	for dir, paths := range goFiles(t) {
		var files []*ast.File
		for _, p := range paths {
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		inFinding := filepath.Base(dir) == "finding" && files[0].Name.Name == "finding"
		calls := codeParams(files)
		for _, f := range files {
			scanFile(fset, f, calls, inFinding, &out)
		}
	}
	return out
}

// codeParams maps the names of a package's functions, methods and named
// function literals to the index of their parameter named code. The Errorf
// and Warnf methods of finding.List take the code first.
func codeParams(files []*ast.File) map[string]int {
	m := map[string]int{"Errorf": 0, "Warnf": 0}
	index := func(ft *ast.FuncType) int {
		i := 0
		for _, field := range ft.Params.List {
			if len(field.Names) == 0 {
				i++
				continue
			}
			for _, n := range field.Names {
				if n.Name == "code" {
					return i
				}
				i++
			}
		}
		return -1
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if i := index(n.Type); i >= 0 {
					m[n.Name.Name] = i
				}
			case *ast.AssignStmt:
				for k, rhs := range n.Rhs {
					if fl, ok := rhs.(*ast.FuncLit); ok && k < len(n.Lhs) {
						if id, ok := n.Lhs[k].(*ast.Ident); ok {
							if i := index(fl.Type); i >= 0 {
								m[id.Name] = i
							}
						}
					}
				}
			}
			return true
		})
	}
	return m
}

// isCodeExpr reports whether e is the variable code or a field X.Code.
func isCodeExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "code"
	case *ast.SelectorExpr:
		return e.Sel.Name == "Code"
	}
	return false
}

func scanFile(fset *token.FileSet, f *ast.File, calls map[string]int, inFinding bool, out *sourceCodes) {
	findingName := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == findingImport {
			findingName = "finding"
			if imp.Name != nil {
				findingName = imp.Name.Name
			}
		}
	}
	at := func(n ast.Node) string {
		p := fset.Position(n.Pos())
		return filepath.ToSlash(strings.TrimPrefix(p.Filename, moduleRoot+string(filepath.Separator))) + ":" + strconv.Itoa(p.Line)
	}
	lit := func(e ast.Expr) {
		bl, ok := ast.Unparen(e).(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(bl.Value)
		if err != nil || !codeShape.MatchString(s) {
			return
		}
		out.literals = append(out.literals, codeLiteral{at: at(bl), value: s})
	}
	var constDepth int
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			if n.Tok == token.CONST {
				if !inFinding {
					for _, spec := range n.Specs {
						vs := spec.(*ast.ValueSpec)
						for k, name := range vs.Names {
							if strings.HasPrefix(strings.ToLower(name.Name), "code") && k < len(vs.Values) {
								lit(vs.Values[k])
							}
						}
					}
				}
				constDepth++
				for _, spec := range n.Specs {
					ast.Inspect(spec, walk)
				}
				constDepth--
				return false
			}
			for _, spec := range n.Specs {
				if vs, ok := spec.(*ast.ValueSpec); ok {
					for k, name := range vs.Names {
						if name.Name == "code" && k < len(vs.Values) {
							lit(vs.Values[k])
						}
					}
				}
			}
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && findingName != "" && id.Name == findingName && isCodeConstName(n.Sel.Name) {
				out.refs = append(out.refs, codeRef{at: at(n), name: n.Sel.Name, alias: constDepth > 0})
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
				lit(n.Value)
			}
		case *ast.CallExpr:
			name := ""
			switch fn := n.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "fmt" {
					name = fn.Sel.Name
				}
			}
			if i, ok := calls[name]; ok && i < len(n.Args) {
				lit(n.Args[i])
			}
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for k, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name == "code" {
						lit(n.Rhs[k])
					}
				}
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && isCodeExpr(n.Tag) {
				for _, s := range n.Body.List {
					for _, e := range s.(*ast.CaseClause).List {
						lit(e)
					}
				}
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if isCodeExpr(n.X) {
					lit(n.Y)
				}
				if isCodeExpr(n.Y) {
					lit(n.X)
				}
			}
		}
		return true
	}
	ast.Inspect(f, walk)
}

// isCodeConstName reports whether name is that of a code constant, Code and
// a capital (CodePackNotFound), rather than a function such as Codes.
func isCodeConstName(name string) bool {
	return len(name) > 4 && strings.HasPrefix(name, "Code") && name[4] >= 'A' && name[4] <= 'Z'
}
