package preflight

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/byoos/byoos/cache"
	"github.com/byoos/byoos/finding"
)

// ResultCache holds check results by CacheKey; cache.New makes one with the
// time results are trusted for.
type ResultCache = cache.Cache[string, Result]

// ResultStore keeps results by CacheKey: a *ResultCache in memory (the
// server), a *DiskCache between runs (the command line).
type ResultStore interface {
	Get(key string) (Result, bool)
	Put(key string, r Result)
}

// Cached returns a Checker that answers from rc what c found of the same
// image (reference, credentials, recorded digest) for the same target in
// the same scope, and asks c otherwise. A result found by a check that ran
// out of time, or that a connection refusal decided (the allow-list may
// change), is not kept. A cached result's findings are located where the
// image asked about is named.
func Cached(c Checker, rc ResultStore, scope string) Checker {
	return &cached{c: c, rc: rc, scope: scope}
}

type cached struct {
	c     Checker
	rc    ResultStore
	scope string
}

// CacheKey is the key of img checked for t in scope: the credentials enter
// it only as a hash.
func CacheKey(scope string, img Image, t Target) string {
	h := sha256.New()
	for _, s := range []string{scope, img.Cloud, img.Ref, img.Username, img.Password, img.CACert, img.Digest, t.Region, t.Arch, strings.Join(t.AlsoRegions, ",")} {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *cached) Check(ctx context.Context, img Image, t Target) Result {
	key := CacheKey(c.scope, img, t)
	if r, ok := c.rc.Get(key); ok {
		r.Image = img
		fl := make(finding.List, 0, len(r.Findings))
		for _, f := range r.Findings {
			fl = append(fl, Finding(img, f.Severity, f.Code, f.Message, f.Hint))
		}
		r.Findings = fl
		return r
	}
	r := c.c.Check(ctx, img, t)
	r.Image = img
	if ctx.Err() != nil {
		return r
	}
	for _, f := range r.Findings {
		if f.Code == finding.CodeVerifyTargetRefused || f.Code == finding.CodeVerifyTimeout {
			return r
		}
	}
	kept := r
	kept.Image = Image{}
	c.rc.Put(key, kept)
	return r
}
