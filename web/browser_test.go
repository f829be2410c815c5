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
	"github.com/chromedp/cdproto/fetch"
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

// startServer starts a test server; opts change its configuration.
func startServer(t *testing.T, opts ...func(*api.Config)) *server {
	t.Helper()
	ts := clienttest.Start(t, opts...)
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
	s.callAt(t, s.project, method, path, body, out)
}

// callAt calls the API as the admin in project (tenant-wide when "").
func (s *server) callAt(t *testing.T, project, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("ApiKey", s.admin)
	req.Header.Set("Content-Type", "application/json")
	if project != "" {
		req.Header.Set("ProjectUid", project)
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
				pr.list = append(pr.list, m.String()+" at "+m.URL)
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
	s.signInAs(t, ctx, s.admin)
}

// signInAs signs in with key.
func (s *server) signInAs(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	run(t, ctx, "sign in",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#apikey")),
		chromedp.SendKeys(chromedp.CSS("#apikey"), key),
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
var readmeShots = map[string]bool{"wizard-os-layer": true, "editor-azure-gallery-finding": true, "profile-edge-masked": true, "signin-wrong-key": true,
	"macros": true, "profile-macros-used": true, "profile-verify": true, "profile-render-azure": true}

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
// it should. No script or style of the UI is refused. The browser's log of
// an answer the test expects (a 404 the page handles) is allowed by naming
// it in expected: each is a text the log entry holds, its URL included.
func noProblems(t *testing.T, pr *problems, expected ...string) {
	t.Helper()
	pr.mu.Lock()
	defer pr.mu.Unlock()
next:
	for _, p := range pr.list {
		if strings.Contains(p, "Applying inline style violates") && strings.Contains(p, "style attributes") {
			continue
		}
		for _, e := range expected {
			if strings.Contains(p, e) {
				continue next
			}
		}
		t.Errorf("the page reported: %s", p)
	}
}

// answer makes the tab answer the requests whose URL matches pattern (a
// Fetch.enable pattern, * for any text) with status and the JSON body,
// instead of the server.
func answer(t *testing.T, ctx context.Context, pattern string, status int64, body any) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}}); err != nil {
		t.Fatalf("intercept %s: %v", pattern, err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: status,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}}, Body: raw})
		}
	}()
}

