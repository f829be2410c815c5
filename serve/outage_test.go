package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/store/pgtest"
)

// TestAServerLivesThroughAPostgreSQLOutage runs the byoos binary on a
// PostgreSQL that is then stopped (pg_ctl stop -m fast, as for maintenance)
// under it: a read and a write must each be answered 5xx with a request id
// that the body names and that a log line pairs with the cause, never 400
// with findings (the request was fine; the server could not do it). Once
// PostgreSQL is started again on the same data and port, reads and writes
// must succeed again without restarting byoos.
func TestAServerLivesThroughAPostgreSQLOutage(t *testing.T) {
	bin := buildByoos(t)
	pg := pgtest.StartCluster(t)
	dsn := pgtest.CreateDatabase(t, pg.DSN())
	key := filepath.Join(t.TempDir(), "secret.key")
	writeKey(t, key, 7)
	data := t.TempDir()
	p := startBinary(t, bin, data, "--database", dsn, "--secret-key-file", key)
	a := newAPIClient(t, httpsClient(t, data), p.url, data)
	ctx := context.Background()

	created := func(resp *http.Response, body []byte) string {
		var out struct{ UID string }
		json.Unmarshal(body, &out)
		if resp.StatusCode != http.StatusCreated || out.UID == "" {
			return ""
		}
		return out.UID
	}
	resp, body, err := a.do(ctx, "POST", "/v1/clusterprofiles", profileBody(1))
	if err != nil {
		t.Fatal(err)
	}
	uid := created(resp, body)
	if uid == "" {
		t.Fatalf("create before the outage: %d %s", resp.StatusCode, body)
	}

	// A key the server will check for the first time during the outage.
	resp, body, err = a.do(ctx, "POST", "/v1/apiKeys", []byte(`{"name":"reader","role":"read-only"}`))
	var reader struct{ Key string }
	if err != nil || json.Unmarshal(body, &reader) != nil || resp.StatusCode != http.StatusCreated || reader.Key == "" {
		t.Fatalf("create an API key: %d %v %s", status(resp), err, body)
	}
	fresh := a
	fresh.key = reader.Key

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	// A cause names the lost database: the refused connection, or the
	// connection PostgreSQL closed on its way down.
	causeRE := regexp.MustCompile(`(?i)refused|connect|terminat|shut ?down|closed|EOF|broken pipe|reset`)
	for _, tc := range []struct {
		name, method, path string
		body               []byte
		as                 apiClient
	}{
		{"a read", "GET", "/v1/clusterprofiles/" + uid, nil, a},
		{"a read with an API key the server has not checked yet", "GET", "/v1/clusterprofiles/" + uid, nil, fresh},
		{"a write", "POST", "/v1/clusterprofiles", profileBody(2), a},
	} {
		t.Run("while PostgreSQL is down "+tc.name+" is a 5xx with a request id whose log line holds the cause", func(t *testing.T) {
			resp, body, err := tc.as.do(ctx, tc.method, tc.path, tc.body)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.method, tc.path, err)
			}
			if resp.StatusCode < 500 || resp.StatusCode > 599 {
				t.Fatalf("%s %s while PostgreSQL is down: %d %s; want a 5xx (the server failed, not the request)", tc.method, tc.path, resp.StatusCode, body)
			}
			rid := resp.Header.Get("X-Request-Id")
			if rid == "" {
				t.Fatalf("no X-Request-Id on the %d answer", resp.StatusCode)
			}
			if !strings.Contains(string(body), rid) {
				t.Errorf("the body does not name request %s: %s", rid, body)
			}
			if causeRE.Match(body) || strings.Contains(string(body), "127.0.0.1") {
				t.Errorf("the body tells the client the cause: %s", body)
			}
			line := p.log.waitFor(regexp.MustCompile(`(?m)^.*msg="request failed".*request_id=`+regexp.QuoteMeta(rid)+`\b.*$`), 10*time.Second)
			if line == nil {
				t.Fatalf("no \"request failed\" log line names request %s:\n%s", rid, p.log)
			}
			cause := regexp.MustCompile(`cause="((?:[^"\\]|\\.)*)"|cause=(\S+)`).FindStringSubmatch(line[0])
			if cause == nil || !causeRE.MatchString(cause[1]+cause[2]) {
				t.Errorf("the log line of request %s does not give the database's failure as the cause: %s", rid, line[0])
			}
		})
	}

	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	// Without restarting byoos, a read and a write succeed again soon.
	var readOK bool
	var newUID, last string
	for attempt, deadline := 0, time.Now().Add(30*time.Second); time.Now().Before(deadline) && (!readOK || newUID == ""); attempt++ {
		if !readOK {
			resp, body, err := a.do(ctx, "GET", "/v1/clusterprofiles/"+uid, nil)
			readOK = err == nil && resp.StatusCode == http.StatusOK
			last = fmt.Sprintf("read: %v %v %s", status(resp), err, body)
		}
		if newUID == "" {
			resp, body, err := a.do(ctx, "POST", "/v1/clusterprofiles", profileBody(100+attempt))
			if err == nil {
				newUID = created(resp, body)
			}
			last += fmt.Sprintf("; write: %v %v %s", status(resp), err, body)
		}
		select {
		case <-p.exited:
			t.Fatalf("byoos exited during the outage: %v\n%s", p.err, p.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !readOK || newUID == "" {
		t.Fatalf("30 s after PostgreSQL came back, reads ok: %v, writes ok: %v; last answers: %s", readOK, newUID != "", last)
	}
	a.wantProfiles(t, []string{uid, newUID})
}

// status is resp's status code, or 0 without a response.
func status(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}
