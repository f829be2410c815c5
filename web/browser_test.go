package web_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/client/clienttest"
	"github.com/byoos/byoos/web"
)

// go test ./web -run Browser -screenshots writes the README's screenshots.
var updateScreenshots = flag.Bool("screenshots", false, "write the screenshots into docs/screenshots")

// server is a real byoos server over TLS on an embedded database.
type server struct {
	url, admin, project string
	client              *http.Client
}

func startServer(t *testing.T) *server {
	t.Helper()
	ts := clienttest.Start(t)
	pool := x509.NewCertPool()
	pemBytes, err := os.ReadFile(ts.CACertFile)
	if err != nil || !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("the test server's certificate: %v", err)
	}
	s := &server{url: ts.URL, admin: ts.AdminKey, client: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	var projects struct {
		Items []struct{ Metadata struct{ Name, UID string } }
	}
	s.call(t, "GET", "/v1/dashboard/projects/metadata", nil, &projects)
	for _, p := range projects.Items {
		if p.Metadata.Name == "Default" {
			s.project = p.Metadata.UID
		}
	}
	return s
}

func (s *server) call(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("ApiKey", s.admin)
	req.Header.Set("Content-Type", "application/json")
	if s.project != "" {
		req.Header.Set("ProjectUid", s.project)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// chromiumPath finds Debian's chromium. Missing, the test fails: the test
// command (scripts/test.sh) installs it.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("BYOOS_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
	}
	t.Fatal("chromium is not installed: the browser tests need it (apt-get install -y chromium; scripts/test.sh installs it)")
	return ""
}

// browser is one headless chromium shared by the subtests; each subtest
// opens its own tab (its own sessionStorage).
func browser(t *testing.T) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("ignore-certificate-errors", true), // the test server's own certificate, on loopback
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// tab opens a new tab that records the page's errors (exceptions, console
// errors, CSP violations).
func tab(t *testing.T, b context.Context) (context.Context, *problems) {
	ctx, cancel := chromedp.NewContext(b)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	ctx, tcancel := context.WithTimeout(ctx, 15*time.Second) // a safety net, not a speed check
	t.Cleanup(tcancel)
	pr := &problems{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				pr.mu.Lock()
				pr.list = append(pr.list, m.String())
				pr.mu.Unlock()
			}
		}
	}()
	return ctx, pr
}

// problems are the errors a page reported.
type problems struct {
	mu   sync.Mutex
	list []string
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main"), chromedp.AtLeast(0)))
		if len(html) > 3000 {
			html = html[:3000]
		}
		t.Fatalf("%s: %v\npage: %s", what, err, html)
	}
}

func (s *server) signIn(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "sign in",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#apikey")),
		chromedp.SendKeys(chromedp.CSS("#apikey"), s.admin),
		chromedp.Click(chromedp.CSS("form.signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#profiles")),
	)
}

// setValues replaces the text of the editor of layer with text, inserted
// as an input method or a paste inserts it.
func setValues(layer, text string) chromedp.Action[chromedp.Void] {
	sel := fmt.Sprintf(`.layer-editor[data-layer=%q] .cm-content`, layer)
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}),
	)
}

