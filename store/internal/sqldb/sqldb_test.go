package sqldb

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestBindNumbersPlaceholdersForPostgresOnly(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT 5"
	pg := &Engine{d: Dialect{NumberedPlaceholders: true}}
	if got, want := pg.bind(q), "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT 5"; got != want {
		t.Errorf("postgres bind = %q, want %q", got, want)
	}
	lite := &Engine{d: Dialect{}}
	if got := lite.bind(q); got != q {
		t.Errorf("sqlite bind changed the query to %q", got)
	}
}

func TestLoadMigrationsOrdersByVersionAndRejectsBadNames(t *testing.T) {
	ms, err := LoadMigrations(fstest.MapFS{
		"0010_later.sql": {Data: []byte("B")},
		"0002_first.sql": {Data: []byte("A")},
		"README.md":      {Data: []byte("ignored")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 2 || ms[0].Name != "0002_first" || ms[0].SQL != "A" || ms[1].Version != 10 {
		t.Errorf("migrations %+v", ms)
	}
	for _, bad := range []fstest.MapFS{
		{"init.sql": {}},
		{"0000_zero.sql": {}},
		{"x1_bad.sql": {}},
		{"0001_a.sql": {}, "1_b.sql": {}},
	} {
		if _, err := LoadMigrations(bad); err == nil {
			t.Errorf("LoadMigrations accepted %v", bad)
		}
	}
}

func TestNewUIDIs24HexDigitsAndRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		u := newUID()
		if len(u) != 24 || strings.Trim(u, "0123456789abcdef") != "" {
			t.Fatalf("uid %q", u)
		}
		if seen[u] {
			t.Fatalf("uid %q twice", u)
		}
		seen[u] = true
	}
}

func TestTimeColumnsScanMicrosecondsAndTimes(t *testing.T) {
	want := time.Date(2025, 1, 2, 3, 4, 5, 678901000, time.UTC)
	var got time.Time
	if err := (timeCol{&got}).Scan(want.UnixMicro()); err != nil || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("int64: %v, %v", got, err)
	}
	if err := (timeCol{&got}).Scan(want.In(time.FixedZone("x", 3600))); err != nil || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("time.Time: %v, %v", got, err)
	}
	if err := (timeCol{&got}).Scan(nil); err == nil {
		t.Error("NULL scanned into a NOT NULL time")
	}
	var p *time.Time
	if err := (nullTimeCol{&p}).Scan(nil); err != nil || p != nil {
		t.Errorf("NULL: %v, %v", p, err)
	}
	if err := (nullTimeCol{&p}).Scan("text"); err == nil {
		t.Error("text scanned as a time")
	}
}
