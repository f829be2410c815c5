package macro

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/suggest"
	"github.com/byoos/byoos/values"

	"github.com/byoos/byoos/secret"
)

// The issue codes Resolve reports, as the package names them: each is the
// constant of package finding that declares the code. They are stable:
// scripts may match on them.
const (
	// CodeUnresolved (warning): a pack, user-macro or variable reference with no value.
	CodeUnresolved = finding.CodeMacroUnresolved
	// CodeDeployTime (info): a known system macro not set in the Context; it is
	// only known at deployment and renders as "" here.
	CodeDeployTime = finding.CodeMacroDeployTime
	// CodeUnknownSystem (warning): a system macro Palette does not define.
	CodeUnknownSystem = finding.CodeMacroUnknownSystem
	// CodeCycle (error): pack references that lead back to themselves, nest
	// deeper than MaxDepth, or expand past MaxOutput.
	CodeCycle = finding.CodeMacroCycle
	// CodeSyntax (error): an unclosed "{{" or a malformed .spectro. reference.
	CodeSyntax = finding.CodeMacroSyntax
	// CodeFunction (error): a pipeline that does not parse or fails to run.
	CodeFunction = finding.CodeMacroFunction
	// CodeVarPipeline (error): a pipeline on a profile variable, which Palette does not support.
	CodeVarPipeline = finding.CodeMacroVarPipeline
	// CodeNotScalar (error): a pack reference to a mapping or a list.
	CodeNotScalar = finding.CodeMacroNotScalar
	// CodeSecretRef (error): a pack reference to a secret value (one the
	// pack's schema marks as a password). Secrets never flow into other
	// values: the reference renders as an empty string.
	CodeSecretRef = finding.CodeMacroSecretRef
	// CodeBudget (error): resolution stopped because the work or the time
	// allowed (Context.Budget) was spent; the rest renders as empty strings.
	CodeBudget = finding.CodeMacroBudget
)

// MaxDepth is how deep pack references may lead through one another.
const MaxDepth = 32

// maxCache is how many distinct pipelines an Engine keeps parsed.
const maxCache = 4096

// systemKeys are the system macros Palette defines.
const systemKeys = "user.name user.uid user.email tenant.uid project.name project.uid " +
	"clusterprofile.name clusterprofile.uid clusterprofile.version cluster.name cluster.uid " +
	"cloudaccount.name cloudaccount.uid kubernetes.version reverseproxy.server reverseproxy.port " +
	"reverseproxy.protocol reverseproxy.vhostport cloud.type cloud.region clusterprofile.infra.name " +
	"clusterprofile.infra.uid clusterprofile.infra.version cluster.kubevip"

// SystemKeys lists the system macros Palette defines (.spectro.system.KEY), in
// a new slice.
func SystemKeys() []string { return strings.Fields(systemKeys) }

// IsSystemKey reports whether key is a system macro Palette defines.
func IsSystemKey(key string) bool {
	for k := range strings.FieldsSeq(systemKeys) {
		if k == key {
			return true
		}
	}
	return false
}

// Context holds what macros resolve against.
type Context struct {
	// System holds system macro values by key: "cluster.name" -> "prod".
	System map[string]string
	// ProjectMacros, TenantMacros and SystemMacros are user macros by scope;
	// a project macro wins over a tenant one, which wins over a system one.
	ProjectMacros, TenantMacros, SystemMacros map[string]string
	// Vars holds cluster profile variable values (after defaults).
	Vars map[string]string
	// Packs holds the parsed values of each pack in the profile, by pack name.
	Packs map[string]*values.Doc
	// Secret reports whether a pack's value at a concrete path is a secret.
	// A reference to a secret is refused (CodeSecretRef) and renders as an
	// empty string, so that no secret ever flows into another value, and from
	// there into a message or an output.
	Secret func(pack, path string) bool
	// Sensitive names the profile variables whose values are secret. Text
	// that reads one is marked Result.Secret; with HideSensitive, the
	// variable reads as secret.Mask instead.
	Sensitive map[string]bool
	// HideSensitive makes sensitive variables read as secret.Mask (rendering
	// for display).
	HideSensitive bool
	// Budget, when non-nil, bounds the work of every Resolve call made with
	// this Context; once it is spent, macros render as empty strings and the
	// first one reports CodeBudget.
	Budget *Budget
}

// Engine resolves macros. It caches parsed pipelines and is safe for
// concurrent use; the zero value is not usable, call New.
type Engine struct {
	funcs template.FuncMap
	mu    sync.RWMutex
	cache map[string]pipeline
}

// New returns an Engine with Sprig's functions (see the package doc for the
// few that are left out or bounded).
func New() *Engine {
	return &Engine{funcs: funcMap(), cache: map[string]pipeline{}}
}

