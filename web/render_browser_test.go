package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/byoos/byoos/profile"
)

// exampleProfile creates the profile of an example file and returns its uid.
func (s *server) exampleProfile(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := profile.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ UID string }
	s.call(t, "POST", "/v1/clusterprofiles", &d.Profile, &created)
	return created.UID
}

// renderDone waits until a render answered: its summary or an error shows
// and the button is back.
func renderDone() chromedp.Action[chromedp.Void] {
	return void(chromedp.Poll[bool](`(() => { const b = document.getElementById('render');
		return !!b && b.textContent === 'Render' && !!document.querySelector('#render-summary, #render-status .alert'); })()`, chromedp.WithPollingInterval(10*time.Millisecond)))
}

// clickRender submits the render form and waits for its answer.
func clickRender() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		void(chromedp.Evaluate[bool](`(() => { const s = document.getElementById('render-status'); while (s.firstChild) s.firstChild.remove(); return true; })()`)),
		chromedp.Click(chromedp.CSS("#render")),
		renderDone())
}

// options lists the values of a select's options.
const targetOptions = `[...document.querySelectorAll('#render-target option')].map((o) => o.value).join(',')`

func TestBrowserRender(t *testing.T) {
	s := startServer(t)
	b := browser(t)
	aws := s.exampleProfile(t, "aws.yaml")

	t.Run("an AWS profile renders to Cluster API with its AMI, and Copy puts the output on the clipboard", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		for _, p := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{Permission: &cdpbrowser.PermissionDescriptor{Name: p}, Setting: "granted", Origin: s.url}); err != nil {
				t.Fatalf("grant %s: %v", p, err)
			}
		}
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+aws), chromedp.WaitVisible(chromedp.CSS("#render-form")))
		if got := eval[string](t, ctx, targetOptions); got != "capi,values" {
			t.Errorf("the targets offered are %q, want capi,values", got)
		}
		if got := eval[string](t, ctx, `[...document.querySelectorAll('#render-inputs input')].map((i) => i.name + (i.required ? '*' : '')).join(',')`); got != "cluster*,namespace,region" {
			t.Errorf("the AWS capi inputs are %q", got)
		}
		run(t, ctx, "fill in the cluster and region and render",
			chromedp.SendKeys(chromedp.CSS("#render-ctx-cluster"), "prod"),
			chromedp.SendKeys(chromedp.CSS("#render-ctx-region"), "us-east-1"),
			clickRender(), chromedp.WaitVisible(chromedp.CSS("#render-stream")))
		out := text(t, ctx, "#render-stream")
		for _, want := range []string{"kind: AWSMachineTemplate", "apiVersion: infrastructure.cluster.x-k8s.io/v1beta2", "id: ami-0f4804aff4cf9c5a2", "cluster.x-k8s.io/cluster-name: prod", "name: prod-rhel8-aws-1.0.0"} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %q:\n%s", want, out)
			}
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#render-arm').length`); n != 0 {
			t.Error("an AWS profile shows an ARM template")
		}
		if sum := text(t, ctx, "#render-summary"); !strings.Contains(sum, "Rendered the draft (the profile was never published) to capi: 1 document(s)") {
			t.Errorf("the summary reads %q", sum)
		}
		run(t, ctx, "copy", chromedp.Click(chromedp.CSS("#render-stream-copy")),
			void(chromedp.Poll[bool](`document.getElementById('render-stream-copied').textContent !== ''`, chromedp.WithPollingInterval(10*time.Millisecond))))
		if st := text(t, ctx, "#render-stream-copied"); st != "Copied." {
			t.Errorf("after Copy the status reads %q", st)
		}
		clip := get(t, ctx, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		if clip != out || !strings.Contains(clip, "ami-0f4804aff4cf9c5a2") {
			t.Errorf("the clipboard holds\n%s\nwant the output\n%s", clip, out)
		}
		noProblems(t, problems)
	})

	t.Run("a missing required input shows the server's message naming it, and marks the field", func(t *testing.T) {
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile and render without a cluster", chromedp.Navigate(s.url+"/#/profiles/"+aws), chromedp.WaitVisible(chromedp.CSS("#render-form")), clickRender())
		if a := text(t, ctx, "#render-status .alert"); a != "Render failed: cluster is not set: the machine templates belong to a Cluster API cluster; set context key cluster" {
			t.Errorf("the refusal reads %q", a)
		}
		if st := eval[string](t, ctx, `document.getElementById('render-ctx-cluster').getAttribute('aria-invalid') + '|' + document.activeElement.id`); st != "true|render-ctx-cluster" {
			t.Errorf("the cluster field: aria-invalid|focused = %q", st)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#render-stream').length`); n != 0 {
			t.Error("a refused render shows output")
		}
		run(t, ctx, "an extra key that is not KEY=VALUE", chromedp.SendKeys(chromedp.CSS("#render-extra"), "aws.instanceType"), clickRender())
		if a := text(t, ctx, "#render-status .alert"); !strings.Contains(a, `line 1: "aws.instanceType" is not KEY=VALUE`) {
			t.Errorf("the extra keys' refusal reads %q", a)
		}
		noProblems(t, problems, "status of 400 (Bad Request) at "+s.url+"/v1/clusterprofiles/"+aws+"/render")
	})

	t.Run("an Azure profile shows the ARM template and the AzureMachineTemplate, each with its Copy button", func(t *testing.T) {
		uid := s.exampleProfile(t, "azure.json")
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#render-form")))
		run(t, ctx, "fill in the Azure context and render",
			chromedp.SendKeys(chromedp.CSS("#render-ctx-cluster"), "prod"),
			chromedp.SendKeys(chromedp.CSS("#render-ctx-region"), "westeurope"),
			chromedp.SendKeys(chromedp.CSS("#render-ctx-azure-subscriptionID"), "01234567-89ab-cdef-0123-4567890abcde"),
			chromedp.SendKeys(chromedp.CSS("#render-ctx-azure-resourceGroup"), "byoos-images"),
			clickRender(), chromedp.WaitVisible(chromedp.CSS("#render-arm")))
		arm, amt := text(t, ctx, "#render-arm"), text(t, ctx, "#render-stream")
		if !strings.Contains(arm, `"type": "Microsoft.Compute/images"`) || !strings.Contains(arm, `"blobUri": "https://docs.blob.core.windows.net/vhds/ubuntu22-1301.vhd"`) {
			t.Errorf("the ARM template:\n%s", arm)
		}
		if !strings.Contains(amt, "kind: AzureMachineTemplate") || !strings.Contains(amt, "/subscriptions/01234567-89ab-cdef-0123-4567890abcde/resourceGroups/byoos-images/providers/Microsoft.Compute/images/ubuntu22-1301") || strings.Contains(amt, "Microsoft.Compute/images\"") {
			t.Errorf("the AzureMachineTemplate block:\n%s", amt)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#render-arm-copy, #render-stream-copy').length`); n != 2 {
			t.Errorf("%d Copy buttons, want 2", n)
		}
		run(t, ctx, "scroll to the render", void(chromedp.Evaluate[bool](`(document.getElementById("render-summary").scrollIntoView(), window.scrollBy(0, -70), true)`)))
		screenshot(t, ctx, "profile-render-azure")
		noProblems(t, problems)
	})

	t.Run("an Edge profile renders its user-data with no secret in the page", func(t *testing.T) {
		uid := s.exampleProfile(t, "edge-native.yaml")
		ctx, problems := tab(t, b)
		s.signIn(t, ctx)
		run(t, ctx, "open the profile", chromedp.Navigate(s.url+"/#/profiles/"+uid), chromedp.WaitVisible(chromedp.CSS("#render-form")))
		if got := eval[string](t, ctx, targetOptions); got != "edge-user-data,values" {
			t.Errorf("the targets offered are %q, want edge-user-data,values", got)
		}
		run(t, ctx, "render", clickRender(), chromedp.WaitVisible(chromedp.CSS("#render-stream")))
		out := text(t, ctx, "#render-stream")
		if !strings.HasPrefix(out, "#cloud-config") || !strings.Contains(out, "password: '********'") || !strings.Contains(out, "edge-pull") {
			t.Errorf("the user-data:\n%s", out)
		}
		run(t, ctx, "render the values too", chromedp.SetValue(chromedp.CSS("#render-target"), "values"),
			void(chromedp.Evaluate[bool](`(document.getElementById('render-target').dispatchEvent(new Event('change')), true)`)), clickRender(),
			chromedp.WaitVisible(chromedp.CSS("#render-stream")))
		if v := text(t, ctx, "#render-stream"); !strings.Contains(v, "cloudType: edge-native") || !strings.Contains(v, "'********'") {
			t.Errorf("the values:\n%s", v)
		}
		if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, "s3cr3t-Pull-Passw0rd") || strings.Contains(html, "MIIBojCCAUmgAwIBAgIU") {
			t.Error("a secret of the Edge profile is somewhere in the page")
		}
		noProblems(t, problems)
	})
}