// readmeShots are the screenshots the README shows.
var readmeShots = map[string]bool{"wizard-os-layer": true, "editor-azure-gallery-finding": true, "profile-edge-masked": true, "signin-wrong-key": true}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf := get(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	if _, err := png.Decode(bytes.NewReader(buf)); err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	dir := t.TempDir()
	if *updateScreenshots && readmeShots[name] {
		dir = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// get runs an action that answers a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return get(t, ctx, "evaluate "+js, chromedp.Evaluate[T](js))
}

// noProblems fails on any error the page reported but one: when text of
// several lines is inserted into the editor (Input.insertText), Chromium's
// own contenteditable editing gives the new line's element a style
// attribute before the editor redraws the line, and the policy blocks it, as
// it should. No script or style of the UI is refused.
func noProblems(t *testing.T, pr *problems) {
	t.Helper()
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for _, p := range pr.list {
		if strings.Contains(p, "Applying inline style violates") && strings.Contains(p, "style attributes") {
			continue
		}
		t.Errorf("the page reported: %s", p)
	}
}

// waitChecked waits until the editor of layer shows the result of a check
// made after the last change.
func waitChecked(layer string) chromedp.Action[chromedp.Void] {
	return void(chromedp.Poll[bool](fmt.Sprintf(`(() => { const e = document.querySelector('.layer-editor[data-layer=%q]');
		const s = e && e.querySelector('.check-status');
		return !!s && !e.querySelector('.editor-host').dataset.pending && s.textContent !== 'Checking…' && s.textContent !== 'Not checked yet.'; })()`, layer), chromedp.WithPollingInterval(10*time.Millisecond)))
}

// void drops an action's value, to run it among steps.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

const galleryID = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/images/providers/Microsoft.Compute/galleries/byoos/images/rhel8/versions/1.0.0"

const edgeValues = `pack:
  content:
    images:
      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
options:
  system.uri: "registry.example.internal:5000/edge/ubuntu:k3s-{{ .spectro.system.kubernetes.version }}-v4.4.12-demo"
providerCredentials:
  registry: "registry.example.internal:5000"
  username: "edge-pull"
  password: "Sup3r-S3cret-Passw0rd"
`

func TestBrowser(t *testing.T) {
	s := startServer(t)
	b := browser(t)

	t.Run("a wrong API key shows a clear message", func(t *testing.T) {
		ctx, problems := tab(t, b)
		run(t, ctx, "sign in with a wrong key",
			chromedp.Navigate(s.url+"/"),
			chromedp.WaitVisible(chromedp.CSS("#apikey")),
			chromedp.SendKeys(chromedp.CSS("#apikey"), "byoos_0000000000000000000000000000000000000000000000000"),
			chromedp.Click(chromedp.CSS("form.signin button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#signin-error .alert")))
		msg := text(t, ctx, "#signin-error .alert")
		if !strings.Contains(msg, "was not accepted") || !strings.Contains(msg, "byoos_") {
			t.Errorf("message %q does not say the key was not accepted and how keys look", msg)
		}
		if got := eval[string](t, ctx, `sessionStorage.getItem('byoos.apiKey') || ''`); got != "" {
			t.Errorf("a refused key was kept: %q", got)
		}
		screenshot(t, ctx, "signin-wrong-key")
		_ = problems // a 401 in the console is the browser's own network log, not an error of the page
	})

	t.Run("sign in, list profiles and sign out", func(t *testing.T) {
		// What a new tab costs whatever the page: a JSON answer of the server.
		bctx, _ := tab(t, b)
		run(t, bctx, "baseline load", chromedp.Navigate(s.url+"/healthz"), chromedp.WaitReady(chromedp.CSS("body")))
		t.Logf("measure: baseline, a new tab loading a JSON answer %.1f ms", eval[float64](t, bctx, `(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd || n.domContentLoadedEventEnd; })()`))
		ctx, problems := tab(t, b)
		run(t, ctx, "first load", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#apikey")))
		load := eval[float64](t, ctx, `(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd || n.domContentLoadedEventEnd; })()`)
		t.Logf("measure: first page load on loopback (new tab, assets not cached) %.1f ms", load)
		t.Logf("measure: of which %s", eval[string](t, ctx, `(() => { const n = performance.getEntriesByType('navigation')[0];
			const f = (x) => x.toFixed(1);
			return 'before the request (tab, DNS, TCP, TLS) ' + f(n.requestStart) + ' ms, TLS ' + f(n.secureConnectionStart ? n.connectEnd - n.secureConnectionStart : 0) +
				' ms, first byte ' + f(n.responseStart - n.requestStart) + ' ms, page ' + f(n.responseEnd - n.responseStart) + ' ms, DOM and scripts ' + f(n.domContentLoadedEventEnd - n.responseEnd) + ' ms'; })()`))
		run(t, ctx, "second load", chromedp.Navigate(s.url+"/?again"), chromedp.WaitVisible(chromedp.CSS("#apikey")))
		load = eval[float64](t, ctx, `(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd || n.domContentLoadedEventEnd; })()`)
		t.Logf("measure: page load on loopback, connection open, assets revalidated %.1f ms", load)
		s.signIn(t, ctx)
		if got := eval[string](t, ctx, `sessionStorage.getItem('byoos.apiKey')`); got != s.admin {
			t.Error("the key is not in sessionStorage")
		}
		if got := eval[string](t, ctx, `localStorage.length + '|' + document.cookie + '|' + location.href`); strings.Contains(got, s.admin) || !strings.HasPrefix(got, "0||") {
			t.Errorf("the key leaked into local storage, a cookie or the URL: %q", got)
		}
		run(t, ctx, "open the wizard with the keyboard", chromedp.Focus(chromedp.CSS("#add-profile")), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#name")))
		run(t, ctx, "sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#apikey")))
		if got := eval[string](t, ctx, `sessionStorage.getItem('byoos.apiKey') || ''`); got != "" {
			t.Error("sign out kept the key")
		}
		noProblems(t, problems)
	})

	var awsUID string
	t.Run("create an aws BYOOS profile through the wizard", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "basic information",
			chromedp.Navigate(s.url+"/#/new"), chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "rhel8-aws"),
			chromedp.SendKeys(chromedp.CSS("#description"), "RHEL 8 built with Image Builder"),
			chromedp.SendKeys(chromedp.CSS("#tags"), "env:dev, byoos"),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS("#cloud-aws")),
			chromedp.Click(chromedp.CSS("#cloud-aws")),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS(`.layer-editor[data-layer="generic-byoi"] .cm-content`)),
			waitChecked("generic-byoi"))
		if steps := text(t, ctx, "ol.steps"); !strings.Contains(steps, "OS layer") || strings.Contains(steps, "[object") {
			t.Errorf("the step list reads %q", steps)
		}
		first := eval[string](t, ctx, `document.querySelector('#pack-os option').textContent`)
		if !strings.Contains(first, "Bring Your Own OS (BYO-OS)") {
			t.Errorf("the first OS pack offered is %q, want the BYOOS pack", first)
		}
		if v := eval[string](t, ctx, `document.getElementById('version-os').value`); v != "1.0.x" {
			t.Errorf("version chooser = %q, want 1.0.x", v)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('.layer-editor[data-layer="generic-byoi"] .finding-error').length`); n == 0 {
			t.Error("the empty defaults showed no errors")
		}
		run(t, ctx, "fill in the BYOOS values",
			setValues("generic-byoi", "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"),
			waitChecked("generic-byoi"))
		if st := text(t, ctx, `.layer-editor[data-layer="generic-byoi"] .check-status`); !strings.Contains(st, "No problems") && !strings.Contains(st, "0 error(s)") {
			t.Fatalf("after filling in: %q", st)
		}
		screenshot(t, ctx, "wizard-os-layer")
		run(t, ctx, "K8s, CNI, CSI",
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS("#pack-k8s")),
			waitChecked("kubernetes"), waitChecked("cni-calico"),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS("dl.review")),
			chromedp.WaitEnabled(chromedp.CSS("#next")))
		screenshot(t, ctx, "wizard-review")
		run(t, ctx, "create", chromedp.Click(chromedp.CSS("#next")), chromedp.WaitVisible(chromedp.CSS("#profile-actions")))
		if h := text(t, ctx, "main h1"); h != "rhel8-aws" {
			t.Errorf("profile page heading %q", h)
		}
		awsUID = eval[string](t, ctx, `decodeURIComponent(location.hash.split('/')[2])`)
		var got struct {
			Metadata struct{ Labels map[string]string }
			Spec     struct {
				Draft struct {
					CloudType string
					Packs     []struct{ Name, Tag, Values string }
				}
			}
			Status struct{ IsPublished bool }
		}
		s.call(t, "GET", "/v1/clusterprofiles/"+awsUID, nil, &got)
		if got.Spec.Draft.CloudType != "aws" || len(got.Spec.Draft.Packs) < 3 || got.Spec.Draft.Packs[0].Name != "generic-byoi" || got.Spec.Draft.Packs[0].Tag != "1.0.x" ||
			!strings.Contains(got.Spec.Draft.Packs[0].Values, "ami-0f4804aff4cf9c5a2") || got.Metadata.Labels["env"] != "dev" || !got.Status.IsPublished {
			t.Errorf("stored profile = %+v", got)
		}
		screenshot(t, ctx, "profile-page")
		noProblems(t, problems)
	})

	t.Run("an Azure gallery image ID shows its finding at its line, and the fixed profile is published", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "to the OS layer of an azure profile",
			chromedp.Navigate(s.url+"/#/new"), chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "rhel8-azure"),
			chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.CSS("#cloud-azure")),
			chromedp.Click(chromedp.CSS("#cloud-azure")),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS(`.layer-editor[data-layer="generic-byoi"] .cm-content`)),
			waitChecked("generic-byoi"),
			setValues("generic-byoi", "pack:\n  osImageOverride: \""+galleryID+"\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"),
			chromedp.WaitVisible(chromedp.CSS(`.finding-error[data-line="2"]`)))
		f := text(t, ctx, `.finding-error[data-line="2"]`)
		if !strings.Contains(f, "Line 2") || !strings.Contains(f, "azure-gallery-image") || !strings.Contains(f, "Fix:") || !strings.Contains(f, "VHD") {
			t.Errorf("finding = %q, want line 2, the code, the message and the fix", f)
		}
		ms := eval[string](t, ctx, `document.querySelector('.layer-editor[data-layer="generic-byoi"] .editor-host').dataset.feedbackMs`)
		t.Logf("measure: validation feedback after typing stops (debounce %d ms included): %s ms", 40, ms)
		marked := eval[string](t, ctx, `(() => { const m = document.querySelector('.cm-lintRange-error'); return m ? m.closest('.cm-line').textContent : ''; })()`)
		if !strings.Contains(marked, "osImageOverride") {
			t.Errorf("the editor marks %q, want the osImageOverride line", marked)
		}
		run(t, ctx, "jump to the line from the summary", chromedp.Click(chromedp.CSS(`.finding-error[data-line="2"] button`)))
		if active := text(t, ctx, ".cm-activeLine"); !strings.Contains(active, "osImageOverride") {
			t.Errorf("after the jump the cursor is on %q", active)
		}
		screenshot(t, ctx, "editor-azure-gallery-finding")
		run(t, ctx, "Next is refused with errors", chromedp.Click(chromedp.CSS("#next")), chromedp.WaitVisible(chromedp.CSS(".step-error .alert")))
		if h := text(t, ctx, "#step-h"); !strings.Contains(h, "OS layer") {
			t.Errorf("the wizard moved on with errors: %q", h)
		}
		run(t, ctx, "fix it",
			setValues("generic-byoi", "pack:\n  osImageOverride: \"https://contosoimages.blob.core.windows.net/vhds/rhel-8-k8s.vhd\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"),
			chromedp.WaitNotPresent(chromedp.CSS(`.layer-editor[data-layer="generic-byoi"] .finding-error`)),
			waitChecked("generic-byoi"),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS("#pack-k8s")),
			waitChecked("kubernetes"),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitEnabled(chromedp.CSS("#next")),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS("#profile-actions")))
		if badge := text(t, ctx, ".page-head .badge"); badge != "published" {
			t.Errorf("badge = %q, want published", badge)
		}
		noProblems(t, problems)
	})

	t.Run("an edge-native profile shows its password masked", func(t *testing.T) {
		var created struct{ UID string }
		s.call(t, "POST", "/v1/clusterprofiles", map[string]any{
			"metadata": map[string]any{"name": "edge-store"},
			"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": "edge-native", "packs": []any{
				map[string]any{"name": "edge-native-byoi", "tag": "2.1.0", "registryUid": api.PublicRepoUID, "values": edgeValues},
				map[string]any{"name": "edge-k3s", "tag": "1.30.x", "registryUid": api.PublicRepoUID},
			}}},
		}, &created)
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+created.UID), chromedp.WaitVisible(chromedp.CSS(`.layer[data-layer="edge-native-byoi"] pre`)))
		vals := text(t, ctx, `.layer[data-layer="edge-native-byoi"] pre`)
		if !strings.Contains(vals, "password: '********'") || strings.Contains(vals, "Sup3r") {
			t.Errorf("values shown:\n%s", vals)
		}
		if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, "Sup3r-S3cret") {
			t.Error("the password is somewhere in the page")
		}
		if h := text(t, ctx, "ul.audit"); !strings.Contains(h, "profile.create") || strings.Contains(h, "[object") {
			t.Errorf("the history reads %q, want the create event", h)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#profile-actions button#verify, #profile-actions button#render').length`); n != 2 {
			t.Errorf("%d placeholder buttons for verify and render, want 2", n)
		}
		screenshot(t, ctx, "profile-edge-masked")

		// Editing the layer, the masked password stands for the stored one:
		// the check passes and the change saves, the password kept.
		run(t, ctx, "edit the masked layer",
			chromedp.Click(chromedp.CSS(`.layer[data-layer="edge-native-byoi"] .edit-layer`)),
			chromedp.WaitVisible(chromedp.CSS(`.layer-editor[data-layer="edge-native-byoi"] .cm-content`)),
			waitChecked("edge-native-byoi"))
		if st := text(t, ctx, `.layer-editor[data-layer="edge-native-byoi"] .check-status`); strings.Contains(st, "error") {
			t.Fatalf("the masked layer does not check clean as an edit: %q", st)
		}
		run(t, ctx, "save it", chromedp.Click(chromedp.CSS(".save-layer")), chromedp.WaitVisible(chromedp.CSS("#profile-message p.ok")))
		var stored struct {
			Spec struct {
				Draft struct {
					Packs []struct{ Name, Values string }
				}
			}
		}
		s.call(t, "GET", "/v1/clusterprofiles/"+created.UID, nil, &stored)
		if len(stored.Spec.Draft.Packs) == 0 || !strings.Contains(stored.Spec.Draft.Packs[0].Values, "password: '********'") {
			t.Errorf("after the save the layer reads %+v", stored.Spec.Draft.Packs)
		}
		noProblems(t, problems)
	})

	t.Run("server text is shown as text, never as HTML", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		// A finding quotes the value: markup in it must stay text.
		run(t, ctx, "to the OS layer",
			chromedp.Navigate(s.url+"/#/new"), chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "xss"), chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.CSS("#cloud-aws")), chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS(`.layer-editor[data-layer="generic-byoi"] .cm-content`)),
			waitChecked("generic-byoi"),
			setValues("generic-byoi", "pack:\n  osImageOverride: \"<img src=x onerror=window.pwned=1>\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"),
			chromedp.WaitVisible(chromedp.CSS(`.finding-error[data-line="2"]`)))
		if n := eval[int](t, ctx, `document.querySelectorAll('.findings img').length + (window.pwned ? 100 : 0)`); n != 0 {
			t.Errorf("markup from a finding became HTML (%d)", n)
		}
		noProblems(t, problems)
	})

	t.Run("a pack page renders its README, values and schema; a narrow window does not scroll sideways", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the pack", chromedp.Navigate(s.url+"/#/packs/"+api.PublicRepoUID+"/edge-native-byoi"), chromedp.WaitVisible(chromedp.CSS(".markdown")))
		if n := eval[int](t, ctx, `document.querySelectorAll('.markdown h3, .markdown p, .markdown a[rel~=noopener]').length`); n < 3 {
			t.Errorf("the README rendered %d headings, paragraphs and links", n)
		}
		if txt := text(t, ctx, "table.schema"); !strings.Contains(txt, "providerCredentials.password") {
			t.Errorf("schema table lacks the password entry: %q", txt)
		}
		run(t, ctx, "narrow", chromedp.EmulateViewport(390, 800), chromedp.Navigate(s.url+"/#/profiles"), chromedp.WaitVisible(chromedp.CSS("#profiles")))
		if w := eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth + 1`); !w {
			t.Error("the profile list scrolls sideways at 390 px")
		}
		screenshot(t, ctx, "profiles-narrow")
		noProblems(t, problems)
	})

	h, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	raw, gz := h.Size()
	t.Logf("measure: UI assets %d bytes, %d bytes gzipped", raw, gz)
}
