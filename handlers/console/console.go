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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

//go:embed page.html
var page []byte

// Conversation answers a message in the light of the conversation it is
// part of; *bot.Dialogue implements it, so the page behaves exactly as the
// Official Account and WeCom do (numbers, follow-ups, 全文, 不是这个…).
type Conversation interface {
	Reply(ctx context.Context, in bot.Input) (bot.Turn, error)
}

// AskRequest is the body of POST /ask.
type AskRequest struct {
	Q   string   `json:"q"`
	Lat *float64 `json:"lat,omitempty"`
	Lon *float64 `json:"lon,omitempty"`
	// User names the conversation (the page keeps one per tab); without
	// it each question stands alone.
	User string `json:"user,omitempty"`
	// Now, when set (YYYY-MM-DD), answers as of midday of that day
	// (Asia/Shanghai) instead of today.
	Now string `json:"now,omitempty"`
}

// maxUserBytes bounds a conversation name.
const maxUserBytes = 64

// maxQuestionBytes bounds a question (WeChat text messages are shorter).
const maxQuestionBytes = 2048

// New returns the console: GET / (the page) and POST /ask (JSON
// {"q", "lat", "lon", "user", "now"} → the reply as `govbot ask --json`
// prints it, with how the message was understood as "kind").
func New(c Conversation) http.Handler {
	var seq atomic.Uint64 // names the conversation of a question asked alone
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
		if len(req.User) > maxUserBytes {
			writeError(w, http.StatusBadRequest, "会话标识太长")
			return
		}
		q := bot.Input{Text: req.Q, User: "console|" + req.User}
		if req.User == "" {
			q.User = "console|alone|" + strconv.FormatUint(seq.Add(1), 10)
		}
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
		t, err := c.Reply(ctx, q)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "检索出错，请稍后再试")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Q string `json:"q"`
			bot.Turn
		}{req.Q, t})
	})
	return mux
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
