package content

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"unicode"
)

// Problem is one thing wrong with a disclosure record.
type Problem struct {
	// Field is the field at fault, dotted for nested ones (review.date,
	// location.lat); "" when the problem concerns the whole record.
	Field   string
	Message string // complete, e.g. "missing url"
}

// ValidationError lists every problem found in one disclosure.
type ValidationError struct {
	Problems []Problem
}

// Error joins the problems with "; ".
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// Validate checks that d can be indexed and answered: it has an id, a title,
// a body and an absolute http(s) url; its location, if any, has real
// coordinates; it does not expire before it takes effect. It does not judge
// review status or privacy (see ReviewProblem and CheckPrivacy). The error,
// when not nil, is a *ValidationError listing every problem.
func (d *Disclosure) Validate() error {
	ps := d.problems()
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

func (d *Disclosure) problems() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case strings.TrimSpace(d.ID) == "":
		add("id", "missing id")
	case strings.IndexFunc(d.ID, unicode.IsSpace) >= 0:
		add("id", "id %q contains white space", d.ID)
	}
	if strings.TrimSpace(d.Title) == "" {
		add("title", "missing title")
	}
	if strings.TrimSpace(d.Body) == "" {
		add("body", "missing body")
	}
	if strings.TrimSpace(d.URL) == "" {
		add("url", "missing url")
	} else if !isWebURL(d.URL) {
		add("url", "url %q is not an absolute http(s) address", d.URL)
	}
	if loc := d.Location; loc != nil {
		switch {
		case math.IsNaN(loc.Lat) || math.IsNaN(loc.Lon):
			add("location", "location lat/lon is not a number")
		case loc.Lat == 0 && loc.Lon == 0:
			add("location", "location lat/lon missing")
		default:
			if loc.Lat < -90 || loc.Lat > 90 {
				add("location.lat", "location lat %v out of range -90..90", loc.Lat)
			}
			if loc.Lon < -180 || loc.Lon > 180 {
				add("location.lon", "location lon %v out of range -180..180", loc.Lon)
			}
		}
	}
	if !d.Effective.IsZero() && !d.Expires.IsZero() && d.Expires.Before(d.Effective) {
		add("expires", "expires %s is before effective %s", d.Expires, d.Effective)
	}
	for _, s := range d.Supersedes {
		switch {
		case strings.TrimSpace(s) == "":
			add("supersedes", "supersedes holds an empty id")
		case s == d.ID:
			add("supersedes", "disclosure %q supersedes itself", s)
		}
	}
	return ps
}

// isWebURL reports whether s is an absolute http or https URL with a host.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// ReviewProblem tells why d may not be published under 先审查、后公开, or ""
// when it may: the review status must be "approved" and the review must name
// a reviewer and a date.
func (d *Disclosure) ReviewProblem() string {
	r := d.Review
	if r.Status != "approved" {
		if strings.TrimSpace(r.Status) == "" {
			return "no review status"
		}
		return fmt.Sprintf("review status is %q", r.Status)
	}
	noReviewer := strings.TrimSpace(r.Reviewer) == ""
	switch {
	case noReviewer && r.Date.IsZero():
		return "approved without a reviewer or review date"
	case noReviewer:
		return "approved without a reviewer"
	case r.Date.IsZero():
		return "approved without a review date"
	}
	return ""
}
