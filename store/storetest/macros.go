package storetest

import (
	"testing"
	"time"

	"github.com/byoos/byoos/store"
)

func (f fx) macros(s store.Scope) []store.Macro {
	f.t.Helper()
	ms, err := f.s.ListMacros(f.ctx, s)
	if err != nil {
		f.t.Fatalf("ListMacros(%v): %v", s, err)
	}
	return ms
}

func macroTests() []Test {
	m := func(name, value string) store.Macro { return store.Macro{Name: name, Value: value} }
	return []Test{
		{"ChangeMacros adds, updates and deletes macros of a scope, and ListMacros returns them by name", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			sc := store.Scope{TenantUID: tn}
			at := clk.Advance(time.Minute)
			noErr(t, "add", s.ChangeMacros(f.ctx, sc, store.MacroChange{Add: []store.Macro{m("os", "ubuntu"), m("arch", "amd64")}}, ev("macro.create")))
			wantEqual(t, "after add", f.macros(sc), []store.Macro{m("arch", "amd64"), m("os", "ubuntu")})
			wantEvent(t, f.lastEvent(tn), "macro.create", tn, "", "macro", tn, at)
			noErr(t, "update", s.ChangeMacros(f.ctx, sc, store.MacroChange{Update: []store.Macro{m("os", "rhel")}}, ev("macro.update")))
			noErr(t, "delete", s.ChangeMacros(f.ctx, sc, store.MacroChange{Delete: []string{"arch"}}, ev("macro.delete")))
			wantEqual(t, "after update and delete", f.macros(sc), []store.Macro{m("os", "rhel")})
			noErr(t, "replace", s.ChangeMacros(f.ctx, sc, store.MacroChange{Replace: true, Add: []store.Macro{m("zone", "a")}}, ev("macro.replace")))
			wantEqual(t, "after replace", f.macros(sc), []store.Macro{m("zone", "a")})
		}},
		{"macros of a tenant, of each of its projects and of another tenant are kept apart", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			acme := f.tenant("acme").UID
			web, api := f.project(acme, "web").UID, f.project(acme, "api").UID
			globex := f.tenant("globex").UID
			for _, sc := range []store.Scope{{TenantUID: acme}, {TenantUID: acme, ProjectUID: web}, {TenantUID: globex}} {
				noErr(t, "add", s.ChangeMacros(f.ctx, sc, store.MacroChange{Add: []store.Macro{m("os", sc.TenantUID+"/"+sc.ProjectUID)}}, ev("macro.create")))
			}
			wantEqual(t, "tenant", f.macros(store.Scope{TenantUID: acme}), []store.Macro{m("os", acme+"/")})
			wantEqual(t, "project web", f.macros(store.Scope{TenantUID: acme, ProjectUID: web}), []store.Macro{m("os", acme+"/"+web)})
			wantEqual(t, "project api", len(f.macros(store.Scope{TenantUID: acme, ProjectUID: api})), 0)
			wantEqual(t, "other tenant", f.macros(store.Scope{TenantUID: globex}), []store.Macro{m("os", globex+"/")})
		}},
		{"ChangeMacros is all or nothing: a name taken, a name missing or a foreign project changes nothing and records no event", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			acme := f.tenant("acme").UID
			sc := store.Scope{TenantUID: acme}
			noErr(t, "add", s.ChangeMacros(f.ctx, sc, store.MacroChange{Add: []store.Macro{m("os", "ubuntu")}}, ev("macro.create")))
			before := len(f.audit(acme))
			wantErr(t, "add taken", s.ChangeMacros(f.ctx, sc, store.MacroChange{Add: []store.Macro{m("arch", "arm64"), m("os", "rhel")}}, ev("macro.create")), store.ErrExists)
			wantErr(t, "update missing", s.ChangeMacros(f.ctx, sc, store.MacroChange{Update: []store.Macro{m("os", "rhel"), m("nope", "x")}}, ev("macro.update")), store.ErrNotFound)
			wantErr(t, "delete missing", s.ChangeMacros(f.ctx, sc, store.MacroChange{Delete: []string{"os", "nope"}}, ev("macro.delete")), store.ErrNotFound)
			foreign := f.project(f.tenant("globex").UID, "web").UID
			wantErr(t, "foreign project", s.ChangeMacros(f.ctx, store.Scope{TenantUID: acme, ProjectUID: foreign}, store.MacroChange{Add: []store.Macro{m("os", "x")}}, ev("macro.create")), store.ErrNotFound)
			wantEqual(t, "macros", f.macros(sc), []store.Macro{m("os", "ubuntu")})
			wantEqual(t, "audit events", len(f.audit(acme)), before)
		}},
	}
}
