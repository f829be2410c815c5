package regsync_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/regsync/regtest"
)

// The keys the fake AWS endpoint knows. The secret is distinctive, so a
// message that shows it is found.
const (
	ecrKeyID     = "AKIAECRTESTKEY000001"
	ecrSecret    = "Ecr-Distinctive-Secret-Key-9d41e7b2"
	serverKeyID  = "AKIASERVERCHAIN00001"
	serverSecret = "Server-Chain-Secret-Key-51c0ffee"
	roleARN      = "arn:aws:iam::123456789012:role/byoos-packs"
	externalID   = "byoos-external-id-42"
	roleKeyID    = "ASIAASSUMEDROLE00001"
	roleSecret   = "Assumed-Role-Secret-Key-0bad5eed"
	roleToken    = "Assumed-Role-Session-Token-77aa"
	ecrRegion    = "eu-west-3"
)

// fakeAWS is a loopback HTTPS endpoint that speaks ECR's JSON 1.1 protocol
// for GetAuthorizationToken and DescribeRepositories, and STS's query
// protocol for AssumeRole. It checks every request's SigV4 signature
// against the keys it knows and answers a wrong key or signature with the
// error AWS answers. Its token is the basic credentials of a real registry.
type fakeAWS struct {
	srv *httptest.Server
	// caPEM is the certificate of the endpoint's TLS server.
	caPEM string

	mu sync.Mutex
	// keys maps an access key id to its secret and session token.
	keys map[string][2]string
	// token is what GetAuthorizationToken answers (base64 of USER:PASSWORD),
	// and proxy its proxyEndpoint.
	token, proxy string
	// repos is what DescribeRepositories lists, in this order.
	repos []string
	// calls counts the calls per operation; maxResults keeps the page size
	// of each DescribeRepositories call, regions the signing region of each call.
	calls      map[string]int
	maxResults []int
	// pages holds the nextToken of each DescribeRepositories call ("" for
	// the first page): the pages read, once each however often the SDK
	// retried one (it does, when a call fails in transit on a loaded machine).
	pages   map[string]bool
	regions []string
	// keyIDs keeps the access key id of each call, as OPERATION:KEY.
	keyIDs []string
}

// startFakeAWS starts the endpoint for reg, listing repos.
func startFakeAWS(t *testing.T, reg *regtest.Registry, repos []string) *fakeAWS {
	f := &fakeAWS{
		keys:  map[string][2]string{ecrKeyID: {ecrSecret, ""}, roleKeyID: {roleSecret, roleToken}, serverKeyID: {serverSecret, ""}},
		token: base64.StdEncoding.EncodeToString([]byte(reg.Username + ":" + reg.Password)),
		proxy: "https://" + reg.Host,
		repos: repos,
		calls: map[string]int{},
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS tests' refused handshakes
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}))
	return f
}

// source returns an ECR source for reg's packs under base with the test's
// access key, trusting both the registry's and the endpoint's CA.
func (f *fakeAWS) source(reg *regtest.Registry, base string) regsync.Source {
	return regsync.Source{Kind: regsync.KindOCI, Provider: regsync.ProviderECR, Endpoint: reg.Host, BaseContentPath: base,
		Username: ecrKeyID, Password: ecrSecret, Region: ecrRegion, CACert: reg.CACertPEM + f.caPEM,
		ECRAPIEndpoint: f.srv.URL, STSEndpoint: f.srv.URL}
}

// takeKeyIDs returns the OPERATION:KEY of the calls since the last take.
func (f *fakeAWS) takeKeyIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := f.keyIDs
	f.keyIDs = nil
	return k
}

func (f *fakeAWS) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// pagesRead is how many distinct pages of DescribeRepositories were asked for.
func (f *fakeAWS) pagesRead() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pages)
}

