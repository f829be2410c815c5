package macro

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultWork is the work a Budget allows when none is given: far more than
// any real profile needs (a profile of a few hundred macros uses a few
// hundred units), and a fraction of a second of CPU (see BENCHMARKS.md).
const DefaultWork = 20_000

// DefaultTime is the time a Budget allows its pipelines to run, in all,
// when none is given: a backstop for work the units do not foresee.
const DefaultTime = time.Second

// MaxFunctions is how many function calls one macro's pipeline may hold.
const MaxFunctions = 16

// ErrBudget is wrapped by Budget.Err when the work or the time allowed is spent.
var ErrBudget = errors.New("macro budget exceeded")

// Budget bounds the work that resolving macros may do for one caller (one
// request, one command), across every value and layer it resolves. Each
// macro costs one unit, and each function in its pipeline one unit per 4
// KiB of the largest value it may have handled: the pipeline's input or
// output, or, in a pipeline with a function that can build a large output
// from a small input (repeat, indent, ...), MaxOutput. The time its
// pipelines run is bounded too (DefaultTime), and the context's deadline or
// cancellation (a client that went away) stops resolution at the next
// macro. A Budget is used by one goroutine at a time.
type Budget struct {
	ctx  context.Context
	left int
	// time is what is left of the time pipelines may run.
	time time.Duration
	err  error
	// reported is set once the end of the budget has been reported.
	reported bool
}

// NewBudget returns a budget of work units (DefaultWork when work <= 0)
// that also ends when ctx is done.
func NewBudget(ctx context.Context, work int) *Budget {
	if ctx == nil {
		ctx = context.Background()
	}
	if work <= 0 {
		work = DefaultWork
	}
	return &Budget{ctx: ctx, left: work, time: DefaultTime}
}

// Err returns nil while the budget lasts, and then an error wrapping
// ErrBudget (and the context's error when the context ended it).
func (b *Budget) Err() error {
	if b == nil {
		return nil
	}
	return b.err
}

// spend takes units from the budget and reports whether it still lasts.
func (b *Budget) spend(units int) bool {
	if b == nil {
		return true
	}
	if b.err != nil {
		return false
	}
	if err := b.ctx.Err(); err != nil {
		b.err = fmt.Errorf("%w: %w", ErrBudget, err)
		return false
	}
	b.left -= units
	if b.left < 0 {
		b.err = fmt.Errorf("%w: more work than allowed", ErrBudget)
		return false
	}
	return true
}

// spendTime takes the time a pipeline ran from the budget and reports
// whether it still lasts.
func (b *Budget) spendTime(d time.Duration) bool {
	if b == nil {
		return true
	}
	b.time -= d
	if b.time < 0 && b.err == nil {
		b.err = fmt.Errorf("%w: pipelines ran longer than %v", ErrBudget, DefaultTime)
	}
	return b.err == nil
}

// cost is the work of running a pipeline of n functions on in giving out
// (see Budget).
func cost(n int, amplifies bool, in, out string) int {
	largest := max(len(in), len(out))
	if amplifies {
		largest = MaxOutput
	}
	return n * (1 + largest/4096)
}
