package macro

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// pipeline is a parsed pipeline: a template {{ .V | PIPELINE }}, and, when
// every function in it is a simple string function with literal arguments,
// the same steps run natively (text/template's reflection costs a
// microsecond a call).
type pipeline struct {
	t     *template.Template
	err   error
	steps []step // nil: run the template
	// funcs counts the function calls in the pipeline, nested ones included.
	funcs int
	// amplifies is true when the pipeline calls a function that can build a
	// large output from a small input: every step may then hold up to
	// MaxOutput bytes.
	amplifies bool
}

// step is one native function call.
type step struct {
	fn   string
	s    string
	a, b int
}

// data is what a pipeline runs on: {{ .V | PIPELINE }}.
type data struct{ V string }

// run applies a pipeline to v; units is the work it may have done (see Budget).
func (e *Engine) run(p, v string) (out string, units int, err error) {
	pl := e.pipeline(p)
	if pl.err != nil {
		return "", 0, pl.err
	}
	defer func() { units = cost(pl.funcs, pl.amplifies, v, out) }()
	if pl.steps != nil {
		if out, ok := runSteps(pl.steps, v); ok {
			if len(out) > MaxOutput {
				return "", 0, errTooBig
			}
			return out, 0, nil
		}
		// A step that would fail: let text/template say how.
	}
	w := limitWriter{max: MaxOutput}
	if err := pl.t.Execute(&w, data{V: v}); err != nil {
		if errors.Is(err, errTooBig) {
			return "", 0, errTooBig
		}
		return "", 0, errors.New(plain(err.Error()))
	}
	return w.b.String(), 0, nil
}

// pipeline returns the parsed pipeline p, from the cache when it can.
func (e *Engine) pipeline(p string) pipeline {
	e.mu.RLock()
	pl, ok := e.cache[p]
	e.mu.RUnlock()
	if ok {
		return pl
	}
	pl = e.parse(p)
	if pl.err != nil && strings.Contains(p, `\"`) {
		pl = e.parse(strings.ReplaceAll(p, `\"`, `"`))
	}
	e.mu.Lock()
	if len(e.cache) < maxCache {
		e.cache[p] = pl
	}
	e.mu.Unlock()
	return pl
}

var errNotFunctions = errors.New("the pipeline must be functions only: | fn args | fn args")

func (e *Engine) parse(p string) pipeline {
	if strings.HasSuffix(trimSpace(p), "|") {
		return pipeline{err: errors.New("a function name is missing after the last \"|\"")}
	}
	t, err := template.New("macro").Funcs(e.funcs).Option("missingkey=error").Parse("{{ .V | " + p + " }}")
	if err != nil {
		return pipeline{err: errors.New(plain(err.Error()))}
	}
	if t.Tree == nil || len(t.Tree.Root.Nodes) != 1 || len(t.Templates()) != 1 {
		return pipeline{err: errNotFunctions}
	}
	action, ok := t.Tree.Root.Nodes[0].(*parse.ActionNode)
	if !ok || len(action.Pipe.Decl) != 0 {
		return pipeline{err: errNotFunctions}
	}
	n, amplifies := countFuncs(action.Pipe)
	if n > MaxFunctions {
		return pipeline{err: fmt.Errorf("the pipeline calls %d functions; a macro may call at most %d", n, MaxFunctions)}
	}
	return pipeline{t: t, steps: compile(action.Pipe.Cmds), funcs: n, amplifies: amplifies}
}

// amplifying are the functions that can build up to MaxOutput bytes from a
// small input.
const amplifying = " repeat until untilStep seq indent nindent replace wrapWith regexReplaceAll mustRegexReplaceAll " +
	"regexReplaceAllLiteral mustRegexReplaceAllLiteral randAlphaNum randAlpha randAscii randNumeric randBytes "

// countFuncs counts the function calls in a pipeline, those in
// parenthesized arguments included, and says whether one of them amplifies.
func countFuncs(p *parse.PipeNode) (n int, amplifies bool) {
	if p == nil {
		return 0, false
	}
	for _, c := range p.Cmds {
		for i, a := range c.Args {
			switch a := a.(type) {
			case *parse.IdentifierNode:
				if i == 0 {
					n++
					amplifies = amplifies || strings.Contains(amplifying, " "+a.Ident+" ")
				}
			case *parse.PipeNode:
				cn, ca := countFuncs(a)
				n, amplifies = n+cn, amplifies || ca
			}
		}
	}
	return n, amplifies
}

// compile turns the commands after {{ .V | into native steps, or nil when
// one of them is not a function known here with literal arguments.
func compile(cmds []*parse.CommandNode) []step {
	if len(cmds) < 2 {
		return nil
	}
	steps := make([]step, 0, len(cmds)-1)
	for _, c := range cmds[1:] {
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok {
			return nil
		}
		args := c.Args[1:]
		st := step{fn: id.Ident}
		switch id.Ident {
		case "upper", "lower", "trim", "quote", "squote":
			if len(args) != 0 {
				return nil
			}
		case "default":
			if len(args) != 1 {
				return nil
			}
			s, ok := args[0].(*parse.StringNode)
			if !ok {
				return nil
			}
			st.s = s.Text
		case "trunc":
			if len(args) != 1 || !intArg(args[0], &st.a) {
				return nil
			}
		case "substr":
			if len(args) != 2 || !intArg(args[0], &st.a) || !intArg(args[1], &st.b) {
				return nil
			}
		default:
			return nil
		}
		steps = append(steps, st)
	}
	return steps
}

func intArg(n parse.Node, out *int) bool {
	num, ok := n.(*parse.NumberNode)
	if !ok || !num.IsInt || num.Int64 != int64(int(num.Int64)) {
		return false
	}
	*out = int(num.Int64)
	return true
}

// runSteps runs native steps with Sprig's semantics; ok is false where the
// Sprig function would fail.
func runSteps(steps []step, v string) (string, bool) {
	for _, st := range steps {
		switch st.fn {
		case "upper":
			v = strings.ToUpper(v)
		case "lower":
			v = strings.ToLower(v)
		case "trim":
			v = strings.TrimSpace(v)
		case "quote":
			v = strconv.Quote(v)
		case "squote":
			v = "'" + v + "'"
		case "default":
			if v == "" {
				v = st.s
			}
		case "trunc":
			c := st.a
			if c < 0 && len(v)+c > 0 {
				v = v[len(v)+c:]
			} else if c >= 0 && len(v) > c {
				v = v[:c]
			}
		case "substr":
			start, end := st.a, st.b
			switch {
			case start < 0:
				if end < 0 || end > len(v) {
					return "", false
				}
				v = v[:end]
			case end < 0 || end > len(v):
				if start > len(v) {
					return "", false
				}
				v = v[start:]
			default:
				if start > end {
					return "", false
				}
				v = v[start:end]
			}
		default:
			return "", false
		}
	}
	return v, true
}

// plain removes text/template's location prefixes, which point into the
// template built around the pipeline rather than into the user's text.
func plain(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "template: macro:"); ok {
		if i := strings.Index(rest, ": "); i >= 0 {
			msg = rest[i+2:]
		}
	}
	if rest, ok := strings.CutPrefix(msg, `executing "macro" at <`); ok {
		if i := strings.Index(rest, ">: "); i >= 0 {
			msg = rest[i+3:]
		}
	}
	return msg
}

// limitWriter collects output up to max bytes.
type limitWriter struct {
	b   strings.Builder
	max int
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.max {
		return 0, errTooBig
	}
	return w.b.Write(p)
}
