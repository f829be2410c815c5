package cli

import (
	"io"
	"strings"

	"github.com/byoos/byoos/names"
)

// row writes one row of a table (to the tabwriter of emit): the cells
// separated by tabs, each with the characters a terminal would act on
// escaped as Go writes them (\x1b, \n, \t, \u202e), so that a name sent to
// the server cannot move the cursor, recolour the terminal or break the
// table's rows and columns.
func row(w io.Writer, cells ...string) {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(cell(c))
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(w, b.String())
}

// cell is one value as a table or a message of the CLI prints it: its
// control and formatting characters escaped.
func cell(s string) string { return names.Escape(s) }
