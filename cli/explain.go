package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/suggest"
)

func (e *env) explainCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "explain [CODE]",
		Short: "Explain a finding code: what it means, why it matters and how to fix it",
		Long: `explain prints the explanation of a finding code, the second word of every finding
validate prints (FILE:LINE:COL: SEVERITY CODE PATH: message):
  byoos explain aws-ami-name

Without a code it lists every code with its usual severity and a one-line summary.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return e.listCodes()
			}
			return e.explain(args[0])
		},
	}
}

// explain prints one code's explanation, or refuses an unknown code with the
// codes it may have meant.
func (e *env) explain(arg string) error {
	code := strings.ToLower(strings.TrimSpace(arg))
	ex, ok := finding.Explain(code)
	if !ok {
		return usageErr("%q is not a finding code%s (byoos explain lists them all)", arg, didYouMean(code, finding.Codes()))
	}
	if _, err := fmt.Fprintf(e.stdout, "%s (%s): %s\n\n%s\n", ex.Code, ex.Severity, ex.Summary, ex.Text); err != nil {
		return ioErr(err)
	}
	return nil
}

// didYouMean names the codes closest to code, if any are close.
func didYouMean(code string, codes []string) string {
	if c := suggest.Closest(code, codes, 3); c != "" {
		return "; did you mean " + c + "?"
	}
	switch cs := suggest.Similar(code, codes); len(cs) {
	case 0:
	case 1:
		return "; did you mean " + cs[0] + "?"
	default:
		return "; did you mean " + strings.Join(cs[:len(cs)-1], ", ") + " or " + cs[len(cs)-1] + "?"
	}
	return ""
}

// listCodes prints every code with its severity and summary.
func (e *env) listCodes() error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	row(tw, "CODE", "SEVERITY", "SUMMARY")
	for _, ex := range finding.Explanations() {
		row(tw, ex.Code, string(ex.Severity), ex.Summary)
	}
	if err := tw.Flush(); err != nil {
		return ioErr(err)
	}
	return nil
}
