package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// Limits of user macros.
const (
	// MaxMacroName is the longest macro name, in bytes.
	MaxMacroName = 128
	// MaxMacroValue is the largest macro value, in bytes.
	MaxMacroValue = 64 << 10
	// MaxMacrosPerCall is the most macros one call may name.
	MaxMacrosPerCall = 1000
)

// MacroOp is what a macro call does with the macros it names.
type MacroOp string

// Macro operations, as Palette's API has them.
const (
	// MacroAdd defines new macros (POST); a name already defined is refused.
	MacroAdd MacroOp = "create"
	// MacroReplace replaces every macro of the scope with the given ones (PUT).
	MacroReplace MacroOp = "replace"
	// MacroUpdate sets the values of defined macros (PATCH).
	MacroUpdate MacroOp = "update"
	// MacroDelete deletes defined macros, by name (DELETE).
	MacroDelete MacroOp = "delete"
)

// Macros keeps the user macros of tenants and projects. It is safe for
// concurrent use.
type Macros struct {
	st store.Store
}

// NewMacros returns the macro service.
func NewMacros(st store.Store) *Macros { return &Macros{st: st} }

// List returns the macros of exactly scope s (a tenant's when s.ProjectUID
// is empty), by name.
func (m *Macros) List(ctx context.Context, s store.Scope) ([]wire.Macro, error) {
	ms, err := m.st.ListMacros(ctx, s)
	if err != nil {
		return nil, FromStore(err, "macros of", scopeName(s))
	}
	out := make([]wire.Macro, 0, len(ms))
	for _, x := range ms {
		out = append(out, wire.Macro{Name: x.Name, Value: x.Value})
	}
	return out, nil
}

// Change applies op with ms to the macros of scope s, all or nothing, and
// records it in s's audit log as done by c. Names are checked (letters,
// digits, '_' and '-', at most MaxMacroName bytes, each once) and values
// bounded (MaxMacroValue bytes); a delete reads only the names.
func (m *Macros) Change(ctx context.Context, c Caller, s store.Scope, op MacroOp, ms []wire.Macro) error {
	if err := checkMacros(op, ms); err != nil {
		return err
	}
	var ch store.MacroChange
	for _, x := range ms {
		sm := store.Macro{Name: x.Name, Value: x.Value}
		switch op {
		case MacroAdd, MacroReplace:
			ch.Add = append(ch.Add, sm)
		case MacroUpdate:
			ch.Update = append(ch.Update, sm)
		case MacroDelete:
			ch.Delete = append(ch.Delete, x.Name)
		}
	}
	ch.Replace = op == MacroReplace
	ev := store.AuditEvent{TenantUID: s.TenantUID, ProjectUID: s.ProjectUID, Actor: c.Actor, Action: "macro." + string(op),
		Summary: fmt.Sprintf("%d macro(s) of %s", len(ms), scopeName(s))}
	if err := m.st.ChangeMacros(ctx, s, ch, ev); err != nil {
		return FromStore(err, "macro", macroNames(ms))
	}
	return nil
}

// checkMacros refuses a malformed call with a message naming the entry.
func checkMacros(op MacroOp, ms []wire.Macro) error {
	switch op {
	case MacroAdd, MacroReplace, MacroUpdate, MacroDelete:
	default:
		return Errorf(wire.CodeBadRequest, "unknown macro operation %q", op)
	}
	if len(ms) == 0 && op != MacroReplace {
		return Errorf(wire.CodeBadRequest, "macros: the list is empty; name at least one macro")
	}
	if len(ms) > MaxMacrosPerCall {
		return Errorf(wire.CodeBadRequest, "macros: %d entries; at most %d in one call", len(ms), MaxMacrosPerCall)
	}
	seen := make(map[string]bool, len(ms))
	for i, x := range ms {
		if err := CheckMacroName(x.Name); err != nil {
			return Errorf(wire.CodeBadRequest, "macros[%d].name: %v", i, err)
		}
		if seen[x.Name] {
			return Errorf(wire.CodeBadRequest, "macros[%d].name: macro %q is named twice", i, x.Name)
		}
		seen[x.Name] = true
		if op != MacroDelete && len(x.Value) > MaxMacroValue {
			return Errorf(wire.CodeBadRequest, "macros[%d].value: macro %q's value is %d bytes; the limit is %d", i, x.Name, len(x.Value), MaxMacroValue)
		}
	}
	return nil
}

// CheckMacroName reports why name cannot name a macro: it must be 1 to
// MaxMacroName ASCII letters, digits, '_' or '-'.
func CheckMacroName(name string) error {
	if name == "" {
		return fmt.Errorf("a macro name is required")
	}
	if len(name) > MaxMacroName {
		return fmt.Errorf("macro name is %d bytes; the limit is %d", len(name), MaxMacroName)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-') {
			return fmt.Errorf("macro name %q: character %q at byte %d; use letters, digits, '_' and '-'", name, rune(b), i)
		}
	}
	return nil
}

// userMacros returns the macros a profile of scope s reads: its project's
// (none for a tenant-wide scope) and its tenant's.
func (m *Macros) userMacros(ctx context.Context, s store.Scope) (project, tenant map[string]string, err error) {
	load := func(sc store.Scope) (map[string]string, error) {
		ms, err := m.st.ListMacros(ctx, sc)
		if err != nil {
			return nil, fmt.Errorf("read the macros of %s: %w", scopeName(sc), err)
		}
		out := make(map[string]string, len(ms))
		for _, x := range ms {
			out[x.Name] = x.Value
		}
		return out, nil
	}
	if tenant, err = load(store.Scope{TenantUID: s.TenantUID}); err != nil {
		return nil, nil, err
	}
	if s.ProjectUID != "" {
		if project, err = load(s); err != nil {
			return nil, nil, err
		}
	}
	return project, tenant, nil
}

func scopeName(s store.Scope) string {
	if s.ProjectUID != "" {
		return "project " + s.ProjectUID
	}
	return "tenant " + s.TenantUID
}

// macroNames names the macros of a call in an error: the first few, and how
// many more.
func macroNames(ms []wire.Macro) string {
	const show = 5
	names := make([]string, 0, show)
	for i, x := range ms {
		if i == show {
			return strings.Join(names, ", ") + fmt.Sprintf(" (and %d more)", len(ms)-show)
		}
		names = append(names, x.Name)
	}
	return strings.Join(names, ", ")
}
