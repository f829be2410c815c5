package service

import (
	"bytes"
	"context"
	"fmt"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// Pushed is what a push did.
type Pushed struct {
	// Version is the stored version (its Archive is the canonical .tgz).
	Version store.PackVersion
	// Created is false when the same version with the same content was
	// there already: the push was a no-op.
	Created bool
	// Warnings are what the pack's checks warned about.
	Warnings finding.List
}

// Push publishes a pack archive (.tgz) into registry reg, which the caller
// has made sure ev's actor may write, as an immutable version: the same
// version with other content is refused (wire.CodeImmutable), the same
// content again is a no-op. A pack with errors is refused with
// wire.CodeInvalidPack and the errors as findings.
//
// An OCI or Helm registry is refused (wire.CodeBadRequest): its packs come
// from where it lives, by sync.
func Push(ctx context.Context, st store.Store, reg store.Registry, archive []byte, ev store.AuditEvent) (Pushed, error) {
	if reg.Kind != "" && reg.Kind != store.KindPack {
		return Pushed{}, Errorf(wire.CodeBadRequest, "registry %q is a %s registry: its packs are read from %s; push them there, and byoos syncs them", reg.Name, reg.Kind, reg.Endpoint)
	}
	pk, fl, err := pack.LoadTarball(bytes.NewReader(archive))
	if err != nil {
		if pk == nil && len(fl) == 0 {
			return Pushed{}, Errorf(wire.CodeInvalidPack, "the body is not a pack archive (.tgz with pack.json and values.yaml): %v", err)
		}
		return Pushed{}, &Error{Code: wire.CodeInvalidPack, Message: FindingsMessage("pack", fl), Findings: fl.Errors()}
	}
	var canon bytes.Buffer
	if err := pk.Tarball(&canon); err != nil {
		return Pushed{}, fmt.Errorf("archive pack %s: %w", pk.Ref(), err)
	}
	v := store.PackVersion{RegistryUID: reg.UID, Name: pk.Meta.Name, Version: pk.Meta.Version, Layer: pk.Meta.Layer, DisplayName: pk.Meta.DisplayName,
		CloudTypes: pk.Meta.AllClouds(), AddonType: pk.Meta.AddonType, Digest: pk.Digest, Archive: canon.Bytes()}
	ev.Action, ev.Kind, ev.Summary = "pack.push", "pack", pk.Ref()+" "+pk.Digest
	created, err := st.PutPackVersion(ctx, &v, ev)
	if err != nil {
		return Pushed{}, FromStore(err, "pack", pk.Ref())
	}
	return Pushed{Version: v, Created: created, Warnings: nonNil(fl)}, nil
}
