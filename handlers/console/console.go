// Package console serves a page where staff and developers try govbot as a
// resident would: type a question (optionally with a location) and see the
// reply, the ranked disclosures and the confidence. It answers from the
// published index only, so it exposes nothing that is not public already.
package console

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

//go:embed page.html
var page []byte

// Answerer answers a question.
type Answerer interface {
	Ask(ctx context.Context, q index.Query) (index.Answer, error)
}

// Renderer words an answer as a resident reads it; *bot.Renderer
// implements it.
type Renderer interface {
	AnswerText(a index.Answer) string
}

// AskRequest is the body of POST /ask.
type AskRequest struct {
	Q   string   `json:"q"`
	Lat *float64 `json:"lat,omitempty"`
	Lon *float64 `json:"lon,omitempty"`
	// Now, when set (YYYY-MM-DD), answers as of midday of that day
	// (Asia/Shanghai) instead of today.
	Now string `json:"now,omitempty"`
}

// maxQuestionBytes bounds a question (WeChat text messages are shorter).
const maxQuestionBytes = 2048

// New returns the console: GET / (the page) and POST /ask (JSON
// {"q", "lat", "lon", "now"} → the answer as `govbot ask --json` prints it).
func New(a Answerer, words Renderer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) {
		var req AskRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "请求格式有误：需要 JSON {\"q\": \"问题\"}")
			return
		}
		req.Q = strings.TrimSpace(req.Q)
		if len(req.Q) > maxQuestionBytes {
			writeError(w, http.StatusBadRequest, "问题太长")
			return
		}
		q := index.Query{Text: req.Q}
		if req.Lat != nil && req.Lon != nil {
			if *req.Lat < -90 || *req.Lat > 90 || *req.Lon < -180 || *req.Lon > 180 {
				writeError(w, http.StatusBadRequest, "经纬度超出范围")
				return
			}
			q.Geo = &index.Point{Lat: *req.Lat, Lon: *req.Lon}
		}
		if req.Now != "" {
			day, err := clock.ParseDate(req.Now)
			if err != nil {
				writeError(w, http.StatusBadRequest, "日期格式应为 YYYY-MM-DD")
				return
			}
			q.Now = day.Add(12 * time.Hour)
		}
		if q.Text == "" && q.Geo == nil {
			writeError(w, http.StatusBadRequest, "请输入问题或位置")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 4*time.Second)
		defer cancel()
		ans, err := a.Ask(ctx, q)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "检索出错，请稍后再试")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Q    string `json:"q"`
			Text string `json:"text"`
			index.Answer
		}{req.Q, words.AnswerText(ans), ans})
	})
	return mux
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
