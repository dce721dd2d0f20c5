package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
)

// Source is a place the office already publishes its disclosures: a
// website's disclosure catalogue (synced by `govbot sync` and by serve on
// its schedule), or a folder of saved pages and files (`govbot import
// --source NAME`). What the pages do not state is filled from here.
type Source struct {
	// Name identifies the source (a-z, 0-9, - and _); it prefixes the
	// ids of its disclosures and names its file state_dir/imported/NAME.jsonl.
	Name string `yaml:"name"`
	// ListPages are the catalogue's list pages (栏目列表页); Sitemap a
	// sitemap.xml listing the articles. At least one for a synced source.
	ListPages []string `yaml:"list_pages"`
	Sitemap   string   `yaml:"sitemap"`
	// MaxListPages caps how many list pages a sync follows through
	// Selectors.NextPage (default 20).
	MaxListPages int `yaml:"max_list_pages"`
	// Selectors are the CSS selectors of the site's templates.
	Selectors SourceSelectors `yaml:"selectors"`
	// Categories map a page to a category by its URL (a regular
	// expression) or by the site's column or catalogue cell; the first
	// that matches wins, Category is the fallback.
	Categories []CategoryRule `yaml:"categories"`
	Category   string         `yaml:"category"`
	// Department and Audience fill what a page does not state.
	Department string   `yaml:"department"`
	Audience   []string `yaml:"audience"`
	// URLPrefix is where a folder of saved files is published: a file
	// that states no address gets URLPrefix + its path in the folder.
	URLPrefix string `yaml:"url_prefix"`
	// ApproveAs names the reviewer under whose name this source's pages
	// are published without a second review (pages the office already
	// published on its own site after its review); "" imports them as
	// drafts for the console's review queue.
	ApproveAs string `yaml:"approve_as"`
	// Schedule of serve's sync: "" (only by hand), an interval such as
	// "6h", or "daily 02:30" (Asia/Shanghai).
	Schedule string `yaml:"schedule"`
	// Fetching limits: Rate is the least time between two requests to the
	// site (default 2s); Timeout of one request (default 20s); Retries of
	// a request that failed or got a 5xx/429 (default 2); MaxPageBytes
	// and MaxAttachmentBytes cap one page and one attached file (default
	// 5 MiB and 20 MiB); MaxPages caps the articles of one sync (default
	// 2000).
	Rate               time.Duration `yaml:"rate"`
	Timeout            time.Duration `yaml:"timeout"`
	Retries            *int          `yaml:"retries"`
	MaxPageBytes       int64         `yaml:"max_page_bytes"`
	MaxAttachmentBytes int64         `yaml:"max_attachment_bytes"`
	MaxPages           int           `yaml:"max_pages"`
	// UserAgent sent to the site (default "govbot-sync/1").
	UserAgent string `yaml:"user_agent"`
	// AttachmentHosts are hosts besides the site's own (those of
	// list_pages and sitemap) that attachments may be fetched from, e.g. a
	// file server "file.example.gov.cn". Links elsewhere are not fetched.
	AttachmentHosts []string `yaml:"attachment_hosts"`
}

// SourceSelectors are goquery (CSS) selectors. Empty article selectors
// fall back to what government site templates hold (the ArticleTitle,
// PubDate, ContentSource and ColumnName meta tags, <h1>, <article>).
type SourceSelectors struct {
	// Item selects each article's entry on a list page; Link the link in
	// it (default "a[href]"); ItemDate and ItemCategory optional cells of
	// the entry (a catalogue's 日期 and 类别 columns).
	Item         string `yaml:"item"`
	Link         string `yaml:"link"`
	ItemDate     string `yaml:"item_date"`
	ItemCategory string `yaml:"item_category"`
	// NextPage selects the list's "下一页" link.
	NextPage string `yaml:"next_page"`
	// The article's parts.
	Title       string `yaml:"title"`
	Date        string `yaml:"date"`
	Department  string `yaml:"department"`
	Body        string `yaml:"body"`
	Attachments string `yaml:"attachments"`
}

// CategoryRule maps pages to a category: by URL (a regular expression
// matched against the page's address) or by Column (the site's column
// name or catalogue cell, exactly).
type CategoryRule struct {
	URL      string `yaml:"url"`
	Column   string `yaml:"column"`
	Category string `yaml:"category"`
}

// Source defaults (see Source).
const (
	DefaultSourceRate         = 2 * time.Second
	DefaultSourceTimeout      = 20 * time.Second
	DefaultSourceRetries      = 2
	DefaultMaxPageBytes       = 5 << 20
	DefaultMaxAttachmentBytes = 20 << 20
	DefaultMaxListPages       = 20
	DefaultMaxPages           = 2000
	DefaultSourceUserAgent    = "govbot-sync/1"
)