// Issue is a problem met while resolving macros.
type Issue struct {
	Severity finding.Severity
	// Code is one of the Code constants.
	Code string
	// Ref is the reference concerned, without ".spectro.": "pack.k8s.version".
	Ref string
	// Message says what was found; Hint says what to do about it.
	Message, Hint string
	// Offset is the byte offset in the input text of the "{{" that the issue
	// concerns (for issues met inside a referenced pack value, of the
	// expression that led there).
	Offset int
}

// Result is resolved text with what was met on the way.
type Result struct {
	// Text is the input with every .spectro. macro replaced by its value.
	Text string
	// Issues are in the order of the input.
	Issues []Issue
	// Deferred is true when the text holds a known system macro that the
	// Context does not set, directly or through a pack reference, or reads a
	// pack value marked unknown (values.Doc.MarkUnknown): its final value is
	// only known at deployment.
	Deferred bool
	// Secret is true when the text reads a sensitive profile variable,
	// directly or through a pack reference: it is derived from a secret and
	// is treated as one.
	Secret bool
}

// Resolve replaces the macros in text, which is (part of) the values of pack
// self; self is used in messages, while references to self (as in
// edge-native-byoi) read c.Packs[self] like any other pack. Other {{ }}
// expressions and all text around them are kept as they are; trim markers
// ({{- and -}}) on macros remove the whitespace next to them, as in Go
// templates.
//
// A malformed .spectro. expression is kept as written and reported. A
// pipeline that fails, or a pipeline on a profile variable, is reported and
// the value is used without it.
func (e *Engine) Resolve(c *Context, self, text string) Result {
	if !HasMacro(text) {
		return Result{Text: text}
	}
	if c == nil {
		c = &Context{}
	}
	r := &resolver{e: e, c: c}
	out := r.text(text, self)
	return Result{Text: out, Issues: r.issues, Deferred: r.deferred, Secret: r.secret}
}

// resolver is the state of one Resolve call.
type resolver struct {
	e        *Engine
	c        *Context
	issues   []Issue
	deferred bool
	// secret is set once a sensitive variable has been read.
	secret bool
	// origin is the offset of the top-level expression being resolved.
	origin int
	// stack holds the pack references being resolved, innermost last.
	stack []string
	// memo holds resolved pack values by concrete reference.
	memo map[string]string
	// expanded counts the bytes of macro values inserted, against MaxOutput.
	expanded int
	tooBig   bool
	// seen holds the issues reported, to report each once.
	seen map[Issue]bool
}

func (r *resolver) add(sev finding.Severity, code, ref, msg, hint string) {
	if len(r.stack) > 0 {
		msg += " (in the value of " + r.stack[len(r.stack)-1] + ")"
	}
	is := Issue{Severity: sev, Code: code, Ref: ref, Message: msg, Hint: hint, Offset: r.origin}
	if r.seen == nil {
		r.seen = map[Issue]bool{}
	}
	if r.seen[is] {
		return
	}
	r.seen[is] = true
	r.issues = append(r.issues, is)
}

// text resolves every macro in s, the values text of pack self.
func (r *resolver) text(s, self string) string {
	var b strings.Builder
	last, trimNext := 0, false
	var err error
	for pos := 0; ; {
		var x Expr
		x, pos, err = scanNext(s, pos)
		if pos < 0 {
			break
		}
		if x.Kind == KindOther {
			continue
		}
		if len(r.stack) == 0 {
			r.origin = x.Start
		}
		if x.Kind == KindInvalid {
			r.add(finding.Error, finding.CodeMacroSyntax, x.Ref, clip(s[x.Start:x.End])+": "+x.Problem, "macros are written {{ .spectro.system.KEY }}, {{ .spectro.pack.PACK.PATH }}, {{ .spectro.macro.NAME }} or {{ .spectro.var.NAME }}, optionally followed by | function args")
			continue // kept as written
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		seg := s[last:x.Start]
		if trimNext {
			seg = strings.TrimLeft(seg, " \t\r\n")
		}
		if x.TrimLeft {
			seg = strings.TrimRight(seg, " \t\r\n")
		}
		b.WriteString(seg)
		v := ""
		if r.c.Budget.spend(1) {
			v = r.expr(x, self)
		} else {
			r.budgetSpent(x)
		}
		b.WriteString(r.grow(x, v))
		last, trimNext = x.End, x.TrimRight
	}
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			if len(r.stack) == 0 {
				r.origin = se.Offset
			}
			r.add(finding.Error, finding.CodeMacroSyntax, "", "\"{{\" at byte "+strconv.Itoa(se.Offset)+" is never closed by \"}}\"", "close the expression with }}, or remove the stray {{")
		}
	}
	if last == 0 && b.Len() == 0 && !trimNext {
		return s
	}
	seg := s[last:]
	if trimNext {
		seg = strings.TrimLeft(seg, " \t\r\n")
	}
	b.WriteString(seg)
	return b.String()
}

