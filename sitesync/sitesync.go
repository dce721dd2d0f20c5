// Package sitesync crawls a source's website: it reads the catalogue's list
// pages (following "下一页") or its sitemap, fetches each article that is
// new or changed (conditional requests with ETag / Last-Modified, then a
// hash of the bytes), reads it and its attachments (importer), and returns
// what it found as an importstore.Batch. It writes nothing itself.
package sitesync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/importer"
	"github.com/yingpu/govbot/importstore"
)

// Known tells what an earlier sync fetched (*importstore.Store).
type Known interface {
	Page(source, key string) (importstore.Page, bool, error)
}

// Result is what a crawl found.
type Result struct {
	Batch    importstore.Batch
	Failures []importer.Failure
	// Requests counts the HTTP requests made.
	Requests int
}

// Options tune a Syncer. Zero values are the defaults.
type Options struct {
	// Client makes the requests (default: a client of its own; the
	// per-request timeout is the source's).
	Client *http.Client
	Clock  clock.Clock
	// Logger gets a debug line per crawl (default: discard).
	Logger *slog.Logger
	// Sleep waits between requests (default: a timer); tests make it
	// instant.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Syncer crawls sources. It holds no state between crawls.
type Syncer struct {
	opts Options
}

// New returns a Syncer.
func New(opts Options) *Syncer {
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	return &Syncer{opts: opts}
}

// listed is an article found on a list page or in the sitemap.
type listed struct {
	url      string
	date     string // the catalogue's date cell, as written
	category string // the catalogue's category cell
}

// Crawl reads src's site. The batch is Complete only when every list page
// (or the sitemap) was read, so a site that is down withdraws nothing.
func (s *Syncer) Crawl(ctx context.Context, src config.Source, d importer.Defaults, known Known) (*Result, error) {
	src = src.WithDefaults()
	f := &fetcher{
		client:    s.opts.Client,
		userAgent: src.UserAgent,
		rate:      src.Rate,
		timeout:   src.Timeout,
		retries:   *src.Retries,
		sleep:     s.opts.Sleep,
		now:       s.opts.Clock.Now,
	}
	res := &Result{Batch: importstore.Batch{Source: src.Name, Complete: true}}
	fail := func(key string, format string, a ...any) {
		res.Failures = append(res.Failures, importer.Failure{Key: key, Reason: fmt.Sprintf(format, a...)})
	}

	var items []listed
	seen := map[string]bool{}
	hosts := map[string]bool{}
	add := func(it listed) {
		if seen[it.url] {
			return
		}
		u, err := url.Parse(it.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !hosts[u.Host] {
			return
		}
		seen[it.url] = true
		items = append(items, it)
	}
	for _, lp := range src.ListPages {
		if u, err := url.Parse(lp); err == nil {
			hosts[u.Host] = true
		}
	}
	if src.Sitemap != "" {
		if u, err := url.Parse(src.Sitemap); err == nil {
			hosts[u.Host] = true
		}
	}

	for _, start := range src.ListPages {
		next, visited := start, map[string]bool{}
		for n := 0; next != "" && n < src.MaxListPages; n++ {
			if visited[next] {
				break
			}
			visited[next] = true
			resp, err := f.get(ctx, next, "", "", src.MaxPageBytes)
			if err == nil && resp.status != http.StatusOK {
				err = fmt.Errorf("HTTP %d", resp.status)
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				fail(next, "list page: %v (nothing is withdrawn this time)", err)
				res.Batch.Complete = false
				break
			}
			found, nextURL, err := readList(resp, next, src.Selectors)
			if err != nil {
				fail(next, "list page: %v (nothing is withdrawn this time)", err)
				res.Batch.Complete = false
				break
			}
			if len(found) == 0 {
				fail(next, "list page: selectors.item %q matched no article (nothing is withdrawn this time)", src.Selectors.Item)
				res.Batch.Complete = false
			}
			for _, it := range found {
				add(it)
			}
			next = nextURL
		}
	}
	if src.Sitemap != "" {
		urls, err := s.readSitemap(ctx, f, src.Sitemap, src.MaxPageBytes, 0)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fail(src.Sitemap, "sitemap: %v (nothing is withdrawn this time)", err)
			res.Batch.Complete = false
		}
		for _, u := range urls {
			add(listed{url: u})
		}
	}
	attachHosts := map[string]bool{}
	for h := range hosts {
		attachHosts[h] = true
	}
	for _, h := range src.AttachmentHosts {
		attachHosts[h] = true
	}
	if len(items) > src.MaxPages {
		fail(src.Name, "%d articles listed, only the first %d are read (max_pages; nothing is withdrawn this time)", len(items), src.MaxPages)
		items = items[:src.MaxPages]
		res.Batch.Complete = false
	}

	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.article(ctx, f, src, d, known, it, attachHosts, res)
	}
	res.Requests = f.requests
	s.opts.Logger.Debug("crawled", "source", src.Name, "listed", len(items), "read", len(res.Batch.Entries),
		"unchanged", len(res.Batch.Unchanged), "gone", len(res.Batch.Gone), "failed", len(res.Failures),
		"requests", res.Requests, "complete", res.Batch.Complete)
	return res, nil
}

