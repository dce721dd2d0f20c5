package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
	"github.com/yingpu/govbot/push"
)

// mountNotices builds the notice side of `govbot serve`: the WeChat and
// WeCom senders, the durable outbox and its workers, the notice service
// with its scheduler, the audit log, the admin API under /api/, and the
// page of each public notice at /notices/{id}.
func mountNotices(ctx context.Context, d *serveDeps, mux *http.ServeMux) error {
	cfg := d.cfg
	robot, workApp, oa, err := pushAdapters(cfg, d.clock)
	if err != nil {
		return err
	}
	audits, err := audit.New(d.db, d.clock)
	if err != nil {
		return err
	}

	var notices *notice.Service
	oopts := outbox.ConfigOptions(cfg.Delivery)
	oopts.Robot = robot
	oopts.WorkApp = workApp
	oopts.OA = oa
	oopts.LastSeen = d.subscribe.LastSeen
	oopts.Clock = d.clock
	oopts.Logger = d.logger.With("component", "outbox")
	// OnDone runs on the outbox's goroutines, which start after notices is
	// set below.
	oopts.OnDone = func(id string) { notices.MarkDone(id) }
	oopts.Observe = func(channel string, state outbox.State) { d.metrics.Delivery(channel, string(state)) }
	ob, err := outbox.New(d.db, oopts)
	if err != nil {
		return err
	}
	d.metrics.QueueDepth(ob.Depth)
	var tags notice.TagFollowers
	if oa != nil {
		tags = oa
	}
	notices, err = notice.New(notice.Options{
		DB:           d.db,
		Audiences:    cfg.Audiences,
		Outbox:       ob,
		Subscribers:  d.subscribe,
		Tags:         tags,
		ChannelReady: ob.HasChannel,
		Audit:        audits,
		Clock:        d.clock,
		Logger:       d.logger.With("component", "notice"),
		OnPublic:     d.publishNotice,
		Department:   departmentOf(cfg.Users),
		URL:          func(n notice.Notice) string { return noticeURL(cfg.PublicBaseURL, n.ID) },
	})
	if err != nil {
		return err
	}
	d.notices, d.audit = notices, audits
	d.goBackground(func() {
		if err := notices.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.logger.Error("notice scheduler stopped", "err", err)
		}
	})
	d.goBackground(func() {
		if err := ob.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.logger.Error("outbox stopped", "err", err)
		}
	})

	mux.Handle("/api/", adminapi.New(adminapi.Options{
		Notices:        notices,
		Audit:          audits,
		Users:          cfg.Users,
		TrustedProxies: cfg.TrustedProxies,
		Logger:         d.logger.With("component", "adminapi"),
		Queries:        d.queries,
		Reindexer:      reindexer{d},
		Clock:          d.clock,
	}))
	mux.HandleFunc("GET /notices/{id}", d.noticePage(notices))
	if len(cfg.Users) == 0 {
		d.logger.Info("admin API has no users: add users to the config to send notices")
	}
	for _, ch := range []string{outbox.ChannelRobot, outbox.ChannelWorkApp, outbox.ChannelWorkChat, outbox.ChannelOA} {
		if !ob.HasChannel(ch) {
			d.logger.Info("notice channel off: credentials not configured", "channel", ch)
		}
	}
	return nil
}

// pushAdapters builds the senders whose credentials are configured; a nil
// interface means that channel is off.
func pushAdapters(cfg config.Config, clk clock.Clock) (push.Robot, push.WorkApp, push.OfficialAccount, error) {
	api := push.API{BaseURL: cfg.APIBaseURL, Timeout: cfg.Delivery.SendTimeout, Clock: clk}
	var (
		robot   push.Robot
		workApp push.WorkApp
		oa      push.OfficialAccount
	)
	r, err := push.NewRobot(push.RobotOptions{API: api})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("robot sender: %w", err)
	}
	robot = r
	if w := cfg.Work; w.CorpID != "" && w.Secret != "" && w.AgentID != "" {
		c, err := push.NewWorkApp(push.WorkAppOptions{API: api, CorpID: w.CorpID, Secret: w.Secret, AgentID: w.AgentID})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("WeCom app sender: %w", err)
		}
		workApp = c
	}
	if o := cfg.OfficialAccount; o.AppID != "" && o.AppSecret != "" {
		t := o.Template
		c, err := push.NewOfficialAccount(push.OfficialAccountOptions{
			API: api, AppID: o.AppID, AppSecret: o.AppSecret,
			Template: push.Template{ID: t.ID, TitleField: t.TitleField, BodyField: t.BodyField, TimeField: t.TimeField,
				URL: t.URL, Fixed: t.Fixed, MaxFieldRunes: t.MaxFieldRunes},
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("official account sender: %w", err)
		}
		oa = c
	}
	return robot, workApp, oa, nil
}

