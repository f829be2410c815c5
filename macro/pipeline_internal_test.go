package macro

import (
	"fmt"
	"testing"
)

// TestNativeStepsMatchSprig runs every natively compiled pipeline both ways,
// natively and through text/template with Sprig, and expects the same output,
// or a template error wherever the native run declines.
func TestNativeStepsMatchSprig(t *testing.T) {
	e := New()
	var pipes []string
	for a := -7; a <= 7; a++ {
		pipes = append(pipes, fmt.Sprintf("trunc %d", a))
		for b := -7; b <= 7; b++ {
			pipes = append(pipes, fmt.Sprintf("substr %d %d", a, b))
		}
	}
	pipes = append(pipes, "upper", "lower", "trim", "quote", "squote", `default "x"`, `default ""`,
		`default "1.19.0" | upper | trunc 3`, `lower | default "d" | quote | substr 1 4`, `trim | squote | trunc -2`)
	vals := []string{"", "a", "Hello", "  Ünïcødé ✓ ", "1.29.5", "tab\tquote\"", "\xff\xfe"}
	for _, p := range pipes {
		pl := e.pipeline(p)
		if pl.err != nil || pl.steps == nil {
			t.Fatalf("%q: not compiled natively (err %v)", p, pl.err)
		}
		for _, v := range vals {
			native, ok := runSteps(pl.steps, v)
			w := limitWriter{max: MaxOutput}
			err := pl.t.Execute(&w, data{V: v})
			switch {
			case ok && err != nil:
				t.Errorf("%q on %q: native %q, template error %v", p, v, native, err)
			case !ok && err == nil:
				t.Errorf("%q on %q: native declined, template gave %q", p, v, w.b.String())
			case ok && native != w.b.String():
				t.Errorf("%q on %q: native %q, template %q", p, v, native, w.b.String())
			}
		}
	}
}

func TestPipelinesNotCompiledNatively(t *testing.T) {
	e := New()
	for _, p := range []string{`default 5`, `trunc 1.5`, `trunc "3"`, `default .V`, `b64enc`, `default (upper "x")`, `upper "x"`, `substr 1`} {
		if pl := e.pipeline(p); pl.steps != nil {
			t.Errorf("%q compiled natively", p)
		}
	}
}