// ecrFail answers an ECR error the way AWS does (JSON 1.1).
func ecrFail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", code+":http://internal.amazon.com/coral/com.amazon.coral.service/")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// stsFail answers an STS error the way AWS does (query protocol, XML).
func stsFail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`, code, msg)
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	isSTS := target == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	fail := ecrFail
	if isSTS {
		fail = stsFail
	}
	service, region, keyID, code, msg := f.verify(r, body)
	if code != "" {
		if isSTS && code == "UnrecognizedClientException" {
			code = "InvalidClientTokenId"
		}
		if isSTS && code == "InvalidSignatureException" {
			code = "SignatureDoesNotMatch"
		}
		fail(w, http.StatusBadRequest, code, msg)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.regions = append(f.regions, region)
	if isSTS {
		f.keyIDs = append(f.keyIDs, "AssumeRole:"+keyID)
		f.assumeRole(w, service, body)
		return
	}
	if service != "ecr" {
		fail(w, http.StatusBadRequest, "InvalidSignatureException", "Credential should be scoped to correct service: 'ecr'.")
		return
	}
	const prefix = "AmazonEC2ContainerRegistry_V20150921."
	op, ok := strings.CutPrefix(target, prefix)
	if !ok || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		fail(w, http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	f.calls[op]++
	f.keyIDs = append(f.keyIDs, op+":"+keyID)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch op {
	case "GetAuthorizationToken":
		_ = json.NewEncoder(w).Encode(map[string]any{"authorizationData": []map[string]any{{
			"authorizationToken": f.token, "proxyEndpoint": f.proxy, "expiresAt": float64(time.Now().Add(12 * time.Hour).Unix()),
		}}})
	case "DescribeRepositories":
		var in struct {
			MaxResults int    `json:"maxResults"`
			NextToken  string `json:"nextToken"`
			RegistryID string `json:"registryId"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			fail(w, http.StatusBadRequest, "SerializationException", err.Error())
			return
		}
		if in.MaxResults < 1 || in.MaxResults > 1000 {
			fail(w, http.StatusBadRequest, "InvalidParameterException", "maxResults must be between 1 and 1000")
			return
		}
		f.maxResults = append(f.maxResults, in.MaxResults)
		if f.pages == nil {
			f.pages = map[string]bool{}
		}
		f.pages[in.NextToken] = true
		start := 0
		if in.NextToken != "" {
			if start, err = strconv.Atoi(strings.TrimPrefix(in.NextToken, "page-")); err != nil || start > len(f.repos) {
				fail(w, http.StatusBadRequest, "InvalidParameterException", "Invalid parameter at 'nextToken'")
				return
			}
		}
		end := min(start+in.MaxResults, len(f.repos))
		var repos []map[string]any
		for _, n := range f.repos[start:end] {
			repos = append(repos, map[string]any{"repositoryName": n, "registryId": "123456789012",
				"repositoryArn": "arn:aws:ecr:" + ecrRegion + ":123456789012:repository/" + n, "repositoryUri": strings.TrimPrefix(f.proxy, "https://") + "/" + n,
				"createdAt": float64(1.7e9), "imageTagMutability": "MUTABLE"})
		}
		out := map[string]any{"repositories": repos}
		if end < len(f.repos) {
			out["nextToken"] = "page-" + strconv.Itoa(end)
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		fail(w, http.StatusBadRequest, "UnknownOperationException", "")
	}
}

// assumeRole answers STS AssumeRole for roleARN with externalID.
func (f *fakeAWS) assumeRole(w http.ResponseWriter, service string, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || service != "sts" || form.Get("Action") != "AssumeRole" {
		stsFail(w, http.StatusBadRequest, "InvalidAction", "Could not find operation")
		return
	}
	f.calls["AssumeRole"]++
	if form.Get("RoleArn") != roleARN || form.Get("ExternalId") != externalID || form.Get("RoleSessionName") == "" {
		stsFail(w, http.StatusForbidden, "AccessDenied", "User: arn:aws:iam::123456789012:user/server is not authorized to perform: sts:AssumeRole on resource: "+form.Get("RoleArn"))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>%s/%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		roleKeyID, roleSecret, roleToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), roleARN, form.Get("RoleSessionName"), form.Get("RoleSessionName"))
}

// verify checks the request's SigV4 signature: it returns the signing
// service, region and access key id, or the AWS error code and message to
// answer.
func (f *fakeAWS) verify(r *http.Request, body []byte) (service, region, keyID, code, msg string) {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return "", "", "", "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = v
	}
	scope := strings.Split(parts["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || parts["SignedHeaders"] == "" || parts["Signature"] == "" {
		return "", "", "", "IncompleteSignatureException", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters."
	}
	f.mu.Lock()
	key, known := f.keys[scope[0]]
	f.mu.Unlock()
	if !known {
		return "", "", "", "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	if key[1] != "" && r.Header.Get("X-Amz-Security-Token") != key[1] {
		return "", "", "", "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "", "", "", "IncompleteSignatureException", "X-Amz-Date is missing or not ISO 8601 basic"
	}
	again, err := http.NewRequest(r.Method, "https://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return "", "", "", "InvalidSignatureException", err.Error()
	}
	again.Host = r.Host
	again.ContentLength = int64(len(body))
	for _, h := range strings.Split(parts["SignedHeaders"], ";") {
		if h != "host" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: scope[0], SecretAccessKey: key[0], SessionToken: key[1]}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), scope[3], scope[2], when); err != nil {
		return "", "", "", "InvalidSignatureException", err.Error()
	}
	if !strings.HasSuffix(again.Header.Get("Authorization"), "Signature="+parts["Signature"]) {
		return "", "", "", "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	}
	return scope[3], scope[2], scope[0], "", ""
}