func departmentOf(users []config.User) func(string) string {
	return func(name string) string {
		for _, u := range users {
			if u.Name == name {
				return u.Department
			}
		}
		return ""
	}
}

func noticeURL(base, id string) string {
	return strings.TrimRight(base, "/") + "/notices/" + url.PathEscape(id)
}

// publishNotice makes a sent public notice a disclosure: kept under
// <state>/published so that every rebuild of the index includes it, then
// added to the live index at once.
func (d *serveDeps) publishNotice(disc content.Disclosure) error {
	if f := content.CheckPrivacy(&disc); len(f) > 0 {
		return fmt.Errorf("public notice %s fails the privacy check: %v", disc.ID, f[0])
	}
	dir := publishedDir(d.cfg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(disc)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, disc.ID+".jsonl.tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, disc.ID+".jsonl")); err != nil {
		return err
	}
	return d.index.Add(disc)
}

var noticePageTmpl = template.Must(template.New("notice").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.7}
.meta{color:#555;font-size:.9em}.ended{color:#a00;font-weight:bold}p{white-space:pre-wrap}</style></head>
<body><h1>{{.Title}}</h1>
<div class="meta">发布单位：{{.Department}}　发布日期：{{.Published}}{{if .Expires}}　有效期至：{{.Expires}}{{end}}</div>
{{if .Ended}}<p class="ended">此通知已于{{.Expires}}结束，仅供查阅。</p>{{end}}
<p>{{.Body}}</p>
</body></html>
`))

// noticePage shows a public notice once it is sent; targeted notices and
// unsent ones are not public and answer 404.
func (d *serveDeps) noticePage(notices *notice.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := notices.Get(r.PathValue("id"))
		if err != nil || !n.Public || n.SentAt.IsZero() {
			http.Error(w, "找不到该公开通知", http.StatusNotFound)
			return
		}
		disc := notices.Disclosure(n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		noticePageTmpl.Execute(w, struct {
			Title, Department, Published, Expires, Body string
			Ended                                       bool
		}{disc.Title, disc.Department, disc.Published.String(), disc.Expires.String(), disc.Body,
			disc.StatusOn(d.clock.Now()) == content.Expired})
	}
}

// reindexer rebuilds the served index for POST /api/reindex.
type reindexer struct{ d *serveDeps }

func (r reindexer) Reindex(ctx context.Context) (adminapi.ReindexResult, error) {
	rep, err := r.d.index.Rebuild(ctx)
	if rep != nil {
		r.d.metrics.Reindex(rep.Took, rep.Indexed, err)
	}
	if err != nil {
		return adminapi.ReindexResult{}, err
	}
	res := adminapi.ReindexResult{
		Generation: rep.Generation, Indexed: rep.Indexed,
		Drafts: len(rep.Load.Drafts), Blocked: len(rep.Load.Blocked), Errors: len(rep.Load.Errors),
		Problems: []string{},
	}
	for _, x := range rep.Load.Drafts {
		res.Problems = append(res.Problems, "draft: "+x.String())
	}
	for _, x := range rep.Load.Blocked {
		res.Problems = append(res.Problems, "blocked: "+x.String())
	}
	for _, x := range rep.Load.Errors {
		res.Problems = append(res.Problems, "error: "+x.Error())
	}
	r.d.logger.Info("index rebuilt", "generation", rep.Generation, "indexed", rep.Indexed, "took", rep.Took)
	return res, nil
}
