package content

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func validDisclosure(t *testing.T) Disclosure {
	return Disclosure{
		ID:        "eld-001",
		Title:     "长者食堂开业公告",
		URL:       "https://gk.yingpu.example/zwgk/2025/eld-001.html",
		Body:      "正文",
		Effective: mustDate(t, "2025-04-01"),
		Expires:   mustDate(t, "2025-04-01"),
		Location:  &Location{Name: "南门长者食堂", Lat: 31.1512, Lon: 121.1183},
		Review:    Review{Status: "approved", Reviewer: "王敏", Date: mustDate(t, "2025-03-17")},
	}
}

func TestValidate(t *testing.T) {
	if err := (&Disclosure{}).Validate(); err == nil {
		t.Fatal("empty disclosure: want an error")
	}
	ok := validDisclosure(t)
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid disclosure (expiring the day it takes effect): %v", err)
	}
	cases := []struct {
		name   string
		change func(d *Disclosure)
		want   []Problem
	}{
		{"no id", func(d *Disclosure) { d.ID = " " }, []Problem{{"id", "missing id"}}},
		{"id with space", func(d *Disclosure) { d.ID = "eld 001" }, []Problem{{"id", `id "eld 001" contains white space`}}},
		{"no title", func(d *Disclosure) { d.Title = "" }, []Problem{{"title", "missing title"}}},
		{"no body", func(d *Disclosure) { d.Body = "\n \n" }, []Problem{{"body", "missing body"}}},
		{"no url", func(d *Disclosure) { d.URL = "" }, []Problem{{"url", "missing url"}}},
		{"url no host", func(d *Disclosure) { d.URL = "https:///x.html" }, []Problem{{"url", `url "https:///x.html" is not an absolute http(s) address`}}},
		{"url scheme", func(d *Disclosure) { d.URL = "gk.yingpu.example/x.html" }, []Problem{{"url", `url "gk.yingpu.example/x.html" is not an absolute http(s) address`}}},
		{"http is fine", func(d *Disclosure) { d.URL = "http://gk.yingpu.example/x.html" }, nil},
		{"lat edge", func(d *Disclosure) { d.Location.Lat, d.Location.Lon = -90, 180 }, nil},
		{"lat high", func(d *Disclosure) { d.Location.Lat = 90.01 }, []Problem{{"location.lat", "location lat 90.01 out of range -90..90"}}},
		{"lon low", func(d *Disclosure) { d.Location.Lon = -180.5 }, []Problem{{"location.lon", "location lon -180.5 out of range -180..180"}}},
		{"both out", func(d *Disclosure) { d.Location.Lat, d.Location.Lon = 121.1, 31.1 }, []Problem{{"location.lat", "location lat 121.1 out of range -90..90"}}},
		{"zero zero", func(d *Disclosure) { d.Location.Lat, d.Location.Lon = 0, 0 }, []Problem{{"location", "location lat/lon missing"}}},
		{"only lat zero is a place", func(d *Disclosure) { d.Location.Lat = 0 }, nil},
		{"nan", func(d *Disclosure) { d.Location.Lat = math.NaN() }, []Problem{{"location", "location lat/lon is not a number"}}},
		{"no location", func(d *Disclosure) { d.Location = nil }, nil},
		{"expires before effective", func(d *Disclosure) { d.Expires = mustDate(t, "2025-03-31") },
			[]Problem{{"expires", "expires 2025-03-31 is before effective 2025-04-01"}}},
		{"open-ended", func(d *Disclosure) { d.Expires = Date{} }, nil},
		{"supersedes itself", func(d *Disclosure) { d.Supersedes = []string{"eld-000", "eld-001"} },
			[]Problem{{"supersedes", `disclosure "eld-001" supersedes itself`}}},
		{"several", func(d *Disclosure) { d.Title, d.URL = "", "" }, []Problem{{"title", "missing title"}, {"url", "missing url"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := validDisclosure(t)
			c.change(&d)
			err := d.Validate()
			if c.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *ValidationError, got %v", err)
			}
			if !reflect.DeepEqual(ve.Problems, c.want) {
				t.Errorf("problems = %v, want %v", ve.Problems, c.want)
			}
		})
	}
}

func TestReviewProblemDoesNotDependOnValidity(t *testing.T) {
	d := validDisclosure(t)
	if p := d.ReviewProblem(); p != "" {
		t.Errorf("approved: %q", p)
	}
	d.Review.Reviewer = ""
	if p := d.ReviewProblem(); p != "approved without a reviewer" {
		t.Errorf("got %q", p)
	}
}
