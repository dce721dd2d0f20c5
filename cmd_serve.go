package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/convstore"
	"github.com/yingpu/govbot/dedupe"
	"github.com/yingpu/govbot/handlers/console"
	"github.com/yingpu/govbot/handlers/webhook"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/metrics"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/querylog"
	"github.com/yingpu/govbot/store"
	"github.com/yingpu/govbot/subscribe"
)

// HTTP server limits of `govbot serve`. WeChat waits 5 s for a reply; the
// webhooks bound the bot to 4 s, so WriteTimeout leaves room.
const (
	serveReadHeaderTimeout = 5 * time.Second
	serveReadTimeout       = 10 * time.Second
	serveWriteTimeout      = 15 * time.Second
	serveIdleTimeout       = 60 * time.Second
	serveMaxHeaderBytes    = 64 << 10
	serveShutdownTimeout   = 10 * time.Second
	// indexWatchInterval: how often serve looks for a generation made live
	// by `govbot reindex`.
	indexWatchInterval = 30 * time.Second
	// queryLogPruneInterval: the query log retention is enforced at start
	// and then this often.
	queryLogPruneInterval = 24 * time.Hour
)

// dbFile is the bbolt database in the state directory.
func dbFile(cfg config.Config) string { return filepath.Join(cfg.StateDir, "govbot.db") }

// serveDeps is everything a serving govbot has opened; what mounts more
// routes or starts more workers (the admin API, the notice outbox) takes
// what it needs from here.
type serveDeps struct {
	cfg       config.Config
	db        *bolt.DB
	index     *index.Index
	subscribe *subscribe.Store
	queries   *querylog.Log
	hasher    querylog.Hasher
	bot       *bot.Bot
	notices   *notice.Service
	metrics   *metrics.Metrics
	audit     *audit.Log
	sync      *syncJobs // nil when no source has a site to sync
	// content: the console's disclosures, lexicon, reindex jobs, hit test.
	content *contentServices
	clock   clock.Clock
	logger  *slog.Logger

	// background holds the goroutines to wait for before closing.
	background sync.WaitGroup
}

// goBackground runs fn until ctx ends; close waits for it.
func (d *serveDeps) goBackground(fn func()) {
	d.background.Add(1)
	go func() {
		defer d.background.Done()
		fn()
	}()
}

