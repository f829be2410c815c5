package api_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
)

func (f *failingStore) APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	if err := f.failing("APIKeyByHash"); err != nil {
		return store.APIKey{}, err
	}
	return f.Store.APIKeyByHash(ctx, hash)
}

// TestAnAPIKeyTheStoreCannotCheckIsAServerFaultNotARefusal: when the
// database fails while a key is checked (a key the server has not cached),
// the answer is a 500 naming the request id, not 401 telling a valid
// caller that their key is bad; an unknown key is still 401.
func TestAnAPIKeyTheStoreCannotCheckIsAServerFaultNotARefusal(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := &failingStore{Store: st}
	e := newEnvOn(t, dir, fs)
	reader := e.key("reader", "", store.RoleReadOnly) // not used yet, so not cached

	fs.mu.Lock()
	fs.fail = map[string]bool{"APIKeyByHash": true}
	fs.mu.Unlock()
	body := string(e.do("GET", "/v1/registries/metadata", reader, "", nil, 500, nil))
	if !strings.Contains(body, "(request ") || strings.Contains(body, storeCause) {
		t.Errorf("the answer lacks the request id or shows the cause: %s", body)
	}

	fs.mu.Lock()
	fs.fail = nil
	fs.mu.Unlock()
	e.do("GET", "/v1/registries/metadata", "byoos_nope", "", nil, 401, nil)
	e.do("GET", "/v1/registries/metadata", reader, "", nil, 200, nil)
}
