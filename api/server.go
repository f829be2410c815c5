// Package api is the byoos HTTP server: Palette's v1 REST API for pack
// registries, packs and cluster profiles (so Palette's clients, such as the
// spectrocloud Terraform provider, work against it), plus health, readiness,
// metrics and the audit log. Every write runs the profile validation pipeline
// of package profile; errors map to status codes in one place (errors.go).
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/web"
)

// MaxBodyBytes is the largest request body accepted (a pack archive included).
const MaxBodyBytes = 16 << 20

// Config is what a Server needs.
type Config struct {
	Store store.Store
	// Public is the built-in Public Repo.
	Public *pack.Repo
	// Sealer encrypts secret values at rest.
	Sealer *secret.Sealer
	// TenantUID is the tenant this server serves.
	TenantUID string
	Logger    *slog.Logger
	// Registry collects the server's metrics; a new one when nil.
	Registry *prometheus.Registry
	// ValidationTimeout bounds the time one request may spend validating a
	// profile; zero means service.DefaultValidationTimeout.
	ValidationTimeout time.Duration
	// Registries is the OCI and Helm registry service (its sync runner
	// included); when nil, one over Store reading registries with package
	// regsync. The caller that made it closes it.
	Registries *service.Registries
	// KeyCacheTTL bounds how long a verified API key is trusted without
	// asking the store again (revocation by another replica takes effect
	// within it). Zero means 5 s.
	KeyCacheTTL time.Duration
	// Verify bounds what POST /v1/clusterprofiles/{uid}/verify reaches
	// (its allow-list) and how long its results are reused.
	Verify service.VerifyConfig
}

// Server serves the API.
type Server struct {
	cfg      Config
	store    store.Store
	log      *slog.Logger
	sources  *service.Sources
	profiles *service.Profiles
	macros   *service.Macros
	verifier *service.Verifier
	// registries holds the OCI and Helm registries.
	registries *service.Registries
	keys       *keyCache
	metrics    *metrics
	ui         *web.Handler
	handler    http.Handler
	// encoded caches encoded answers about packs, which never change.
	encoded *encodedCache
	// projects caches project uids known to exist (projects are never deleted).
	projects sync.Map
	// requestIDPrefix (random per process) and requestSeq make request ids.
	requestIDPrefix string
	requestSeq      atomic.Uint64
	// ready is closed once start-up is complete.
	ready chan struct{}
	once  sync.Once
}

