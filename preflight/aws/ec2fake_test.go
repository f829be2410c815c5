package aws_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The credentials the fake EC2 accepts. The secret is distinctive so a test
// can tell it never reaches a finding.
const (
	fakeAccessKey = "AKIAFAKEBYOOSTEST001"
	fakeSecretKey = "byoos-Fake/Secret+Key-7c1e9d0b4a2f5e8d3c6b"
)

// ec2Version is the API version the SDK's EC2 client speaks.
const ec2Version = "2016-11-15"

// fakeImage is an AMI the fake EC2 holds.
type fakeImage struct {
	ID, Name, State, Arch string
	// Deprecation is the deprecationTime EC2 reports (RFC 3339), if any.
	Deprecation string
}

// fakeEC2 is a local HTTPS server that speaks the EC2 Query protocol for
// DescribeImages and DescribeRegions: form-encoded POSTs signed with SigV4
// (the signature is verified with the fake's secret key, and the region is
// read from the credential scope), answered with XML in EC2's shapes and
// EC2's error codes and HTTP statuses.
type fakeEC2 struct {
	srv *httptest.Server

	mu sync.Mutex
	// images holds the AMIs of each region.
	images map[string][]fakeImage
	// regions are the account's enabled regions (DescribeRegions).
	regions []string
	// throttle is, per region, how many calls to answer RequestLimitExceeded
	// before answering; negative: every call.
	throttle map[string]int
	// empty lists the regions that answer an unknown AMI with an empty
	// imagesSet rather than InvalidAMIID.NotFound.
	empty map[string]bool
	// unauthorized lists the actions answered UnauthorizedOperation.
	unauthorized map[string]bool
	// slow makes every call wait until the client gives up.
	slow bool
	// echo is appended to every error message (a server that quotes what
	// it should not).
	echo string
	// calls counts the signed calls by "REGION Action".
	calls map[string]int
}

// newFakeEC2 starts a fake EC2 on a loopback port, closed when t ends.
func newFakeEC2(t *testing.T) *fakeEC2 {
	t.Helper()
	f := &fakeEC2{
		images:       map[string][]fakeImage{},
		regions:      []string{"us-east-1"},
		throttle:     map[string]int{},
		empty:        map[string]bool{},
		unauthorized: map[string]bool{},
		calls:        map[string]int{},
	}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// add puts images into region.
func (f *fakeEC2) add(region string, imgs ...fakeImage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[region] = append(f.images[region], imgs...)
}

// callCount returns how many signed calls of action reached region.
func (f *fakeEC2) callCount(region, action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[region+" "+action]
}

// totalCalls returns how many signed calls reached the fake.
func (f *fakeEC2) totalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// authPattern reads a SigV4 Authorization header.
var authPattern = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([a-z0-9-]+)/ec2/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// amiPattern is a well-formed AMI ID, as EC2 checks it.
var amiPattern = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)