// article fetches one article and adds it to the batch.
func (s *Syncer) article(ctx context.Context, f *fetcher, src config.Source, d importer.Defaults, known Known, it listed, hosts map[string]bool, res *Result) {
	b := &res.Batch
	prev, had, err := known.Page(src.Name, it.url)
	if err != nil {
		res.Failures = append(res.Failures, importer.Failure{Key: it.url, Reason: err.Error()})
		b.Seen = append(b.Seen, it.url)
		return
	}
	etag, lm := "", ""
	if had && prev.Status == importstore.StatusActive {
		etag, lm = prev.ETag, prev.LastModified
	}
	resp, err := f.get(ctx, it.url, etag, lm, src.MaxPageBytes)
	if err != nil {
		res.Failures = append(res.Failures, importer.Failure{Key: it.url, Reason: err.Error()})
		b.Seen = append(b.Seen, it.url)
		return
	}
	switch resp.status {
	case http.StatusNotModified:
		b.Unchanged = append(b.Unchanged, importstore.Validators{Key: it.url, ETag: etag, LastModified: lm})
		return
	case http.StatusNotFound, http.StatusGone:
		b.Gone = append(b.Gone, it.url)
		return
	}
	sum := sha256.Sum256(resp.body)
	raw := hex.EncodeToString(sum[:])
	if had && prev.Status == importstore.StatusActive && prev.RawHash == raw {
		b.Unchanged = append(b.Unchanged, importstore.Validators{Key: it.url, ETag: resp.etag, LastModified: resp.lastModified, RawHash: raw})
		return
	}
	doc, err := importer.ReadHTML(resp.body, importer.HTMLOptions{
		URL:         it.url,
		ContentType: resp.contentType,
		Selectors: importer.Selectors{
			Title: src.Selectors.Title, Date: src.Selectors.Date, Department: src.Selectors.Department,
			Body: src.Selectors.Body, Attachments: src.Selectors.Attachments,
		},
	})
	if err != nil {
		res.Failures = append(res.Failures, importer.Failure{Key: it.url, Reason: err.Error()})
		b.Seen = append(b.Seen, it.url)
		return
	}
	if it.category != "" {
		doc.Category = it.category
	}
	if doc.Date.IsZero() && it.date != "" {
		doc.Date = importer.FindDate(it.date)
	}
	notes := importer.Attach(doc, func(href string) ([]byte, string, error) {
		u, err := url.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, "", fmt.Errorf("not a web address")
		}
		if !hosts[u.Host] {
			return nil, "", fmt.Errorf("%s is not the site's host (list it in attachment_hosts to read it)", u.Host)
		}
		r, err := f.get(ctx, href, "", "", src.MaxAttachmentBytes)
		if err != nil {
			return nil, "", err
		}
		if r.status != http.StatusOK {
			return nil, "", fmt.Errorf("HTTP %d", r.status)
		}
		return r.body, r.contentType, nil
	})
	item, failure := importer.Build(doc, it.url, d)
	if failure != nil {
		res.Failures = append(res.Failures, *failure)
		b.Seen = append(b.Seen, it.url)
		return
	}
	item.Notes = notes
	b.Entries = append(b.Entries, importstore.Entry{Item: item, ETag: resp.etag, LastModified: resp.lastModified, RawHash: raw})
}

// readList finds the articles on a list page and its next page's address.
func readList(resp *response, pageURL string, sel config.SourceSelectors) ([]listed, string, error) {
	text, _, err := importer.DecodeHTML(resp.body, resp.contentType)
	if err != nil {
		return nil, "", err
	}
	dom, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return nil, "", err
	}
	base, _ := url.Parse(pageURL)
	if h, ok := dom.Find("base[href]").First().Attr("href"); ok {
		if bu, err := base.Parse(h); err == nil {
			base = bu
		}
	}
	abs := func(href string) string {
		href = strings.TrimSpace(href)
		if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
			return ""
		}
		u, err := base.Parse(href)
		if err != nil {
			return ""
		}
		u.Fragment = ""
		return u.String()
	}
	linkSel := sel.Link
	if linkSel == "" {
		linkSel = "a[href]"
	}
	var out []listed
	dom.Find(sel.Item).Each(func(_ int, item *goquery.Selection) {
		a := item
		if !item.Is("a[href]") {
			a = item.Find(linkSel).First()
		}
		u := abs(a.AttrOr("href", ""))
		if u == "" {
			return
		}
		it := listed{url: u}
		if sel.ItemDate != "" {
			it.date = strings.TrimSpace(item.Find(sel.ItemDate).First().Text())
		}
		if sel.ItemCategory != "" {
			it.category = strings.Join(strings.Fields(item.Find(sel.ItemCategory).First().Text()), " ")
		}
		out = append(out, it)
	})
	next := ""
	if sel.NextPage != "" {
		next = abs(dom.Find(sel.NextPage).First().AttrOr("href", ""))
	}
	return out, next, nil
}

// maxSitemapDepth bounds sitemap indexes of sitemap indexes.
const maxSitemapDepth = 2

// readSitemap reads a sitemap (or a sitemap index, one level down).
func (s *Syncer) readSitemap(ctx context.Context, f *fetcher, u string, limit int64, depth int) ([]string, error) {
	resp, err := f.get(ctx, u, "", "", limit)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.status)
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(resp.body, &sm); err != nil {
		return nil, fmt.Errorf("not a sitemap: %v", err)
	}
	var out []string
	for _, x := range sm.URLs {
		if l := strings.TrimSpace(x.Loc); l != "" {
			out = append(out, l)
		}
	}
	if depth < maxSitemapDepth {
		for _, x := range sm.Sitemaps {
			more, err := s.readSitemap(ctx, f, strings.TrimSpace(x.Loc), limit, depth+1)
			if err != nil {
				return out, fmt.Errorf("%s: %w", x.Loc, err)
			}
			out = append(out, more...)
		}
	}
	return out, nil
}
