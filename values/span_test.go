package values

import (
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSpans(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path string
		want string // the text of the span; "" when the node must be left unplaced
	}{
		{name: "a plain scalar ends before a comment", src: "a: hunter2 # note\nb: c\n", path: "a", want: "hunter2"},
		{name: "a plain scalar runs over its continuation lines", src: "a: FIRST\n  SECOND\n  THIRD\nb: c\n", path: "a", want: "FIRST\n  SECOND\n  THIRD"},
		{name: "a plain scalar keeps blank lines inside it", src: "a: FIRST\n\n   \n  SECOND\nb: c\n", path: "a", want: "FIRST\n\n   \n  SECOND"},
		{name: "a plain scalar may start on the line after its key", src: "a:\n  FIRST\n  SECOND\n", path: "a", want: "FIRST\n  SECOND"},
		{name: "a plain scalar in a nested mapping continues deeper than its key", src: "x:\n  a: FIRST\n   SECOND\n  b: c\n", path: "x.a", want: "FIRST\n   SECOND"},
		{name: "a plain scalar stops at a comment line", src: "a: FIRST\n  SECOND\n  # note\nb: c\n", path: "a", want: "FIRST\n  SECOND"},
		{name: "a plain list item continues under its dash", src: "l:\n- FIRST\n  SECOND\n- x\n", path: "l[0]", want: "FIRST\n  SECOND"},
		{name: "a plain item of an indented list continues", src: "l:\n  - FIRST\n    SECOND\n  - x\n", path: "l[0]", want: "FIRST\n    SECOND"},
		{name: "a plain value in a list of mappings continues", src: "l:\n  - k: FIRST\n     SECOND\n    j: x\n", path: "l[0].k", want: "FIRST\n     SECOND"},
		{name: "a plain scalar holds a hash with no space before it", src: "a: pass#word # c\n", path: "a", want: "pass#word"},
		{name: "a plain scalar holds colons not followed by a space", src: "a: http://x:1/y\n", path: "a", want: "http://x:1/y"},
		{name: "a plain scalar stops at a document end marker", src: "a: FIRST\n  SECOND\n...\n", path: "a", want: "FIRST\n  SECOND"},
		{name: "CRLF line ends are not part of a plain scalar", src: "a: FIRST\r\n  SECOND\r\nb: c\r\n", path: "a", want: "FIRST\r\n  SECOND"},
		{name: "a NEL line break continues a plain scalar", src: "a: FIRST\u0085  SECOND\nb: c\n", path: "a", want: "FIRST\u0085  SECOND"},
		{name: "non-ASCII text before a scalar counts as characters", src: "pässwört: héllo wörld\nb: c\n", path: "pässwört", want: "héllo wörld"},
		{name: "a byte order mark is not counted", src: "\ufeffa: hunter2\n", path: "a", want: "hunter2"},
		{name: "a tab before a value is white space", src: "a:\thunter2\n", path: "a", want: "hunter2"},
		{name: "a double-quoted scalar ends at its closing quote", src: `a: "hun\"ter2" # c` + "\n", path: "a", want: `"hun\"ter2"`},
		{name: "a double-quoted scalar folds over lines and escaped breaks", src: "a: \"FIRST\n  SECOND \\\n  THIRD\"\nb: c\n", path: "a", want: "\"FIRST\n  SECOND \\\n  THIRD\""},
		{name: "a double-quoted scalar ends after an escaped backslash", src: `a: "x\\" # "y"` + "\n", path: "a", want: `"x\\"`},
		{name: "a single-quoted scalar keeps doubled quotes", src: "a: 'it''s\n  here' # c\n", path: "a", want: "'it''s\n  here'"},
		{name: "a literal block scalar ends before a less indented line", src: "a: |\n  FIRST\n\n  SECOND\nb: c\n", path: "a", want: "|\n  FIRST\n\n  SECOND"},
		{name: "a folded block scalar with chomping and indentation indicators", src: "a: >-2\n    FIRST\n   SECOND\nb: c\n", path: "a", want: ">-2\n    FIRST\n   SECOND"},
		{name: "an indentation indicator before a chomping one", src: "x:\n  a: |1+\n    FIRST\n   SECOND\n\n  b: c\n", path: "x.a", want: "|1+\n    FIRST\n   SECOND"},
		{name: "a block scalar header keeps its comment", src: "a: | # note\n  FIRST\nb: c\n", path: "a", want: "| # note\n  FIRST"},
		{name: "a less indented comment line ends a block scalar", src: "x:\n  a: |\n    FIRST\n   # note\n  b: c\n", path: "x.a", want: "|\n    FIRST"},
		{name: "a block scalar at the end of the text", src: "a: |-\n  FIRST\n  SECOND", path: "a", want: "|-\n  FIRST\n  SECOND"},
		{name: "a block list item", src: "l:\n  - |\n    FIRST\n    SECOND\n  - x\n", path: "l[0]", want: "|\n    FIRST\n    SECOND"},
		{name: "a block scalar with CRLF line ends", src: "a: |\r\n  FIRST\r\n  SECOND\r\nb: c\r\n", path: "a", want: "|\r\n  FIRST\r\n  SECOND"},
		{name: "a value in a flow mapping ends at the comma", src: "a: {p: hunter2, q: x}\n", path: "a.p", want: "hunter2"},
		{name: "a value in a flow mapping may run over lines", src: "a: {p: FIRST\n   SECOND, q: x}\n", path: "a.p", want: "FIRST\n   SECOND"},
		{name: "an item of a flow list ends at the bracket", src: "a: [x, hunter2]\n", path: "a[1]", want: "hunter2"},
		{name: "a quoted item of a flow list", src: "a: [x, 'hunter2', \"y\"]\n", path: "a[1]", want: "'hunter2'"},
		{name: "an anchor and a tag are not part of the scalar", src: "a: &pw !!str hunter2\nb: *pw\n", path: "a", want: "hunter2"},
		{name: "an anchor on the line before a scalar", src: "a: &pw # note\n  hunter2\n", path: "a", want: "hunter2"},
		{name: "a verbatim tag is not part of the scalar", src: "a: !<tag:yaml.org,2002:str> hunter2\n", path: "a", want: "hunter2"},
		{name: "an empty value has no text to place", src: "a:\nb: c\n", path: "a", want: ""},
		{name: "an empty quoted value is placed", src: "a: ''\n", path: "a", want: "''"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			n, ok := d.Lookup(tt.path)
			if !ok {
				t.Fatalf("no %s", tt.path)
			}
			sp, placed := d.Spans()[n]
			if tt.want == "" {
				if placed {
					t.Fatalf("placed at %q, want unplaced", tt.src[sp.Start:sp.End])
				}
				return
			}
			if !placed {
				t.Fatalf("unplaced, want %q", tt.want)
			}
			if got := tt.src[sp.Start:sp.End]; got != tt.want {
				t.Errorf("span = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWalkResolved(t *testing.T) {
	src := `pw: &pw hunter2
base: &base
  user: u
  password: p1
direct:
  password: *pw
merged:
  <<: *base
  user: v
list:
  <<: [*base, {extra: e}]
`
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	d.WalkResolved(func(path string, n *yaml.Node, via []*yaml.Node) {
		var kinds []string
		for _, v := range via {
			switch {
			case v.Kind == yaml.AliasNode:
				kinds = append(kinds, "*"+v.Value)
			case IsMergeKey(v):
				kinds = append(kinds, "<<")
			default:
				kinds = append(kinds, "&"+v.Anchor)
			}
		}
		got[path] = n.Value + " " + strings.Join(kinds, ",")
	})
	want := map[string]string{
		"pw":              "hunter2 &pw",
		"base.user":       "u &base",
		"base.password":   "p1 &base",
		"direct.password": "hunter2 *pw,&pw",
		"merged.user":     "v ",
		"merged.password": "p1 <<,*base,&base",
		"list.password":   "p1 <<,*base,&base",
		"list.user":       "u <<,*base,&base",
		"list.extra":      "e <<",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s = %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("visited %v", keys)
	}
}

// FuzzSpans checks that every placed value scalar really is the whole of
// its node: replacing each span with a quoted marker gives a text that
// parses to the same tree with those values replaced.
func FuzzSpans(f *testing.F) {
	for _, s := range []string{
		"a: FIRST\n  SECOND\nb: c\n",
		"a: |\n  x\n  y\nb: 'q'\n",
		"l:\n- a\n  b\n- {x: y z, w: [1, 2]}\n",
		"a: \"x\\\n  y\" # c\nb: >2-\n   t\n",
		"a: &x !!str v\nb: *x\nc:\n  <<: {d: e}\n",
		"a: b\r\n  c\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Parse([]byte(src))
		if err != nil || d.Root == nil {
			return
		}
		spans := d.Spans()
		type rep struct {
			sp   Span
			path string
		}
		var reps []rep
		seen := map[*yaml.Node]bool{}
		d.Walk(func(path string, n *yaml.Node) {
			if sp, ok := spans[n]; ok && !seen[n] {
				seen[n] = true
				reps = append(reps, rep{sp, path})
			}
		})
		sort.Slice(reps, func(i, j int) bool { return reps[i].sp.Start > reps[j].sp.Start })
		out := src
		for i, r := range reps {
			if i > 0 && r.sp.End > reps[i-1].sp.Start {
				t.Fatalf("spans overlap: %v and %v", r.sp, reps[i-1].sp)
			}
			out = out[:r.sp.Start] + "'MARK'" + out[r.sp.End:]
		}
		d2, err := Parse([]byte(out))
		if err != nil {
			t.Fatalf("replaced text does not parse: %v\n%q\nfrom\n%q", err, out, src)
		}
		// The same values in the same order, the placed ones now the marker.
		var before, after []string
		d.Walk(func(path string, n *yaml.Node) {
			v := n.Value
			if seen[n] {
				v = "MARK"
			}
			before = append(before, path+"="+v)
		})
		d2.Walk(func(path string, n *yaml.Node) { after = append(after, path+"="+n.Value) })
		if strings.Join(before, "\n") != strings.Join(after, "\n") {
			t.Fatalf("values differ after replacing:\n%q\nfrom\n%q\n%q\n%q", out, src, before, after)
		}
	})
}
