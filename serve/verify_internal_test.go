package serve

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/service"
)

// errTenant is what the tenant's allow-list dial answers in these tests.
var errTenant = errors.New("the tenant's allow-list was asked")

func TestAzureDialLeavesEveryHostButTheConfiguredCloudsAccountsToTheAllowList(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	endpoint := l.Addr().String()
	var mu sync.Mutex
	var asked []string
	tenant := func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		asked = append(asked, addr)
		mu.Unlock()
		return nil, errTenant
	}
	dial := azureDial(tenant, azureBlobSuffixes["public"], map[string]bool{hostPort("http://" + endpoint + "/acct01"): true}, service.VerifyConfig{})
	tests := []struct {
		name, addr string
		// want: "tenant" (left to the allow-list), "refused" (refused
		// without the allow-list), "direct" (connected).
		want string
	}{
		{"a host outside Azure is left to the allow-list", "evil.example:443", "tenant"},
		{"a blob endpoint name followed by another domain is left to the allow-list", "acct01.blob.core.windows.net.evil.example:443", "tenant"},
		{"a name of two labels before the suffix is left to the allow-list", "a.acct01.blob.core.windows.net:443", "tenant"},
		{"an account of another Azure cloud is left to the allow-list", "acct01.blob.core.chinacloudapi.cn:443", "tenant"},
		{"an address that is not a configured endpoint is left to the allow-list", "127.0.0.1:1", "tenant"},
		{"an account of the configured cloud on another port than 443 is refused", "acct01.blob.core.windows.net:80", "refused"},
		{"a configured endpoint is connected to directly", endpoint, "direct"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			asked = nil
			mu.Unlock()
			before := accepted.Load()
			c, err := dial(context.Background(), "tcp", tt.addr)
			if c != nil {
				c.Close()
			}
			var refused *preflight.RefusedError
			got := "other: " + errString(err)
			switch {
			case errors.Is(err, errTenant):
				got = "tenant"
			case errors.As(err, &refused):
				got = "refused"
			case err == nil:
				got = "direct"
			}
			if got != tt.want {
				t.Errorf("dialling %s: %s, want %s", tt.addr, got, tt.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if (tt.want == "tenant") != (len(asked) == 1) {
				t.Errorf("the allow-list was asked %v", asked)
			}
			if tt.want != "direct" && accepted.Load() != before {
				t.Error("a connection was made")
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func TestParseAzureKeysReadsAccountKeyPairsAndNeverQuotesAKey(t *testing.T) {
	const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	tests := []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"one pair keeps the key's padding", "acct01=" + key, map[string]string{"acct01": key}, ""},
		{"pairs may be separated by spaces, commas, semicolons and new lines", "acct01=" + key + ", acct02=abc=;\nacct03=x", map[string]string{"acct01": key, "acct02": "abc=", "acct03": "x"}, ""},
		{"a key without its account is refused by position", "acct01=x " + key, nil, "pair 2 of 2: the account name"},
		{"a word without = is refused by position", "acct01=x stray", nil, "pair 2 of 2 is not ACCOUNT=KEY"},
		{"an account name with capitals is refused", "Acct01=" + key, nil, "pair 1 of 1: the account name"},
		{"an empty key is refused", "acct01=", nil, "pair 1 of 1 is not ACCOUNT=KEY"},
		{"an account given twice is refused", "acct01=a acct01=b", nil, "pair 2 of 2: the account acct01 has a key already"},
		{"nothing is refused", " , ", nil, "no ACCOUNT=KEY pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAzureKeys(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), key[:12]) {
					t.Errorf("the error quotes the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d keys, want %d", len(got), len(tt.want))
			}
			for a, k := range tt.want {
				if got[a].Reveal() != k {
					t.Errorf("the key of %s is not read as given", a)
				}
			}
		})
	}
}

func FuzzParseAzureKeys(f *testing.F) {
	f.Add("acct01=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
	f.Add("a=b,c=d;acct01==")
	f.Add("acct01=x acct01=y")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseAzureKeys(in)
		if err != nil {
			// The error quotes no key: no value after an '=' that could
			// not be an account name.
			for _, field := range strings.FieldsFunc(in, func(r rune) bool { return strings.ContainsRune(", ;\t\n\r", r) }) {
				if _, k, ok := strings.Cut(field, "="); ok && len(k) >= 4 && !storageAccount(k) && strings.Contains(err.Error(), k) {
					t.Fatalf("the error %q quotes %q", err, k)
				}
			}
			return
		}
		for a, k := range got {
			if !storageAccount(a) || k == "" {
				t.Fatalf("%q=%q accepted", a, k.Reveal())
			}
		}
	})
}

func TestParseAzureEndpoint(t *testing.T) {
	tests := []struct {
		name, in, account, url, err string
	}{
		{"an account and a URL are read", "devstoreaccount1=http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1", ""},
		{"a value without '=' is refused", "http://127.0.0.1:10000", "", "", "is not ACCOUNT=URL"},
		{"a bad account name is refused", "Dev=http://x", "", "", "3 to 24 lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, u, err := ParseAzureEndpoint(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || a != tt.account || u != tt.url {
				t.Errorf("got %q %q %v", a, u, err)
			}
		})
	}
}

func TestVerifyCloudsRefusesAConfigurationThatCannotWorkWithoutQuotingASecret(t *testing.T) {
	const pw = "vc-Pa55word-Secret"
	tests := []struct {
		name   string
		clouds VerifyClouds
		says   string
	}{
		{"an EC2 endpoint that is not an http(s) URL", VerifyClouds{AWS: &AWSVerify{Endpoint: "ftp://ec2.example.com"}}, "AWS"},
		{"an Azure cloud byoos does not know", VerifyClouds{Azure: &AzureVerify{Cloud: "germany"}}, "public, china or usgovernment"},
		{"an account key that is not base64", VerifyClouds{Azure: &AzureVerify{Keys: map[string]secret.String{"acct01": "not base64 " + pw}}}, `Keys["acct01"]`},
		{"an Azure endpoint that is not a URL", VerifyClouds{Azure: &AzureVerify{Endpoints: map[string]string{"acct01": "127.0.0.1:10000"}}}, `Endpoints["acct01"]`},
		{"a vCenter without a user", VerifyClouds{VSphere: &VSphereVerify{URL: "https://vc.example.com", Password: pw}}, "no user name"},
		{"a vCenter CA certificate that is not PEM", VerifyClouds{VSphere: &VSphereVerify{URL: "https://vc.example.com", Username: "u", Password: pw, CACert: "MIIB"}}, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused at start", func(t *testing.T) {
			_, err := tt.clouds.Checkers(service.VerifyConfig{})
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
	all, err := VerifyClouds{}.Checkers(service.VerifyConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cloud := range []string{preflight.AWS, preflight.Azure, preflight.VSphere} {
		if all[cloud] == nil {
			t.Errorf("no check answers %s images", cloud)
		}
	}
}
