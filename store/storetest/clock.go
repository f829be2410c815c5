package storetest

import (
	"sync"
	"time"
)

// Clock is a fake clock for a store under test (store.WithClock(c.Now)): it
// stands still until Advance moves it, so a test knows the exact time the
// store must stamp and gets distinct times without sleeping. It starts in a
// zone other than UTC and between two microseconds, so that a store that
// kept the zone or the nanoseconds would be caught.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at 2031-03-04 05:06:07.891234567 UTC+2.
func NewClock() *Clock {
	return &Clock{t: time.Date(2031, time.March, 4, 5, 6, 7, 891234567, time.FixedZone("UTC+2", 2*60*60))}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}
