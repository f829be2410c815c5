package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/client/clienttest"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/wire"
)

// cliServer is a real server (TLS, SQLite in a temp dir) and the byoos
// command line pointed at it. Every output is kept, and checked at the end
// for the admin API key.
type cliServer struct {
	t *testing.T
	*clienttest.Server
	outputs []string
}

// newCLIServer starts a server from the repository root, with no BYOOS_*
// environment and an empty config home.
func newCLIServer(t *testing.T, opts ...func(*api.Config)) *cliServer {
	t.Helper()
	chdirRoot(t)
	for _, k := range []string{client.EnvServer, client.EnvAPIKey, client.EnvProject, client.EnvCACert} {
		t.Setenv(k, "")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := &cliServer{t: t, Server: clienttest.Start(t, opts...)}
	t.Cleanup(func() {
		for _, o := range s.outputs {
			if strings.Contains(o, s.AdminKey) {
				t.Errorf("the API key appears in an output:\n%s", o)
			}
		}
	})
	return s
}

// raw runs the CLI as given.
func (s *cliServer) raw(stdin string, args ...string) (string, string, int) {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	s.outputs = append(s.outputs, out.String(), errb.String())
	return out.String(), errb.String(), code
}

// run runs the CLI with --server, --api-key (the admin key) and --ca-cert.
func (s *cliServer) run(args ...string) (string, string, int) {
	s.t.Helper()
	return s.runAs(s.AdminKey, args...)
}

func (s *cliServer) runAs(key string, args ...string) (string, string, int) {
	s.t.Helper()
	return s.raw("", append(args, "--server", s.URL, "--api-key", key, "--ca-cert", s.CACertFile)...)
}

// must runs and fails the test unless the exit status is 0.
func (s *cliServer) must(args ...string) string {
	s.t.Helper()
	out, errOut, code := s.run(args...)
	if code != ExitOK {
		s.t.Fatalf("byoos %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// admin is a client for checks the CLI does not make.
func (s *cliServer) admin(project string) *client.Client {
	c, err := client.New(client.Config{Server: s.URL, APIKey: s.AdminKey, Project: project, CACertFile: s.CACertFile})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *cliServer) getJSON(args ...string) wire.ClusterProfile {
	s.t.Helper()
	var p wire.ClusterProfile
	out := s.must(append([]string{"profile", "get", "-o", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		s.t.Fatalf("profile get -o json: %v\n%s", err, out)
	}
	return p
}

// hasRow reports whether a line of out has these fields, one after the other.
func hasRow(out string, fields ...string) bool {
	want := " " + strings.Join(fields, " ") + " "
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(" "+strings.Join(strings.Fields(line), " ")+" ", want) {
			return true
		}
	}
	return false
}

// withImage writes a copy of examples/aws.yaml with another AMI.
func withImage(t *testing.T, ami string) string {
	t.Helper()
	src, err := os.ReadFile("examples/aws.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "aws-"+ami+".yaml")
	if err := os.WriteFile(path, bytes.Replace(src, []byte("ami-0f4804aff4cf9c5a2"), []byte(ami), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProfileApplyCreatesThenUpdatesAndSaysWhenNothingChanged(t *testing.T) {
	s := newCLIServer(t)
	out := s.must("profile", "apply", "examples/aws.yaml", "--project", "Default")
	if !hasRow(out, "examples/aws.yaml", "rhel8-aws", "1.0.0", "created", "no") {
		t.Errorf("first apply:\n%s", out)
	}
	out = s.must("profile", "apply", "examples/aws.yaml", "--project", "Default")
	if !hasRow(out, "rhel8-aws", "1.0.0", "unchanged", "no") {
		t.Errorf("same file again:\n%s", out)
	}
	out = s.must("profile", "apply", withImage(t, "ami-1a2b3c4d"), "--project", "Default")
	if !hasRow(out, "rhel8-aws", "1.0.0", "updated", "no") {
		t.Errorf("changed file:\n%s", out)
	}
	p := s.getJSON("rhel8-aws", "--project", "Default")
	if p.Spec.Draft == nil || !strings.Contains(p.Spec.Draft.Packs[0].Values, "ami-1a2b3c4d") || p.Status.IsPublished {
		t.Errorf("after update: %+v", p.Spec.Draft)
	}
	// Several files, JSON output: one result each.
	var res []applyResult
	out = s.must("profile", "apply", "-o", "json", "examples/aws.yaml", "examples/vsphere.yaml", "--project", "Default")
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 2 || res[0].Action != client.ActionUpdated || res[1].Action != client.ActionCreated || res[1].UID == "" {
		t.Errorf("apply -o json: %v\n%s", err, out)
	}
	// From standard input.
	src, _ := os.ReadFile("examples/edge-native.yaml")
	out, errOut, code := s.raw(string(src), "profile", "apply", "-", "--server", s.URL, "--api-key", s.AdminKey, "--ca-cert", s.CACertFile, "--project", "Default")
	if code != ExitOK || !strings.Contains(out, "<stdin>") || !strings.Contains(out, "created") {
		t.Errorf("apply -: exit %d\n%s%s", code, out, errOut)
	}
}

func TestProfilesAreShownAsTablesJSONAndYAML(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "examples/azure.json", "--project", "Default")

	out := s.must("profile", "list", "--project", "Default")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") || !hasRow(out, "rhel8-aws", "1.0.0", "aws", "infra", "draft") || !hasRow(out, "ubuntu-azure", "1.0.0", "azure") {
		t.Errorf("list:\n%s", out)
	}
	var list []client.ProfileSummary
	if err := json.Unmarshal([]byte(s.must("profile", "list", "-o", "json", "--project", "Default")), &list); err != nil || len(list) != 2 || list[0].CloudType != "aws" {
		t.Errorf("list -o json: %v %+v", err, list)
	}
	if err := yaml.Unmarshal([]byte(s.must("profile", "list", "-o", "yaml", "--project", "Default")), &list); err != nil || len(list) != 2 || list[0].UID == "" {
		t.Errorf("list -o yaml: %v %+v", err, list)
	}

	out = s.must("profile", "get", "rhel8-aws", "--project", "Default")
	for _, want := range []string{"NAME:", "rhel8-aws", "CLOUD TYPE:  aws", "STATUS:      draft", "os     generic-byoi  1.0.x", "Public Repo", "k8s    kubernetes    1.30.x  1.30.10"} {
		if !strings.Contains(out, want) {
			t.Errorf("get lacks %q:\n%s", want, out)
		}
	}
	p := s.getJSON("rhel8-aws", "--project", "Default")
	if p.Metadata.Name != "rhel8-aws" || len(p.Spec.Draft.Packs) != 4 || !strings.Contains(p.Spec.Draft.Packs[0].Values, "ami-0f4804aff4cf9c5a2") {
		t.Errorf("get -o json: %+v", p)
	}
	var y map[string]any
	out = s.must("profile", "get", p.Metadata.UID, "-o", "yaml", "--project", "Default")
	if err := yaml.Unmarshal([]byte(out), &y); err != nil || !strings.Contains(out, "values: |") || !strings.Contains(out, "name: rhel8-aws") {
		t.Errorf("get -o yaml (%v):\n%s", err, out)
	}
	if _, errOut, code := s.run("profile", "get", "rhel8-aws", "-o", "xml", "--project", "Default"); code != ExitUsage || !strings.Contains(errOut, "table, json or yaml") {
		t.Errorf("-o xml: exit %d %s", code, errOut)
	}
	if _, errOut, code := s.run("profile", "get", "nope", "--project", "Default"); code != ExitFindings || !strings.Contains(errOut, `cluster profile "nope" not found`) {
		t.Errorf("get nope: exit %d %s", code, errOut)
	}
}

func TestPublishMakesTheDraftLiveAndApplyKeepsPublishedProfilesPublished(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "--project", "Default")
	out := s.must("profile", "publish", "rhel8-aws", "--project", "Default")
	if !strings.HasPrefix(out, "published cluster profile rhel8-aws 1.0.0 (uid ") {
		t.Errorf("publish:\n%s", out)
	}
	p := s.getJSON("rhel8-aws", "--project", "Default")
	if !p.Status.IsPublished || p.Spec.Published == nil {
		t.Fatalf("not published: %+v", p.Status)
	}
	out = s.must("profile", "apply", withImage(t, "ami-1a2b3c4d"), "--project", "Default")
	if !hasRow(out, "rhel8-aws", "1.0.0", "updated", "yes") {
		t.Errorf("apply of a published profile:\n%s", out)
	}
	p = s.getJSON("rhel8-aws", "--project", "Default")
	if !strings.Contains(p.Spec.Published.Packs[0].Values, "ami-1a2b3c4d") {
		t.Errorf("published values: %q", p.Spec.Published.Packs[0].Values)
	}
	out = s.must("profile", "apply", "--publish", "examples/vsphere.yaml", "--project", "Default")
	if !hasRow(out, "rhel8-vsphere", "1.2.0", "created", "yes") {
		t.Errorf("apply --publish:\n%s", out)
	}
	// A draft applied again with --publish: only the publishing is new.
	s.must("profile", "apply", "examples/azure.json", "--project", "Default")
	if out := s.must("profile", "apply", "--publish", "examples/azure.json", "--project", "Default"); !hasRow(out, "ubuntu-azure", "1.0.0", "published", "yes") {
		t.Errorf("draft applied with --publish:\n%s", out)
	}
	if out := s.must("profile", "apply", "examples/azure.json", "--project", "Default"); !hasRow(out, "ubuntu-azure", "1.0.0", "unchanged", "yes") {
		t.Errorf("published profile applied again:\n%s", out)
	}
}

func TestExportAppliesIntoAnotherProjectWithTheSameValues(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "--publish", "examples/aws.yaml", "--project", "Default")
	if _, err := s.admin("").CreateProject(context.Background(), "copy"); err != nil {
		t.Fatal(err)
	}
	exported := s.must("profile", "export", "rhel8-aws", "--project", "Default")
	if !strings.Contains(exported, "cloudType: aws") || !strings.Contains(exported, "values: |") || !strings.Contains(exported, "name: Public Repo") {
		t.Fatalf("export:\n%s", exported)
	}
	file := filepath.Join(t.TempDir(), "exported.yaml")
	os.WriteFile(file, []byte(exported), 0o644)
	out := s.must("profile", "apply", file, "--project", "copy")
	if !hasRow(out, "rhel8-aws", "1.0.0", "created") {
		t.Errorf("apply into copy:\n%s", out)
	}
	orig := s.getJSON("rhel8-aws", "--project", "Default")
	copied := s.getJSON("rhel8-aws", "--project", "copy")
	if orig.Metadata.UID == copied.Metadata.UID || len(orig.Spec.Draft.Packs) != 4 || len(orig.Spec.Draft.Packs) != len(copied.Spec.Draft.Packs) {
		t.Fatalf("copy: %+v", copied)
	}
	for i, l := range orig.Spec.Draft.Packs {
		c := copied.Spec.Draft.Packs[i]
		if l.Name != c.Name || l.Tag != c.Tag || l.Version != c.Version || l.Values != c.Values || l.PackUID != c.PackUID {
			t.Errorf("layer %d differs:\n%+v\n%+v", i, l, c)
		}
	}
	// The export applied back where it came from changes nothing.
	if out := s.must("profile", "apply", file, "--project", "Default"); !hasRow(out, "rhel8-aws", "1.0.0", "unchanged", "yes") {
		t.Errorf("export applied back:\n%s", out)
	}
	var asJSON map[string]any
	if err := json.Unmarshal([]byte(s.must("profile", "export", "rhel8-aws", "-o", "json", "--project", "copy")), &asJSON); err != nil {
		t.Errorf("export -o json: %v", err)
	}
}

func TestExportsMaskSecretsWhichTheServerKeepsOnlyWhereTheyCameFrom(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/edge-native.yaml", "--project", "Default")
	exported := s.must("profile", "export", "edge-ubuntu-k3s", "--project", "Default")
	if strings.Contains(exported, "s3cr3t-Pull-Passw0rd") || !strings.Contains(exported, "********") {
		t.Fatalf("export shows the secrets:\n%s", exported)
	}
	file := filepath.Join(t.TempDir(), "edge.yaml")
	os.WriteFile(file, []byte(exported), 0o644)
	// Back into its own project, the masks stand for the stored secrets.
	if out := s.must("profile", "apply", file, "--project", "Default"); !hasRow(out, "edge-ubuntu-k3s", "1.0.0", "updated") {
		t.Errorf("masked export applied back:\n%s", out)
	}
	// Elsewhere there is nothing behind the masks: refused, and apply says why.
	s.admin("").CreateProject(context.Background(), "copy")
	out, _, code := s.run("profile", "apply", file, "--project", "copy")
	if code != ExitFindings || !strings.Contains(out, "edge-credentials-certificate") || !strings.Contains(out, "masked secrets") {
		t.Errorf("masked export into another project: exit %d\n%s", code, out)
	}
}

func TestDeleteRemovesOneVersionAndAsksWhichWhenThereAreSeveral(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "--project", "Default")
	src, _ := os.ReadFile("examples/aws.yaml")
	v2 := filepath.Join(t.TempDir(), "aws-1.1.0.yaml")
	os.WriteFile(v2, bytes.Replace(src, []byte("version: 1.0.0"), []byte("version: 1.1.0"), 1), 0o644)
	s.must("profile", "apply", v2, "--project", "Default")

	_, errOut, code := s.run("profile", "delete", "rhel8-aws", "--project", "Default")
	if code != ExitUsage || !strings.Contains(errOut, "1.0.0, 1.1.0") || !strings.Contains(errOut, "--version") {
		t.Errorf("ambiguous delete: exit %d %s", code, errOut)
	}
	out := s.must("profile", "delete", "rhel8-aws", "--version", "1.0.0", "--project", "Default")
	if !strings.HasPrefix(out, "deleted cluster profile rhel8-aws 1.0.0") {
		t.Errorf("delete:\n%s", out)
	}
	var list []client.ProfileSummary
	json.Unmarshal([]byte(s.must("profile", "list", "-o", "json", "--project", "Default")), &list)
	if len(list) != 1 || list[0].Version != "1.1.0" {
		t.Errorf("left: %+v", list)
	}
	if _, _, code := s.run("profile", "get", "rhel8-aws", "--version", "1.0.0", "--project", "Default"); code != ExitFindings {
		t.Errorf("get deleted: exit %d", code)
	}
}

func TestRefusedProfilesPrintTheFindingsAsValidateDoesAndExitOne(t *testing.T) {
	s := newCLIServer(t)
	out, errOut, code := s.run("profile", "apply", "examples/azure-invalid.json", "examples/aws.yaml", "--project", "Default")
	if code != ExitFindings || !strings.Contains(errOut, "1 of 2 profile(s) refused") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	golden, err := os.ReadFile("cli/testdata/golden/azure-invalid.json.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(golden)), "\n") {
		if strings.Contains(line, " error ") && !strings.Contains(out, line) {
			t.Errorf("apply does not print, as validate does:\n%s\ngot:\n%s", line, out)
		}
	}
	if !strings.Contains(out, "refused") || !hasRow(out, "examples/aws.yaml", "rhel8-aws", "1.0.0", "created") || !hasRow(out, "examples/azure-invalid.json", "ubuntu-azure-gallery", "1.0.0", "refused") {
		t.Errorf("results:\n%s", out)
	}
	var res []applyResult
	out, _, _ = s.run("profile", "apply", "-o", "json", "examples/azure-invalid.json", "--project", "Default")
	if err := json.Unmarshal([]byte(out), &res); err != nil || res[0].Action != actionRefused || res[0].Findings[0].Code != "pack-cloud-type" || res[0].Findings[0].Line != 16 {
		t.Errorf("refusal as JSON: %v\n%s", err, out)
	}
	// A document that is not a profile is refused without asking the server.
	out, _, code = s.raw("metadata: [", "profile", "apply", "-", "--server", s.URL, "--api-key", s.AdminKey, "--ca-cert", s.CACertFile)
	if code != ExitFindings || !strings.Contains(out, "<stdin>") || !strings.Contains(out, "profile-invalid") {
		t.Errorf("broken document: exit %d\n%s", code, out)
	}
}

func TestPacksArePushedOnceAndNeverOverwritten(t *testing.T) {
	s := newCLIServer(t)
	out := s.must("registry", "create", "corp", "--project", "Default")
	if !strings.HasPrefix(out, "created registry corp (scope project, uid ") {
		t.Errorf("registry create:\n%s", out)
	}
	s.must("registry", "create", "shared", "--tenant")
	out = s.must("registry", "list", "--project", "Default")
	for _, want := range [][]string{{"Repo", "system", "no", "yes"}, {"corp", "project", "yes", "no"}, {"shared", "tenant", "yes", "no"}} {
		if !hasRow(out, want...) {
			t.Errorf("registry list lacks %q:\n%s", want, out)
		}
	}

	dir := t.TempDir()
	packDir := func(version, values string) string {
		p := filepath.Join(dir, version+strings.ReplaceAll(values, "\n", ""))
		os.MkdirAll(p, 0o755)
		os.WriteFile(filepath.Join(p, "pack.json"), []byte(`{"name": "corp-os", "displayName": "Corp OS", "version": "`+version+`", "layer": "os", "cloudTypes": ["aws"]}`), 0o644)
		os.WriteFile(filepath.Join(p, "values.yaml"), []byte(values), 0o644)
		return p
	}
	first := packDir("1.0.0", "pack:\n  a: 1\n")
	out = s.must("pack", "push", first, "--registry", "corp", "--project", "Default")
	if !hasRow(out, "corp-os", "1.0.0", "corp", "created") {
		t.Errorf("first push:\n%s", out)
	}
	out = s.must("pack", "push", first, "--registry", "corp", "--project", "Default")
	if !strings.Contains(out, "unchanged (same digest)") {
		t.Errorf("same push:\n%s", out)
	}
	out, errOut, code := s.run("pack", "push", packDir("1.0.0", "pack:\n  a: 2\n"), "--registry", "corp", "--project", "Default")
	if code != ExitFindings || !strings.Contains(out, "immutable") || !strings.Contains(out, "new version in pack.json") || !strings.Contains(errOut, "1 of 1 pack(s) refused") {
		t.Errorf("changed content: exit %d\n%s%s", code, out, errOut)
	}
	// A .tgz archive, as JSON.
	p, _, _ := pack.LoadDir(packDir("1.0.1", "pack:\n  a: 2\n"))
	var tgz bytes.Buffer
	p.Tarball(&tgz)
	file := filepath.Join(dir, "corp-os-1.0.1.tgz")
	os.WriteFile(file, tgz.Bytes(), 0o644)
	var pushed []pushResult
	out = s.must("pack", "push", file, "--registry", "corp", "--project", "Default", "-o", "json")
	if err := json.Unmarshal([]byte(out), &pushed); err != nil || pushed[0].Result != pushCreated || pushed[0].Digest != p.Digest {
		t.Errorf("push .tgz: %v\n%s", err, out)
	}
	// A broken pack: lint's findings, nothing sent.
	broken := packDir("v2.0.0", "a: [1\n")
	out, _, code = s.run("pack", "push", broken, "--registry", "corp", "--project", "Default")
	if code != ExitFindings || !strings.Contains(out, broken+"/pack.json:1:") || !strings.Contains(out, "pack-version-prefix") {
		t.Errorf("broken pack: exit %d\n%s", code, out)
	}
	if _, errOut, code := s.run("pack", "push", first, "--registry", "Public Repo", "--project", "Default"); code != ExitFindings || !strings.Contains(errOut, "read-only") {
		t.Errorf("push to the Public Repo: exit %d %s", code, errOut)
	}
	if _, errOut, code := s.run("pack", "push", first, "--registry", "nope", "--project", "Default"); code != ExitFindings || !strings.Contains(errOut, `registry "nope" not found`) {
		t.Errorf("unknown registry: exit %d %s", code, errOut)
	}

	// pack list asks the server when one is given, and reads the built-in packs otherwise.
	out = s.must("pack", "list", "--registry", "corp", "--project", "Default")
	if !hasRow(out, "corp-os", "1.0.1", "os", "aws", "Corp", "OS", "corp") || !hasRow(out, "corp-os", "1.0.0") || strings.Contains(out, "generic-byoi") {
		t.Errorf("server pack list:\n%s", out)
	}
	var rows []packSummary
	json.Unmarshal([]byte(s.must("pack", "list", "--layer", "os", "-o", "json", "--project", "Default")), &rows)
	names := map[string]string{}
	for _, r := range rows {
		names[r.Name+"@"+r.Version] = r.Registry
	}
	if names["corp-os@1.0.0"] != "corp" || names["generic-byoi@1.0.0"] != "Public Repo" || rows[0].UID == "" {
		t.Errorf("server pack list -o json: %+v", rows)
	}
	out, _, code = s.raw("", "pack", "list", "--layer", "os")
	if code != ExitOK || strings.Contains(out, "corp-os") || !strings.Contains(out, "generic-byoi") {
		t.Errorf("offline pack list: exit %d\n%s", code, out)
	}
	out = s.must("pack", "list", "--offline", "--layer", "os")
	if strings.Contains(out, "corp-os") {
		t.Errorf("pack list --offline:\n%s", out)
	}
}

func TestAPIKeysAreShownOnceListedAndRevoked(t *testing.T) {
	s := newCLIServer(t)
	out := s.must("apikey", "create", "ci", "--role", "admin", "--project", "Default")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "created API key ci (uid ") || !strings.Contains(lines[0], "project Default") ||
		!strings.HasPrefix(lines[1], "byoos_") || !strings.Contains(lines[2], "will not be shown again") {
		t.Fatalf("create:\n%s", out)
	}
	key := lines[1]
	var created client.APIKey
	if err := json.Unmarshal([]byte(s.must("apikey", "create", "reader", "-o", "json")), &created); err != nil || created.Role != client.RoleReadOnly || created.ProjectUID != "" || created.Key == "" {
		t.Errorf("create -o json: %v %+v", err, created)
	}

	out = s.must("apikey", "list")
	if !strings.Contains(out, "ci") || !strings.Contains(out, "reader") || !strings.Contains(out, "admin (first start)") || strings.Contains(out, key) || strings.Contains(out, created.Key) {
		t.Errorf("list:\n%s", out)
	}
	var keys []client.APIKey
	json.Unmarshal([]byte(s.must("apikey", "list", "-o", "json")), &keys)
	var uid string
	for _, k := range keys {
		if k.Name == "ci" {
			uid = k.UID
		}
	}
	if len(keys) != 3 || uid == "" {
		t.Fatalf("list -o json: %+v", keys)
	}

	// The new key works, in its project.
	if _, errOut, code := s.runAs(key, "profile", "apply", "examples/aws.yaml", "--project", "Default"); code != ExitOK {
		t.Fatalf("with the new key: exit %d %s", code, errOut)
	}
	out = s.must("apikey", "revoke", uid)
	if out != "revoked API key "+uid+"\n" {
		t.Errorf("revoke: %q", out)
	}
	_, errOut, code := s.runAs(key, "profile", "list", "--project", "Default")
	if code == ExitOK || !strings.Contains(errOut, "401") || strings.Contains(errOut, key) {
		t.Errorf("revoked key: exit %d %s", code, errOut)
	}
	if _, errOut, code := s.run("apikey", "create", "x", "--role", "owner"); code != ExitUsage || !strings.Contains(errOut, "admin or read-only") {
		t.Errorf("bad role: exit %d %s", code, errOut)
	}
}

func TestAMissingServerOrKeyIsAUsageErrorThatNamesTheVariable(t *testing.T) {
	s := newCLIServer(t)
	_, errOut, code := s.raw("", "profile", "list")
	if code != ExitUsage || !strings.Contains(errOut, "--server") || !strings.Contains(errOut, "BYOOS_SERVER") {
		t.Errorf("no server: exit %d %s", code, errOut)
	}
	_, errOut, code = s.raw("", "registry", "list", "--server", s.URL)
	if code != ExitUsage || !strings.Contains(errOut, "BYOOS_API_KEY") || !strings.Contains(errOut, "--api-key") {
		t.Errorf("no key: exit %d %s", code, errOut)
	}
	_, errOut, code = s.raw("", "apikey", "list", "--server", "ftp://x", "--api-key", s.AdminKey)
	if code != ExitUsage || !strings.Contains(errOut, "ftp://x") {
		t.Errorf("bad server: exit %d %s", code, errOut)
	}
	_, errOut, code = s.raw("", "apikey", "list", "--config", "no-such-config.yaml")
	if code != ExitUsage || !strings.Contains(errOut, "no-such-config.yaml") {
		t.Errorf("missing --config file: exit %d %s", code, errOut)
	}
}

func TestTheEnvironmentAndTheConfigFileConfigureTheConnection(t *testing.T) {
	s := newCLIServer(t)
	// Environment only.
	t.Setenv(client.EnvServer, s.URL)
	t.Setenv(client.EnvAPIKey, s.AdminKey)
	t.Setenv(client.EnvCACert, s.CACertFile)
	t.Setenv(client.EnvProject, "Default")
	out, errOut, code := s.raw("", "profile", "apply", "examples/aws.yaml")
	if code != ExitOK || !strings.Contains(out, "created") {
		t.Fatalf("from the environment: exit %d %s%s", code, out, errOut)
	}
	// Flags win over the environment.
	if _, errOut, code := s.raw("", "profile", "list", "--project", "nope"); code != ExitFindings || !strings.Contains(errOut, `project "nope" not found`) {
		t.Errorf("--project over BYOOS_PROJECT: exit %d %s", code, errOut)
	}
	// The config file, with a caCert relative to it, read from XDG_CONFIG_HOME.
	for _, k := range []string{client.EnvServer, client.EnvAPIKey, client.EnvProject, client.EnvCACert} {
		t.Setenv(k, "")
	}
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	os.MkdirAll(filepath.Join(home, "byoos"), 0o700)
	ca, _ := os.ReadFile(s.CACertFile)
	os.WriteFile(filepath.Join(home, "byoos", "ca.pem"), ca, 0o600)
	cfg := "server: " + s.URL + "\napiKey: " + s.AdminKey + "\nproject: Default\ncaCert: ca.pem\n"
	os.WriteFile(filepath.Join(home, "byoos", "config.yaml"), []byte(cfg), 0o600)
	out, errOut, code = s.raw("", "profile", "list")
	if code != ExitOK || !strings.Contains(out, "rhel8-aws") || errOut != "" {
		t.Errorf("from the config file: exit %d\n%s%s", code, out, errOut)
	}
	// The environment wins over the file; --config names another file.
	t.Setenv(client.EnvProject, "nope")
	if _, _, code := s.raw("", "profile", "list"); code != ExitFindings {
		t.Errorf("BYOOS_PROJECT over the file: exit %d", code)
	}
	t.Setenv(client.EnvProject, "")
	other := filepath.Join(t.TempDir(), "other.yaml")
	os.WriteFile(other, []byte("server: "+s.URL+"\napiKey: "+s.AdminKey+"\ncaCert: "+s.CACertFile+"\n"), 0o644)
	out, errOut, code = s.raw("", "registry", "list", "--config", other)
	if code != ExitOK || !strings.Contains(out, "Public Repo") || !strings.Contains(errOut, "others may read it") {
		t.Errorf("--config: exit %d\n%s%s", code, out, errOut)
	}
}

func TestTheAPIKeyNeverAppearsInOutputErrorsOrTraces(t *testing.T) {
	s := newCLIServer(t) // its cleanup checks every output of the test
	s.must("profile", "apply", "examples/aws.yaml", "--project", "Default", "--verbose")
	_, errOut, _ := s.run("profile", "list", "--project", "Default", "--verbose")
	if !strings.Contains(errOut, "GET "+s.URL+"/v1/dashboard/clusterprofiles/metadata: 200") {
		t.Errorf("--verbose:\n%s", errOut)
	}
	s.run("profile", "get", "rhel8-aws", "-o", "yaml", "--project", "Default")
	s.run("profile", "export", "rhel8-aws", "-o", "json", "--project", "Default")
	s.run("apikey", "list", "-o", "yaml")
	s.run("registry", "list", "-o", "json")
	// Failures: no route to the server, an untrusted certificate, a wrong key, a bad config file.
	s.raw("", "profile", "list", "--server", "127.0.0.1:1", "--api-key", s.AdminKey, "--verbose")
	_, errOut, code := s.raw("", "profile", "list", "--server", s.URL, "--api-key", s.AdminKey)
	if code != ExitUsage || !strings.Contains(errOut, "--ca-cert") {
		t.Errorf("untrusted certificate: exit %d %s", code, errOut)
	}
	s.runAs(s.AdminKey+"x", "profile", "list")
	s.runAs("byoos_short key", "profile", "list")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("apiKey: "+s.AdminKey+"\nserver: [\n"), 0o600)
	s.raw("", "profile", "list", "--config", bad)
	os.WriteFile(bad, []byte("apikey: "+s.AdminKey+"\n"), 0o600)
	s.raw("", "profile", "list", "--config", bad)
	if len(s.outputs) < 20 {
		t.Errorf("only %d outputs checked", len(s.outputs))
	}
}

func TestAProfileChangedDuringApplyIsRefusedNotOverwritten(t *testing.T) {
	s := newCLIServer(t)
	ctx := context.Background()
	s.must("profile", "apply", "examples/aws.yaml", "--project", "Default")
	other, err := os.ReadFile(withImage(t, "ami-0a1b2c3d"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := profile.Parse("other.yaml", other)
	if err != nil {
		t.Fatal(err)
	}
	// A proxy in front of the server lets another writer in just before apply's PUT.
	admin := s.admin("Default")
	target, _ := url.Parse(s.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	pool := x509.NewCertPool()
	ca, _ := os.ReadFile(s.CACertFile)
	pool.AppendCertsFromPEM(ca)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	var once sync.Once
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			once.Do(func() {
				p, err := admin.FindProfile(ctx, "rhel8-aws", "1.0.0")
				if err == nil {
					_, err = admin.UpdateProfile(ctx, p.UID, &doc.Profile, p.ResourceVersion())
				}
				if err != nil {
					t.Error(err)
				}
			})
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	proxyCA := filepath.Join(t.TempDir(), "proxy.pem")
	os.WriteFile(proxyCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw}), 0o600)

	out, errOut, code := s.raw("", "profile", "apply", withImage(t, "ami-1a2b3c4d"), "--server", proxy.URL, "--api-key", s.AdminKey, "--ca-cert", proxyCA, "--project", "Default")
	if code != ExitFindings || !hasRow(out, "rhel8-aws", "1.0.0", "refused") || !strings.Contains(out, "read it again and retry") {
		t.Errorf("stale apply: exit %d\n%s%s", code, out, errOut)
	}
	p := s.getJSON("rhel8-aws", "--project", "Default")
	if !strings.Contains(p.Spec.Draft.Packs[0].Values, "ami-0a1b2c3d") {
		t.Errorf("the other writer's change was overwritten: %q", p.Spec.Draft.Packs[0].Values)
	}
	// Run again, apply reads the new revision and wins.
	if out := s.must("profile", "apply", withImage(t, "ami-1a2b3c4d"), "--project", "Default"); !hasRow(out, "rhel8-aws", "1.0.0", "updated") {
		t.Errorf("apply again:\n%s", out)
	}
}
