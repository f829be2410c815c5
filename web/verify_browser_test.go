package web_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/regsync/regtest"
)

// edgeVerifyValues are the values of an edge-native-byoi layer whose
// provider image is uri, pulled from reg with its credentials and CA, with
// further content images.
func edgeVerifyValues(reg *regtest.Registry, uri string, content ...string) string {
	var b strings.Builder
	b.WriteString("pack:\n  content:\n    images:\n      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\n")
	for _, c := range content {
		b.WriteString("      - image: \"" + c + "\"\n")
	}
	b.WriteString("options:\n  system.uri: \"" + uri + "\"\n")
	b.WriteString("providerCredentials:\n  registry: \"" + reg.Host + "\"\n  username: \"" + reg.Username + "\"\n  password: \"" + reg.Password + "\"\n  certificate: |\n")
	for _, l := range strings.Split(strings.TrimSpace(reg.CACertPEM), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// lineOf is the 1-based line of text that holds s.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q is not in the values", s)
	return 0
}

// createProfile creates a profile of cloudType with the layers
// (name, tag, values) and returns its uid.
func (s *server) createProfile(t *testing.T, name, cloudType string, layers ...[3]string) string {
	t.Helper()
	packs := []any{}
	for _, l := range layers {
		packs = append(packs, map[string]any{"name": l[0], "tag": l[1], "type": "spectro", "registryUid": api.PublicRepoUID, "values": l[2]})
	}
	var created struct{ UID string }
	s.call(t, "POST", "/v1/clusterprofiles", map[string]any{
		"metadata": map[string]any{"name": name},
		"spec":     map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": cloudType, "packs": packs}},
	}, &created)
	return created.UID
}

// edgeProfile creates an edge-native profile whose BYOOS layer has values.
func (s *server) edgeProfile(t *testing.T, name, values string) string {
	t.Helper()
	return s.createProfile(t, name, "edge-native", [3]string{"edge-native-byoi", "2.1.x", values}, [3]string{"edge-k3s", "1.30.x", ""})
}

// holdRequests pauses the tab's requests whose URL matches pattern (a
// Fetch.enable pattern) and sends the id of each on the channel; the test
// then continues or fails it. stop ends the interception.
func holdRequests(t *testing.T, ctx context.Context, pattern string) (held <-chan fetch.RequestID, stop func()) {
	t.Helper()
	ectx, cancel := context.WithCancel(ctx)
	paused := chromedp.Events(ectx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}}); err != nil {
		cancel()
		t.Fatalf("intercept %s: %v", pattern, err)
	}
	ids := make(chan fetch.RequestID, 8)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			ids <- ev.RequestID
		}
	}()
	return ids, func() {
		cancel()
		_, _ = chromedp.Call(ctx, fetch.Disable, struct{}{})
	}
}

// nextHeld waits for the next held request (the tab's deadline bounds the wait).
func nextHeld(t *testing.T, ctx context.Context, held <-chan fetch.RequestID) fetch.RequestID {
	t.Helper()
	select {
	case id := <-held:
		return id
	case <-ctx.Done():
		t.Fatalf("no request was made: %v", ctx.Err())
		return ""
	}
}

// verifyDone waits until a verify answered: its summary or an error shows
// and the button is back.
func verifyDone() chromedp.Action[chromedp.Void] {
	return void(chromedp.Poll[bool](`(() => { const b = document.getElementById('verify');
		return !!b && b.textContent === 'Verify' && !!document.querySelector('#verify-summary, #verify-status .alert'); })()`, chromedp.WithPollingInterval(10*time.Millisecond)))
}

// clickVerify submits the verify form and waits for its answer.
func clickVerify() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitEnabled(chromedp.CSS("#verify")),
		void(chromedp.Evaluate[bool](`(() => { const s = document.getElementById('verify-status'); while (s.firstChild) s.firstChild.remove(); return true; })()`)),
		chromedp.Click(chromedp.CSS("#verify")),
		verifyDone())
}

