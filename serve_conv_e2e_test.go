package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/handlers/webhook/wechattest"
)

// A conversation through the webhooks, signed and encrypted as WeChat does,
// and through the console: the same dialogue on every surface.
func TestE2EConversation(t *testing.T) {
	e := startE2E(t)
	const follower = "oE2EConversation000000000001"

	// Official Account: a question, follow-ups on the same matter, a
	// courtesy, feedback.
	guide, _ := sampleDisclosure(t, "ben-003")
	if r := e.oaSay(follower, "低保怎么申请"); !strings.Contains(r, guide) {
		t.Fatalf("first answer:\n%s", r)
	}
	if r := e.oaSay(follower, "那要带什么材料"); !strings.Contains(r, guide) || !strings.Contains(r, "户口簿") {
		t.Errorf("follow-up on the materials:\n%s", r)
	}
	if r := e.oaSay(follower, "谢谢"); !strings.Contains(r, "不客气") || strings.Contains(r, "【") {
		t.Errorf("thanks: %q", r)
	}
	if r := e.oaSay(follower, "有用"); !strings.Contains(r, "感谢您的反馈") {
		t.Errorf("feedback: %q", r)
	}
	// 全文, retried by WeChat (same MsgId): the same page, and the next
	// 全文 goes on rather than skipping a page.
	ts := e.clk.Now()
	inner := wechattest.MessageXML(e.oa.Account, follower, "text", ts, 7100000000000009001, "Content", "全文")
	p1, err := e.oa.DecodeReply(e.do(e.oa.SignedRequest(inner, ts)))
	if err != nil || !strings.Contains(p1, guide) {
		t.Fatalf("全文 (%v):\n%s", err, p1)
	}
	if again, err := e.oa.DecodeReply(e.do(e.oa.SignedRequest(inner, ts))); err != nil || again != p1 {
		t.Errorf("retried 全文 differs (%v)", err)
	}
	eventually(func() bool {
		recs, _ := e.d.queries.List(time.Time{}, time.Time{}, 0)
		for _, r := range recs {
			if r.Feedback == "useful" && r.Answer == "ben-003" {
				return true
			}
		}
		return false
	})

	// WeCom: numbered choices, and a bare number picks one.
	list := e.workSay("zhangsan", "长者食堂在哪里")
	if !strings.Contains(list, "2. ") || !strings.Contains(list, "回复数字查看") {
		t.Fatalf("no numbered choices:\n%s", list)
	}
	second := strings.SplitN(strings.SplitN(list, "2. ", 2)[1], "\n", 2)[0]
	if r := e.workSay("zhangsan", "2"); !strings.HasPrefix(r, "【"+second+"】") {
		t.Errorf("2 did not pick %q:\n%s", second, r)
	}
	// The same words from someone else pick nothing.
	if r := e.workSay("lisi", "2"); strings.Contains(r, "【") {
		t.Errorf("another member's 2:\n%s", r)
	}

	// Console: the questions of one tab are one conversation.
	ask := func(q, user string) map[string]any {
		code, body := e.call("POST", "/console/ask", "", map[string]any{"q": q, "user": user})
		var out map[string]any
		if code != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("console %q: %d %s", q, code, body)
		}
		return out
	}
	first := ask("长者食堂在哪里", "tab-1")
	choices, _ := first["choices"].([]any)
	if len(choices) < 2 {
		t.Fatalf("console choices: %v", first)
	}
	picked := ask("2", "tab-1")
	hits, _ := picked["hits"].([]any)
	if picked["kind"] != "pick" || len(hits) == 0 || hits[0].(map[string]any)["id"] != choices[1] {
		t.Errorf("console 2: %v, want %v", picked, choices[1])
	}
}
