package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/index"
)

// fakeConversation replies "答：<q>" and records every message.
type fakeConversation struct{ got []bot.Input }

func (f *fakeConversation) Reply(ctx context.Context, in bot.Input) (bot.Turn, error) {
	f.got = append(f.got, in)
	return bot.Turn{Kind: bot.TurnAnswer, Answered: true, Text: "答：" + in.Text, Choices: []string{"ben-002"},
		Hits: []index.Hit{{ID: "ben-002", Title: "低保标准"}}}, nil
}

func TestConsole(t *testing.T) {
	fa := &fakeConversation{}
	h := New(fa)
	cases := []struct {
		name, method, body string
		status             int
		want               string
	}{
		{"page", "GET", "", 200, "政务公开问答试用"},
		{"ask", "POST", `{"q":"低保标准"}`, 200, `"answered":true`},
		{"ask's reply", "POST", `{"q":"低保标准"}`, 200, `"text":"答：低保标准"`},
		{"ask with location", "POST", `{"q":"附近的长者食堂","lat":31.15,"lon":121.11}`, 200, `"ben-002"`},
		{"not json", "POST", `低保`, 400, "JSON"},
		{"unknown field", "POST", `{"question":"x"}`, 400, "JSON"},
		{"empty", "POST", `{"q":"  "}`, 400, "请输入"},
		{"lat out of range", "POST", `{"q":"x","lat":91,"lon":0}`, 400, "经纬度"},
		{"choices", "POST", `{"q":"低保标准","user":"tab-1"}`, 200, `"choices":["ben-002"]`},
		{"conversation name too long", "POST", `{"q":"x","user":"` + strings.Repeat("x", 65) + `"}`, 400, "会话"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := "/"
			if c.method == "POST" {
				path = "/ask"
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, path, strings.NewReader(c.body)))
			if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
				t.Fatalf("%s %s: got %d %s, want %d containing %q", c.method, path, rec.Code, rec.Body, c.status, c.want)
			}
		})
	}
	if len(fa.got) != 4 || fa.got[2].Geo == nil || fa.got[2].Geo.Lat != 31.15 {
		t.Fatalf("conversation got %+v", fa.got)
	}
	// Questions without a conversation name stand alone; with one, they
	// are one conversation.
	if fa.got[0].User == fa.got[1].User || fa.got[3].User != "console|tab-1" {
		t.Errorf("conversations %q %q %q", fa.got[0].User, fa.got[1].User, fa.got[3].User)
	}
	var out struct {
		Q        string `json:"q"`
		Answered bool   `json:"answered"`
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/ask", strings.NewReader(`{"q":"低保"}`)))
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Q != "低保" || !out.Answered {
		t.Fatalf("response %s: %v", rec.Body, err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/ask", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE /ask: %d", rec.Code)
	}
}