func TestBrowserVerify(t *testing.T) {
	reg := regtest.StartRegistry(t)
	s := startServer(t, func(c *api.Config) {
		// The registry listens on loopback: the test allows it, as
		// --verify-allow-net 127.0.0.1/32 would. Nothing is cached, so that a
		// tag moved between two verifies is seen.
		c.Verify.AllowNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		c.Verify.CacheTTL = -1
	})
	b := browser(t)

	t.Run("an admin verifies an Edge profile with the keyboard: the image holds with its digest, and the password never shows", func(t *testing.T) {
		digest := regtest.PushIndex(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxAMD64(), regtest.LinuxARM64())
		uri := reg.Host + "/edge/ubuntu:k3s-1.30.6-demo"
		values := edgeVerifyValues(reg, uri)
		uid := s.edgeProfile(t, "edge-verify", values)
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#verify-form")))
		if req := eval[bool](t, ctx, `document.getElementById('verify-region').required`); req {
			t.Error("the region is required of an Edge profile")
		}

		// The request is held while the page shows that it runs.
		held, stop := holdRequests(t, ctx, "*/verify")
		run(t, ctx, "choose the architecture and press Enter on Verify",
			chromedp.SetValue(chromedp.CSS("#verify-arch"), "arm64"),
			chromedp.Focus(chromedp.CSS("#verify")),
			chromedp.KeyEvent("\r"))
		id := nextHeld(t, ctx, held)
		if st := eval[string](t, ctx, `(() => { const b = document.getElementById('verify');
			return b.disabled + '|' + b.textContent + '|' + document.getElementById('verify-output').getAttribute('aria-busy'); })()`); st != "true|Verifying…|true" {
			t.Errorf("while verifying: disabled|text|aria-busy = %q, want true|Verifying…|true", st)
		}
		if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}); err != nil {
			t.Fatal(err)
		}
		stop()
		run(t, ctx, "the answer", verifyDone(), chromedp.WaitVisible(chromedp.CSS("#verify-results tbody tr")))

		got := rows(t, ctx, "#verify-results tbody tr")
		if len(got) == 0 {
			t.Fatal("no image rows")
		}
		for _, r := range got {
			if !strings.HasPrefix(r, "✓Holds | "+uri+" | edge-native | ") || !strings.Contains(r, digest) {
				t.Errorf("row %q: want ✓, %s, edge-native and digest %s", r, uri, digest)
			}
		}
		if os := got[0]; !strings.Contains(os, " | os | edge-native-byoi: options.system.uri"+fmt.Sprintf("line %d", lineOf(t, values, "system.uri:"))) {
			t.Errorf("the provider image's row reads %q, want role os and where it is named", os)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#verify-results tr.verify-fails').length`); n != 0 {
			t.Errorf("%d rows marked as failing", n)
		}
		if sum := text(t, ctx, "#verify-summary"); !strings.Contains(sum, "Verified the draft") || !strings.Contains(sum, fmt.Sprintf("%d image(s), %d hold, 0 do not; 0 error(s)", len(got), len(got))) {
			t.Errorf("the summary reads %q", sum)
		}
		if f := text(t, ctx, "#verify-findings"); f != "No findings." {
			t.Errorf("the findings read %q", f)
		}
		if st := eval[string](t, ctx, `(() => { const b = document.getElementById('verify');
			return b.disabled + '|' + b.textContent + '|' + document.getElementById('verify-output').hasAttribute('aria-busy'); })()`); st != "false|Verify|false" {
			t.Errorf("after the answer: disabled|text|busy = %q", st)
		}
		if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, reg.Password) {
			t.Error("the registry password is somewhere in the page")
		}
		noProblems(t, problems)
	})

	t.Run("a published profile records its digests; a tag pushed again is shown as moved", func(t *testing.T) {
		first := regtest.PushImage(t, reg, "edge/moving", "v1", regtest.LinuxAMD64())
		uri := reg.Host + "/edge/moving:v1"
		uid := s.edgeProfile(t, "edge-moving", edgeVerifyValues(reg, uri))
		s.call(t, "PATCH", "/v1/clusterprofiles/"+uid+"/publish", nil, nil)
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile and verify it", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#verify-form")), clickVerify())
		if sum := text(t, ctx, "#verify-summary"); !strings.Contains(sum, "Verified the published version") || !strings.Contains(sum, "Recorded") {
			t.Errorf("the first verify of the publication says %q, want the digests recorded", sum)
		}
		run(t, ctx, "verify again", clickVerify())
		for _, r := range rows(t, ctx, "#verify-results tbody tr") {
			if !strings.HasPrefix(r, "✓") || !strings.Contains(r, first+"As recorded at publication.") {
				t.Errorf("row %q: want it to hold with %s as recorded", r, first)
			}
		}
		moved := regtest.PushImage(t, reg, "edge/moving", "v1", regtest.LinuxAMD64())
		run(t, ctx, "verify after the tag moved", clickVerify())
		os := rows(t, ctx, "#verify-results tbody tr")[0]
		if !strings.HasPrefix(os, "✗Does not hold | "+uri) || !strings.Contains(os, moved+"Moved since published: recorded "+first) {
			t.Errorf("after the push the row reads %q, want ✗ with %s moved from %s", os, moved, first)
		}
		if f := text(t, ctx, "#verify-findings li"); !strings.Contains(f, "verify-edge-moved") || !strings.Contains(f, "moved since published") {
			t.Errorf("the finding reads %q", f)
		}
		noProblems(t, problems)
	})

	t.Run("a missing tag shows ✗ and its verify-edge-not-found finding, located", func(t *testing.T) {
		regtest.PushIndex(t, reg, "edge/base", "v2", regtest.LinuxAMD64())
		uri, missing := reg.Host+"/edge/base:v2", reg.Host+"/edge/base:no-such-tag"
		values := edgeVerifyValues(reg, uri, missing)
		uid := s.edgeProfile(t, "edge-missing", values)
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile and verify it", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#verify-form")), clickVerify(),
			chromedp.WaitVisible(chromedp.CSS("#verify-results tr.verify-fails")))
		fails := rows(t, ctx, "#verify-results tbody tr.verify-fails")
		line := lineOf(t, values, "no-such-tag")
		if len(fails) != 1 || !strings.HasPrefix(fails[0], "✗Does not hold | "+missing+" | edge-native | content | edge-native-byoi: pack.content.images[1].image"+fmt.Sprintf("line %d", line)) {
			t.Errorf("failing rows %q, want the missing tag's alone, located at line %d", fails, line)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#verify-results tr.verify-holds').length`); n == 0 {
			t.Error("the image that exists is not shown as holding")
		}
		items := eval[[]string](t, ctx, `[...document.querySelectorAll('#verify-findings li.finding-error')].map((li) => li.textContent)`)
		if len(items) != 1 {
			t.Fatalf("findings %q, want one error", items)
		}
		f := items[0]
		for _, want := range []string{fmt.Sprintf("Error edge-native-byoi, line %d, column ", line), "(pack.content.images[1].image): ", missing + " was not found", "Fix: ", "verify-edge-not-found"} {
			if !strings.Contains(f, want) {
				t.Errorf("the finding %q lacks %q", f, want)
			}
		}
		if sum := text(t, ctx, "#verify-summary"); !strings.Contains(sum, "1 do not; 1 error(s)") {
			t.Errorf("the summary reads %q", sum)
		}
		if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, reg.Password) {
			t.Error("the registry password is somewhere in the page")
		}
		run(t, ctx, "scroll to the verify", void(chromedp.Evaluate[bool](`(document.getElementById("verify-summary").scrollIntoView(), window.scrollBy(0, -70), true)`)))
		screenshot(t, ctx, "profile-verify")
		noProblems(t, problems)
	})

	t.Run("a read-only key cannot verify: the button is disabled with the reason, and the server's refusal is shown", func(t *testing.T) {
		regtest.PushImage(t, reg, "edge/ro", "v1", regtest.LinuxAMD64())
		uid := s.edgeProfile(t, "edge-read-only", edgeVerifyValues(reg, reg.Host+"/edge/ro:v1"))
		var key struct{ Key string }
		s.call(t, "POST", "/v1/apiKeys", map[string]string{"name": "verify-reader", "role": "read-only"}, &key)
		ctx, problems := tab(t, b)
		s.signInAs(t, ctx, key.Key)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#verify-note")))
		if st := eval[string](t, ctx, `document.getElementById('verify').disabled + '|' + document.getElementById('verify').getAttribute('aria-describedby')`); st != "true|verify-note" {
			t.Errorf("the button: disabled|described by = %q", st)
		}
		if note := text(t, ctx, "#verify-note"); !strings.Contains(note, "read-only") || !strings.Contains(note, "admin key") {
			t.Errorf("the note reads %q", note)
		}
		// Should the page not know the role, the server refuses, and the
		// page says so.
		run(t, ctx, "force the button and submit",
			void(chromedp.Evaluate[bool](`(document.getElementById('verify').disabled = false, true)`)),
			chromedp.Click(chromedp.CSS("#verify")), verifyDone())
		if a := text(t, ctx, "#verify-status .alert"); !strings.HasPrefix(a, "Verify failed: This API key may not do that: ") {
			t.Errorf("the refusal reads %q", a)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#verify-results').length`); n != 0 {
			t.Error("a refused verify shows results")
		}
		noProblems(t, problems, "status of 403 (Forbidden) at "+s.url+"/v1/clusterprofiles/"+uid+"/verify")
	})

	t.Run("errors are shown: the server's 400 with its message, an unreachable server, and an AWS profile without a region", func(t *testing.T) {
		regtest.PushImage(t, reg, "edge/err", "v1", regtest.LinuxAMD64())
		uid := s.edgeProfile(t, "edge-errors", edgeVerifyValues(reg, reg.Host+"/edge/err:v1"))
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#verify-form")))
		run(t, ctx, "an architecture the server does not know",
			void(chromedp.Evaluate[bool](`(() => { const s = document.getElementById('verify-arch'); const o = document.createElement('option'); o.value = 'sparc'; o.textContent = 'sparc'; s.append(o); s.value = 'sparc'; return true; })()`)),
			clickVerify())
		if a := text(t, ctx, "#verify-status .alert"); a != `Verify failed: arch "sparc": use x86_64 or arm64` {
			t.Errorf("the 400 reads %q", a)
		}

		held, stop := holdRequests(t, ctx, "*/verify")
		run(t, ctx, "verify while the server cannot be reached", chromedp.SetValue(chromedp.CSS("#verify-arch"), "x86_64"), chromedp.Click(chromedp.CSS("#verify")))
		if _, err := chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: nextHeld(t, ctx, held), ErrorReason: network.ErrorReasonConnectionRefused}); err != nil {
			t.Fatal(err)
		}
		stop()
		run(t, ctx, "the failure", verifyDone())
		if a := text(t, ctx, "#verify-status .alert"); !strings.HasPrefix(a, "Verify failed: The server could not be reached: ") {
			t.Errorf("the network failure reads %q", a)
		}
		if en := eval[bool](t, ctx, `!document.getElementById('verify').disabled`); !en {
			t.Error("after a failure the button stays disabled")
		}

		aws := s.createProfile(t, "aws-verify", "aws",
			[3]string{"generic-byoi", "1.0.0", "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"},
			[3]string{"kubernetes", "1.30.x", ""})
		run(t, ctx, "an AWS profile without a region",
			chromedp.Navigate(s.url+"/#/profiles/"+aws), chromedp.WaitVisible(chromedp.CSS("#verify-form")),
			chromedp.Click(chromedp.CSS("#verify")), chromedp.WaitVisible(chromedp.CSS("#verify-status .alert")))
		if a := text(t, ctx, "#verify-status .alert"); !strings.HasPrefix(a, "Region: enter the AWS region") {
			t.Errorf("the refusal reads %q", a)
		}
		if st := eval[string](t, ctx, `document.getElementById('verify-region').required + '|' + (document.activeElement && document.activeElement.id)`); st != "true|verify-region" {
			t.Errorf("region required|focused = %q", st)
		}
		if n := eval[int](t, ctx, `performance.getEntriesByType('resource').filter((e) => e.name.includes('/`+aws+`/verify')).length`); n != 0 {
			t.Errorf("%d verify requests without a region", n)
		}
		// The browser logs the 400 and the refused connection it was told to
		// make; the page handles both.
		noProblems(t, problems, "status of 400 (Bad Request) at "+s.url+"/v1/clusterprofiles/"+uid+"/verify", "ERR_CONNECTION_REFUSED at "+s.url+"/v1/clusterprofiles/"+uid+"/verify")
	})
}