// packRepos are the repositories of the ECR tests: packs under acme/, and
// what is not a pack repository under it.
func pushECRPacks(t *testing.T, reg *regtest.Registry) (repos, want []string) {
	for _, p := range []struct{ base, name, version string }{
		{"acme", "nginx", "1.0.0"},
		{"acme", "nginx", "1.1.0"},
		{"acme", "redis", "7.2.4"},
		{"acme", "zlast", "0.1.0"},
		{"other", "nginx", "9.0.0"},
	} {
		regtest.PushPack(t, reg, p.base, p.name, p.version, regtest.GoodPack(t, p.name, p.version))
		if p.base == "acme" {
			want = append(want, reg.Host+"/acme/spectro-packs/archive/"+p.name+":"+p.version)
		}
	}
	regtest.PushArtifact(t, reg, "acme/spectro-packs/archive/nested/deeper", "1.0.0", regtest.Artifact{Layers: []regtest.Layer{{Title: "deeper-1.0.0.tar.gz", Data: regtest.GoodPack(t, "deeper", "1.0.0")}}})
	// DescribeRepositories lists in no particular order, and may list
	// repositories the registry does not have any image in.
	repos = []string{"acme/spectro-packs/archive/zlast", "other/spectro-packs/archive/nginx", "acme/spectro-packs/archive/nginx",
		"acme/spectro-packs/archive/nested/deeper", "acme/spectro-packs/archive-other", "images/app", "acme/spectro-packs/archive/redis"}
	slices.Sort(want)
	return repos, want
}

func TestECRSyncReadsPacksThroughTheECRAPIAndTheRegistry(t *testing.T) {
	reg := regtest.StartRegistry(t)
	repos, want := pushECRPacks(t, reg)
	tests := []struct {
		name       string
		change     func(*regsync.Source)
		opts       regsync.Options
		want       []string
		pages      int    // DescribeRepositories calls, 0 to not check
		skipReason string // a reason among the skipped, "" for none skipped
	}{
		{"the packs under the base path are read with the token ECR gives, and nothing outside it",
			nil, regsync.Options{}, want, 1, ""},
		{"pages of one repository are followed with nextToken to the end",
			nil, regsync.Options{PageSize: 1}, want, len(repos), ""},
		{"pages of three repositories are followed with nextToken to the end",
			nil, regsync.Options{PageSize: 3}, want, 3, ""},
		{"a page size over ECR's maximum asks for 1000",
			nil, regsync.Options{PageSize: 5000}, want, 1, ""},
		{"an endpoint left empty is the registry the token names",
			func(s *regsync.Source) { s.Endpoint = "" }, regsync.Options{}, want, 1, ""},
		{"at most MaxPacks pack versions are read, the rest said to be left out",
			nil, regsync.Options{Limits: regsync.Limits{MaxPacks: 2}}, []string{reg.Host + "/acme/spectro-packs/archive/nginx:1.0.0", reg.Host + "/acme/spectro-packs/archive/nginx:1.1.0"}, 0, "limit:"},
		{"only the newest versions of each pack are kept",
			nil, regsync.Options{Limits: regsync.Limits{MaxVersionsPerPack: 1}}, []string{reg.Host + "/acme/spectro-packs/archive/nginx:1.1.0", reg.Host + "/acme/spectro-packs/archive/redis:7.2.4", reg.Host + "/acme/spectro-packs/archive/zlast:0.1.0"}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := startFakeAWS(t, reg, repos)
			src := f.source(reg, "acme")
			if tc.change != nil {
				tc.change(&src)
			}
			res, err := regsync.Sync(context.Background(), src, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(res); !slices.Equal(got, tc.want) {
				t.Fatalf("synced %q, want %q (skipped %+v)", got, tc.want, res.Skipped)
			}
			limited := false
			for _, s := range res.Skipped {
				limited = limited || strings.HasPrefix(s.Reason, tc.skipReason)
			}
			if (tc.skipReason == "") != (len(res.Skipped) == 0) || (tc.skipReason != "" && !limited) {
				t.Fatalf("skipped %+v, want a reason starting %q", res.Skipped, tc.skipReason)
			}
			if got := f.count("GetAuthorizationToken"); got != 1 {
				t.Errorf("GetAuthorizationToken was called %d times, want once", got)
			}
			if tc.pages != 0 && f.pagesRead() != tc.pages {
				t.Errorf("DescribeRepositories read %d pages, want %d (page sizes %v)", f.pagesRead(), tc.pages, f.maxResults)
			}
			for _, r := range f.regions {
				if r != ecrRegion {
					t.Errorf("a call was signed for region %q, want %q", r, ecrRegion)
				}
			}
			if want := min(max(tc.opts.PageSize, 0), 1000); tc.opts.PageSize > 0 && f.maxResults[0] != want {
				t.Errorf("DescribeRepositories asked for pages of %d, want %d", f.maxResults[0], want)
			}
		})
	}
}