func (f *fakeEC2) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		f.fail(w, http.StatusBadRequest, "InvalidAction", "EC2 takes form-encoded POSTs.")
		return
	}
	m := authPattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		f.fail(w, http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		return
	}
	akid, region, signed, sig := m[1], m[3], m[4], m[5]
	if akid != fakeAccessKey || !signatureHolds(r, body, region, signed, sig) {
		f.fail(w, http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		f.fail(w, http.StatusBadRequest, "MalformedQueryString", "The query string is malformed.")
		return
	}
	action := form.Get("Action")
	f.mu.Lock()
	f.calls[region+" "+action]++
	slow := f.slow
	throttled := false
	if n := f.throttle[region]; n != 0 {
		throttled = true
		if n > 0 {
			f.throttle[region] = n - 1
		}
	}
	unauthorized := f.unauthorized[action]
	f.mu.Unlock()
	if slow {
		<-r.Context().Done()
		return
	}
	switch {
	case form.Get("Version") != ec2Version:
		f.fail(w, http.StatusBadRequest, "InvalidParameterValue", "Unsupported API version.")
	case throttled:
		f.fail(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	case unauthorized:
		f.fail(w, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.")
	case action == "DescribeImages":
		f.describeImages(w, region, form)
	case action == "DescribeRegions":
		f.describeRegions(w)
	default:
		f.fail(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", action))
	}
}

// signatureHolds recomputes the request's SigV4 signature with the fake's
// secret key, over the headers the client signed.
func signatureHolds(r *http.Request, body []byte, region, signed, sig string) bool {
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	req, err := http.NewRequest(r.Method, "https://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.ContentLength = r.ContentLength
	for _, h := range strings.Split(signed, ";") {
		if h != "host" && h != "content-length" {
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := sdkaws.Credentials{AccessKeyID: fakeAccessKey, SecretAccessKey: fakeSecretKey}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, req, hex.EncodeToString(sum[:]), "ec2", region, at); err != nil {
		return false
	}
	return strings.HasSuffix(req.Header.Get("Authorization"), "Signature="+sig)
}

// The XML shapes of EC2's answers.
type (
	xmlImage struct {
		ImageID         string `xml:"imageId"`
		ImageLocation   string `xml:"imageLocation"`
		ImageState      string `xml:"imageState"`
		ImageOwnerID    string `xml:"imageOwnerId"`
		CreationDate    string `xml:"creationDate"`
		IsPublic        bool   `xml:"isPublic"`
		Architecture    string `xml:"architecture"`
		ImageType       string `xml:"imageType"`
		Name            string `xml:"name"`
		RootDeviceType  string `xml:"rootDeviceType"`
		Virtualization  string `xml:"virtualizationType"`
		Hypervisor      string `xml:"hypervisor"`
		DeprecationTime string `xml:"deprecationTime,omitempty"`
	}
	describeImagesResponse struct {
		XMLName   xml.Name   `xml:"http://ec2.amazonaws.com/doc/2016-11-15/ DescribeImagesResponse"`
		RequestID string     `xml:"requestId"`
		Images    []xmlImage `xml:"imagesSet>item"`
	}
	xmlRegion struct {
		RegionName     string `xml:"regionName"`
		RegionEndpoint string `xml:"regionEndpoint"`
		OptInStatus    string `xml:"optInStatus"`
	}
	describeRegionsResponse struct {
		XMLName   xml.Name    `xml:"http://ec2.amazonaws.com/doc/2016-11-15/ DescribeRegionsResponse"`
		RequestID string      `xml:"requestId"`
		Regions   []xmlRegion `xml:"regionInfo>item"`
	}
	errorResponse struct {
		XMLName xml.Name `xml:"Response"`
		Errors  []struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Errors>Error"`
		RequestID string `xml:"RequestID"`
	}
)

// requestID is the request ID of every answer.
const requestID = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"

func (f *fakeEC2) describeImages(w http.ResponseWriter, region string, form url.Values) {
	var ids []string
	for i := 1; form.Has(fmt.Sprintf("ImageId.%d", i)); i++ {
		ids = append(ids, form.Get(fmt.Sprintf("ImageId.%d", i)))
	}
	for _, id := range ids {
		if !amiPattern.MatchString(id) {
			f.fail(w, http.StatusBadRequest, "InvalidAMIID.Malformed", fmt.Sprintf("Invalid id: %q (expecting \"ami-...\")", id))
			return
		}
	}
	includeDeprecated := form.Get("IncludeDeprecated") == "true"
	f.mu.Lock()
	have := f.images[region]
	empty := f.empty[region]
	f.mu.Unlock()
	out := describeImagesResponse{RequestID: requestID, Images: []xmlImage{}}
	var missing []string
	for _, id := range ids {
		var hit *fakeImage
		for i := range have {
			if have[i].ID == id {
				hit = &have[i]
			}
		}
		// EC2 leaves deprecated images out unless asked to include them.
		if hit != nil && hit.Deprecation != "" && !includeDeprecated {
			if at, err := time.Parse(time.RFC3339, hit.Deprecation); err == nil && at.Before(time.Now()) {
				hit = nil
			}
		}
		if hit == nil {
			missing = append(missing, id)
			continue
		}
		out.Images = append(out.Images, xmlImage{
			ImageID: hit.ID, ImageLocation: "123456789012/" + hit.Name, ImageState: hit.State, ImageOwnerID: "123456789012",
			CreationDate: "2024-05-18T02:40:00.000Z", Architecture: hit.Arch, ImageType: "machine", Name: hit.Name,
			RootDeviceType: "ebs", Virtualization: "hvm", Hypervisor: "xen", DeprecationTime: hit.Deprecation,
		})
	}
	if len(missing) > 0 && !empty {
		f.fail(w, http.StatusBadRequest, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", strings.Join(missing, ", ")))
		return
	}
	writeXML(w, http.StatusOK, out)
}

func (f *fakeEC2) describeRegions(w http.ResponseWriter) {
	f.mu.Lock()
	regions := append([]string(nil), f.regions...)
	f.mu.Unlock()
	out := describeRegionsResponse{RequestID: requestID, Regions: []xmlRegion{}}
	for _, r := range regions {
		out.Regions = append(out.Regions, xmlRegion{RegionName: r, RegionEndpoint: "ec2." + r + ".amazonaws.com", OptInStatus: "opt-in-not-required"})
	}
	writeXML(w, http.StatusOK, out)
}

// fail answers an EC2 error.
func (f *fakeEC2) fail(w http.ResponseWriter, status int, code, msg string) {
	f.mu.Lock()
	msg += f.echo
	f.mu.Unlock()
	var e errorResponse
	e.RequestID = requestID
	e.Errors = append(e.Errors, struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}{code, msg})
	writeXML(w, status, e)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}
