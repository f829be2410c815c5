package vsphere_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/vsphere"
	"github.com/byoos/byoos/secret"
)

// The vCenter user of the simulator, and a password no finding may show.
const (
	user     = "administrator@vsphere.local"
	password = "s3cret-Pa55w0rd"
)

// The inventory the tests arrange in the simulator's datacenter DC0.
const (
	templatePath = "/DC0/vm/templates/ubuntu-2204-kube-v1.30.5"
	templateName = "ubuntu-2204-kube-v1.30.5"
	plainVMPath  = "/DC0/vm/templates/rhel-8-kube-v1.27.11"
	sharedName   = "shared-name"
)

// safetyNet bounds a check that should end by itself; it is no speed
// assertion.
const safetyNet = 20 * time.Second

// vcenter is a simulated vCenter (vcsim) with TLS.
type vcenter struct {
	url    string // https://127.0.0.1:PORT/sdk, without credentials
	caPEM  string // the PEM of its self-signed certificate
	client *govmomi.Client
}

// startVCenter starts vcsim's vCenter model, configured by configure
// before it is created, with the test's user and password and TLS, and
// arranges its inventory in DC0: the folders templates, team-a and team-b;
// templates/ubuntu-2204-kube-v1.30.5 (a template),
// templates/rhel-8-kube-v1.27.11 (a plain, powered-on VM), and a template
// named shared-name in each of team-a and team-b.
func startVCenter(t *testing.T, configure func(*simulator.Model)) *vcenter {
	t.Helper()
	m := simulator.VPX()
	if configure != nil {
		configure(m)
	}
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{User: url.UserPassword(user, password)}
	s := m.Service.NewServer()
	t.Cleanup(func() { s.Close(); m.Remove() })

	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	c, err := govmomi.NewClient(ctx, s.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	f := find.NewFinder(c.Client, true)
	dc, err := f.Datacenter(ctx, "DC0")
	if err != nil {
		t.Fatal(err)
	}
	f.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	folder := func(name string) *object.Folder {
		fo, err := folders.VmFolder.CreateFolder(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return fo
	}
	place := func(vmName string, into *object.Folder, name string, template bool) {
		vm, err := f.VirtualMachine(ctx, vmName)
		if err != nil {
			t.Fatal(err)
		}
		wait := func(task *object.Task, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			if err := task.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		wait(into.MoveInto(ctx, []types.ManagedObjectReference{vm.Reference()}))
		wait(vm.Rename(ctx, name))
		if template {
			wait(vm.PowerOff(ctx))
			if err := vm.MarkAsTemplate(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	templates := folder("templates")
	place("DC0_H0_VM0", templates, templateName, true)
	place("DC0_H0_VM1", templates, "rhel-8-kube-v1.27.11", false)
	place("DC0_C0_RP0_VM0", folder("team-a"), sharedName, true)
	place("DC0_C0_RP0_VM1", folder("team-b"), sharedName, true)

	u := *s.URL
	u.User = nil
	return &vcenter{url: u.String(), caPEM: certPEM(s.Certificate()), client: c}
}

// sessions counts the sessions vCenter holds, the arranging client's
// included.
func (v *vcenter) sessions(t *testing.T) int {
	t.Helper()
	var sm mo.SessionManager
	if err := property.DefaultCollector(v.client.Client).RetrieveOne(context.Background(), *v.client.Client.ServiceContent.SessionManager, []string{"sessionList"}, &sm); err != nil {
		t.Fatal(err)
	}
	return len(sm.SessionList)
}

// config is the Config that logs in to v and trusts its certificate.
func (v *vcenter) config() vsphere.Config {
	return vsphere.Config{URL: v.url, Username: user, Password: password, CACert: v.caPEM}
}

func certPEM(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func newChecker(t *testing.T, cfg vsphere.Config) *vsphere.Checker {
	t.Helper()
	c, err := vsphere.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// image is a vSphere OS image located in a profile.
func image(ref string) preflight.Image {
	return preflight.Image{Cloud: preflight.VSphere, Role: preflight.RoleOS, Ref: ref,
		At: finding.Finding{Layer: "generic-byoi", Path: "pack.osImageOverride", Line: 4, Column: 20}}
}

// check runs c.Check on ref under the safety net.
func check(t *testing.T, c *vsphere.Checker, ref string) preflight.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	return c.Check(ctx, image(ref), preflight.Target{})
}

// want is what a result must show: the codes of its findings in order
// (none: the image holds), and texts its findings (or, when it holds, its
// Checked) must contain.
type want struct {
	codes    []string
	contains []string
	hint     []string
}

func (w want) verify(t *testing.T, r preflight.Result) {
	t.Helper()
	var codes []string
	var text, hints strings.Builder
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
		text.WriteString(f.Message + "\n")
		hints.WriteString(f.Hint + "\n")
		if f.Layer != "generic-byoi" || f.Path != "pack.osImageOverride" || f.Line != 4 || f.Column != 20 {
			t.Errorf("finding %s is not located where the image is named: %+v", f.Code, f)
		}
		if f.Severity != finding.Error && f.Code != finding.CodeVSphereOVAURLCredentials {
			t.Errorf("finding %s has severity %v, want error", f.Code, f.Severity)
		}
		if f.Message == "" || f.Hint == "" {
			t.Errorf("finding %s lacks a message or a hint: %+v", f.Code, f)
		}
	}
	if strings.Join(codes, ",") != strings.Join(w.codes, ",") {
		t.Fatalf("codes %v, want %v; findings:\n%s", codes, w.codes, text.String())
	}
	if len(w.codes) == 0 {
		text.WriteString(r.Checked)
		if r.Checked == "" {
			t.Errorf("an image that holds has no Checked text")
		}
	}
	for _, s := range w.contains {
		if !strings.Contains(text.String(), s) {
			t.Errorf("the findings (or Checked) do not say %q:\n%s", s, text.String())
		}
	}
	for _, s := range w.hint {
		if !strings.Contains(hints.String(), s) {
			t.Errorf("the hints do not say %q:\n%s", s, hints.String())
		}
	}
	if s := fmt.Sprintf("%+v", r.Findings) + r.Checked; strings.Contains(s, password) {
		t.Errorf("the result shows the password: %s", s)
	}
}

func TestTemplatesAreLookedUpInVCenter(t *testing.T) {
	vc := startVCenter(t, nil)
	c := newChecker(t, vc.config())
	tests := []struct {
		name string
		ref  string
		want want
	}{
		{name: "a template at its full inventory path holds", ref: templatePath,
			want: want{contains: []string{`template "` + templatePath + `"`, "a template (guest otherGuest)"}}},
		{name: "a bare template name found once in the datacenter holds", ref: templateName,
			want: want{contains: []string{`template "` + templatePath + `"`}}},
		{name: "a path relative to the datacenter's VM folder holds", ref: "templates/" + templateName,
			want: want{contains: []string{`template "` + templatePath + `"`}}},
		{name: "a full path given without its leading slash holds", ref: strings.TrimPrefix(templatePath, "/"),
			want: want{contains: []string{`template "` + templatePath + `"`}}},
		{name: "a bare name two templates share is ambiguous and both paths are listed", ref: sharedName,
			want: want{codes: []string{finding.CodeVerifyVSphereAmbiguous},
				contains: []string{`"/DC0/vm/team-a/shared-name" (template)`, `"/DC0/vm/team-b/shared-name" (template)`, "names 2 objects"},
				hint:     []string{"full inventory path"}}},
		{name: "a plain virtual machine is not a template and the fix is named", ref: plainVMPath,
			want: want{codes: []string{finding.CodeVerifyVSphereNotTemplate},
				contains: []string{"is a virtual machine", "not a template (config.template is false)"},
				hint:     []string{"Convert to Template", "govc vm.markastemplate " + plainVMPath}}},
		{name: "a plain virtual machine found by its bare name is not a template either", ref: "rhel-8-kube-v1.27.11",
			want: want{codes: []string{finding.CodeVerifyVSphereNotTemplate}, hint: []string{"govc vm.markastemplate " + plainVMPath}}},
		{name: "a missing template names what its folder holds and the nearest name", ref: "/DC0/vm/templates/ubuntu-2204-kube-v1.30.6",
			want: want{codes: []string{finding.CodeVerifyVSphereNotFound},
				contains: []string{`nothing is at the inventory path "/DC0/vm/templates/ubuntu-2204-kube-v1.30.6"`, `"/DC0/vm/templates" holds "rhel-8-kube-v1.27.11", "ubuntu-2204-kube-v1.30.5"`},
				hint:     []string{`Did you mean "` + templatePath + `"?`}}},
		{name: "a missing folder names what its parent holds and the path it probably meant", ref: "/DC0/vm/templatez/" + templateName,
			want: want{codes: []string{finding.CodeVerifyVSphereNotFound},
				contains: []string{`"/DC0/vm/templatez" does not exist either`, `"/DC0/vm" holds`, `"team-a"`},
				hint:     []string{`Did you mean "` + templatePath + `"?`}}},
		{name: "a missing datacenter names the datacenters there are", ref: "/DC9/vm/templates/" + templateName,
			want: want{codes: []string{finding.CodeVerifyVSphereNotFound}, contains: []string{`"/" holds "DC0"`}, hint: []string{`"/DC0/vm/templates/`}}},
		{name: "a bare name that is nowhere is not found, with the nearest names", ref: "ubuntu-2204-kube-v1.30",
			want: want{codes: []string{finding.CodeVerifyVSphereNotFound},
				contains: []string{`no virtual machine or template of that name is in the datacenter "/DC0"`},
				hint:     []string{`Did you mean "ubuntu-2204-kube-v1.30.5"`}}},
		{name: "a folder is not a template and its content is named", ref: "/DC0/vm/templates",
			want: want{codes: []string{finding.CodeVerifyVSphereNotVM}, contains: []string{"names a folder (Folder)"}, hint: []string{`"ubuntu-2204-kube-v1.30.5"`}}},
		{name: "an OVA name without the r_u- prefix is reported and still looked up", ref: "/DC0/vm/templates/ubuntu.ova",
			want: want{codes: []string{finding.CodeVSphereOVAPrefix, finding.CodeVerifyVSphereNotFound}, contains: []string{`"r_u-"`}}},
		{name: "a malformed path is reported by osimage's rule without asking vCenter", ref: "/DC0//vm/x",
			want: want{codes: []string{finding.CodeVSphereTemplatePath}, contains: []string{"empty segment"}}},
		{name: "an empty template is reported by osimage's rule", ref: "",
			want: want{codes: []string{finding.CodeVSphereTemplateEmpty}}},
		{name: "a path holding the password does not show it", ref: "/DC0/vm/" + password,
			want: want{codes: []string{finding.CodeVerifyVSphereNotFound}, contains: []string{`"/DC0/vm/` + secret.Mask + `"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.verify(t, check(t, c, tt.ref))
		})
	}
	if n := vc.sessions(t); n != 1 {
		t.Errorf("vCenter holds %d sessions after the checks, want 1 (the test's own): a check did not log out", n)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestConnectionAndLoginFaultsAreFindings(t *testing.T) {
	vc := startVCenter(t, nil)
	plainHTTP := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plainHTTP.Close)
	notVCenter := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(notVCenter.Close)
	cfg := func(edit func(*vsphere.Config)) vsphere.Config {
		c := vc.config()
		edit(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  vsphere.Config
		ref  string
		want want
	}{
		{name: "a wrong password is refused, naming the user and not the password",
			cfg: cfg(func(c *vsphere.Config) { c.Password = "Wr0ng-" + password }), ref: templatePath,
			want: want{codes: []string{finding.CodeVerifyVSphereLogin}, contains: []string{`refused the login of the user "` + user + `"`, `the vSphere template "` + templatePath + `" was not checked`}}},
		{name: "credentials given in the vCenter URL are used", ref: templatePath,
			cfg:  vsphere.Config{URL: strings.Replace(vc.url, "https://", "https://"+url.UserPassword(user, password).String()+"@", 1), CACert: vc.caPEM},
			want: want{contains: []string{"a template"}}},
		{name: "a vCenter whose certificate is not trusted is a TLS finding", ref: templatePath,
			cfg:  cfg(func(c *vsphere.Config) { c.CACert = "" }),
			want: want{codes: []string{finding.CodeVerifyVSphereTLS}, contains: []string{"certificate", "to connect to vCenter"}, hint: []string{"CA certificate"}}},
		{name: "insecure connects to a vCenter whose certificate is not trusted", ref: templatePath,
			cfg:  cfg(func(c *vsphere.Config) { c.CACert, c.Insecure = "", true }),
			want: want{contains: []string{"a template"}}},
		{name: "a closed port is unreachable, the connection refused", ref: templatePath,
			cfg:  cfg(func(c *vsphere.Config) { c.URL = "https://" + closedPort(t) }),
			want: want{codes: []string{finding.CodeVerifyVSphereUnreachable}, contains: []string{"could not be reached to connect to vCenter", "connection was refused"}}},
		{name: "a host name that does not resolve is unreachable, naming the host", ref: templatePath,
			cfg: cfg(func(c *vsphere.Config) {
				c.URL = "https://vcenter.invalid"
				c.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "vcenter.invalid", IsNotFound: true}}
				}}
			}),
			want: want{codes: []string{finding.CodeVerifyVSphereUnreachable}, contains: []string{`the host name "vcenter.invalid" does not resolve`}}},
		{name: "an https URL served in plain http is a TLS finding", ref: templatePath,
			cfg:  cfg(func(c *vsphere.Config) { c.URL = strings.Replace(plainHTTP.URL, "http://", "https://", 1) }),
			want: want{codes: []string{finding.CodeVerifyVSphereTLS}, contains: []string{"did not answer in TLS"}}},
		{name: "a server that is not vCenter is a fault naming its answer", ref: templatePath,
			cfg:  cfg(func(c *vsphere.Config) { c.URL, c.CACert = notVCenter.URL, certPEM(notVCenter.Certificate()) }),
			want: want{codes: []string{finding.CodeVerifyVSphereFault}, contains: []string{"404 Not Found"}, hint: []string{"/sdk"}}},
		{name: "a datacenter that does not exist is named with the ones there are", ref: templateName,
			cfg:  cfg(func(c *vsphere.Config) { c.Datacenter = "DC9" }),
			want: want{codes: []string{finding.CodeVerifyVSphereDatacenter}, contains: []string{`has no datacenter "DC9"`, `it has "DC0"`}}},
		{name: "the datacenter given is where a bare name is looked up", ref: templateName,
			cfg:  cfg(func(c *vsphere.Config) { c.Datacenter = "DC0" }),
			want: want{contains: []string{templatePath}}},
		{name: "a full path is looked up whatever datacenter is given", ref: templatePath,
			cfg:  cfg(func(c *vsphere.Config) { c.Datacenter = "DC9" }),
			want: want{contains: []string{templatePath}}},
		{name: "without a vCenter a template path is not checked, and says so", ref: templatePath,
			cfg:  vsphere.Config{},
			want: want{codes: []string{finding.CodeVerifyUnsupported}, contains: []string{"no vCenter is configured"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.verify(t, check(t, newChecker(t, tt.cfg), tt.ref))
		})
	}
}

func TestABareNameNeedsADatacenterWhenVCenterHasSeveral(t *testing.T) {
	vc := startVCenter(t, func(m *simulator.Model) { m.Datacenter = 2 })
	tests := []struct {
		name       string
		datacenter string
		ref        string
		want       want
	}{
		{name: "without a datacenter, a bare name names the datacenters to choose from", ref: templateName,
			want: want{codes: []string{finding.CodeVerifyVSphereDatacenter}, contains: []string{`has 2 datacenters ("DC0", "DC1") and no datacenter is set`}, hint: []string{`"/DC0/vm/` + templateName + `"`}}},
		{name: "without a datacenter, a full path needs none", ref: templatePath,
			want: want{contains: []string{templatePath}}},
		{name: "with a datacenter, a bare name is looked up there", datacenter: "DC1", ref: "DC1_H0_VM0",
			want: want{codes: []string{finding.CodeVerifyVSphereNotTemplate}, contains: []string{`"/DC1/vm/DC1_H0_VM0"`}}},
		{name: "a datacenter given by its inventory path is found", datacenter: "/DC0", ref: templateName,
			want: want{contains: []string{templatePath}}},
		{name: "a template of one datacenter is not found by its name in another", datacenter: "DC1", ref: templateName,
			want: want{codes: []string{finding.CodeVerifyVSphereNotFound}, contains: []string{`in the datacenter "/DC1"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := vc.config()
			cfg.Datacenter = tt.datacenter
			tt.want.verify(t, check(t, newChecker(t, cfg), tt.ref))
		})
	}
}

// ovaServer serves OVAs over TLS: /images/r_u-ubuntu-2204.ova and
// /images/ubuntu-2204.ova answer HEAD; /nohead/r_u-ubuntu.ova refuses HEAD
// (405) and answers a ranged GET; /signed/… wants credentials (403);
// /slow/… answers when the request is cancelled; anything else is 404.
type ovaServer struct {
	*httptest.Server
	mu     sync.Mutex
	ranges []string // the Range headers of GETs
}

func startOVAServer(t *testing.T) *ovaServer {
	t.Helper()
	s := &ovaServer{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/images/r_u-ubuntu-2204.ova" || r.URL.Path == "/images/ubuntu-2204.ova":
			w.Header().Set("Content-Length", "1234")
			w.WriteHeader(http.StatusOK)
		case r.URL.Path == "/nohead/r_u-ubuntu.ova":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			s.mu.Lock()
			s.ranges = append(s.ranges, r.Header.Get("Range"))
			s.mu.Unlock()
			w.Header().Set("Content-Range", "bytes 0-0/1234")
			w.WriteHeader(http.StatusPartialContent)
			_, _ = w.Write([]byte{0})
		case strings.HasPrefix(r.URL.Path, "/signed/"):
			w.WriteHeader(http.StatusForbidden)
		case strings.HasPrefix(r.URL.Path, "/slow/"):
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestOVAURLsAreRequestedWithoutVCenter(t *testing.T) {
	srv := startOVAServer(t)
	c := newChecker(t, vsphere.Config{CACert: certPEM(srv.Certificate())})
	host := strings.TrimPrefix(srv.URL, "https://")
	tests := []struct {
		name string
		ref  string
		want want
	}{
		{name: "an OVA URL with the r_u- prefix that answers 200 holds", ref: srv.URL + "/images/r_u-ubuntu-2204.ova",
			want: want{contains: []string{"answered 200 OK, 1234 bytes"}}},
		{name: "an OVA URL without the r_u- prefix that answers is reported for its name only", ref: srv.URL + "/images/ubuntu-2204.ova",
			want: want{codes: []string{finding.CodeVSphereOVAPrefix}, hint: []string{`"r_u-ubuntu-2204.ova"`}}},
		{name: "an OVA URL that answers 404 names the status", ref: srv.URL + "/images/r_u-missing.ova",
			want: want{codes: []string{finding.CodeVerifyVSphereOVAStatus}, contains: []string{"answered 404 Not Found; expected a 2xx status"}, hint: []string{"no file there"}}},
		{name: "an OVA URL without the prefix that answers 404 gets both findings", ref: srv.URL + "/images/missing.ova",
			want: want{codes: []string{finding.CodeVSphereOVAPrefix, finding.CodeVerifyVSphereOVAStatus}}},
		{name: "an OVA server that does not allow HEAD is asked for one byte", ref: srv.URL + "/nohead/r_u-ubuntu.ova",
			want: want{contains: []string{"answered 206 Partial Content"}}},
		{name: "an OVA URL's credentials are kept out of the findings", ref: "https://ova-user:" + password + "@" + host + "/signed/r_u-x.ova?sig=SIGNATURE-abc123",
			want: want{codes: []string{finding.CodeVerifyVSphereOVAStatus}, contains: []string{"403 Forbidden", "https://" + secret.Mask + "@" + host + "/signed/r_u-x.ova?sig=" + secret.Mask}}},
		{name: "an OVA on a closed port is unreachable", ref: "https://" + closedPort(t) + "/images/r_u-ubuntu-2204.ova",
			want: want{codes: []string{finding.CodeVerifyVSphereUnreachable}, contains: []string{"connection was refused", "to request the file for the OVA"}}},
		{name: "a URL that is not an OVA is reported by osimage's rule without a request", ref: srv.URL + "/images/ubuntu.iso",
			want: want{codes: []string{finding.CodeVSphereTemplatePath}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, c, tt.ref)
			tt.want.verify(t, r)
			if s := fmt.Sprintf("%+v", r.Findings) + r.Checked; strings.Contains(s, "SIGNATURE-abc123") {
				t.Errorf("a finding shows the URL's signature: %s", s)
			}
		})
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.ranges) != 1 || srv.ranges[0] != "bytes=0-0" {
		t.Errorf("the server without HEAD got GETs with ranges %q, want one of bytes=0-0", srv.ranges)
	}
	t.Run("an OVA server with an untrusted certificate is a TLS finding", func(t *testing.T) {
		r := check(t, newChecker(t, vsphere.Config{}), srv.URL+"/images/r_u-ubuntu-2204.ova")
		want{codes: []string{finding.CodeVerifyVSphereTLS}, hint: []string{"CA certificate"}}.verify(t, r)
	})
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

func TestTheChecksDeadlineIsHonoured(t *testing.T) {
	slow := startVCenter(t, func(m *simulator.Model) {
		m.DelayConfig.MethodDelay = map[string]int{"FindByInventoryPath": 1000}
	})
	ova := startOVAServer(t)
	tests := []struct {
		name string
		cfg  vsphere.Config
		ref  string
		step string
	}{
		{name: "a vCenter that accepts the connection and never answers", ref: templatePath, step: "connect to vCenter",
			cfg: vsphere.Config{URL: "https://" + silentServer(t), Username: user, Password: password}},
		{name: "a vCenter that is slow to look the template up", ref: templatePath, step: "look up the template", cfg: slow.config()},
		{name: "an OVA server that never answers", ref: ova.URL + "/slow/r_u-ubuntu.ova", step: "request the file",
			cfg: vsphere.Config{CACert: certPEM(ova.Certificate())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChecker(t, tt.cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			done := make(chan preflight.Result, 1)
			go func() { done <- c.Check(ctx, image(tt.ref), preflight.Target{}) }()
			var r preflight.Result
			select {
			case r = <-done:
			case <-time.After(safetyNet):
				t.Fatalf("Check did not return %s after its context's deadline", safetyNet)
			}
			want{codes: []string{finding.CodeVerifyTimeout}, contains: []string{"did not finish", "trying to " + tt.step, "deadline exceeded"}}.verify(t, r)
		})
	}
}

func TestRunChecksSeveralVSphereImages(t *testing.T) {
	vc := startVCenter(t, nil)
	ova := startOVAServer(t)
	cfg := vc.config()
	// One CA bundle trusts both servers.
	cfg.CACert = vc.caPEM + certPEM(ova.Certificate())
	c := newChecker(t, cfg)
	imgs := []preflight.Image{
		image(templatePath),
		image(plainVMPath),
		image(ova.URL + "/images/r_u-ubuntu-2204.ova"),
		image(ova.URL + "/images/r_u-missing.ova"),
		image(sharedName),
		{Cloud: preflight.AWS, Ref: "ami-0123456789abcdef0"},
	}
	res := preflight.Run(context.Background(), imgs, preflight.Target{}, map[string]preflight.Checker{preflight.VSphere: c},
		preflight.Options{Parallel: 3, Timeout: safetyNet})
	wantCodes := [][]string{
		nil,
		{finding.CodeVerifyVSphereNotTemplate},
		nil,
		{finding.CodeVerifyVSphereOVAStatus},
		{finding.CodeVerifyVSphereAmbiguous},
		{finding.CodeVerifyUnsupported},
	}
	if len(res) != len(imgs) {
		t.Fatalf("%d results for %d images", len(res), len(imgs))
	}
	for i, r := range res {
		var codes []string
		for _, f := range r.Findings {
			codes = append(codes, f.Code)
		}
		if r.Image.Ref != imgs[i].Ref || strings.Join(codes, ",") != strings.Join(wantCodes[i], ",") {
			t.Errorf("result %d is for %s with codes %v, want %s with %v", i, r.Image.Ref, codes, imgs[i].Ref, wantCodes[i])
		}
		if len(codes) == 0 && r.Checked == "" {
			t.Errorf("result %d (%s) holds but says nothing of what was checked", i, r.Image.Ref)
		}
	}
	if n := vc.sessions(t); n != 1 {
		t.Errorf("vCenter holds %d sessions after the run, want 1 (the test's own)", n)
	}
}

func TestNoFindingOrErrorShowsThePassword(t *testing.T) {
	vc := startVCenter(t, nil)
	ova := startOVAServer(t)
	type said struct{ secret, text string }
	var texts []said
	configs := []vsphere.Config{
		vc.config(),
		{URL: vc.url, Username: user, Password: "Wr0ng-" + password, CACert: vc.caPEM},
		{URL: vc.url, Username: user, Password: password},
		{URL: "https://" + closedPort(t), Username: user, Password: password},
		{URL: vc.url, Username: user, Password: password, CACert: vc.caPEM + certPEM(ova.Certificate())},
	}
	for _, cfg := range configs {
		c := newChecker(t, cfg)
		pw := cfg.Password.Reveal()
		// Images that hold the password, as a user might paste it by
		// mistake: no message may repeat it.
		refs := []string{templatePath, plainVMPath, "/DC0/vm/" + pw, pw, sharedName, "templates/" + pw + ".ova",
			ova.URL + "/images/r_u-" + pw + ".ova", "https://" + user + ":" + pw + "@" + strings.TrimPrefix(ova.URL, "https://") + "/x/r_u-a.ova"}
		for _, ref := range refs {
			r := check(t, c, ref)
			// The image itself is the caller's; only what the check says counts.
			r.Image = preflight.Image{}
			texts = append(texts, said{pw, fmt.Sprintf("%+v %#v", r, r)})
		}
	}
	for _, bad := range []vsphere.Config{
		{URL: "https://" + user + ":" + password + "@vcenter.example.com:port"},
		{URL: "ftp://" + user + ":" + password + "@vcenter.example.com"},
		{URL: "https://" + user + ":" + password + "@vcenter.example.com", CACert: "not PEM"},
		{URL: "https://" + user + ":" + password + "@vcenter.example.com", CACert: vc.caPEM, Insecure: true},
		{URL: "https://:" + password + "@vcenter.example.com"},
	} {
		_, err := vsphere.New(bad)
		if err == nil {
			t.Errorf("New(%s) did not fail", secret.RedactURL(bad.URL))
			continue
		}
		texts = append(texts, said{password, err.Error()})
	}
	n := 0
	for _, s := range texts {
		if strings.Contains(s.text, s.secret) {
			t.Errorf("the password shows in: %s", s.text)
		}
		if strings.Contains(s.text, secret.Mask) {
			n++
		}
	}
	if n < len(configs) {
		t.Errorf("only %d texts mask anything: the test's inputs do not reach the messages", n)
	}
}

func TestNewRefusesAConfigurationItCannotUse(t *testing.T) {
	tests := []struct {
		name string
		cfg  vsphere.Config
		want string
	}{
		{name: "a URL with a bad port cannot be parsed", cfg: vsphere.Config{URL: "https://vc:port", Username: user}, want: "cannot be parsed"},
		{name: "a URL of another scheme is refused", cfg: vsphere.Config{URL: "ftp://vc", Username: user}, want: `the scheme "ftp"`},
		{name: "a vCenter without a user name is refused", cfg: vsphere.Config{URL: "vc.example.com"}, want: "no user name"},
		{name: "a CA certificate that is not PEM is refused", cfg: vsphere.Config{CACert: "MIIB..."}, want: "no PEM certificate"},
		{name: "insecure and a CA certificate together are refused", cfg: vsphere.Config{Insecure: true, CACert: "x"}, want: "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vsphere.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error saying %q", err, tt.want)
			}
		})
	}
	for _, ok := range []vsphere.Config{{}, {URL: "vc.example.com", Username: user}, {URL: "https://vc.example.com:8443/sdk", Username: user, Insecure: true}} {
		if _, err := vsphere.New(ok); err != nil {
			t.Errorf("New(%+v) = %v, want a checker", ok, err)
		}
	}
}

func FuzzNewWithAVCenterURL(f *testing.F) {
	for _, s := range []string{"vc.example.com", "https://vc.example.com/sdk", "vc:port", "ftp://x", "https://u:" + password + "@vc", "%zz", "http://[::1", "://", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := vsphere.New(vsphere.Config{URL: "https://" + user + ":" + password + "@" + s, Username: user, Password: password})
		if err != nil && strings.Contains(err.Error(), password) {
			t.Errorf("New(%q) = %v, which shows the password", s, err)
		}
		_, err = vsphere.New(vsphere.Config{URL: s, Username: user})
		if err != nil && err.Error() == "" {
			t.Errorf("New(%q) failed without saying why", s)
		}
	})
}
