package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// SystemActor is the audit actor of the syncs the schedule starts.
const SystemActor = "byoos (registry sync)"

// syncRunner runs registry syncs in the background: one at a time per
// registry (a sync asked for while one runs runs once more after it), at
// most cap(sem) at once, all stopped by Close.
type syncRunner struct {
	rs     *Registries
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	running map[string]bool
	again   map[string]string // uid → actor of the sync asked for meanwhile
	active  int
	idle    []chan struct{}
}

func newSyncRunner(rs *Registries, concurrency int) *syncRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &syncRunner{rs: rs, ctx: ctx, cancel: cancel, sem: make(chan struct{}, concurrency),
		running: map[string]bool{}, again: map[string]string{}}
}

// Trigger starts a sync of the tenant's registry uid in the background,
// recorded in the audit log as actor's; when one is running, one more runs
// after it. It reports whether a sync was started or queued (false once
// Close was called).
func (rs *Registries) Trigger(tenantUID, uid, actor string) bool {
	sr := rs.sync
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.closed {
		return false
	}
	if sr.running[uid] {
		sr.again[uid] = actor
		return true
	}
	sr.running[uid] = true
	sr.active++
	sr.wg.Add(1)
	go sr.loop(tenantUID, uid, actor)
	return true
}

// loop runs the syncs of one registry until none is asked for.
func (sr *syncRunner) loop(tenantUID, uid, actor string) {
	defer sr.wg.Done()
	for {
		select {
		case sr.sem <- struct{}{}:
			sr.rs.syncOnce(sr.ctx, tenantUID, uid, actor)
			<-sr.sem
		case <-sr.ctx.Done():
		}
		sr.mu.Lock()
		next, ok := sr.again[uid]
		if ok && sr.ctx.Err() == nil {
			delete(sr.again, uid)
			sr.mu.Unlock()
			actor = next
			continue
		}
		delete(sr.again, uid)
		delete(sr.running, uid)
		sr.active--
		if sr.active == 0 {
			for _, ch := range sr.idle {
				close(ch)
			}
			sr.idle = nil
		}
		sr.mu.Unlock()
		return
	}
}

// WaitIdle returns once no sync is running or queued (or ctx is done).
func (rs *Registries) WaitIdle(ctx context.Context) error {
	sr := rs.sync
	sr.mu.Lock()
	if sr.active == 0 {
		sr.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	sr.idle = append(sr.idle, ch)
	sr.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the registry syncs: %w", ctx.Err())
	}
}

// Close stops the running syncs (each records that it was interrupted),
// drops the queued ones and waits for them to end. Triggers after Close do
// nothing.
func (rs *Registries) Close() {
	sr := rs.sync
	sr.mu.Lock()
	sr.closed = true
	sr.mu.Unlock()
	sr.cancel()
	sr.wg.Wait()
}

// Schedule syncs the tenant's registries whose packs byoos reads: at once
// those whose last sync did not complete (a server stopped in the middle),
// then every one each interval (never when interval is 0), until ctx is
// done.
func (rs *Registries) Schedule(ctx context.Context, tenantUID string, interval time.Duration) {
	rs.triggerAll(ctx, tenantUID, func(r store.Registry) bool {
		return r.Sync.Status == store.SyncPending || r.Sync.Status == store.SyncInProgress
	})
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rs.triggerAll(ctx, tenantUID, func(store.Registry) bool { return true })
		}
	}
}

func (rs *Registries) triggerAll(ctx context.Context, tenantUID string, want func(store.Registry) bool) {
	regs, err := rs.st.ListRegistries(ctx, tenantUID, "")
	if err != nil {
		if ctx.Err() == nil {
			rs.log.ErrorContext(ctx, "registry sync schedule: list registries", "err", err)
		}
		return
	}
	for _, r := range regs {
		if Syncable(r) && want(r) {
			rs.Trigger(tenantUID, r.UID, SystemActor)
		}
	}
}

// SyncStatus is a registry's sync state as Palette reports it.
type SyncStatus struct {
	IsSyncSupported bool
	Status, Message string
	LastRun         *time.Time
	LastSynced      *time.Time
}

// StatusOf returns the sync status of a remote registry.
func StatusOf(r store.Registry) SyncStatus {
	if r.Kind == store.KindOCI && !Syncable(r) {
		msg := "byoos reads Spectro packs from OCI registries of providerType pack with synchronization on; nothing is read from this one"
		return SyncStatus{IsSyncSupported: r.SyncEnabled, Status: store.SyncCompleted, Message: msg}
	}
	return SyncStatus{IsSyncSupported: true, Status: r.Sync.Status, Message: r.Sync.Message, LastRun: r.Sync.LastRun, LastSynced: r.Sync.LastSynced}
}

// SyncNow starts a sync of the tenant's remote registry uid of kind (and
// OCI provider), as actor: a verdict when it is not one whose packs byoos
// reads.
func (rs *Registries) SyncNow(ctx context.Context, tenantUID, kind, provider, uid, actor string) error {
	r, err := rs.st.GetRegistry(ctx, tenantUID, uid)
	if err != nil {
		return FromStore(err, kind+" registry", uid)
	}
	if r.Kind != kind || (provider != "" && r.Provider != provider) {
		return NotFound(kind+" registry", uid)
	}
	if !Syncable(r) {
		return Errorf(wire.CodeBadRequest, "registry %q is not synced: byoos reads Spectro packs from OCI registries of providerType pack with isSyncSupported, and Helm repositories", r.Name)
	}
	if !rs.Trigger(tenantUID, uid, actor) {
		return Errorf(wire.CodeUnavailable, "the server is stopping; sync later")
	}
	return nil
}

