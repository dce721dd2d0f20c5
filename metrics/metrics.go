// Package metrics is govbot's Prometheus metrics: questions answered and
// declined by platform, answer latency, webhook requests by status,
// deliveries by channel and outcome, the outbox queue, reindexing and
// sign-ins. One Metrics per server, on its own registry (no global state).
package metrics

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

// Metrics holds the collectors.
type Metrics struct {
	reg              *prometheus.Registry
	questions        *prometheus.CounterVec
	answerSeconds    *prometheus.HistogramVec
	webhook          *prometheus.CounterVec
	deliveries       *prometheus.CounterVec
	reindexSeconds   prometheus.Histogram
	reindexDocuments prometheus.Gauge
	reindexes        *prometheus.CounterVec
	signIns          *prometheus.CounterVec
	apiRefused       prometheus.Counter
	clock            clock.Clock
}

// New returns the metrics, with the Go runtime and process collectors and
// govbot_build_info{version}.
func New(version string, c clock.Clock) *Metrics {
	if c == nil {
		c = clock.System{}
	}
	m := &Metrics{reg: prometheus.NewRegistry(), clock: c}
	m.questions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "govbot_questions_total", Help: "Questions asked by residents, by platform and outcome (answered, declined, error).",
	}, []string{"platform", "outcome"})
	m.answerSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "govbot_answer_seconds", Help: "Time to answer a question (search and ranking), by platform.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 4},
	}, []string{"platform"})
	m.webhook = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "govbot_webhook_requests_total", Help: "Webhook requests by platform and HTTP status.",
	}, []string{"platform", "status"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "govbot_deliveries_total", Help: "Notice deliveries by channel and outcome (sent, failed, unreachable, retry).",
	}, []string{"channel", "outcome"})
	m.reindexSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "govbot_reindex_duration_seconds", Help: "Duration of index rebuilds.",
		Buckets: []float64{1, 2, 5, 10, 30, 60, 120, 300, 600},
	})
	m.reindexDocuments = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "govbot_reindex_documents", Help: "Disclosures indexed by the last successful rebuild.",
	})
	m.reindexes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "govbot_reindex_total", Help: "Index rebuilds by outcome (ok, error).",
	}, []string{"outcome"})
	m.signIns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "govbot_signins_total", Help: "Console sign-in attempts by result (ok, failed, limited, refused).",
	}, []string{"result"})
	m.apiRefused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "govbot_api_refused_total", Help: "Admin API requests refused for want of a valid token.",
	})
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "govbot_build_info", Help: "The running build.", ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.reg.MustRegister(m.questions, m.answerSeconds, m.webhook, m.deliveries, m.reindexSeconds, m.reindexDocuments,
		m.reindexes, m.signIns, m.apiRefused, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the metrics' registry (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics. With a token, only requests bearing it
// ("Authorization: Bearer TOKEN") are answered; others get 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="govbot metrics"`)
			http.Error(w, "metrics need a bearer token (metrics.token)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// QueueDepth reports depth (deliveries queued per channel) as
// govbot_outbox_queue_depth{channel}.
func (m *Metrics) QueueDepth(depth func() map[string]int) {
	m.reg.MustRegister(&depthCollector{depth: depth, desc: prometheus.NewDesc("govbot_outbox_queue_depth",
		"Notice deliveries queued (waiting or to retry), by channel.", []string{"channel"}, nil)})
}

type depthCollector struct {
	depth func() map[string]int
	desc  *prometheus.Desc
}

func (c *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c *depthCollector) Collect(ch chan<- prometheus.Metric) {
	for channel, n := range c.depth() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), channel)
	}
}

// IndexDocuments reports the live index's size as govbot_index_documents.
func (m *Metrics) IndexDocuments(count func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "govbot_index_documents", Help: "Disclosures in the live index generation.",
	}, func() float64 { return float64(count()) }))
}

// Delivery counts one delivery outcome (outbox Options.Observe).
func (m *Metrics) Delivery(channel, outcome string) {
	m.deliveries.WithLabelValues(channel, outcome).Inc()
}

// Reindex records a finished rebuild.
func (m *Metrics) Reindex(took time.Duration, documents int, err error) {
	if err != nil {
		m.reindexes.WithLabelValues("error").Inc()
		return
	}
	m.reindexes.WithLabelValues("ok").Inc()
	m.reindexSeconds.Observe(took.Seconds())
	m.reindexDocuments.Set(float64(documents))
}

// SignIn counts a console sign-in attempt.
func (m *Metrics) SignIn(result string) { m.signIns.WithLabelValues(result).Inc() }

// APIRefused counts an admin API request refused for its token.
func (m *Metrics) APIRefused() { m.apiRefused.Inc() }

type platformKey struct{}

// askedKey marks a webhook request's context once its question is
// counted: a conversation may ask the index several times for one message
// (the message alone, then read with the matter under discussion), and the
// resident asked once.
type askedKey struct{}

// Webhook wraps a webhook handler: it counts requests by status and tells
// the answerer (Answerer) which platform is asking.
func (m *Metrics) Webhook(platform string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		ctx := context.WithValue(r.Context(), platformKey{}, platform)
		ctx = context.WithValue(ctx, askedKey{}, new(atomic.Bool))
		h.ServeHTTP(sw, r.WithContext(ctx))
		m.webhook.WithLabelValues(platform, strconv.Itoa(sw.status)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Asker answers questions (*index.Index; see bot.Answerer).
type Asker interface {
	Ask(ctx context.Context, q index.Query) (index.Answer, error)
	Full(ctx context.Context, id string, now time.Time) (index.Hit, error)
	Analyze(text string) index.Analysis
}

// Answerer wraps a so that each question is counted and timed, by the
// platform the webhook put in the context ("other" without one).
func (m *Metrics) Answerer(a Asker) Asker { return answerer{a, m} }

type answerer struct {
	a Asker
	m *Metrics
}

func (x answerer) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	return x.a.Full(ctx, id, now)
}

func (x answerer) Analyze(text string) index.Analysis { return x.a.Analyze(text) }

func (x answerer) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	if asked, ok := ctx.Value(askedKey{}).(*atomic.Bool); ok && asked.Swap(true) {
		return x.a.Ask(ctx, q) // the message's question is counted already
	}
	platform, _ := ctx.Value(platformKey{}).(string)
	if platform == "" {
		platform = "other"
	}
	start := x.m.clock.Now()
	ans, err := x.a.Ask(ctx, q)
	x.m.answerSeconds.WithLabelValues(platform).Observe(x.m.clock.Now().Sub(start).Seconds())
	outcome := "declined"
	switch {
	case err != nil:
		outcome = "error"
	case ans.Answered:
		outcome = "answered"
	}
	x.m.questions.WithLabelValues(platform, outcome).Inc()
	return ans, err
}