// expr resolves one macro and applies its pipeline.
func (r *resolver) expr(x Expr, self string) string {
	v, masked := r.value(x, self)
	if x.Pipeline == "" {
		return v
	}
	if x.Kind == KindVar {
		r.add(finding.Error, finding.CodeMacroVarPipeline, x.Ref, source(x)+": profile variables do not support functions in Palette",
			"remove \"| "+x.Pipeline+"\" and put the final value in the variable (its default, or --set var."+x.Path+"=VALUE); use a user macro (.spectro.macro) if you need functions")
		return v
	}
	if r.c.Budget.Err() != nil {
		return ""
	}
	start := time.Now()
	out, units, err := r.e.run(x.Pipeline, v)
	if !r.c.Budget.spendTime(time.Since(start)) || !r.c.Budget.spend(units) {
		r.budgetSpent(x)
		return ""
	}
	if err != nil {
		msg := err.Error()
		if r.secret {
			// The error may quote the value, which is derived from a secret.
			msg = "the function failed on a value derived from a secret (the error is not shown, since it may quote the value)"
		}
		r.add(finding.Error, finding.CodeMacroFunction, x.Ref, source(x)+": "+msg,
			"use Sprig functions (https://masterminds.github.io/sprig/) with their arguments, e.g. | default \"x\", | upper, | trunc 8, | substr 0 4")
		return v
	}
	if masked {
		return secret.Mask
	}
	return out
}

// budgetSpent reports, once per Budget, that the budget ended resolution.
func (r *resolver) budgetSpent(x Expr) {
	if r.c.Budget.reported {
		return
	}
	r.c.Budget.reported = true
	why := "more work than one request may cause"
	switch err := r.c.Budget.Err(); {
	case errors.Is(err, context.DeadlineExceeded):
		why = "the time allowed ran out"
	case errors.Is(err, context.Canceled):
		why = "the request was cancelled"
	}
	saved := r.stack
	r.stack = nil // one issue, wherever it was met
	r.add(finding.Error, finding.CodeMacroBudget, "", "macros were not all resolved: "+why+"; the rest render as empty strings",
		"use fewer or simpler macro functions; values are configuration, not computation")
	r.stack = saved
}

// value resolves the reference of x (without its pipeline). masked reports
// that the value is secret.Mask standing for a hidden one.
func (r *resolver) value(x Expr, self string) (v string, masked bool) {
	c := r.c
	switch x.Kind {
	case KindSystem:
		if v, ok := c.System[x.Path]; ok {
			return v, false
		}
		if IsSystemKey(x.Path) {
			r.deferred = true
			r.add(finding.Info, finding.CodeMacroDeployTime, x.Ref, ref(x)+" is only known at deployment; it renders as an empty string here",
				"pass --set system."+x.Path+"=VALUE to preview it")
			return "", false
		}
		hint := "did you mean .spectro.system." + closest(x.Path, SystemKeys()) + "?"
		if hint == "did you mean .spectro.system.?" {
			hint = "the system macros are " + strings.Join(SystemKeys(), ", ")
		}
		hint += " (to preview a value anyway: --set system." + x.Path + "=VALUE)"
		r.add(finding.Warning, finding.CodeMacroUnknownSystem, x.Ref, ref(x)+": Palette has no system macro "+strconv.Quote(x.Path)+"; it renders as an empty string", hint)
		return "", false
	case KindMacro:
		for _, m := range []map[string]string{c.ProjectMacros, c.TenantMacros, c.SystemMacros} {
			if v, ok := m[x.Path]; ok {
				return v, false
			}
		}
		r.add(finding.Warning, finding.CodeMacroUnresolved, x.Ref, ref(x)+": macro "+strconv.Quote(x.Path)+" is not defined at project, tenant or system scope; it renders as an empty string",
			"define macro "+x.Path+" at project or tenant scope (Palette: Project/Tenant Settings > Macros)")
		return "", false
	case KindVar:
		if v, ok := c.Vars[x.Path]; ok {
			if c.Sensitive[x.Path] {
				r.secret = true
				if c.HideSensitive {
					return secret.Mask, true
				}
			}
			return v, false
		}
		r.add(finding.Warning, finding.CodeMacroUnresolved, x.Ref, ref(x)+": profile variable "+strconv.Quote(x.Path)+" is not defined; it renders as an empty string",
			"add the variable to the profile's spec.variables or pass --set var."+x.Path+"=VALUE")
		return "", false
	}
	return r.pack(x, self)
}

// ref writes the reference of x as a macro, for messages.
func ref(x Expr) string { return "{{ .spectro." + x.Ref + " }}" }

// source writes x with its pipeline, for messages.
func source(x Expr) string { return "{{ .spectro." + x.Ref + " | " + x.Pipeline + " }}" }