// syncOnce reads the registry's packs and, if that works, makes them its
// packs in one store transaction with the sync state and the audit event;
// a failure records the reason and leaves the packs as they were.
func (rs *Registries) syncOnce(ctx context.Context, tenantUID, uid, actor string) {
	r, err := rs.st.GetRegistry(ctx, tenantUID, uid)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			rs.log.ErrorContext(ctx, "registry sync: read the registry", "registry_uid", uid, "err", err)
		}
		return
	}
	if !Syncable(r) {
		return
	}
	run := rs.now().UTC()
	prev := r.Sync.LastSynced
	ev := store.AuditEvent{TenantUID: tenantUID, ProjectUID: r.ProjectUID, Actor: actor, Action: "registry.sync", Kind: "registry", UID: uid}
	fail := func(msg string) {
		msg = clip(msg, MaxSyncMessage)
		e := ev
		e.Summary = clip("failed: "+msg, 512)
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		st := store.RegistrySync{Status: store.SyncFailed, Message: msg, LastRun: &run, LastSynced: prev}
		if err := rs.st.SetRegistrySync(wctx, tenantUID, uid, st, &e); err != nil && !errors.Is(err, store.ErrNotFound) {
			rs.log.ErrorContext(wctx, "registry sync: record the failure", append(logAttrs(r), "err", err)...)
		}
		rs.log.WarnContext(wctx, "registry sync failed", append(logAttrs(r), "reason", msg)...)
	}
	st := store.RegistrySync{Status: store.SyncInProgress, Message: "syncing", LastRun: &run, LastSynced: prev}
	if err := rs.st.SetRegistrySync(ctx, tenantUID, uid, st, nil); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			rs.log.ErrorContext(ctx, "registry sync: record the start", append(logAttrs(r), "err", err)...)
		}
		return
	}
	password := ""
	if r.Secret != "" {
		if password, err = rs.sealer.Open(r.Secret, r.UID); err != nil {
			fail("the stored secret cannot be opened (was the server's secret key replaced?); update the registry with its secret")
			return
		}
	}
	res, err := rs.client.Sync(ctx, sourceOf(r, password))
	if err != nil {
		if ctx.Err() != nil {
			fail("interrupted: the server stopped during the sync; it runs again when the server starts")
			return
		}
		fail(describe(err, password))
		return
	}
	packs, skipped := syncedPacks(res)
	msg := syncMessage(len(packs), skipped, password)
	done := rs.now().UTC()
	ev.Summary = clip(msg, 512)
	st = store.RegistrySync{Status: store.SyncCompleted, Message: msg, LastRun: &run, LastSynced: &done}
	if err := rs.st.ReplaceRegistryPacks(ctx, tenantUID, uid, packs, st, ev); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return // deleted meanwhile
		}
		rs.log.ErrorContext(ctx, "registry sync: store the packs", append(logAttrs(r), "err", err)...)
		fail("the packs read could not be stored; the previous packs are kept")
		return
	}
	rs.log.InfoContext(ctx, "registry synced", append(logAttrs(r), "packs", len(packs), "skipped", len(skipped))...)
}

// syncedPacks turns a sync result into pack versions, skipping entries
// without a pack and second copies of a name and version.
func syncedPacks(res *regsync.Result) ([]store.PackVersion, []regsync.Skipped) {
	if res == nil {
		return nil, nil
	}
	skipped := append([]regsync.Skipped(nil), res.Skipped...)
	seen := map[string]string{}
	var out []store.PackVersion
	for _, s := range res.Packs {
		if s.Pack == nil {
			skipped = append(skipped, regsync.Skipped{Ref: s.Ref, Reason: "no pack was read"})
			continue
		}
		m := s.Pack.Meta
		key := m.Name + "@" + m.Version
		if first, dup := seen[key]; dup {
			skipped = append(skipped, regsync.Skipped{Ref: s.Ref, Reason: "the same name and version as " + first})
			continue
		}
		seen[key] = s.Ref
		archive := s.Archive
		if len(archive) == 0 {
			var b bytes.Buffer
			if err := s.Pack.Tarball(&b); err != nil {
				skipped = append(skipped, regsync.Skipped{Ref: s.Ref, Reason: "cannot archive: " + err.Error()})
				continue
			}
			archive = b.Bytes()
		}
		typ := ""
		if s.Type == "helm" {
			typ = "helm"
		}
		out = append(out, store.PackVersion{Name: m.Name, Version: m.Version, Layer: m.Layer, DisplayName: m.DisplayName,
			CloudTypes: m.AllClouds(), AddonType: m.AddonType, Digest: s.Pack.Digest, Type: typ, Archive: archive})
	}
	return out, skipped
}

// syncMessage says what a sync did: how many packs it read, and which it
// skipped and why, bounded and with the secret redacted.
func syncMessage(n int, skipped []regsync.Skipped, secrets ...string) string {
	var b strings.Builder
	if n == 1 {
		b.WriteString("1 pack version synced")
	} else {
		fmt.Fprintf(&b, "%d pack versions synced", n)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "; %d skipped:", len(skipped))
		for i, s := range skipped {
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " %s (%s)", s.Ref, s.Reason)
		}
	}
	return describe(errors.New(b.String()), secrets...)
}
