package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/byoos/byoos/regsync/regtest"
)

// realOCIBody is a V1BasicOciRegistry for a regtest registry, as the
// provider sends it.
func realOCIBody(name string, reg *regtest.Registry, password string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"endpoint": reg.Host, "providerType": "pack", "baseContentPath": "byoos", "isSyncSupported": true,
			"auth": map[string]any{"username": reg.Username, "password": password, "type": "basic",
				"tls": map[string]any{"certificate": reg.CACertPEM, "enabled": true, "insecureSkipVerify": false}}},
	}
}

// registryState is what a key sees of a registry: its sync and its packs.
func registryState(t *testing.T, e *env, kind, uid string) (st syncStatusResp, packs []string) {
	t.Helper()
	e.do("GET", "/v1/registries/"+kind+"/"+uid+"/sync/status", e.admin, e.project, nil, 200, &st)
	var list struct {
		Items []struct {
			Spec struct{ Name, Version string }
		}
	}
	e.do("GET", "/v1/packs?filters=spec.registryUid%3D"+uid+"&limit=50", e.admin, e.project, nil, 200, &list)
	for _, it := range list.Items {
		packs = append(packs, it.Spec.Name+":"+it.Spec.Version)
	}
	return st, packs
}

// TestRegistryFaultsAreClearErrorsOrStatusesWithTheReason runs the faults
// the issue names against a real OCI registry (docker-registry, TLS,
// htpasswd) and a real Helm repository: wrong credentials, an unreachable
// registry, a malformed pack archive, a malformed index.yaml. Each is a
// clear answer or a sync status naming the reason, never a password, and a
// failed sync leaves what the last good one stored, not half of a new one.
func TestRegistryFaultsAreClearErrorsOrStatusesWithTheReason(t *testing.T) {
	reg := regtest.StartRegistry(t)
	regtest.PushPack(t, reg, "byoos", "corp-monitoring", "1.0.0", regtest.GoodPack(t, "corp-monitoring", "1.0.0"))
	regtest.PushPack(t, reg, "byoos", "broken", "0.1.0", []byte("this is not a gzip archive"))
	repo := regtest.StartHelmRepo(t, regtest.Chart{Name: "podinfo", Version: "6.6.0"})
	e, regs := realSyncEnv(t, repo.CACertPEM)
	const wrong = "wrong-password-4b1d7e"
	noSecret := func(what string, raw []byte) {
		t.Helper()
		for _, s := range []string{wrong, reg.Password} {
			if strings.Contains(string(raw), s) {
				t.Errorf("%s shows a password: %s", what, raw)
			}
		}
	}

	// Wrong credentials: validate answers 400 naming the reason.
	raw := e.do("POST", "/v1/registries/oci/basic/validate", e.admin, "", realOCIBody("x", reg, wrong)["spec"], 400, nil)
	if !strings.Contains(string(raw), "unauthorized") {
		t.Errorf("validate with a wrong password: %s, want it to say unauthorized", raw)
	}
	noSecret("validate", raw)
	e.do("POST", "/v1/registries/oci/basic/validate", e.admin, "", realOCIBody("x", reg, reg.Password)["spec"], 204, nil)

	// The right credentials: the good pack is synced, the bad archive is
	// skipped with its reason.
	var created struct{ UID string }
	e.do("POST", "/v1/registries/oci/basic", e.admin, "", realOCIBody("corp", reg, reg.Password), 201, &created)
	waitIdle(t, regs)
	st, packs := registryState(t, e, "oci", created.UID)
	if st.Status != "Completed" || !strings.Contains(st.Message, "1 pack version synced") || !strings.Contains(st.Message, "broken") || strings.Join(packs, ",") != "corp-monitoring:1.0.0" {
		t.Fatalf("after the first sync: status %+v, packs %v", st, packs)
	}

	// The password changes to a wrong one: the sync fails as unauthorized
	// and the packs of the last good sync stay.
	body := realOCIBody("corp", reg, wrong)
	e.do("PUT", "/v1/registries/oci/"+created.UID+"/basic", e.admin, "", body, 204, nil)
	waitIdle(t, regs)
	st, packs = registryState(t, e, "oci", created.UID)
	if st.Status != "Failed" || !strings.Contains(st.Message, "unauthorized") || strings.Join(packs, ",") != "corp-monitoring:1.0.0" {
		t.Errorf("after a sync with a wrong password: status %+v, packs %v", st, packs)
	}
	raw, _ = json.Marshal(st)
	noSecret("the sync status", raw)

	// An unreachable registry: Failed, naming it.
	closed := realOCIBody("gone", reg, reg.Password)
	closed["spec"].(map[string]any)["endpoint"] = "127.0.0.1:1"
	e.do("POST", "/v1/registries/oci/basic", e.admin, "", closed, 201, &created)
	waitIdle(t, regs)
	if st, packs = registryState(t, e, "oci", created.UID); st.Status != "Failed" || !strings.Contains(st.Message, "unreachable") || len(packs) != 0 {
		t.Errorf("an unreachable registry: status %+v, packs %v", st, packs)
	}

	// A malformed index.yaml: Failed with the line, and no chart listed.
	repo.ServeIndex([]byte("apiVersion: v1\nentries:\n  podinfo: [\n"))
	helm := map[string]any{"metadata": map[string]any{"name": "charts"},
		"spec": map[string]any{"name": "charts", "endpoint": repo.URL, "isPrivate": false, "auth": map[string]any{"type": "noAuth"}}}
	e.do("POST", "/v1/registries/helm", e.admin, "", helm, 201, &created)
	waitIdle(t, regs)
	if st, packs = registryState(t, e, "helm", created.UID); st.Status != "Failed" || !strings.Contains(st.Message, "malformed") || !strings.Contains(st.Message, "line") || len(packs) != 0 {
		t.Errorf("a malformed index.yaml: status %+v, packs %v", st, packs)
	}
}
