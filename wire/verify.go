package wire

import "github.com/byoos/byoos/finding"

// VerifyRequest is the body of POST /v1/clusterprofiles/{uid}/verify: where
// the cluster will run.
type VerifyRequest struct {
	// Region is the cloud region (AWS images are looked up there).
	Region string `json:"region,omitempty"`
	// Arch is the machines' architecture: x86_64 or arm64 (empty: x86_64
	// for AWS, either for Edge).
	Arch string `json:"arch,omitempty"`
	// AlsoRegions are the regions searched when an AMI is missing in Region.
	AlsoRegions []string `json:"alsoRegions,omitempty"`
}

// VerifyResult is what verify found of one image a profile names.
type VerifyResult struct {
	// Cloud is the image's cloud (aws, azure, vsphere, edge-native), Role
	// "os" or "content".
	Cloud string `json:"cloud"`
	Role  string `json:"role"`
	// Ref names the image, with any credentials of a URL masked.
	Ref string `json:"ref"`
	// Layer and Path say where the profile names it; File, Line and Column
	// too, for a file.
	Layer  string `json:"layer,omitempty"`
	Path   string `json:"path,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Holds is true when the check found no error.
	Holds bool `json:"holds"`
	// Checked says what was looked at.
	Checked string `json:"checked,omitempty"`
	// Digest is the digest an Edge image resolved to.
	Digest string `json:"digest,omitempty"`
	// Published is the digest recorded when the profile version was
	// published, when one is (server).
	Published string `json:"published,omitempty"`
}

// Verification is the answer of verify: each image's result and every
// finding (validation's, when the profile does not validate, and the
// checks').
type Verification struct {
	// Verified says which body of a stored profile was verified:
	// "published", or "draft" for a profile never published (server).
	Verified string `json:"verified,omitempty"`
	// Recorded is how many Edge digests this verify recorded with the
	// published profile version (the first verify of a published version
	// records them; later ones compare against them).
	Recorded int            `json:"recorded,omitempty"`
	Results  []VerifyResult `json:"results"`
	Findings finding.List   `json:"findings"`
}
