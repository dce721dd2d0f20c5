// Package clock provides the injectable source of "now" used everywhere in
// govbot. What is current (a standard in force, a warning still valid)
// depends on the date, so no package calls time.Now directly.
package clock

import (
	"sync"
	"time"
)

// Shanghai is the Asia/Shanghai zone. China has observed no daylight saving
// since 1991, so a fixed +08:00 offset is exact and needs no tzdata.
var Shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Fixed always answers the same instant; for tests and `govbot ask --now`.
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// Func adapts a function to Clock.
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f() }

// Today returns the Asia/Shanghai calendar date of c.Now() at midnight.
func Today(c Clock) time.Time {
	return DateOf(c.Now())
}

// DateOf truncates t to midnight of its Asia/Shanghai calendar day.
func DateOf(t time.Time) time.Time {
	t = t.In(Shanghai)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

// ParseDate parses YYYY-MM-DD as an Asia/Shanghai date. It rejects
// impossible dates such as 2023-02-30.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, Shanghai)
}

// Fake is a settable clock for tests; safe for concurrent use. The zero
// value is at the zero time: use NewFake.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a Fake at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the time last set.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	return f.t
}