// close waits for the background work (whose context must be done) and
// closes the index and the database.
func (d *serveDeps) close() error {
	d.background.Wait()
	var errs []error
	if d.index != nil {
		if err := d.index.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close index: %w", err))
		}
	}
	if d.db != nil {
		if err := d.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// serveOptions are the flags of `govbot serve`.
type serveOptions struct {
	cli.ConfigFlags
	listen    string
	logLevel  string
	logFormat string
}

func serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: webhooks, console, admin API, notice delivery",
		Long: `Run the bot: the WeChat and WeCom webhooks, the console, the admin API and the
notice delivery. The index is built on first start.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	o.ConfigFlags.Register(fs)
	fs.StringVar(&o.listen, "listen", "", "HTTP listen `addr`ess (overrides listen)")
	fs.StringVar(&o.logLevel, "log-level", "", "log `level`: debug, info, warn or error (debug logs residents' questions; overrides log.level)")
	fs.StringVar(&o.logFormat, "log-format", "", "log `format`: text or json (overrides log.format)")
	cli.CompleteValues(cmd, "log-level", "debug", "info", "warn", "error")
	cli.CompleteValues(cmd, "log-format", "text", "json")
	return cmd
}

func runServe(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	if o.logLevel != "" {
		if _, err := (config.Log{Level: o.logLevel}).SlogLevel(); err != nil {
			return cli.Usagef("--log-level %q: want debug, info, warn or error", o.logLevel)
		}
	}
	if o.logFormat != "" && o.logFormat != "text" && o.logFormat != "json" {
		return cli.Usagef("--log-format %q: want text or json", o.logFormat)
	}
	cfg, err := o.LoadWith(func(cfg *config.Config) {
		if o.listen != "" {
			cfg.Listen = o.listen
		}
		if o.logLevel != "" {
			cfg.Log.Level = o.logLevel
		}
		if o.logFormat != "" {
			cfg.Log.Format = o.logFormat
		}
	}, (*config.Config).CheckPaths)
	if err != nil {
		return err
	}
	logger, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}
	// Listen before the work of opening (the first start builds the
	// index): an address in use or not ours fails at once.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: listen (listen, --listen): %w", err)
	}
	defer ln.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, handler, err := openServe(ctx, cfg, clock.System{}, logger)
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		if err := d.close(); err != nil {
			logger.Error("shutdown", "err", err)
		}
	}()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	logger.Info("govbot serving", "addr", ln.Addr().String(), "documents", d.index.Count(),
		"data_dir", cfg.DataDir, "state_dir", cfg.StateDir)

	stopMetrics, err := startMetricsServer(ctx, d)
	if err != nil {
		return err
	}
	defer stopMetrics()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), serveShutdownTimeout)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	d.saveConversations()
	return nil
}

// restoreConversations takes back the residents' conversations saved when
// the last serve stopped (those still within conversation.ttl).
func (d *serveDeps) restoreConversations() {
	snaps, err := convstore.Take(d.db)
	if err != nil {
		d.logger.Warn("conversations saved at the last stop", "err", err)
	}
	if len(snaps) > 0 {
		d.logger.Info("conversations taken back", "saved", len(snaps), "live", d.bot.RestoreConversations(snaps))
	}
}

// saveConversations keeps the residents' conversations for the next start
// (no message is being answered any more).
func (d *serveDeps) saveConversations() {
	snaps := d.bot.Conversations()
	if err := convstore.Save(d.db, snaps); err != nil {
		d.logger.Error("save conversations", "err", err)
		return
	}
	d.logger.Info("conversations saved", "count", len(snaps))
}

// openServe opens the state (database, index), builds the bot and returns
// the HTTP handler of everything served. Background work runs until ctx is
// done; the caller then calls d.close.
func openServe(ctx context.Context, cfg config.Config, clk clock.Clock, logger *slog.Logger) (d *serveDeps, h http.Handler, err error) {
	d = &serveDeps{cfg: cfg, clock: clk, logger: logger, metrics: metrics.New(buildVersion(), clk)}
	defer func() {
		if err != nil {
			if cerr := d.close(); cerr != nil {
				logger.Error("close after failed start", "err", cerr)
			}
			d = nil
		}
	}()

	if d.db, err = store.Open(dbFile(cfg)); err != nil {
		return d, nil, err
	}
	if err = store.Migrate(d.db, schemas()...); err != nil {
		return d, nil, err
	}
	if d.subscribe, err = subscribe.New(d.db); err != nil {
		return d, nil, err
	}
	if d.queries, err = querylog.New(d.db); err != nil {
		return d, nil, err
	}
	key, err := querylog.HashKey(d.db, cfg.QueryLog.HashKey)
	if err != nil {
		return d, nil, err
	}
	if d.hasher, err = querylog.NewHasher(key); err != nil {
		return d, nil, err
	}
	if d.index, err = index.OpenOrBuild(ctx, indexOptions(cfg, clk, logger)); err != nil {
		return d, nil, fmt.Errorf("index: %w", err)
	}
	d.metrics.IndexDocuments(d.index.Count)
	// The query log and last-message times are written off the request
	// path, so a reply never waits for a disk sync.
	recorder := bot.NewBackground(d.queries, d.subscribe, logger.With("component", "recorder"))
	d.goBackground(func() { recorder.Run(ctx) })
	handled, err := dedupe.New(d.db, dedupe.Options{
		TTL: 2 * cfg.Webhook.MaxClockSkew, Max: cfg.Webhook.DedupeMax,
		Clock: clk, Logger: logger.With("component", "dedupe"),
	})
	if err != nil {
		return d, nil, err
	}
	d.goBackground(func() { handled.Run(ctx) })
	d.bot = bot.New(bot.Deps{
		Answerer:      d.metrics.Answerer(d.index),
		Subscriptions: backgroundTouch{d.subscribe, recorder},
		QueryLog:      recorder,
		Hasher:        d.hasher,
		Clock:         clk,
		Logger:        logger,
		Topics:        cfg.SubscribableTopics(),
		Menu:          cfg.Menu,
		Hotline:       cfg.Search.Hotline,
		MaxReplyBytes: cfg.Search.MaxReplyBytes,
		Related:       cfg.Search.Related,
		Area:          cfg.Area.Name,
		WGS84:         cfg.Search.Datum == "wgs84",
		Conversation:  bot.ConversationOptionsFor(cfg),
		Handled:       handled,
	})
	d.restoreConversations()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", d.healthz)
	mux.HandleFunc("GET /readyz", d.readyz)
	d.mountMetrics(mux)
	if err := mountWebhooks(d, mux); err != nil {
		return d, nil, err
	}
	if d.content, err = openContent(ctx, d); err != nil {
		return d, nil, err
	}
	if err := mountNotices(ctx, d, mux); err != nil {
		return d, nil, err
	}
	if err := mountAdmin(ctx, d, mux); err != nil {
		return d, nil, err
	}
	if cfg.Console {
		mux.Handle("/console/", http.StripPrefix("/console", console.New(bot.NewDialogue(d.index, bot.NewRenderer(bot.RenderOptionsFor(cfg)), clk, bot.ConversationOptionsFor(cfg)))))
		mux.Handle("GET /{$}", http.RedirectHandler("/console/", http.StatusFound))
		logger.Info("console on", "path", "/console/")
	}

	d.goBackground(func() { d.index.Watch(ctx, indexWatchInterval) })
	d.goBackground(func() { d.pruneQueryLog(ctx) })
	d.goBackground(func() { d.pruneAudit(ctx) })
	if err := startSourceSync(ctx, d); err != nil {
		return d, nil, fmt.Errorf("sync: %w", err)
	}
	return d, mux, nil
}

// backgroundTouch is the subscription store with last-message times
// recorded in the background.
type backgroundTouch struct {
	*subscribe.Store
	bg *bot.Background
}

func (s backgroundTouch) Touch(openid, platform string, at time.Time) error {
	return s.bg.Touch(openid, platform, at)
}

// mountWebhooks mounts the Official Account and WeCom callbacks that have
// credentials, and says which are off and why.
func mountWebhooks(d *serveDeps, mux *http.ServeMux) error {
	cfg := d.cfg
	common := func(o webhook.Options) webhook.Options {
		o.Handler = d.bot
		o.Clock = d.clock
		o.Logger = d.logger.With("component", "webhook")
		o.HashSender = d.hasher.Hash
		o.MaxReplyBytes = cfg.Search.MaxReplyBytes
		return o
	}
	if oa := cfg.OfficialAccount; oa.WebhookEnabled() {
		opts := webhook.OfficialAccountConfig(oa, cfg.Webhook)
		opts.Options = common(opts.Options)
		h, err := webhook.NewOfficialAccount(opts)
		if err != nil {
			return fmt.Errorf("official account webhook: %w", err)
		}
		mux.Handle(oa.Path, d.metrics.Webhook("oa", h))
		mode := "plaintext"
		if oa.SafeMode() {
			mode = "encrypted"
		}
		d.logger.Info("official account webhook on", "path", oa.Path, "mode", mode)
	} else {
		d.logger.Info("official account webhook off: officialaccount.token not set")
	}
	if w := cfg.Work; w.CallbackEnabled() {
		opts := webhook.WorkConfig(w, cfg.Webhook)
		opts.Options = common(opts.Options)
		h, err := webhook.NewWork(opts)
		if err != nil {
			return fmt.Errorf("WeCom webhook: %w", err)
		}
		mux.Handle(w.Path, d.metrics.Webhook("work", h))
		d.logger.Info("WeCom webhook on", "path", w.Path)
	} else {
		d.logger.Info("WeCom webhook off: " + missingWork(w))
	}
	return nil
}

func missingWork(w config.Work) string {
	var missing []string
	if w.Token == "" {
		missing = append(missing, "work.token")
	}
	if w.EncodingAESKey == "" {
		missing = append(missing, "work.encoding_aes_key")
	}
	if w.CorpID == "" {
		missing = append(missing, "work.corp_id")
	}
	return strings.Join(missing, ", ") + " not set"
}

// pruneQueryLog enforces query_log.retention_days at start and then daily.
func (d *serveDeps) pruneQueryLog(ctx context.Context) {
	retention := time.Duration(d.cfg.QueryLog.RetentionDays) * 24 * time.Hour
	prune := func() {
		n, err := d.queries.Prune(d.clock.Now().Add(-retention))
		if err != nil {
			d.logger.Error("query log prune failed", "err", err)
			return
		}
		if n > 0 {
			d.logger.Info("query log pruned", "records", n, "retention_days", d.cfg.QueryLog.RetentionDays)
		}
	}
	prune()
	t := time.NewTicker(queryLogPruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			prune()
		}
	}
}
