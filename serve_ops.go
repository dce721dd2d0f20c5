package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketHealth holds the time of the last readiness probe: /readyz writes
// it to prove the database takes writes.
var bucketHealth = []byte("ops/health")

// healthz answers 200 while the process serves (liveness), with the live
// index generation and its number of disclosures.
func (d *serveDeps) healthz(w http.ResponseWriter, r *http.Request) {
	writeHealth(w, http.StatusOK, map[string]any{
		"status": "ok", "version": buildVersion(),
		"generation": d.index.Generation(), "documents": d.index.Count(),
	})
}

// readyz answers 200 when govbot can serve: an index generation is open
// and holds disclosures, and the database takes a write; 503 with the
// failing checks otherwise.
func (d *serveDeps) readyz(w http.ResponseWriter, r *http.Request) {
	checks := map[string]string{}
	ok := true
	gen, docs := d.index.Generation(), d.index.Count()
	switch {
	case gen == "":
		checks["index"], ok = "no generation open", false
	case docs == 0:
		checks["index"], ok = "the live generation holds no disclosures", false
	default:
		checks["index"] = "ok"
	}
	if err := d.probeDB(); err != nil {
		checks["database"], ok = "not writable: "+err.Error(), false
	} else {
		checks["database"] = "ok"
	}
	status, code := "ready", http.StatusOK
	if !ok {
		status, code = "not ready", http.StatusServiceUnavailable
	}
	writeHealth(w, code, map[string]any{"status": status, "generation": gen, "documents": docs, "checks": checks})
}

// probeDB writes the probe time, within a second.
func (d *serveDeps) probeDB() error {
	done := make(chan error, 1)
	go func() {
		done <- d.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketHealth)
			if err != nil {
				return err
			}
			return b.Put([]byte("ready"), []byte(d.clock.Now().UTC().Format(time.RFC3339Nano)))
		})
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		return errors.New("a write took more than 1s")
	}
}

func writeHealth(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// mountMetrics puts /metrics on the main address when it has a token and
// no address of its own.
func (d *serveDeps) mountMetrics(mux *http.ServeMux) {
	m := d.cfg.Metrics
	switch {
	case m.Listen != "":
		// startMetricsServer serves it.
	case m.Token != "":
		mux.Handle("GET /metrics", d.metrics.Handler(m.Token))
		d.logger.Info("metrics on", "path", "/metrics", "auth", "bearer token")
	default:
		d.logger.Info("metrics off: set metrics.listen or metrics.token")
	}
}

// startMetricsServer serves /metrics on metrics.listen, if set, until
// stop is called.
func startMetricsServer(ctx context.Context, d *serveDeps) (stop func(), err error) {
	m := d.cfg.Metrics
	if m.Listen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", m.Listen)
	if err != nil {
		return nil, fmt.Errorf("serve: metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", d.metrics.Handler(m.Token))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: serveReadHeaderTimeout, WriteTimeout: serveWriteTimeout,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	d.logger.Info("metrics on", "addr", ln.Addr().String(), "path", "/metrics")
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serveShutdownTimeout)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}