// New builds a server; the store must be open and migrated.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Public == nil || cfg.Sealer == nil || cfg.TenantUID == "" {
		return nil, errors.New("api: Store, Public, Sealer and TenantUID are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.KeyCacheTTL == 0 {
		cfg.KeyCacheTTL = 5 * time.Second
	}
	m := newMetrics(cfg.Registry)
	ui, err := web.New()
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	s := &Server{
		ui:              ui,
		cfg:             cfg,
		store:           instrument(cfg.Store, m),
		log:             cfg.Logger,
		encoded:         newEncodedCache(4096),
		keys:            newKeyCache(cfg.KeyCacheTTL),
		metrics:         m,
		ready:           make(chan struct{}),
		requestIDPrefix: newID(4) + "-",
	}
	s.sources = &service.Sources{Store: s.store, Public: service.NewMemoryIndex(service.PublicRegistry(cfg.Public)), Packs: service.NewPackCache(2048)}
	s.profiles = service.NewProfiles(s.store, cfg.Sealer, s.sources, macro.New(), cfg.ValidationTimeout)
	s.macros = service.NewMacros(s.store)
	s.verifier = service.NewVerifier(s.profiles, cfg.Verify)
	s.registries = cfg.Registries
	if s.registries == nil {
		s.registries = service.NewRegistries(s.store, cfg.Sealer, service.RegistriesConfig{Logger: cfg.Logger})
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// MarkReady makes /readyz answer 200 (once the database is reachable).
func (s *Server) MarkReady() { s.once.Do(func() { close(s.ready) }) }

// handlerFunc is an API handler: it returns the error to write, or nil when
// it wrote its response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *principal) *Error

// route registers an authenticated handler under a method and pattern.
func (s *Server) route(mux *http.ServeMux, pattern string, write bool, h handlerFunc) {
	mux.Handle(pattern, s.observe(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.fail(w, r, pattern, err)
			return
		}
		if write && p.key.Role != store.RoleAdmin {
			writeError(w, apiError(CodeForbidden, "API key %s is read-only", p.key.Prefix))
			return
		}
		setActor(r.Context(), p)
		if e := h(w, r, p); e != nil {
			s.fail(w, r, pattern, e)
		}
	}))
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	metricsHandler := promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
	s.route(mux, "GET /metrics", false, func(w http.ResponseWriter, r *http.Request, _ *principal) *Error {
		metricsHandler.ServeHTTP(w, r)
		return nil
	})

	// Projects and keys.
	s.route(mux, "GET /v1/dashboard/projects/metadata", false, s.listProjects)
	s.route(mux, "POST /v1/projects", true, s.createProject)
	s.route(mux, "GET /v1/projects/{uid}", false, s.getProject)
	s.route(mux, "GET /v1/apiKeys", false, s.listAPIKeys)
	s.route(mux, "POST /v1/apiKeys", true, s.createAPIKey)
	s.route(mux, "DELETE /v1/apiKeys/{uid}", true, s.revokeAPIKey)
	s.route(mux, "GET /v1/audits", false, s.listAudits)

	// Registries.
	s.route(mux, "GET /v1/registries/metadata", false, s.registriesMetadata)
	s.route(mux, "GET /v1/registries/pack", false, s.listPackRegistries)
	s.route(mux, "POST /v1/registries/pack", true, s.createPackRegistry)
	s.route(mux, "GET /v1/registries/pack/{uid}", false, s.getPackRegistry)
	s.route(mux, "GET /v1/registries/helm", false, s.listHelmRegistries)
	s.route(mux, "GET /v1/registries/helm/{uid}", false, s.getHelmRegistry)
	s.route(mux, "GET /v1/registries/{kind}/{uid}/sync/status", false, s.registrySyncStatus)
	s.route(mux, "POST /v1/registries/pack/{uid}/packs", true, s.pushPack)
	s.remoteRoutes(mux)

	// Macros.
	s.macroRoutes(mux)

	// Packs.
	s.route(mux, "GET /v1/packs", false, s.listPacks)
	s.route(mux, "POST /v1/packs/search", false, s.searchPacks)
	s.route(mux, "GET /v1/packs/{name}/registries/{registryUid}", false, s.packTags)
	s.route(mux, "GET /v1/packs/{uid}", false, s.getPack)
	s.route(mux, "GET /v1/packs/{uid}/logo", false, s.packLogo)

	// Cluster profiles.
	s.route(mux, "POST /v1/clusterprofiles", true, s.createProfile)
	s.route(mux, "POST /v1/clusterprofiles/import", true, s.importProfile)
	s.route(mux, "POST /v1/clusterprofiles/import/file", true, s.importProfileFile)
	s.route(mux, "POST /v1/clusterprofiles/validate", false, s.validateProfile)
	s.route(mux, "GET /v1/clusterprofiles/{uid}", false, s.getProfile)
	s.route(mux, "POST /v1/clusterprofiles/{uid}/validate", true, s.validateUpdate)
	s.route(mux, "PUT /v1/clusterprofiles/{uid}", true, s.updateProfile)
	s.route(mux, "DELETE /v1/clusterprofiles/{uid}", true, s.deleteProfile)
	s.route(mux, "PATCH /v1/clusterprofiles/{uid}/publish", true, s.publishProfile)
	s.route(mux, "POST /v1/clusterprofiles/{uid}/verify", true, s.verifyProfile)
	s.route(mux, "POST /v1/clusterprofiles/{uid}/render", false, s.renderProfile)
	s.route(mux, "PATCH /v1/clusterprofiles/{uid}/metadata", true, s.patchProfileMetadata)
	s.route(mux, "GET /v1/clusterprofiles/{uid}/variables", false, s.getVariables)
	s.route(mux, "PUT /v1/clusterprofiles/{uid}/variables", true, s.putVariables)
	s.route(mux, "GET /v1/clusterprofiles/{uid}/packs/{name}/manifests", false, s.getManifests)
	s.route(mux, "GET /v1/clusterprofiles/{uid}/export", false, s.exportProfile)
	s.route(mux, "GET /v1/dashboard/clusterprofiles/metadata", false, s.profilesMetadata)
	s.route(mux, "POST /v1/dashboard/clusterprofiles", false, s.searchProfiles)

	// The web UI: index.html at / and its assets under /ui/; every other
	// path stays the API's (an unknown /v1/... answers the JSON 404).
	mux.Handle("GET /{$}", s.observe("GET /", s.ui.ServeHTTP))
	mux.Handle("GET "+web.AssetPrefix+"{file}", s.observe("GET "+web.AssetPrefix, s.ui.ServeHTTP))

	notFoundHandler := s.observe("unmatched", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiError(CodeNotFound, "no route for %s %s", r.Method, r.URL.Path))
	})
	return s.base(mux, notFoundHandler)
}

// base wraps every request: request id, panic recovery, body limit, and 404
// (never 405 or another status Palette's clients would retry) for unknown routes.
func (s *Server) base(mux *http.ServeMux, notFound http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := r.Header.Get("X-Request-Id")
		if rid == "" || len(rid) > 64 {
			rid = s.requestIDPrefix + strconv.FormatUint(s.requestSeq.Add(1), 36)
		}
		w.Header().Set("X-Request-Id", rid)
		ctx := withRequestInfo(r.Context(), &requestInfo{id: rid})
		r = r.WithContext(ctx)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(ctx, "panic", "request_id", rid, "method", r.Method, "route", r.Pattern, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeError(w, apiError(CodeInternal, "internal error (request %s)", rid))
			}
		}()
		if r.ContentLength > MaxBodyBytes {
			writeError(w, apiError(CodeTooLarge, "request body is %d bytes; the limit is %d", r.ContentLength, MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		if e := checkRequest(r); e != nil {
			writeError(w, e)
			return
		}
		if _, pattern := mux.Handler(r); pattern == "" {
			notFound.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.ready:
	default:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// decodeJSON reads a JSON body leniently (unknown fields, nulls and zero
// timestamps are accepted, as Palette's clients send them).
func decodeJSON(r *http.Request, v any) *Error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apiError(CodeUnsupported, "Content-Type %q: send application/json", ct)
		}
	}
	return decodeJSONFrom(r.Body, v)
}

// decodeJSONFrom reads one JSON value from body as decodeJSON does (a
// multipart part's, say), whatever the request's Content-Type.
func decodeJSONFrom(body io.Reader, v any) *Error {
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return apiError(CodeTooLarge, "request body is over %d bytes", MaxBodyBytes)
		case errors.Is(err, io.EOF):
			return apiError(CodeBadRequest, "request body is empty; send a JSON object")
		}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return apiError(CodeBadRequest, "malformed JSON at byte %d: %v", se.Offset, se)
		case errors.As(err, &te):
			return apiError(CodeBadRequest, "field %s is a JSON %s, expected %s", te.Field, te.Value, te.Type)
		}
		return apiError(CodeBadRequest, "malformed JSON: %v", err)
	}
	return checkStrings(v)
}

// newID returns n random bytes as hex (24 hex digits for n=12, like Palette's uids).
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
