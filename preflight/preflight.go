// Package preflight proves that the images a profile names exist where the
// cluster will run: an AMI in the cluster's region, a VHD blob that is a
// readable page blob, a vSphere template that is a template, an Edge
// provider image that resolves in its registry with the given credentials.
//
// This package holds what every cloud shares: the Image to check, the
// Target it must be usable from, the Checker each cloud implements (in its
// own package: preflight/aws, preflight/azure, preflight/vsphere,
// preflight/edge, each over the cloud's official client library), and Run,
// which runs checks concurrently with bounded parallelism and a timeout
// each, so that one failing or slow check never hides or holds the others.
package preflight

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/byoos/byoos/finding"
)

// Clouds, as profiles name them (spec.template.cloudType).
const (
	AWS     = "aws"
	Azure   = "azure"
	VSphere = "vsphere"
	Edge    = "edge-native"
)

// Image roles.
const (
	// RoleOS is the OS image of the BYOOS layer (generic-byoi's
	// pack.osImageOverride, edge-native-byoi's options.system.uri).
	RoleOS = "os"
	// RoleContent is an image an Edge host pre-loads (pack.content.images).
	RoleContent = "content"
)

// Image is one image a profile names, with where it is named.
type Image struct {
	// Cloud is one of the cloud constants.
	Cloud string
	// Role is RoleOS or RoleContent.
	Role string
	// Ref is what names the image: an AMI ID, a VHD blob URL, a vSphere
	// template path (or OVA URL), an OCI reference.
	Ref string
	// At locates the value in the profile: its Layer, Path, Field, File,
	// Line and Column are copied onto every finding about this image.
	At finding.Finding
	// Username, Password and CACert are the registry credentials of an
	// Edge image (edge-native-byoi's providerCredentials); empty otherwise.
	// They are secrets: no finding, log or error may quote Password.
	Username, Password, CACert string
	// Digest, when set, is the digest the image resolved to when the
	// profile version was published: a check that now resolves another
	// reports the tag as moved.
	Digest string
}

// Target is where the cluster will run.
type Target struct {
	// Region is the cloud region (AWS); required for AWS.
	Region string
	// Arch is the machine architecture: x86_64 (default) or arm64.
	Arch string
	// AlsoRegions are the regions to search when an AMI is missing in
	// Region (empty: the account's enabled regions).
	AlsoRegions []string
}

// Result is what one check found.
type Result struct {
	Image Image
	// Findings are the check's findings, located at Image.At; none means
	// the image holds.
	Findings finding.List
	// Digest is the digest an OCI image resolved to (Edge), to record with
	// the profile version; empty for other clouds.
	Digest string
	// Checked says what the check looked at, for a human ("ami-0abc in
	// eu-west-1: available, x86_64").
	Checked string
}

// Checker checks the images of one cloud. Check must honour ctx (Run gives
// each check its own deadline), never panic, and report every problem as a
// finding located at img.At (never an error return: one image's failure is
// that image's finding). A Checker is safe for concurrent use.
type Checker interface {
	Check(ctx context.Context, img Image, t Target) Result
}

// Options bound Run.
type Options struct {
	// Parallel is the most checks running at once (default 8).
	Parallel int
	// Timeout bounds each check (default 30s).
	Timeout time.Duration
	// Progress, when set, is called after each check, from one goroutine
	// at a time.
	Progress func(done, total int, r Result)
}

// Run checks every image with the checker of its cloud, concurrently, and
// returns the results in the order of imgs. An image whose cloud has no
// checker gets a finding saying so; a check that outlives its timeout gets
// a finding naming the timeout.
func Run(ctx context.Context, imgs []Image, t Target, checkers map[string]Checker, o Options) []Result {
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	out := make([]Result, len(imgs))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, img := range imgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = failed(img, finding.CodeVerifyTimeout, fmt.Sprintf("%s was not checked: %v", img.Ref, ctx.Err()))
				return
			}
			defer func() { <-sem }()
			out[i] = runOne(ctx, img, t, checkers, o.Timeout)
			if o.Progress != nil {
				mu.Lock()
				done++
				o.Progress(done, len(imgs), out[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// runOne runs one check under its own deadline; a check that does not
// return by then is abandoned (its goroutine ends when it sees ctx done).
func runOne(ctx context.Context, img Image, t Target, checkers map[string]Checker, timeout time.Duration) Result {
	c, ok := checkers[img.Cloud]
	if !ok {
		return failed(img, finding.CodeVerifyUnsupported, fmt.Sprintf("no check is configured for %s images", img.Cloud))
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ch := make(chan Result, 1)
	go func() { ch <- c.Check(cctx, img, t) }()
	select {
	case r := <-ch:
		r.Image = img
		return r
	case <-cctx.Done():
		return failed(img, finding.CodeVerifyTimeout, fmt.Sprintf("checking %s did not finish within %s", img.Ref, timeout))
	}
}

// Finding returns a finding about img, located where img is named.
func Finding(img Image, sev finding.Severity, code, msg, hint string) finding.Finding {
	f := img.At
	f.Severity, f.Code, f.Message, f.Hint = sev, code, msg, hint
	return f
}

func failed(img Image, code, msg string) Result {
	return Result{Image: img, Findings: finding.List{Finding(img, finding.Error, code, msg, "")}}
}
