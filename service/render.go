package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/render"
	"github.com/byoos/byoos/wire"
)

// RenderContext reads the cluster context of a render request: each key
// as byoos render's --param KEY=VALUE sets it. An unknown key or a wrong
// value is a wire.CodeBadRequest naming the key.
func RenderContext(kv map[string]string) (render.Context, error) {
	var rc render.Context
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := rc.Set(k, kv[k]); err != nil {
			return rc, Errorf(wire.CodeBadRequest, "context: %v", err)
		}
	}
	return rc, nil
}

// Render renders profile uid, as c sees it, to req.Target for the cluster
// context req.Context: its published version, or its draft when it was
// never published or req.Draft is set. It reads only. Secrets are masked
// unless req.ShowSecrets: the transport decides who may ask that (the
// HTTP API: admin keys only). An unknown target, a target the profile's
// cloud does not have and a missing or wrong context value are
// wire.CodeBadRequest naming the targets or the key; a profile that does
// not validate is wire.CodeInvalidProfile with its findings.
func (s *Profiles) Render(ctx context.Context, c Caller, uid string, req wire.RenderRequest) (*wire.Rendering, error) {
	target := render.Target(strings.TrimSpace(req.Target))
	if target == "" {
		target = render.TargetValues
	}
	if !hasTarget(render.AllTargets(), target) {
		return nil, Errorf(wire.CodeBadRequest, "target %s does not exist; the targets are %s", strconv.Quote(string(target)), targetNames(render.AllTargets()))
	}
	rc, err := RenderContext(req.Context)
	if err != nil {
		return nil, err
	}
	rec, err := s.find(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	c = c.of(rec)
	raw, which := rec.Body, "draft"
	if rec.Published != nil && !req.Draft {
		raw, which = rec.Published, "published"
	}
	body, err := decodeBody(rec.UID, raw)
	if err != nil {
		return nil, err
	}
	if !hasTarget(render.Targets(body.CloudType), target) {
		return nil, Errorf(wire.CodeBadRequest, "%s profiles cannot be rendered to %s; their targets are %s", body.CloudType, target, targetNames(render.Targets(body.CloudType)))
	}
	doc, err := s.clearDocument(rec, body)
	if err != nil {
		return nil, err
	}
	// The cluster and region of the context are the cluster.name and
	// cloud.region macros too, as byoos render makes them.
	sys := map[string]string{}
	if rc.Cluster != "" {
		sys["cluster.name"] = rc.Cluster
	}
	if rc.Region != "" {
		sys["cloud.region"] = rc.Region
	}
	out, res, err := s.renderWith(ctx, c, doc, sys, req.ShowSecrets)
	if err != nil {
		return nil, err
	}
	if res.Findings.HasErrors() {
		return nil, &Error{Code: wire.CodeInvalidProfile, Findings: res.Findings,
			Message: FindingsMessage("cluster profile "+strconv.Quote(rec.Name), res.Findings) + ": nothing rendered"}
	}
	if !req.ShowSecrets {
		out.Spec.Variables = maskVariables(body.Variables)
	}
	docs, err := render.Render(out, target, rc)
	if err != nil {
		return nil, renderError(err)
	}
	r, err := rendering(docs)
	if err != nil {
		return nil, err
	}
	r.Rendered, r.Target, r.SecretsShown = which, string(target), req.ShowSecrets
	r.Findings = nonNil(res.Findings)
	return r, nil
}

// renderWith validates doc for c and resolves its macros (profile.Validator.Render),
// under the time and work budget of one operation.
func (s *Profiles) renderWith(ctx context.Context, c Caller, doc *wire.Profile, system map[string]string, show bool) (*wire.Profile, *profile.Result, error) {
	v := &profile.Validator{Packs: s.sources.For(c.Scope), Engine: s.engine}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	project, tenant, err := NewMacros(s.st).userMacros(ctx, c.Scope)
	if err != nil {
		return nil, nil, fmt.Errorf("render cluster profile %q: %w", doc.Metadata.Name, err)
	}
	out, res, err := v.Render(ctx, &profile.Document{Profile: *doc}, profile.Options{Budget: macro.NewBudget(ctx, 0),
		ProjectMacros: project, TenantMacros: tenant, System: system, ShowSecrets: show})
	if err != nil {
		return nil, nil, fmt.Errorf("render cluster profile %q: %w", doc.Metadata.Name, err)
	}
	return out, res, nil
}

// renderError turns render.Render's refusals into verdicts.
func renderError(err error) error {
	var ue *render.UsageError
	if errors.As(err, &ue) {
		if ue.Key == "" {
			return Errorf(wire.CodeBadRequest, "%s", ue.Msg)
		}
		return Errorf(wire.CodeBadRequest, "%s; set context key %s", ue.Msg, ue.Key)
	}
	var pe *render.ProfileError
	if errors.As(err, &pe) {
		return Errorf(wire.CodeInvalidProfile, "%s: %s", pe.Path, pe.Error())
	}
	return fmt.Errorf("render: %w", err)
}

// rendering is the answer of documents: each as text (and JSON), the
// stream byoos render prints and the ARM template it writes to --arm-out.
func rendering(docs []render.Document) (*wire.Rendering, error) {
	r := &wire.Rendering{Documents: []wire.RenderedDocument{}}
	var streamed []render.Document
	for _, d := range docs {
		wd := wire.RenderedDocument{Name: d.Name, Format: string(d.Format)}
		switch d.Format {
		case render.FormatCloudConfig:
			wd.YAML = d.Text
		case render.FormatARM:
			js, err := d.JSON()
			if err != nil {
				return nil, fmt.Errorf("render: %w", err)
			}
			wd.YAML, r.ARMTemplate = string(js), string(js)
			wd.Object = compact(js)
		default:
			y, err := d.YAML()
			if err != nil {
				return nil, fmt.Errorf("render: %w", err)
			}
			var js []byte
			if d.Format == render.FormatProfile {
				js, err = json.Marshal(d.Object)
			} else {
				js, err = d.JSON()
			}
			if err != nil {
				return nil, fmt.Errorf("render: %w", err)
			}
			var tm struct {
				Kind       string `json:"kind"`
				APIVersion string `json:"apiVersion"`
			}
			_ = json.Unmarshal(js, &tm) // a profile has neither: both stay empty
			wd.Kind, wd.APIVersion, wd.YAML, wd.Object = tm.Kind, tm.APIVersion, string(y), compact(js)
		}
		if d.Format != render.FormatARM {
			streamed = append(streamed, d)
		}
		r.Documents = append(r.Documents, wd)
	}
	var b bytes.Buffer
	if err := render.WriteYAMLStream(&b, streamed); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	r.Stream = b.String()
	return r, nil
}

func compact(js []byte) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, js); err != nil {
		return json.RawMessage(js)
	}
	return b.Bytes()
}

func hasTarget(ts []render.Target, t render.Target) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func targetNames(ts []render.Target) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
