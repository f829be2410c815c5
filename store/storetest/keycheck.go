package storetest

import (
	"fmt"
	"testing"

	"github.com/byoos/byoos/store"
)

// keyCheckTests cover KeyCheck, InitKeyCheck and HasProfiles.
func keyCheckTests() []Test {
	return []Test{
		{"a new database has no key check value and no profiles", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			got, err := s.KeyCheck(f.ctx)
			noErr(t, "KeyCheck", err)
			if got != "" {
				t.Errorf("KeyCheck = %q, want none", got)
			}
			has, err := s.HasProfiles(f.ctx)
			noErr(t, "HasProfiles", err)
			if has {
				t.Error("HasProfiles = true on an empty database")
			}
		}},
		{"InitKeyCheck stores the first value and keeps it against later ones", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			got, err := s.InitKeyCheck(f.ctx, "enc:v1:first")
			noErr(t, "InitKeyCheck first", err)
			wantEqual(t, "InitKeyCheck first", got, "enc:v1:first")
			got, err = s.InitKeyCheck(f.ctx, "enc:v1:second")
			noErr(t, "InitKeyCheck second", err)
			wantEqual(t, "InitKeyCheck second returns the stored value", got, "enc:v1:first")
			got, err = s.KeyCheck(f.ctx)
			noErr(t, "KeyCheck", err)
			wantEqual(t, "KeyCheck", got, "enc:v1:first")
		}},
		{"InitKeyCheck refuses an empty value", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			if _, err := s.InitKeyCheck(f.ctx, ""); err == nil {
				t.Fatal("InitKeyCheck accepted an empty value")
			}
			got, err := s.KeyCheck(f.ctx)
			noErr(t, "KeyCheck", err)
			if got != "" {
				t.Errorf("KeyCheck = %q after a refused InitKeyCheck", got)
			}
		}},
		{"of concurrent InitKeyCheck calls with different values one is stored and all return it", func(t *testing.T, s store.Store, clk *Clock) {
			got := parallel(t, 8, func(i int) (string, error) {
				return s.InitKeyCheck(t.Context(), fmt.Sprintf("enc:v1:%d", i))
			})
			for _, v := range got {
				if v != got[0] {
					t.Fatalf("InitKeyCheck returned different values: %v", got)
				}
			}
		}},
		{"HasProfiles is true once any tenant has a profile", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			has, err := s.HasProfiles(f.ctx)
			noErr(t, "HasProfiles before", err)
			if has {
				t.Fatal("HasProfiles = true with tenants and projects but no profile")
			}
			f.profile(store.Scope{TenantUID: sc.globex}, "rhel8-aws", "1.0.0")
			has, err = s.HasProfiles(f.ctx)
			noErr(t, "HasProfiles after", err)
			if !has {
				t.Error("HasProfiles = false with a profile stored")
			}
		}},
	}
}
