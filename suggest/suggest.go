// Package suggest finds the names a user probably meant: "did you mean ...?".
package suggest

import "strings"

// maxLen bounds the strings compared, so that hostile input costs little.
const maxLen = 64

// Distance is the Levenshtein edit distance between a and b, or a large
// number when either is longer than 64 bytes.
func Distance(a, b string) int {
	if len(a) > maxLen || len(b) > maxLen {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to s, if it is within maxDist edits.
func Closest(s string, candidates []string, maxDist int) string {
	best, bestD := "", maxDist+1
	for _, c := range candidates {
		if d := Distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Similar returns up to three candidates that are within three edits of
// name or that one of them prefixes, in the candidates' order.
func Similar(name string, candidates []string) []string {
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(c, name) || strings.HasPrefix(name, c) || Distance(c, name) <= 3 {
			out = append(out, c)
			if len(out) == 3 {
				break
			}
		}
	}
	return out
}

// Key returns the candidate a mistyped key most probably stands for, or ""
// when none is near: one with the same letters in another case (podCidr for
// podCIDR) first, then the nearest within a few edits, compared without case
// (one edit for keys of up to four bytes, two up to ten, three beyond), then
// one the key abbreviates: at least three bytes, the same first letter, and
// its letters in order in a candidate at most twice as long (img for image).
// Ties go to the first candidate.
func Key(key string, candidates []string) string {
	if key == "" || len(key) > maxLen {
		return ""
	}
	for _, c := range candidates {
		if strings.EqualFold(c, key) {
			return c
		}
	}
	lk := strings.ToLower(key)
	limit := 3
	switch {
	case len(key) <= 4:
		limit = 1
	case len(key) <= 10:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if len(c)-len(key) >= bestD || len(key)-len(c) >= bestD {
			continue // the lengths alone differ by more edits than allowed
		}
		if d := Distance(lk, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" {
		return best
	}
	if len(key) < 3 {
		return ""
	}
	for _, c := range candidates {
		if len(c) > len(key) && len(c) <= 2*len(key) && strings.EqualFold(c[:1], key[:1]) && subsequence(lk, strings.ToLower(c)) {
			return c
		}
	}
	return ""
}

// subsequence reports whether the bytes of s appear in t in order.
func subsequence(s, t string) bool {
	i := 0
	for j := 0; i < len(s) && j < len(t); j++ {
		if s[i] == t[j] {
			i++
		}
	}
	return i == len(s)
}
