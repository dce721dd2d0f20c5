package main

import (
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/push/pushtest"
)

// TestE2ELogsNameNoOne runs a server through deliveries that fail on every
// channel (a follower who unfollowed, a robot key WeCom no longer knows, a
// WeCom tag that is gone, transient errors retried) and through messages
// from residents and WeCom members, then reads every log line, at every
// level: no openid, WeCom userid, robot key or menu key appears in full.
func TestE2ELogsNameNoOne(t *testing.T) {
	e := startE2E(t)
	const (
		fine     = "oE2ERedactFine00000000000001"
		gone     = "oE2ERedactGone00000000000002"
		member   = "zhangsan.e2e"
		menuKey  = "UNKNOWN_MENU_KEY_0042"
		question = "低保标准"
	)
	for _, f := range []string{fine, gone} {
		e.oaFollow(f)
		e.oaSay(f, "订阅 防汛")
		e.oaSay(f, question)
	}
	e.workSay(member, question)
	e.workSay(member, "订阅 防汛")
	e.do(e.oa.MessageRequest(fine, "event", e.clk.Now(), "Event", "CLICK", "EventKey", menuKey))

	// Last-message times are written in the background: wait, so that
	// both followers are within the customer-service window.
	if !eventually(func() bool {
		_, ok1 := e.d.subscribe.LastSeen(fine)
		_, ok2 := e.d.subscribe.LastSeen(gone)
		return ok1 && ok2
	}) {
		t.Fatal("last-message times never recorded")
	}
	e.api.FailRecipient(gone, 43004)        // not following: permanent
	e.api.FailRecipient(e2eRobotKey, 93000) // invalid webhook URL: permanent
	e.api.InvalidTags(e2eWorkTag)
	e.api.FailNext(pushtest.PathCustomSend, 45009, 2) // rate limited: retried
	n := e.sendNotice(map[string]any{"title": "防汛预警", "body": "今晚有暴雨。", "audiences": []string{"防汛"}})
	n = e.waitNotice(n.ID, "done", func(n e2eNotice) bool { return n.Status == "done" && n.Report.Done })
	if n.Report.Failed != 3 || n.Report.Sent != 1 {
		t.Fatalf("report %+v, want 3 failed (follower, robot, tag) and 1 sent", n.Report)
	}
	time.Sleep(50 * time.Millisecond) // let the last log lines land
	e.stop()

	logs := e.logs.String()
	if !strings.Contains(logs, "delivery failed") || !strings.Contains(logs, "level=DEBUG") {
		t.Fatalf("the run logged no failed delivery or no debug line:\n%s", logs)
	}
	for _, id := range []string{fine, gone, member, e2eRobotKey, menuKey} {
		if strings.Contains(logs, id) {
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, id) {
					t.Errorf("log line names %s in full: %s", id, line)
				}
			}
		}
	}
}
