package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/config"
)

const e2eMetricsToken = "metrics-token-0123456789"

func TestHealthReadyAndMetrics(t *testing.T) {
	e := startE2EOn(t, "", func(cfg *config.Config) { cfg.Metrics.Token = e2eMetricsToken })

	for _, path := range []string{"/healthz", "/readyz"} {
		resp := e.do(mustRequest(t, "GET", e.srv.URL+path))
		var v struct {
			Status     string            `json:"status"`
			Generation string            `json:"generation"`
			Documents  int               `json:"documents"`
			Checks     map[string]string `json:"checks"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 ||
			!strings.HasPrefix(v.Generation, "gen-") || v.Documents < 100 {
			t.Errorf("%s: %d %+v %v", path, resp.StatusCode, v, err)
		}
		if path == "/readyz" && (v.Status != "ready" || v.Checks["database"] != "ok" || v.Checks["index"] != "ok") {
			t.Errorf("readyz: %+v", v)
		}
	}

	// A question on each platform, then the metrics.
	e.oaSay("o-metrics-1", "低保标准是多少")
	e.oaSay("o-metrics-1", "火星移民怎么申请")
	e.workSay("zhangsan", "长者食堂在哪里")

	if resp := e.do(mustRequest(t, "GET", e.srv.URL+"/metrics")); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("metrics without the token: %d, want 401", resp.StatusCode)
	}
	req := mustRequest(t, "GET", e.srv.URL+"/metrics")
	req.Header.Set("Authorization", "Bearer "+e2eMetricsToken)
	resp := e.do(req)
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`govbot_questions_total{outcome="answered",platform="oa"} 1`,
		`govbot_questions_total{outcome="declined",platform="oa"} 1`,
		`govbot_questions_total{outcome="answered",platform="work"} 1`,
		`govbot_answer_seconds_count{platform="oa"} 2`,
		`govbot_webhook_requests_total{platform="oa",status="200"}`,
		`govbot_outbox_queue_depth{channel="robot"} 0`,
		`govbot_index_documents `,
		`govbot_build_info{version=`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestReindexIsAJob: POST /api/reindex answers at once with a job, whose
// progress GET /api/reindex/{id} tells until it is done; the outcome is in
// the audit log.
func TestReindexIsAJob(t *testing.T) {
	e := startE2E(t)
	status, body := e.call("POST", "/api/reindex", e2eAdminToken, nil)
	var job struct {
		ID       uint64 `json:"id"`
		State    string `json:"state"`
		Running  bool   `json:"running"`
		Location string `json:"location"`
		Indexed  int    `json:"indexed"`
	}
	if err := json.Unmarshal(body, &job); err != nil || status != http.StatusAccepted || job.ID == 0 || job.Location == "" {
		t.Fatalf("POST /api/reindex: %d %s", status, body)
	}
	deadline := time.Now().Add(time.Minute)
	for job.State == "running" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		status, body = e.call("GET", job.Location, e2eAdminToken, nil)
		if err := json.Unmarshal(body, &job); err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", job.Location, status, body)
		}
	}
	if job.State != "done" || job.Running || job.Indexed < 100 {
		t.Fatalf("job: %s", body)
	}
	var recs struct {
		Records []struct {
			Actor, Action, Result string
		} `json:"records"`
	}
	deadline = time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, b := e.call("GET", "/api/audit?action=index.reindex.done", e2eAdminToken, nil)
		json.Unmarshal(b, &recs)
		if len(recs.Records) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(recs.Records) != 1 || recs.Records[0].Actor != "admin" || recs.Records[0].Result != "ok" {
		t.Errorf("audit of the outcome: %+v", recs)
	}
}
