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