// pack resolves a pack reference, following macros in the value it reads.
func (r *resolver) pack(x Expr, self string) (string, bool) {
	doc := r.c.Packs[x.Pack]
	if doc == nil {
		r.add(finding.Warning, finding.CodeMacroUnresolved, x.Ref, ref(x)+": pack "+strconv.Quote(x.Pack)+" is not in this profile; it renders as an empty string",
			"add pack "+x.Pack+" to the profile or fix the pack name"+r.packList())
		return "", false
	}
	ms := doc.Find(x.Path)
	if len(ms) == 0 {
		where := "the values of pack " + x.Pack
		if x.Pack == self {
			where = "these values (pack " + x.Pack + ")"
		}
		r.add(finding.Warning, finding.CodeMacroUnresolved, x.Ref, ref(x)+": pack "+strconv.Quote(x.Pack)+" has no value at "+strconv.Quote(x.Path)+"; it renders as an empty string",
			"set "+x.Path+" in "+where+", fix the path, or add | default \"VALUE\"")
		return "", false
	}
	m := ms[0]
	n := values.Deref(m.Node)
	if n.Kind != yaml.ScalarNode {
		r.add(finding.Error, finding.CodeMacroNotScalar, x.Ref, ref(x)+": "+x.Path+" in pack "+x.Pack+" is "+values.Describe(n)+", not a single value",
			"point the reference at a single value inside it, e.g. .spectro.pack."+x.Pack+"."+x.Path+".KEY")
		return "", false
	}
	if r.c.Secret != nil && r.c.Secret(x.Pack, m.Path) {
		r.add(finding.Error, finding.CodeMacroSecretRef, x.Ref, ref(x)+": "+m.Path+" in pack "+x.Pack+" is a secret, and secrets cannot be read through macros; it renders as an empty string",
			"write the value where it is needed, or put the secret in a sensitive profile variable (isSensitive: true) and use {{ .spectro.var.NAME }} in both places")
		return "", false
	}
	if doc.IsUnknown(n) {
		r.deferred = true
	}
	if n.Tag == "!!null" {
		r.add(finding.Warning, finding.CodeMacroUnresolved, x.Ref, ref(x)+": "+x.Path+" in pack "+x.Pack+" is empty (null); it renders as an empty string",
			"give "+x.Path+" a value in pack "+x.Pack+", or add | default \"VALUE\"")
		return "", false
	}
	if !HasMacro(n.Value) {
		return n.Value, false
	}
	key := "pack." + x.Pack + "." + m.Path
	if v, ok := r.memo[key]; ok {
		return v, false
	}
	for i, k := range r.stack {
		if k == key {
			chain := strings.Join(append(append([]string(nil), r.stack[i:]...), key), " -> ")
			r.add(finding.Error, finding.CodeMacroCycle, x.Ref, "macro references form a cycle: "+chain+"; the reference renders as an empty string",
				"break the cycle: make one of these values a literal instead of a macro")
			return "", false
		}
	}
	if len(r.stack) >= MaxDepth {
		chain := strings.Join(append(append([]string(nil), r.stack...), key), " -> ")
		r.add(finding.Error, finding.CodeMacroCycle, x.Ref, "macro references nest deeper than "+strconv.Itoa(MaxDepth)+" levels: "+chain,
			"shorten the chain of pack references")
		return "", false
	}
	r.stack = append(r.stack, key)
	v := r.text(n.Value, x.Pack)
	r.stack = r.stack[:len(r.stack)-1]
	if r.memo == nil {
		r.memo = map[string]string{}
	}
	r.memo[key] = v
	return v, false
}

// grow accounts for v being inserted in the output, refusing it once all
// the values inserted by this Resolve call (at any depth) pass MaxOutput.
func (r *resolver) grow(x Expr, v string) string {
	if r.expanded+len(v) > MaxOutput {
		if !r.tooBig {
			r.tooBig = true
			r.add(finding.Error, finding.CodeMacroCycle, x.Ref, "{{ .spectro."+x.Ref+" }}: macros expand to more than "+strconv.Itoa(MaxOutput)+" bytes in all; the rest render as empty strings",
				"pack values that reference each other many times multiply: reference fewer values, or produce less with functions")
		}
		return ""
	}
	r.expanded += len(v)
	return v
}

func (r *resolver) packList() string {
	if len(r.c.Packs) == 0 {
		return " (the profile has no packs)"
	}
	names := make([]string, 0, len(r.c.Packs))
	for k := range r.c.Packs {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) > 20 {
		names = append(names[:20], "...")
	}
	return " (packs in this profile: " + strings.Join(names, ", ") + ")"
}

// closest returns the candidate nearest to s by edit distance, if it is close.
func closest(s string, cands []string) string { return suggest.Closest(s, cands, 3) }
