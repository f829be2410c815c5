package api_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/simulator"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight/azure/azuritetest"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
	"github.com/byoos/byoos/wire"
)

// newCloudsEnv is newEnv whose verify has the allow-list allow and the
// cloud checks clouds, wired as serve wires them; resolver, when set,
// resolves the names verify dials.
func newCloudsEnv(t *testing.T, clouds serve.VerifyClouds, resolver *net.Resolver, allow ...netip.Prefix) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvOn(t, dir, st, func(c *api.Config) {
		c.Verify.AllowNets, c.Verify.Resolver = allow, resolver
		cs, err := clouds.Checkers(c.Verify)
		if err != nil {
			t.Fatal(err)
		}
		c.Verify.Clouds = cs
	})
}

// byoiProfileBody is a create body of a profile of cloud whose
// generic-byoi layer names image.
func byoiProfileBody(name, cloud, image string) map[string]any {
	values := "pack:\n  osImageOverride: \"" + image + "\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"
	return map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": cloud, "packs": []any{
			map[string]any{"name": "generic-byoi", "tag": "1.0.x", "type": "spectro", "registryUid": api.PublicRepoUID, "values": values},
			map[string]any{"name": "kubernetes", "tag": "1.30.x", "type": "spectro", "registryUid": api.PublicRepoUID, "values": ""},
		}}},
	}
}

// verifyIn verifies uid for req as the tenant admin, and returns the
// answer and its raw text.
func (e *env) verifyIn(uid string, req wire.VerifyRequest) (wire.Verification, string) {
	e.t.Helper()
	var v wire.Verification
	raw := e.do("POST", "/v1/clusterprofiles/"+uid+"/verify", e.admin, e.project, req, 200, &v)
	return v, string(raw)
}

// codes returns the codes of v's findings.
func codes(v wire.Verification) []string {
	var out []string
	for _, f := range v.Findings {
		out = append(out, f.Code)
	}
	return out
}

// The AWS credentials the tests put in the server's environment; the
// secret is distinctive, so a test can tell it never reaches an answer.
const (
	testAccessKey = "AKIABYOOSSERVERTEST1"
	testSecretKey = "byoos-Server/Secret+Key-0d9c8b7a6f5e4d3c"
)

// awsChain makes the standard AWS chain of this process read only the test
// credentials: no shared files, no instance metadata.
func awsChain(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": testSecretKey, "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_EC2": "", "AWS_USE_FIPS_ENDPOINT": "", "AWS_USE_DUALSTACK_ENDPOINT": "",
	} {
		t.Setenv(k, v)
	}
}

// fakeEC2 answers DescribeImages and DescribeRegions in EC2's Query
// protocol for the AMIs it holds (x86_64, available), per region (read
// from the request's SigV4 credential scope). It records the host of
// every call.
type fakeEC2 struct {
	images  map[string][]string // region: AMI IDs
	regions []string

	mu    sync.Mutex
	hosts []string
}

// credentialScope reads the access key and region of a SigV4 Authorization.
var credentialScope = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([a-z0-9-]+)/ec2/aws4_request`)

func (f *fakeEC2) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || m[1] != testAccessKey {
		ec2Error(w, http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		return
	}
	region := m[2]
	form, _ := url.ParseQuery(string(body))
	switch form.Get("Action") {
	case "DescribeImages":
		id := form.Get("ImageId.1")
		if !slices.Contains(f.images[region], id) {
			ec2Error(w, http.StatusBadRequest, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", id))
			return
		}
		ec2Answer(w, `<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId><imagesSet><item>`+
			`<imageId>`+id+`</imageId><imageState>available</imageState><architecture>x86_64</architecture><name>rhel-8-kube</name>`+
			`</item></imagesSet></DescribeImagesResponse>`)
	case "DescribeRegions":
		var b strings.Builder
		for _, r := range f.regions {
			b.WriteString("<item><regionName>" + r + "</regionName><regionEndpoint>ec2." + r + ".amazonaws.com</regionEndpoint></item>")
		}
		ec2Answer(w, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r2</requestId><regionInfo>`+b.String()+`</regionInfo></DescribeRegionsResponse>`)
	default:
		ec2Error(w, http.StatusBadRequest, "InvalidAction", "not an action of this fake")
	}
}