// WithDefaults returns s with every unset limit at its default.
func (s Source) WithDefaults() Source {
	if s.Rate == 0 {
		s.Rate = DefaultSourceRate
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultSourceTimeout
	}
	if s.Retries == nil {
		n := DefaultSourceRetries
		s.Retries = &n
	}
	if s.MaxPageBytes == 0 {
		s.MaxPageBytes = DefaultMaxPageBytes
	}
	if s.MaxAttachmentBytes == 0 {
		s.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if s.MaxListPages == 0 {
		s.MaxListPages = DefaultMaxListPages
	}
	if s.MaxPages == 0 {
		s.MaxPages = DefaultMaxPages
	}
	if s.UserAgent == "" {
		s.UserAgent = DefaultSourceUserAgent
	}
	return s
}

// Synced reports whether the source is a site to sync (it has list pages
// or a sitemap), rather than a folder for `govbot import` only.
func (s Source) Synced() bool { return len(s.ListPages) > 0 || s.Sitemap != "" }

// FindSource returns the source named name.
func (c *Config) FindSource(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

var sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Schedule is a parsed Source.Schedule.
type Schedule struct {
	// Every is the interval (0: daily at Hour:Minute, or never when Daily
	// is false too).
	Every        time.Duration
	Daily        bool
	Hour, Minute int
}

// ParseSchedule reads "", "6h" or "daily 02:30".
func ParseSchedule(s string) (Schedule, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Schedule{}, nil
	}
	if rest, ok := strings.CutPrefix(s, "daily"); ok {
		hh, mm, ok := strings.Cut(strings.TrimSpace(rest), ":")
		h, err1 := strconv.Atoi(hh)
		m, err2 := strconv.Atoi(mm)
		if !ok || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
			return Schedule{}, fmt.Errorf("schedule %q: want \"daily HH:MM\"", s)
		}
		return Schedule{Daily: true, Hour: h, Minute: m}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %q: want an interval such as 6h, or \"daily HH:MM\"", s)
	}
	if d < 10*time.Minute {
		return Schedule{}, fmt.Errorf("schedule %q: at least 10m between syncs", s)
	}
	return Schedule{Every: d}, nil
}

// Next is the first time after now the schedule is due; zero for none.
func (sc Schedule) Next(now time.Time, loc *time.Location) time.Time {
	switch {
	case sc.Every > 0:
		return now.Add(sc.Every)
	case sc.Daily:
		t := now.In(loc)
		next := time.Date(t.Year(), t.Month(), t.Day(), sc.Hour, sc.Minute, 0, 0, loc)
		if !next.After(t) {
			next = next.AddDate(0, 0, 1)
		}
		return next
	}
	return time.Time{}
}

func (c *Config) validateSources() []error {
	var errs []error
	seen := map[string]bool{}
	for i, s := range c.Sources {
		at := fmt.Sprintf("sources[%d]", i)
		if s.Name != "" {
			at = fmt.Sprintf("sources[%s]", s.Name)
		}
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf(at+": "+format, a...))
		}
		switch {
		case !sourceNameRE.MatchString(s.Name):
			bad("name %q: want a-z, 0-9, - and _ (at most 64)", s.Name)
		case seen[s.Name]:
			bad("name %q is used twice", s.Name)
		}
		seen[s.Name] = true
		for _, u := range append(append([]string(nil), s.ListPages...), s.Sitemap) {
			if u == "" {
				continue
			}
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				bad("%q is not an absolute http(s) URL", u)
			}
		}
		for _, h := range s.AttachmentHosts {
			if h == "" || strings.ContainsAny(h, "/ ") {
				bad("attachment_hosts: %q is not a host name (such as file.example.gov.cn)", h)
			}
		}
		if s.URLPrefix != "" {
			if pu, err := url.Parse(s.URLPrefix); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				bad("url_prefix %q is not an absolute http(s) URL", s.URLPrefix)
			}
		}
		if len(s.ListPages) > 0 && s.Selectors.Item == "" {
			bad("selectors.item is needed to read list pages")
		}
		for name, sel := range map[string]string{
			"item": s.Selectors.Item, "link": s.Selectors.Link, "item_date": s.Selectors.ItemDate,
			"item_category": s.Selectors.ItemCategory, "next_page": s.Selectors.NextPage,
			"title": s.Selectors.Title, "date": s.Selectors.Date, "department": s.Selectors.Department,
			"body": s.Selectors.Body, "attachments": s.Selectors.Attachments,
		} {
			if sel == "" {
				continue
			}
			if _, err := cascadia.ParseGroup(sel); err != nil {
				bad("selectors.%s %q: %v", name, sel, err)
			}
		}
		for k, r := range s.Categories {
			switch {
			case r.Category == "":
				bad("categories[%d] has no category", k)
			case (r.URL == "") == (r.Column == ""):
				bad("categories[%d]: give url or column (one of them)", k)
			}
			if r.URL != "" {
				if _, err := regexp.Compile(r.URL); err != nil {
					bad("categories[%d].url: %v", k, err)
				}
			}
		}
		if _, err := ParseSchedule(s.Schedule); err != nil {
			bad("%v", err)
		}
		if s.Schedule != "" && !s.Synced() {
			bad("schedule needs list_pages or a sitemap")
		}
		if s.Rate < 0 || s.Timeout < 0 || s.MaxPageBytes < 0 || s.MaxAttachmentBytes < 0 || s.MaxPages < 0 || s.MaxListPages < 0 {
			bad("limits must not be negative")
		}
		if s.Rate > 0 && s.Rate < 100*time.Millisecond {
			bad("rate %v: at least 100ms between requests, to be polite to the site", s.Rate)
		}
		if s.Retries != nil && (*s.Retries < 0 || *s.Retries > 10) {
			bad("retries %d is outside 0..10", *s.Retries)
		}
	}
	return errs
}
