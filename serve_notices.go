package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/handlers/noticepage"
	"github.com/yingpu/govbot/indexjobs"
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
	audits, err := openAudit(d.db, cfg, d.clock, d.logger)
	if err != nil {
		return err
	}
	verifyAudit(audits, d.logger)

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
	oopts.OnUncertain = func(id string, held, resent int) { notices.Interrupted(id, held, resent) }
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
		OnPublic:     d.index.Publish,
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
		notices.Wait()
	})
	d.goBackground(func() {
		if err := ob.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.logger.Error("outbox stopped", "err", err)
		}
	})

	api := adminapi.New(adminapi.Options{
		Notices:          notices,
		Audit:            audits,
		Users:            cfg.Users,
		TrustedProxies:   cfg.TrustedProxies,
		Logger:           d.logger.With("component", "adminapi"),
		Queries:          d.queries,
		Doubts:           d.queries,
		Jobs:             apiJobs{d.content},
		Syncer:           serveSyncer{d},
		Clock:            d.clock,
		RefusedPerMinute: cfg.Audit.RefusedPerMinute,
		OnRefused:        d.metrics.APIRefused,
	})
	mux.Handle("/api/", api)
	d.goBackground(func() { api.Run(ctx) })
	mux.Handle("GET /notices/{id}", noticepage.New(notices, d.clock))
	if len(cfg.Users) == 0 {
		d.logger.Info("admin API has no users: add users to the config to send notices")
	}
	for _, ch := range channel.All() {
		if !ob.HasChannel(ch.Name) {
			d.logger.Info("notice channel off: credentials not configured", "channel", ch.Name)
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

// apiJobs starts the API's reindexes on the content services' job runner,
// bound to the server's lifetime rather than the request's.
type apiJobs struct{ c *contentServices }

func (j apiJobs) Start(actor string) (indexjobs.Job, error)  { return j.c.jobs.Start(j.c.ctx, actor) }
func (j apiJobs) Get(id uint64) (indexjobs.Job, bool, error) { return j.c.jobs.Get(id) }
func (j apiJobs) History(limit int) ([]indexjobs.Job, error) { return j.c.jobs.History(limit) }