// RoundTrip answers in memory, recording the host asked for: nothing is
// dialled.
func (f *fakeEC2) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.hosts = append(f.hosts, r.URL.Host)
	f.mu.Unlock()
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func (f *fakeEC2) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.hosts)
	f.hosts = nil
	return out
}

func ec2Answer(w http.ResponseWriter, xml string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+xml)
}

func ec2Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>`+code+`</Code><Message>`+msg+`</Message></Error></Errors><RequestID>r3</RequestID></Response>`)
}

const (
	amiHere  = "ami-0f4804aff4cf9c5a2"
	amiThere = "ami-0123456789abcdef0"
)

func TestServerVerifiesAMIsWithEC2AtTheConfiguredEndpointAndItsOwnCredentials(t *testing.T) {
	awsChain(t)
	fake := &fakeEC2{images: map[string][]string{"eu-west-1": {amiHere}, "us-east-1": {amiThere}}, regions: []string{"eu-west-1", "us-east-1"}}
	ec2 := httptest.NewServer(fake)
	t.Cleanup(ec2.Close)
	// No allow-list: EC2 is the operator's endpoint, reached directly.
	e := newCloudsEnv(t, serve.VerifyClouds{AWS: &serve.AWSVerify{Endpoint: ec2.URL}}, nil)
	here := e.createProfile(e.admin, e.project, byoiProfileBody("aws-here", "aws", amiHere))
	there := e.createProfile(e.admin, e.project, byoiProfileBody("aws-there", "aws", amiThere))

	v, raw := e.verifyIn(here, wire.VerifyRequest{Region: "eu-west-1"})
	if len(v.Results) != 1 || !v.Results[0].Holds || len(v.Findings) != 0 || !strings.Contains(v.Results[0].Checked, "eu-west-1: available, x86_64") {
		t.Errorf("an AMI in the region: %s", raw)
	}
	v, raw = e.verifyIn(there, wire.VerifyRequest{Region: "eu-west-1"})
	if len(v.Results) != 1 || v.Results[0].Holds || strings.Join(codes(v), " ") != finding.CodeVerifyAWSNotInRegion ||
		!strings.Contains(v.Findings[0].Message, "us-east-1") || !strings.Contains(v.Findings[0].Hint, "aws ec2 copy-image") {
		t.Errorf("an AMI in another region: %s", raw)
	}
	if strings.Contains(raw, testSecretKey) {
		t.Error("the answer shows the server's AWS secret key")
	}
	e.do("POST", "/v1/clusterprofiles/"+here+"/verify", e.key("reader", e.project, store.RoleReadOnly), e.project, wire.VerifyRequest{Region: "eu-west-1"}, 403, nil)
}

func TestARegionThatIsNotAnAWSRegionNameReachesNoHost(t *testing.T) {
	awsChain(t)
	// EC2's regional endpoints (no --verify-aws-endpoint), answered in
	// memory: the fake records the host of every call.
	fake := &fakeEC2{images: map[string][]string{"eu-west-1": {amiHere}, "cn-north-1": {amiHere}}, regions: []string{"eu-west-1"}}
	e := newCloudsEnv(t, serve.VerifyClouds{AWS: &serve.AWSVerify{HTTPClient: &http.Client{Transport: fake}}}, nil)
	uid := e.createProfile(e.admin, e.project, byoiProfileBody("aws", "aws", amiHere))
	crafted := []struct {
		name string
		req  wire.VerifyRequest
	}{
		{"a region followed by another domain", wire.VerifyRequest{Region: "eu-west-1.evil.example"}},
		{"an IP address", wire.VerifyRequest{Region: "127.0.0.1"}},
		{"the cloud metadata address", wire.VerifyRequest{Region: "169.254.169.254"}},
		{"a region with a port", wire.VerifyRequest{Region: "eu-west-1:8080"}},
		{"a region with user information", wire.VerifyRequest{Region: "eu-west-1@evil.example"}},
		{"a region with a path", wire.VerifyRequest{Region: "eu-west-1/../evil"}},
		{"a region with a fragment", wire.VerifyRequest{Region: "evil.example#eu-west-1"}},
		{"a crafted region among the other regions to search", wire.VerifyRequest{Region: "eu-west-1", AlsoRegions: []string{"evil.example"}}},
	}
	for _, tt := range crafted {
		t.Run(tt.name+" is refused before any call", func(t *testing.T) {
			v, raw := e.verifyIn(uid, tt.req)
			if strings.Join(codes(v), " ") != finding.CodeVerifyAWSRegion {
				t.Errorf("findings %v, want %s: %s", codes(v), finding.CodeVerifyAWSRegion, raw)
			}
			if hosts := fake.asked(); len(hosts) != 0 {
				t.Errorf("the server asked %v", hosts)
			}
		})
	}
	for region, host := range map[string]string{"eu-west-1": "ec2.eu-west-1.amazonaws.com", "cn-north-1": "ec2.cn-north-1.amazonaws.com.cn"} {
		t.Run("the region "+region+" is asked at its own EC2 endpoint only", func(t *testing.T) {
			v, raw := e.verifyIn(uid, wire.VerifyRequest{Region: region})
			if len(v.Results) != 1 || !v.Results[0].Holds {
				t.Errorf("the AMI does not hold: %s", raw)
			}
			if hosts := fake.asked(); strings.Join(hosts, " ") != host {
				t.Errorf("the server asked %v, want %s only", hosts, host)
			}
		})
	}
}

func TestACloudTheServerDoesNotCheckIsUnsupportedNamingTheFlagsThatTurnItOn(t *testing.T) {
	e := newCloudsEnv(t, serve.VerifyClouds{}, nil)
	l := countAccepts(t)
	tests := []struct {
		name, cloud, image string
		code               string
		names              []string
	}{
		{"an AMI names --verify-aws", "aws", amiHere, finding.CodeVerifyUnsupported, []string{"--verify-aws", "--verify-aws-endpoint", "byoos verify --region"}},
		{"a VHD blob names --verify-azure and the keys' variable", "azure",
			"https://acct01.blob.core.windows.net/images/rhel.vhd?sv=2022-11-02&sr=b&sp=r&sig=SAS-Signature-Secret%3D", finding.CodeVerifyUnsupported,
			[]string{"--verify-azure", "--verify-azure-identity", "BYOOS_AZURE_STORAGE_KEYS"}},
		{"a vSphere template names --verify-vsphere-url and the password's variable", "vsphere", "/DC0/vm/templates/rhel-8-kube-v1.30.5", finding.CodeVerifyUnsupported,
			[]string{"no vCenter", "--verify-vsphere-url", "--verify-vsphere-user", "BYOOS_VSPHERE_PASSWORD"}},
		// An OVA URL needs no vCenter: it is checked through the allow-list.
		{"a vSphere OVA URL is still checked, through the allow-list", "vsphere", "http://" + l.addr + "/images/r_u-rhel-8.ova", finding.CodeVerifyTargetRefused,
			[]string{"--verify-allow-host", "--verify-allow-net"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid := e.createProfile(e.admin, e.project, byoiProfileBody(fmt.Sprintf("p%d", i), tt.cloud, tt.image))
			v, raw := e.verifyIn(uid, wire.VerifyRequest{Region: "eu-west-1"})
			if len(v.Results) != 1 || v.Results[0].Holds || strings.Join(codes(v), " ") != tt.code {
				t.Fatalf("want one %s finding: %s", tt.code, raw)
			}
			f := v.Findings[0]
			for _, n := range tt.names {
				if !strings.Contains(f.Message+" "+f.Hint, n) {
					t.Errorf("the finding does not name %q: %s", n, f)
				}
			}
			if f.Layer != "generic-byoi" || f.Path != "pack.osImageOverride" {
				t.Errorf("the finding is not located: %s", f)
			}
			if strings.Contains(raw, "SAS-Signature-Secret") {
				t.Errorf("the answer shows the SAS signature: %s", raw)
			}
		})
	}
	if n := l.accepted.Load(); n != 0 {
		t.Errorf("the server made %d connection(s) to the loopback listener", n)
	}
}

// vhdFooter is the footer of a fixed VHD of a disk of the given size.
func vhdFooter(disk uint64) []byte {
	b := make([]byte, 512)
	copy(b, "conectix")
	binary.BigEndian.PutUint32(b[8:], 2)
	binary.BigEndian.PutUint32(b[12:], 0x00010000)
	binary.BigEndian.PutUint64(b[16:], ^uint64(0))
	copy(b[28:], "byos")
	copy(b[36:], "Wi2k")
	binary.BigEndian.PutUint64(b[40:], disk)
	binary.BigEndian.PutUint64(b[48:], disk)
	binary.BigEndian.PutUint32(b[60:], 2) // fixed
	var sum uint32
	for _, c := range b {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(b[64:], ^sum)
	return b
}

func TestServerVerifiesVHDBlobsInAzuriteWithTheAccountKeyOfItsEnvironment(t *testing.T) {
	a := azuritetest.Start(t, azuritetest.Options{})
	ctx := context.Background()
	cred, err := azblob.NewSharedKeyCredential(azuritetest.Account, azuritetest.Key)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := azblob.NewClientWithSharedKeyCredential(a.AccountURL+"/", cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContainer(ctx, "images", nil); err != nil {
		t.Fatal(err)
	}
	const disk = 1 << 20
	pb, err := pageblob.NewClientWithSharedKeyCredential(a.AccountURL+"/images/rhel-8.vhd", cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pb.Create(ctx, disk+512, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pb.UploadPages(ctx, streaming.NopCloser(bytes.NewReader(vhdFooter(disk))), blob.HTTPRange{Offset: disk, Count: 512}, nil); err != nil {
		t.Fatal(err)
	}
	// The key comes as serve reads BYOOS_AZURE_STORAGE_KEYS; the account is
	// read at Azurite (the operator's endpoint, reached directly: no
	// allow-list).
	keys, err := serve.ParseAzureKeys("other01=" + azuritetest.Key + " " + azuritetest.Account + "=" + azuritetest.Key)
	if err != nil {
		t.Fatal(err)
	}
	e := newCloudsEnv(t, serve.VerifyClouds{Azure: &serve.AzureVerify{Keys: keys, Endpoints: map[string]string{azuritetest.Account: a.AccountURL}}}, nil)
	base := "https://" + azuritetest.Account + ".blob.core.windows.net/images/"
	tests := []struct {
		name, blob string
		holds      bool
		code       string
	}{
		{"a fixed VHD page blob holds", "rhel-8.vhd", true, ""},
		{"a blob that is not there is named as missing", "rhel-9.vhd", false, finding.CodeVerifyAzureBlobNotFound},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid := e.createProfile(e.admin, e.project, byoiProfileBody(fmt.Sprintf("az%d", i), "azure", base+tt.blob))
			v, raw := e.verifyIn(uid, wire.VerifyRequest{})
			if len(v.Results) != 1 || v.Results[0].Holds != tt.holds || strings.Join(codes(v), " ") != tt.code {
				t.Errorf("want holds %t with %q: %s", tt.holds, tt.code, raw)
			}
			if tt.holds && !strings.Contains(v.Results[0].Checked, "page blob") {
				t.Errorf("checked %q", v.Results[0].Checked)
			}
			if strings.Contains(raw, azuritetest.Key) || strings.Contains(raw, azuritetest.Key[:20]) {
				t.Error("the answer shows the account key")
			}
		})
	}
}

// fakeDNS is a resolver whose every A query is answered addr, served on a
// loopback UDP port.
func fakeDNS(t *testing.T, addr netip.Addr) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var m dnsmessage.Message
			if err := m.Unpack(buf[:n]); err != nil || len(m.Questions) == 0 {
				continue
			}
			q := m.Questions[0]
			m.Header.Response, m.Header.Authoritative = true, true
			m.Answers = nil
			if q.Type == dnsmessage.TypeA {
				m.Answers = []dnsmessage.Resource{{Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60},
					Body: &dnsmessage.AResource{A: addr.As4()}}}
			}
			out, err := m.Pack()
			if err == nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	server := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", server)
	}}
}

func TestABlobURLReachesOnlyPublicAddressesOfTheConfiguredAzureCloud(t *testing.T) {
	// Every name resolves to the cloud metadata address.
	e := newCloudsEnv(t, serve.VerifyClouds{Azure: &serve.AzureVerify{}}, fakeDNS(t, netip.MustParseAddr("169.254.169.254")))
	tests := []struct {
		name, url string
		reason    string
	}{
		{"a storage account of the public cloud that resolves to an internal address is refused",
			"https://acct01.blob.core.windows.net/images/rhel.vhd", "internal address"},
		{"a storage account of another Azure cloud is left to the allow-list, which does not list it",
			"https://acct01.blob.core.chinacloudapi.cn/images/rhel.vhd", "not a registry configured"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid := e.createProfile(e.admin, e.project, byoiProfileBody(fmt.Sprintf("azr%d", i), "azure", tt.url))
			v, raw := e.verifyIn(uid, wire.VerifyRequest{})
			if strings.Join(codes(v), " ") != finding.CodeVerifyTargetRefused || !strings.Contains(v.Findings[0].Message, tt.reason) ||
				!strings.Contains(v.Findings[0].Hint, "--verify-allow-net") {
				t.Errorf("want %s saying %q: %s", finding.CodeVerifyTargetRefused, tt.reason, raw)
			}
		})
	}
}

// The vCenter user of the simulator, and a password no answer may show.
const (
	vcUser     = "administrator@vsphere.local"
	vcPassword = "vc-Secret-Pa55w0rd"
)

// startVCenter starts vcsim's vCenter with TLS, marks DC0_H0_VM0 as a
// template, and returns its URL and the PEM of its certificate.
func startVCenter(t *testing.T) (string, string) {
	t.Helper()
	m := simulator.VPX()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{User: url.UserPassword(vcUser, vcPassword)}
	s := m.Service.NewServer()
	t.Cleanup(func() { s.Close(); m.Remove() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a safety net
	defer cancel()
	c, err := govmomi.NewClient(ctx, s.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := find.NewFinder(c.Client, true).VirtualMachine(ctx, "/DC0/vm/DC0_H0_VM0")
	if err != nil {
		t.Fatal(err)
	}
	task, err := vm.PowerOff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := vm.MarkAsTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	u := *s.URL
	u.User = nil
	return u.String(), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certOf(t, s.Certificate())}))
}

func certOf(t *testing.T, c *x509.Certificate) []byte {
	t.Helper()
	if c == nil {
		t.Fatal("vcsim serves no certificate")
	}
	return c.Raw
}

func TestServerLooksTemplatesUpInItsVCenterButOVAURLsGoThroughTheAllowList(t *testing.T) {
	vcURL, caPEM := startVCenter(t)
	l := countAccepts(t)
	// No allow-list: vCenter (at 127.0.0.1) is the operator's and is
	// reached; an OVA URL at the same address is the profile's and is not.
	e := newCloudsEnv(t, serve.VerifyClouds{VSphere: &serve.VSphereVerify{URL: vcURL, Username: vcUser, Password: secret.String(vcPassword), CACert: caPEM}}, nil)
	tests := []struct {
		name, image string
		holds       bool
		code        string
	}{
		{"a template in vCenter holds", "/DC0/vm/DC0_H0_VM0", true, ""},
		{"a virtual machine that is not a template is named as such", "/DC0/vm/DC0_H0_VM1", false, finding.CodeVerifyVSphereNotTemplate},
		{"an OVA URL at a loopback address is refused", "http://" + l.addr + "/images/r_u-rhel-8.ova", false, finding.CodeVerifyTargetRefused},
		{"an OVA URL at the cloud metadata address is refused", "http://169.254.169.254/latest/r_u-rhel-8.ova", false, finding.CodeVerifyTargetRefused},
		{"an OVA URL at localhost is refused", "https://localhost:" + strings.Split(l.addr, ":")[1] + "/r_u-rhel-8.ova", false, finding.CodeVerifyTargetRefused},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid := e.createProfile(e.admin, e.project, byoiProfileBody(fmt.Sprintf("vs%d", i), "vsphere", tt.image))
			v, raw := e.verifyIn(uid, wire.VerifyRequest{})
			if len(v.Results) != 1 || v.Results[0].Holds != tt.holds || strings.Join(codes(v), " ") != tt.code {
				t.Errorf("want holds %t with %q: %s", tt.holds, tt.code, raw)
			}
			if tt.code == finding.CodeVerifyTargetRefused && !strings.Contains(v.Findings[0].Hint, "--verify-allow-net") {
				t.Errorf("the refusal does not name the setting: %s", v.Findings[0])
			}
			if strings.Contains(raw, vcPassword) {
				t.Error("the answer shows vCenter's password")
			}
		})
	}
	if n := l.accepted.Load(); n != 0 {
		t.Errorf("the server made %d connection(s) to the loopback listener", n)
	}
}