// rows returns the text of each row of the table body sel, cells joined by " | ".
func rows(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	return eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].map((r) => [...r.children].map((c) => c.textContent.trim()).join(' | '))`, sel))
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
			t.Errorf("%d buttons for verify and render, want 2", n)
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

	var info struct{ TenantUID string }
	s.call(t, "GET", "/v1/users/info", nil, &info)
	tenantMacros := "/v1/tenants/" + info.TenantUID + "/macros"
	projectMacros := "/v1/projects/" + s.project + "/macros"
	macroList := func(t *testing.T, path string) map[string]string {
		var out struct {
			Macros []struct{ Name, Value string }
		}
		s.call(t, "GET", path, nil, &out)
		m := map[string]string{}
		for _, x := range out.Macros {
			m[x.Name] = x.Value
		}
		return m
	}
	macros := func(kv ...string) map[string]any {
		var ms []map[string]string
		for i := 0; i+1 < len(kv); i += 2 {
			ms = append(ms, map[string]string{"name": kv[i], "value": kv[i+1]})
		}
		return map[string]any{"macros": ms}
	}
	s.call(t, "POST", tenantMacros, macros("os_name", "rhel", "shared", "tenant-value", "tenant_only", "t1"), nil)
	s.call(t, "POST", projectMacros, macros("os_version", "8", "shared", "project-value"), nil)

	t.Run("the macros page lists tenant and project macros; an admin adds, edits and deletes them with the keyboard", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the macros page",
			chromedp.Navigate(s.url+"/#/macros"),
			chromedp.WaitVisible(chromedp.CSS(`#tenant-macros tr[data-macro="tenant_only"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#project-macros tr[data-macro="shared"]`)))
		if got := strings.Join(rows(t, ctx, "#tenant-macros tbody tr"), "\n"); !strings.Contains(got, "os_name | rhel") || !strings.Contains(got, "tenant_only | t1") ||
			!strings.Contains(got, "shared | tenant-valueThe current project has its own value") {
			t.Errorf("tenant macros read:\n%s", got)
		}
		if got := strings.Join(rows(t, ctx, "#project-macros tbody tr"), "\n"); !strings.Contains(got, "os_version | 8") || !strings.Contains(got, "shared | project-valueUsed over the tenant's macro") {
			t.Errorf("project macros read:\n%s", got)
		}
		if h := text(t, ctx, "#project-macros h2"); !strings.Contains(h, "Default") {
			t.Errorf("the project section is headed %q, want the project's name", h)
		}
		screenshot(t, ctx, "macros")

		run(t, ctx, "add a project macro with the keyboard",
			chromedp.Focus(chromedp.CSS("#project-macros .macro-name")),
			chromedp.SendKeys(chromedp.CSS("#project-macros .macro-name"), "site_name"),
			chromedp.SendKeys(chromedp.CSS("#project-macros .macro-value-input"), "lab-1\r"),
			chromedp.WaitVisible(chromedp.CSS(`#project-macros tr[data-macro="site_name"]`)))
		if msg := text(t, ctx, "#project-macros .macro-message"); msg != "Added site_name." {
			t.Errorf("after the add the page says %q", msg)
		}
		if v := macroList(t, projectMacros)["site_name"]; v != "lab-1" {
			t.Errorf("the server holds site_name = %q, want lab-1", v)
		}
		if focused := eval[string](t, ctx, `document.activeElement.className`); focused != "macro-name" {
			t.Errorf("after the add the focus is on %q, want the name field for the next one", focused)
		}

		run(t, ctx, "edit it: Enter saves",
			chromedp.Click(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .edit-macro`)),
			chromedp.WaitVisible(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .macro-new-value`)),
			chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.SendKeys(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .macro-new-value`), "lab-2\r"),
			void(chromedp.Poll[bool](`(() => { const c = document.querySelector('#project-macros tr[data-macro="site_name"] .macro-value'); return !!c && c.textContent === 'lab-2'; })()`, chromedp.WithPollingInterval(10*time.Millisecond))))
		if v := macroList(t, projectMacros)["site_name"]; v != "lab-2" {
			t.Errorf("the server holds site_name = %q after the edit, want lab-2", v)
		}
		if focused := eval[string](t, ctx, `document.activeElement.getAttribute('aria-label') || ''`); focused != "Edit site_name" {
			t.Errorf("after the save the focus is on %q, want the row's Edit button", focused)
		}

		run(t, ctx, "Escape cancels an edit",
			chromedp.Click(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .edit-macro`)),
			chromedp.WaitVisible(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .macro-new-value`)),
			chromedp.SendKeys(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .macro-new-value`), "-not-saved"),
			chromedp.KeyEvent("\x1b"),
			chromedp.WaitNotPresent(chromedp.CSS(`#project-macros tr[data-macro="site_name"] .macro-new-value`)))
		if v := macroList(t, projectMacros)["site_name"]; v != "lab-2" {
			t.Errorf("a cancelled edit changed site_name to %q", v)
		}

		run(t, ctx, "delete a tenant macro, confirmed",
			chromedp.Click(chromedp.CSS(`#tenant-macros tr[data-macro="tenant_only"] .delete-macro`)),
			chromedp.WaitVisible(chromedp.CSS(`#tenant-macros tr[data-macro="tenant_only"] .confirm-delete`)))
		if _, still := macroList(t, tenantMacros)["tenant_only"]; !still {
			t.Fatal("the macro was deleted before the confirmation")
		}
		run(t, ctx, "confirm",
			chromedp.Click(chromedp.CSS(`#tenant-macros tr[data-macro="tenant_only"] .confirm-delete`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#tenant-macros tr[data-macro="tenant_only"]`)))
		if _, still := macroList(t, tenantMacros)["tenant_only"]; still {
			t.Error("the server still holds tenant_only after the delete")
		}

		run(t, ctx, "a name that cannot name a macro is refused, naming the field",
			chromedp.SendKeys(chromedp.CSS("#project-macros .macro-name"), "bad name"),
			chromedp.Click(chromedp.CSS("#project-macros .add-macro")),
			chromedp.WaitVisible(chromedp.CSS("#project-macros .macro-message .alert")))
		if msg := text(t, ctx, "#project-macros .macro-message .alert"); !strings.HasPrefix(msg, "Name:") || !strings.Contains(msg, "bad name") {
			t.Errorf("the refusal reads %q", msg)
		}
		run(t, ctx, "a name already defined is refused by the server, with its reason",
			chromedp.Clear(chromedp.CSS("#project-macros .macro-name")),
			chromedp.SendKeys(chromedp.CSS("#project-macros .macro-name"), "shared\r"),
			void(chromedp.Poll[bool](`(() => { const a = document.querySelector('#project-macros .macro-message .alert'); return !!a && a.textContent.includes('shared'); })()`, chromedp.WithPollingInterval(10*time.Millisecond))))
		if v := macroList(t, projectMacros)["shared"]; v != "project-value" {
			t.Errorf("the refused add changed shared to %q", v)
		}
		// The refused add is a 409 the page shows; the browser logs it.
		noProblems(t, problems, "status of 409 (Conflict) at "+s.url+projectMacros)
	})

	t.Run("a read-only key sees the macros without write controls, and says why", func(t *testing.T) {
		var key struct{ Key string }
		s.call(t, "POST", "/v1/apiKeys", map[string]string{"name": "macro-reader", "role": "read-only"}, &key)
		ctx, problems := tab(t, b)
		s.signInAs(t, ctx, key.Key)
		run(t, ctx, "open the macros page",
			chromedp.Navigate(s.url+"/#/macros"),
			chromedp.WaitVisible(chromedp.CSS(`#tenant-macros tr[data-macro="os_name"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#project-macros tr[data-macro="os_version"]`)))
		if n := eval[int](t, ctx, `document.querySelectorAll('.macro-add, .edit-macro, .delete-macro').length`); n != 0 {
			t.Errorf("a read-only key is offered %d write controls", n)
		}
		for _, sec := range []string{"#tenant-macros", "#project-macros"} {
			if note := text(t, ctx, sec+" .read-only-note"); !strings.Contains(note, "read-only") {
				t.Errorf("%s says %q, want why it cannot be changed", sec, note)
			}
		}
		noProblems(t, problems)
	})

	t.Run("a project admin key may change its project's macros, not the tenant's", func(t *testing.T) {
		var key struct{ Key string }
		s.call(t, "POST", "/v1/apiKeys", map[string]string{"name": "project-admin", "role": "admin", "projectUid": s.project}, &key)
		ctx, problems := tab(t, b)
		s.signInAs(t, ctx, key.Key)
		run(t, ctx, "open the macros page",
			chromedp.Navigate(s.url+"/#/macros"),
			chromedp.WaitVisible(chromedp.CSS(`#project-macros .macro-add`)),
			chromedp.WaitVisible(chromedp.CSS(`#tenant-macros .read-only-note`)))
		if note := text(t, ctx, "#tenant-macros .read-only-note"); !strings.Contains(note, "tenant admin API key") {
			t.Errorf("the tenant section says %q", note)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#tenant-macros .edit-macro, #tenant-macros .delete-macro').length`); n != 0 {
			t.Errorf("the tenant's macros offer %d write controls to a project key", n)
		}
		noProblems(t, problems)
	})

	t.Run("a profile's page lists the macros its layers use, where each resolves, and marks one not defined", func(t *testing.T) {
		var created struct{ UID string }
		s.call(t, "POST", "/v1/clusterprofiles", map[string]any{
			"metadata": map[string]any{"name": "macro-user"},
			"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": "aws", "packs": []any{
				map[string]any{"name": "generic-byoi", "tag": "1.0.0", "registryUid": api.PublicRepoUID,
					"values": "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"{{ .spectro.macro.os_name }}\"\n  osVersion: \"{{ .spectro.macro.os_version }}\"\nsite: \"{{ .spectro.macro.site_label }}-{{ .spectro.macro.shared }}\"\n"},
				map[string]any{"name": "kubernetes", "tag": "1.30.x", "registryUid": api.PublicRepoUID},
			}}},
		}, &created)
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+created.UID), chromedp.WaitVisible(chromedp.CSS(`#macros-used tr[data-macro="os_name"]`)))
		got := rows(t, ctx, "#macros-used tbody tr")
		want := []string{
			"os_name | generic-byoi | Tenant | rhel",
			"os_version | generic-byoi | Project | 8",
			"shared | generic-byoi | Project | project-value",
			`site_label | generic-byoi | ⚠ Not defined | Warning: macro "site_label" is not defined at project, tenant or system scope; it renders as an empty string` +
				"Fix: define macro site_label at project or tenant scope (Macros).macro-unresolved",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("macros used:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#macros-used tr.macro-undefined').length`); n != 1 {
			t.Errorf("%d rows marked not defined, want 1", n)
		}
		if m := text(t, ctx, "#macros-missing"); !strings.Contains(m, "Warning: 1 macro(s) used but not defined") {
			t.Errorf("the summary reads %q", m)
		}
		// The page's findings say the same, with the same words.
		if f := text(t, ctx, "ul.findings"); !strings.Contains(f, `macro "site_label" is not defined at project, tenant or system scope`) {
			t.Errorf("the findings read %q", f)
		}
		run(t, ctx, "to the macros page", chromedp.Click(chromedp.CSS(`#macros-used tr.macro-undefined a`)), chromedp.WaitVisible(chromedp.CSS("#project-macros .macro-add")))
		run(t, ctx, "back", chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS(`#macros-used tr[data-macro="os_name"]`)),
			void(chromedp.Evaluate[bool](`(document.getElementById("macros-used").scrollIntoView(), true)`)))
		screenshot(t, ctx, "profile-macros-used")
		noProblems(t, problems)
	})

	t.Run("the registries page lists pack, OCI and Helm registries with their sync status, a failed sync with its reason", func(t *testing.T) {
		s.call(t, "POST", "/v1/registries/pack", map[string]any{"metadata": map[string]any{"name": "corp-packs"}}, nil)
		// An OCI and a Helm registry on a loopback port nothing listens on:
		// their first sync fails, and says why.
		var oci, helm struct{ UID string }
		s.callAt(t, "", "POST", "/v1/registries/oci/basic", map[string]any{"metadata": map[string]any{"name": "harbor-packs"},
			"spec": map[string]any{"endpoint": "127.0.0.1:1", "providerType": "pack", "baseContentPath": "byoos", "isSyncSupported": true,
				"auth": map[string]any{"type": "basic", "username": "robot", "password": "Regi-Str1-Pw", "tls": map[string]any{"enabled": true}}}}, &oci)
		s.callAt(t, "", "POST", "/v1/registries/helm", map[string]any{"metadata": map[string]any{"name": "team-charts"},
			"spec": map[string]any{"name": "team-charts", "endpoint": "https://127.0.0.1:1/charts", "isPrivate": true, "auth": map[string]any{"type": "noAuth"}}}, &helm)
		type syncItem struct {
			Metadata struct{ Name, UID string }
			Status   struct {
				Sync, HelmSyncStatus *struct{ Status, Message string }
			}
		}
		settled := func(path, uid string) (status, message string) {
			deadline := time.Now().Add(10 * time.Second) // a safety net, not a speed check
			for {
				var list struct{ Items []syncItem }
				s.call(t, "GET", path, nil, &list)
				for _, it := range list.Items {
					st := it.Status.Sync
					if st == nil {
						st = it.Status.HelmSyncStatus
					}
					if it.Metadata.UID == uid && st != nil && st.Status != "Pending" && st.Status != "InProgress" {
						return st.Status, st.Message
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("the first sync of %s never ended: %+v", uid, list.Items)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		ociStatus, ociMessage := settled("/v1/registries/oci/summary", oci.UID)
		helmStatus, helmMessage := settled("/v1/registries/helm", helm.UID)
		if ociStatus != "Failed" || helmStatus != "Failed" || ociMessage == "" || helmMessage == "" {
			t.Fatalf("syncs from a closed port: OCI %s %q, Helm %s %q; want both Failed with a reason", ociStatus, ociMessage, helmStatus, helmMessage)
		}

		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the registries page", chromedp.Navigate(s.url+"/#/registries"),
			chromedp.WaitVisible(chromedp.CSS(`#registries-pack tr[data-uid="`+api.PublicRepoUID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#registries-oci tr[data-uid="`+oci.UID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#registries-helm tr[data-uid="`+helm.UID+`"]`)))
		packs := strings.Join(rows(t, ctx, "#registries-pack tbody tr"), "\n")
		if !strings.Contains(packs, "Public Repo") || !strings.Contains(packs, "corp-packs") || !strings.Contains(packs, "Completed") || !strings.Contains(packs, "byoos://") ||
			strings.Contains(packs, "harbor-packs") || strings.Contains(packs, "team-charts") {
			t.Errorf("pack registries read:\n%s", packs)
		}
		ociRows := rows(t, ctx, "#registries-oci tbody tr")
		if len(ociRows) != 1 || !strings.HasPrefix(ociRows[0], "harbor-packs | basicholds pack | 127.0.0.1:1 | tenant | ") ||
			!strings.Contains(ociRows[0], "⚠ Failed") || !strings.Contains(ociRows[0], "Reason: "+ociMessage) {
			t.Errorf("OCI registries read %q; want harbor-packs, basic, failed with %q", ociRows, ociMessage)
		}
		// GET /v1/registries/helm answers for the pack registries too: they
		// are listed once, as pack registries.
		helmRows := rows(t, ctx, "#registries-helm tbody tr")
		if len(helmRows) != 1 || !strings.HasPrefix(helmRows[0], "team-charts | helm | https://127.0.0.1:1/charts | ") ||
			!strings.Contains(helmRows[0], "⚠ Failed") || !strings.Contains(helmRows[0], "Reason: "+helmMessage) {
			t.Errorf("Helm registries read %q; want team-charts alone, failed with %q", helmRows, helmMessage)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('td.sync-failed').length`); n != 2 {
			t.Errorf("%d sync cells marked failed, want 2", n)
		}
		if a := text(t, ctx, "#sync-failures"); !strings.Contains(a, "2 registries failed to sync: harbor-packs, team-charts") {
			t.Errorf("the summary of failures reads %q", a)
		}
		screenshot(t, ctx, "registries")
		if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, "Regi-Str1-Pw") {
			t.Error("the registry password is somewhere in the page")
		}
		noProblems(t, problems)

		// A server without the OCI summary route (404) has no OCI registries:
		// the page says so, with no error.
		ctx, problems = tab(t, b)
		answer(t, ctx, "*/v1/registries/oci/summary", 404, map[string]any{"code": "ResourceNotFound", "message": "404 page not found"})
		s.signIn(t, ctx)
		run(t, ctx, "open the registries page", chromedp.Navigate(s.url+"/#/registries"), chromedp.WaitVisible(chromedp.CSS(`#registries-oci p.none`)))
		if none := text(t, ctx, "#registries-oci p.none"); none != "No OCI registries." {
			t.Errorf("the OCI section says %q", none)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('main .alert:not(#sync-failures)').length`); n != 0 {
			t.Errorf("%d error alerts on the page: %s", n, text(t, ctx, "main .alert"))
		}
		noProblems(t, problems, "status of 404 (Not Found) at "+s.url+"/v1/registries/oci/summary")

		// A synced registry and an ECR registry, as the summary answers them
		// (Palette's V1OciRegistries); the test server reaches no registry
		// that could sync.
		ctx, problems = tab(t, b)
		answer(t, ctx, "*/v1/registries/oci/summary", 200, map[string]any{"items": []any{
			map[string]any{"metadata": map[string]any{"name": "harbor-synced", "uid": "0c1000000000000000000001"},
				"spec":   map[string]any{"endpoint": "harbor.example.internal", "providerType": "pack", "registryType": "basic", "scope": "tenant", "isPrivate": true},
				"status": map[string]any{"sync": map[string]any{"isSyncSupported": true, "status": "Completed", "message": "12 pack versions synced", "lastSyncedTime": "2025-05-01T10:00:00Z", "lastRunTime": "2025-05-01T10:00:00Z"}}},
			map[string]any{"metadata": map[string]any{"name": "ecr-packs", "uid": "0c1000000000000000000002"},
				"spec":   map[string]any{"endpoint": "123456789012.dkr.ecr.us-east-1.amazonaws.com", "providerType": "pack", "registryType": "ecr", "scope": "tenant", "isPrivate": true, "defaultRegion": "us-east-1"},
				"status": map[string]any{"sync": map[string]any{"isSyncSupported": true, "status": "InProgress", "lastRunTime": "2025-05-01T11:00:00Z"}}},
		}})
		s.signIn(t, ctx)
		run(t, ctx, "open the registries page", chromedp.Navigate(s.url+"/#/registries"), chromedp.WaitVisible(chromedp.CSS(`#registries-oci tr[data-uid="0c1000000000000000000002"]`)))
		got := rows(t, ctx, "#registries-oci tbody tr")
		if len(got) != 2 || got[0] != "harbor-synced | basicholds pack | harbor.example.internal | tenant | yes | Completed12 pack versions syncedLast synced: 2025-05-01 10:00:00 UTC" ||
			got[1] != "ecr-packs | ecrholds packregion us-east-1 | 123456789012.dkr.ecr.us-east-1.amazonaws.com | tenant | yes | InProgressLast synced: never · last run: 2025-05-01 11:00:00 UTC" {
			t.Errorf("OCI registries read:\n%s", strings.Join(got, "\n"))
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#registries-oci td.sync-failed').length`); n != 0 {
			t.Errorf("%d OCI registries marked failed, want none", n)
		}
		// The real OCI registry, which this faked summary leaves out, is still
		// in the pack registry list the server answers (it holds packs), and
		// its sync failed; the faked ones did not fail.
		if a := text(t, ctx, "#sync-failures"); !strings.Contains(a, "2 registries failed to sync: harbor-packs, team-charts.") {
			t.Errorf("the summary of failures reads %q, want the real OCI and Helm registries alone", a)
		}
		noProblems(t, problems)
	})

	h, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	raw, gz := h.Size()
	t.Logf("measure: UI assets %d bytes, %d bytes gzipped", raw, gz)
}
