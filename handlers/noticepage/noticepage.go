// Package noticepage serves the page of each public notice once it is
// sent, at GET /notices/{id}: the link its WeChat and WeCom messages and its
// disclosure carry. Targeted notices and unsent ones are not public and
// answer 404.
//
//	mux.Handle("GET /notices/{id}", noticepage.New(notices, clk))
package noticepage

import (
	"html/template"
	"net/http"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/notice"
)

// Notices finds notices and words them as disclosures (*notice.Service).
type Notices interface {
	Get(id string) (notice.Notice, error)
	Disclosure(n notice.Notice) content.Disclosure
}

// page is the notice page; it is parsed once per handler.
const page = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.7}
.meta{color:#555;font-size:.9em}.ended{color:#a00;font-weight:bold}p{white-space:pre-wrap}</style></head>
<body><h1>{{.Title}}</h1>
<div class="meta">发布单位：{{.Department}}　发布日期：{{.Published}}{{if .Expires}}　有效期至：{{.Expires}}{{end}}</div>
{{if .Ended}}<p class="ended">此通知已于{{.Expires}}结束，仅供查阅。</p>{{end}}
<p>{{.Body}}</p>
</body></html>
`

type view struct {
	Title, Department, Published, Expires, Body string
	Ended                                       bool
}

// New returns the handler of GET /notices/{id}. The clock decides whether
// a notice has ended.
func New(notices Notices, clk clock.Clock) http.Handler {
	tmpl := template.Must(template.New("notice").Parse(page))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := notices.Get(r.PathValue("id"))
		if err != nil || !n.Public || n.SentAt.IsZero() {
			http.Error(w, "找不到该公开通知", http.StatusNotFound)
			return
		}
		d := notices.Disclosure(n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		tmpl.Execute(w, view{
			Title: d.Title, Department: d.Department, Published: d.Published.String(),
			Expires: d.Expires.String(), Body: d.Body,
			Ended: d.StatusOn(clk.Now()) == content.Expired,
		})
	})
}
