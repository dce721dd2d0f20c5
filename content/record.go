package content

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// record is a disclosure as written in a JSONL line or a Markdown front
// matter, before its dates are checked. Dates are kept as written so that a
// bad one can be reported with its field name.
type record struct {
	ID         string       `json:"id" yaml:"id"`
	Title      string       `json:"title" yaml:"title"`
	Category   string       `json:"category" yaml:"category"`
	Department string       `json:"department" yaml:"department"`
	Published  rawDate      `json:"published" yaml:"published"`
	Effective  rawDate      `json:"effective" yaml:"effective"`
	Expires    rawDate      `json:"expires" yaml:"expires"`
	Audience   []string     `json:"audience" yaml:"audience"`
	URL        string       `json:"url" yaml:"url"`
	Review     rawReview    `json:"review" yaml:"review"`
	Keywords   []string     `json:"keywords" yaml:"keywords"`
	Location   *rawLocation `json:"location" yaml:"location"`
	Body       string       `json:"body" yaml:"body"`
	Supersedes []string     `json:"supersedes" yaml:"supersedes"`
}

type rawReview struct {
	Status   string  `json:"status" yaml:"status"`
	Reviewer string  `json:"reviewer" yaml:"reviewer"`
	Date     rawDate `json:"date" yaml:"date"`
}

type rawLocation struct {
	Name    string  `json:"name" yaml:"name"`
	Address string  `json:"address" yaml:"address"`
	Lat     float64 `json:"lat" yaml:"lat"`
	Lon     float64 `json:"lon" yaml:"lon"`
}

// rawDate holds a date field as written: s for a string (or a YAML scalar
// such as an unquoted 2023-03-15), bad for anything else.
type rawDate struct {
	s   string
	bad string
}

// UnmarshalJSON keeps a string as is, null as unset, and anything else as bad.
func (r *rawDate) UnmarshalJSON(b []byte) error {
	*r = rawDate{}
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &r.s); err != nil {
		r.bad = string(b)
	}
	return nil
}

// UnmarshalYAML keeps a scalar as written, null as unset, and a list or
// mapping as bad.
func (r *rawDate) UnmarshalYAML(n *yaml.Node) error {
	*r = rawDate{}
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
	case n.Kind == yaml.ScalarNode:
		r.s = n.Value
	case n.Kind == yaml.SequenceNode:
		r.bad = "a list"
	default:
		r.bad = "a mapping"
	}
	return nil
}

func (r rawDate) parse(field string, ps *[]Problem) Date {
	if r.bad != "" {
		*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf("%s: want a date YYYY-MM-DD, got %s", field, r.bad)})
		return Date{}
	}
	d, err := ParseDate(strings.TrimSpace(r.s))
	if err != nil {
		*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf("%s: %v", field, err)})
	}
	return d
}

// disclosure converts the record and validates the result. It returns every
// problem found; the disclosure is usable only when there are none.
func (r *record) disclosure() (Disclosure, []Problem) {
	var ps []Problem
	d := Disclosure{
		ID:         strings.TrimSpace(r.ID),
		Title:      strings.TrimSpace(r.Title),
		Category:   strings.TrimSpace(r.Category),
		Department: strings.TrimSpace(r.Department),
		Published:  r.Published.parse("published", &ps),
		Effective:  r.Effective.parse("effective", &ps),
		Expires:    r.Expires.parse("expires", &ps),
		Audience:   cleanList(r.Audience),
		URL:        strings.TrimSpace(r.URL),
		Review: Review{
			Status:   strings.TrimSpace(r.Review.Status),
			Reviewer: strings.TrimSpace(r.Review.Reviewer),
			Date:     r.Review.Date.parse("review.date", &ps),
		},
		Keywords:   cleanList(r.Keywords),
		Body:       r.Body,
		Supersedes: cleanList(r.Supersedes),
	}
	if r.Location != nil {
		d.Location = &Location{
			Name:    strings.TrimSpace(r.Location.Name),
			Address: strings.TrimSpace(r.Location.Address),
			Lat:     r.Location.Lat,
			Lon:     r.Location.Lon,
		}
	}
	ps = append(ps, d.problems()...)
	return d, ps
}

// cleanList trims the items and drops empty ones.
func cleanList(items []string) []string {
	if items == nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
