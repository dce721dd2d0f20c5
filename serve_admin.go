package main

import (
	"context"
	"net/http"
	"time"

	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/handlers/admin"
)

// sessionPruneInterval: how often expired console sessions are removed.
const sessionPruneInterval = time.Hour

// mountAdmin serves the signed-in console at /admin/ (admin.enabled).
func mountAdmin(ctx context.Context, d *serveDeps, mux *http.ServeMux) error {
	cfg := d.cfg
	if !cfg.Admin.Enabled {
		d.logger.Info("console off: admin.enabled is false")
		return nil
	}
	sessions, err := auth.NewSessions(d.db, auth.SessionOptions{
		TTL: cfg.Admin.SessionTTL, Idle: cfg.Admin.SessionIdle, Clock: d.clock,
	})
	if err != nil {
		return err
	}
	cs := d.content
	c, err := admin.New(admin.Options{
		Users:                    cfg.Users,
		Sessions:                 sessions,
		Audit:                    d.audit,
		Notices:                  d.notices,
		Audiences:                cfg.Audiences,
		Secure:                   cfg.Secure(),
		TrustedProxies:           cfg.TrustedProxies,
		SignInMaxFailures:        cfg.Admin.SignInMaxFailures,
		SignInAddressMaxFailures: cfg.Admin.SignInAddressMaxFailures,
		SignInWindow:             cfg.Admin.SignInWindow,
		Clock:                    d.clock,
		Logger:                   d.logger.With("component", "admin"),
		Version:                  buildVersion(),
		OnSignIn:                 d.metrics.SignIn,
		Content: admin.ContentOptions{
			Catalog: cs.catalog, Jobs: cs.jobs, JobsContext: ctx, IndexDir: indexDir(cfg),
			Lexicon: cs.lexicon, HitTest: cs.hittest, Queries: d.queries, MinScore: cfg.Search.MinScore,
		},
	})
	if err != nil {
		return err
	}
	mux.Handle(admin.Prefix, c)
	d.goBackground(func() { sessions.Run(ctx, sessionPruneInterval) })
	signIn := 0
	for _, u := range cfg.Users {
		if u.PasswordHash != "" {
			signIn++
		}
	}
	if signIn == 0 {
		d.logger.Info("console on, but no user has a password_hash: set one with `govbot user hash`", "path", admin.Prefix)
	} else {
		d.logger.Info("console on", "path", admin.Prefix, "users_with_password", signIn)
	}
	return nil
}
