package preflight

import (
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/wire"
)

// Report turns results into the wire shape verify answers with: one
// VerifyResult per image (its reference's credentials masked) and every
// finding, in image order.
func Report(results []Result) wire.Verification {
	out := wire.Verification{Results: []wire.VerifyResult{}, Findings: finding.List{}}
	for _, r := range results {
		at := r.Image.At
		out.Results = append(out.Results, wire.VerifyResult{Cloud: r.Image.Cloud, Role: r.Image.Role, Ref: secret.RedactURL(r.Image.Ref),
			Layer: at.Layer, Path: at.Path, File: at.File, Line: at.Line, Column: at.Column,
			Holds: !r.Findings.HasErrors(), Checked: r.Checked, Digest: r.Digest, Published: r.Image.Digest})
		out.Findings = append(out.Findings, r.Findings...)
	}
	return out
}
