// Package content defines a disclosure (政务公开信息) and reads, validates,
// review-gates and privacy-checks disclosures from JSONL files and Markdown
// files with YAML front matter.
package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/yingpu/govbot/clock"
)

// Date is a calendar date (YYYY-MM-DD, Asia/Shanghai). The zero Date means
// "not set" (an empty string in JSON), e.g. an open-ended expiry.
type Date struct{ t time.Time }

// NewDate builds a Date from a time (truncated to its Shanghai day).
func NewDate(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return Date{clock.DateOf(t)}
}

// ParseDate parses YYYY-MM-DD; "" gives the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := clock.ParseDate(s)
	if err != nil {
		return Date{}, fmt.Errorf("impossible date %q (want YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight (Asia/Shanghai) of the date; zero when unset.
func (d Date) Time() time.Time { return d.t }

// String formats as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// Before reports whether d is strictly before o (both set).
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is strictly after o (both set).
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// MarshalJSON writes "YYYY-MM-DD" or "".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD", "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Review records the 先审查、后公开 review of a disclosure.
type Review struct {
	Status   string `json:"status"` // "approved" or "draft" (anything else is not approved)
	Reviewer string `json:"reviewer"`
	Date     Date   `json:"date"`
}

// Location is the place a disclosure is about (a canteen, a shelter, ...).
type Location struct {
	Name    string  `json:"name"`
	Address string  `json:"address"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

// Disclosure is one published (or to-be-published) piece of government
// information. The JSON shape is the import format (one object a line).
type Disclosure struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Category   string    `json:"category"`
	Department string    `json:"department"`
	Published  Date      `json:"published"`
	Effective  Date      `json:"effective"`
	Expires    Date      `json:"expires"`
	Audience   []string  `json:"audience"`
	URL        string    `json:"url"`
	Review     Review    `json:"review"`
	Keywords   []string  `json:"keywords"`
	Location   *Location `json:"location"`
	Body       string    `json:"body"`
	// Supersedes optionally names the ids of disclosures this one replaces
	// (an older standard). Supersession is also inferred at index time.
	Supersedes []string `json:"supersedes,omitempty"`
	// Asks are the ways residents ask about it (常见问法), searched like
	// its keywords. They are kept apart from the file the disclosure comes
	// from (so a re-import keeps them) and joined to it when indexing.
	Asks []string `json:"asks,omitempty"`
}

// Status of a disclosure on a given day.
type Status int

const (
	NotYetEffective Status = iota // effective date is after the day
	InForce                       // effective (or no effective date) and not expired
	Expired                       // expires is before the day
)

// StatusOn tells whether d is in force on day (a Shanghai date). A disclosure
// is in force through its expiry date inclusive.
func (d *Disclosure) StatusOn(day time.Time) Status {
	day = clock.DateOf(day)
	if !d.Expires.IsZero() && d.Expires.Time().Before(day) {
		return Expired
	}
	if !d.Effective.IsZero() && d.Effective.Time().After(day) {
		return NotYetEffective
	}
	return InForce
}