func TestECRListingStopsAtItsBound(t *testing.T) {
	reg := regtest.StartRegistry(t)
	regtest.PushPack(t, reg, "acme", "nginx", "1.0.0", regtest.GoodPack(t, "nginx", "1.0.0"))
	var repos []string
	for i := range 1500 {
		repos = append(repos, fmt.Sprintf("images/app-%04d", i))
	}
	repos = append(repos, "acme/spectro-packs/archive/nginx")
	f := startFakeAWS(t, reg, repos)
	// MaxPacks 1 bounds the listing at 1000 repositories: ten pages of 100.
	res, err := regsync.Sync(context.Background(), f.source(reg, "acme"), regsync.Options{Limits: regsync.Limits{MaxPacks: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.pagesRead(); got != 10 {
		t.Errorf("DescribeRepositories read %d pages, want 10", got)
	}
	if len(res.Packs) != 0 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "more than 1000 repositories") {
		t.Fatalf("synced %q, skipped %+v; want nothing synced and the listing said to be cut", refs(res), res.Skipped)
	}
}

func TestCheckECRRegistry(t *testing.T) {
	reg := regtest.StartRegistry(t)
	regtest.PushPack(t, reg, "", "nginx", "1.0.0", regtest.GoodPack(t, "nginx", "1.0.0"))
	// The server's own credentials, found by the default chain, are in the
	// environment only; nothing is read from files or instance metadata.
	noFile := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": serverKeyID, "AWS_SECRET_ACCESS_KEY": serverSecret, "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": noFile, "AWS_SHARED_CREDENTIALS_FILE": noFile, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": ""} {
		t.Setenv(k, v)
	}
	f := startFakeAWS(t, reg, []string{"spectro-packs/archive/nginx"})
	src := f.source(reg, "")
	with := func(change func(*regsync.Source)) regsync.Source { s := src; change(&s); return s }
	role := func(s *regsync.Source) { s.Username, s.Password, s.RoleARN, s.ExternalID = "", "", roleARN, externalID }
	tests := []struct {
		name   string
		src    regsync.Source
		env    map[string]string
		token  string // what GetAuthorizationToken answers, "" for the registry's credentials
		reason string // "" for success
		// keys are the OPERATION:KEY of the AWS calls of a check that succeeds.
		keys []string
	}{
		{"the right access key is accepted", src, nil, "", "", []string{"GetAuthorizationToken:" + ecrKeyID, "DescribeRepositories:" + ecrKeyID}},
		{"a wrong secret key is unauthorized", with(func(s *regsync.Source) { s.Password = wrongPassword }), nil, "", regsync.ReasonUnauthorized, nil},
		{"an unknown access key id is unauthorized", with(func(s *regsync.Source) { s.Username = "AKIAUNKNOWNKEY000000" }), nil, "", regsync.ReasonUnauthorized, nil},
		{"an access key without its secret is unauthorized", with(func(s *regsync.Source) { s.Password = "" }), nil, "", regsync.ReasonUnauthorized, nil},
		{"no credentials at all are unauthorized", with(func(s *regsync.Source) { s.Username, s.Password = "", "" }), nil, "", regsync.ReasonUnauthorized, nil},
		{"a role assumed with the server's credentials and the right external id is accepted", with(role), nil, "", "",
			[]string{"AssumeRole:" + serverKeyID, "GetAuthorizationToken:" + roleKeyID, "DescribeRepositories:" + roleKeyID}},
		{"a role assumed with the source's access key is accepted", with(func(s *regsync.Source) { s.RoleARN, s.ExternalID = roleARN, externalID }), nil, "", "",
			[]string{"AssumeRole:" + ecrKeyID, "GetAuthorizationToken:" + roleKeyID, "DescribeRepositories:" + roleKeyID}},
		{"a role with a wrong external id is unauthorized", with(func(s *regsync.Source) { role(s); s.ExternalID = "wrong" }), nil, "", regsync.ReasonUnauthorized, nil},
		{"a role assumed with a wrong secret key is unauthorized", with(func(s *regsync.Source) { s.Password = wrongPassword; s.RoleARN, s.ExternalID = roleARN, externalID }), nil, "", regsync.ReasonUnauthorized, nil},
		{"a role the server has no credentials to assume is unauthorized", with(role), map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, "", regsync.ReasonUnauthorized, nil},
		{"a token the registry refuses is unauthorized", src, nil, base64.StdEncoding.EncodeToString([]byte("AWS:" + wrongPassword)), regsync.ReasonUnauthorized, nil},
		{"a token that is not base64 is malformed", src, nil, "%%%not-base64%%%", regsync.ReasonMalformed, nil},
		{"an ECR API endpoint nothing listens on is unreachable", with(func(s *regsync.Source) { s.ECRAPIEndpoint = "https://" + closedPort(t) }), nil, "", regsync.ReasonUnreachable, nil},
		{"an ECR API endpoint whose CA is not given is not trusted", with(func(s *regsync.Source) { s.CACert = reg.CACertPEM }), nil, "", regsync.ReasonTLS, nil},
		{"a registry endpoint nothing listens on is unreachable", with(func(s *regsync.Source) { s.Endpoint = closedPort(t) }), nil, "", regsync.ReasonUnreachable, nil},
		{"an ECR API endpoint over plain http is refused", with(func(s *regsync.Source) { s.ECRAPIEndpoint = "http://" + strings.TrimPrefix(f.srv.URL, "https://") }), nil, "", regsync.ReasonBadEndpoint, nil},
		{"a region that is not an AWS region is refused", with(func(s *regsync.Source) { s.Region = "Mars 1" }), nil, "", regsync.ReasonBadEndpoint, nil},
		{"no region for a host that does not name one is refused", with(func(s *regsync.Source) { s.Region = "" }), nil, "", regsync.ReasonBadEndpoint, nil},
		{"a region other than the ECR endpoint's is refused", with(func(s *regsync.Source) { s.Endpoint = "123456789012.dkr.ecr.us-east-1.amazonaws.com" }), nil, "", regsync.ReasonBadEndpoint, nil},
		{"neither an endpoint nor a region is refused", with(func(s *regsync.Source) { s.Endpoint, s.Region = "", "" }), nil, "", regsync.ReasonBadEndpoint, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			f.mu.Lock()
			f.token = base64.StdEncoding.EncodeToString([]byte(reg.Username + ":" + reg.Password))
			if tc.token != "" {
				f.token = tc.token
			}
			f.mu.Unlock()
			for _, op := range []string{"check", "sync"} {
				var err error
				if op == "check" {
					err = regsync.Check(context.Background(), tc.src, regsync.Options{})
				} else {
					_, err = regsync.Sync(context.Background(), tc.src, regsync.Options{})
				}
				if got := regsync.ReasonOf(err); got != tc.reason {
					t.Fatalf("%s: reason %q (%v), want %q", op, got, err, tc.reason)
				}
				keys := f.takeKeyIDs()
				if err == nil {
					if op == "check" && !slices.Equal(keys, tc.keys) {
						t.Fatalf("check: the AWS calls were %q, want %q", keys, tc.keys)
					}
					continue
				}
				t.Logf("%s: %v", op, err)
				for _, s := range []regsync.Source{tc.src, {Username: tc.src.Username, Password: ecrSecret}, {Username: reg.Username, Password: reg.Password}, {Password: serverSecret}, {Password: roleSecret}, {Password: roleToken}} {
					assertNoSecret(t, err, s)
				}
			}
		})
	}
}
