package admin

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/yingpu/govbot/notice"
)

var noticeIDRE = regexp.MustCompile(`^/admin/notices/(\d+)\?done=`)

func TestNoticeWorkflowInForms(t *testing.T) {
	e := newEnv(t)
	staff := e.browser()
	staff.signIn("staff")

	page := staff.get("/admin/notices/new")
	for _, want := range []string{"撰写通知", "防汛", "现可送达 4 个对象", "订阅的公众号粉丝 3 人", "企业微信群机器人 1 个", "提交前检查"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("compose page lacks %q", want)
		}
	}

	// The checks, as the page's script asks for them.
	r := staff.do("POST", "/admin/notices/check", url.Values{"title": {"汛期提醒"}, "body": {"联系人手机 13812345678"}, "audience": {"防汛"}},
		"X-CSRF-Token", staff.csrf, "Accept", "application/json")
	if r.status != 200 || !strings.Contains(r.body, `"masked":"138****5678"`) || !strings.Contains(r.body, `"channel":"robot"`) ||
		strings.Contains(r.body, "13812345678") {
		t.Errorf("check: %d %s", r.status, r.body)
	}

	// A refused submission shows the form again with the reason.
	r = staff.post("/admin/notices", url.Values{"title": {"汛期提醒"}, "body": {"联系人手机 13812345678"}, "audience": {"防汛"}, "do": {"submit"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="problem"`) || !strings.Contains(r.body, "个人信息") {
		t.Fatalf("privacy refusal: %d", r.status)
	}

	r = staff.post("/admin/notices", url.Values{"title": {"汛期提醒"}, "body": {"今晚有暴雨，请关好门窗。"}, "audience": {"防汛"}, "urgent": {"on"}, "do": {"submit"}})
	m := noticeIDRE.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create and submit: %d %q", r.status, r.header.Get("Location"))
	}
	id := m[1]
	page = staff.get("/admin/notices/" + id + "?done=submit")
	for _, want := range []string{"待审核", "已提交审核", "紧急", "尚未审核"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("notice page after submit lacks %q", want)
		}
	}
	if strings.Contains(page.body, `id="do-approve"`) {
		t.Error("the author is offered approval")
	}

	// An author who is also a reviewer is told why they cannot approve.
	adminB := e.browser()
	adminB.signIn("admin")
	r = adminB.post("/admin/notices", url.Values{"title": {"管理员的通知"}, "body": {"正文"}, "audience": {"就业"}, "do": {"submit"}})
	own := noticeIDRE.FindStringSubmatch(r.header.Get("Location"))[1]
	page = adminB.get("/admin/notices/" + own)
	if !strings.Contains(page.body, `id="no-review"`) || !strings.Contains(page.body, "不能批准或退回自己的通知") {
		t.Error("the page does not say why one cannot approve one's own notice")
	}
	r = adminB.post("/admin/notices/"+own+"/approve", nil)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "不能批准自己撰写的通知") {
		t.Errorf("self-approval: %d", r.status)
	}

	rev := e.browser()
	rev.signIn("reviewer")
	queue := rev.get("/admin/review")
	if !strings.Contains(queue.body, "汛期提醒") || !strings.Contains(queue.body, "管理员的通知") {
		t.Error("review queue lacks the submitted notices")
	}
	// Reject needs a reason.
	r = rev.post("/admin/notices/"+own+"/reject", nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "退回理由") {
		t.Errorf("reject without reason: %d", r.status)
	}
	if r = rev.post("/admin/notices/"+own+"/reject", url.Values{"reason": {"请补充时间地点"}}); r.status != http.StatusSeeOther {
		t.Errorf("reject: %d", r.status)
	}
	if r = rev.post("/admin/notices/"+id+"/approve", url.Values{"reason": {"同意"}}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	n, _ := e.svc.Get(id)
	if n.Status != notice.StatusSending || n.Reviewer != "reviewer" {
		t.Fatalf("after approval: %s by %q", n.Status, n.Reviewer)
	}
	page = rev.get("/admin/notices/" + id)
	for _, want := range []string{"发送中", "reviewer", "共 <b data-f=\"total\">4</b> 个对象", "机器人 webhook 地址无效", "abcd…wxyz", "93000"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page.body, robotKey) {
		t.Error("the robot key is shown in full")
	}
	rep := rev.do("GET", "/admin/notices/"+id+"/report", nil, "Accept", "application/json")
	if !strings.Contains(rep.body, `"status":"sending"`) || !strings.Contains(rep.body, `"sent":3`) {
		t.Errorf("report JSON: %s", rep.body)
	}

	list := staff.get("/admin/notices")
	for _, want := range []string{"汛期提醒", "发送中", "3/4 已送达", "1 失败", "已退回"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	// Every step is in the audit log with its actor.
	for action, actor := range map[string]string{"notice.create": "staff", "notice.submit": "staff", "notice.approve": "reviewer", "notice.reject": "reviewer"} {
		recs := e.records(action)
		found := false
		for _, rec := range recs {
			found = found || rec.Actor == actor
		}
		if !found {
			t.Errorf("no %s by %s in the audit log", action, actor)
		}
	}
}

func TestAuditPageAndCSV(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn("admin")
	page := b.get("/admin/audit?actor=admin")
	if !strings.Contains(page.body, "记录链校验通过") || !strings.Contains(page.body, "console.signin") {
		t.Errorf("audit page: %s", page.body)
	}
	csv := b.get("/admin/audit.csv?action=console.signin")
	if csv.status != 200 || !strings.HasPrefix(csv.body, "\ufeff序号,时间,操作人") || !strings.Contains(csv.body, "console.signin") ||
		!strings.Contains(csv.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV: %d %q", csv.status, csv.body)
	}
	if r := b.get("/admin/audit?from=2026-13-01"); r.status != http.StatusBadRequest {
		t.Errorf("bad date: %d", r.status)
	}
	if len(e.records("audit.export")) != 1 {
		t.Error("export not audited")
	}
	if got := csvSafe("=HYPERLINK(1)"); got != "'=HYPERLINK(1)" {
		t.Errorf("csvSafe = %q", got)
	}
}

func TestPeoplePagesMaskSecrets(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn("admin")
	users := b.get("/admin/users")
	if strings.Contains(users.body, "admin-token-0123456789abcdef") || !strings.Contains(users.body, "****cdef") ||
		strings.Contains(users.body, testHash) || !strings.Contains(users.body, "未设置密码") {
		t.Errorf("users page shows secrets or lacks masks")
	}
	aud := b.get("/admin/audiences")
	if strings.Contains(aud.body, robotKey) || !strings.Contains(aud.body, "****wxyz") || !strings.Contains(aud.body, "现有 3 人") {
		t.Errorf("audiences page: %s", aud.body)
	}
}

// TestEditRejectedAndResubmit: the author edits a rejected notice in the
// form (the reason shown on its page) and submits it again; others cannot.
func TestEditRejectedAndResubmit(t *testing.T) {
	e := newEnv(t)
	staff := e.browser()
	staff.signIn("staff")
	r := staff.post("/admin/notices", url.Values{"title": {"停水通知"}, "body": {"明天停水。"}, "audience": {"就业"}, "do": {"submit"}})
	id := noticeIDRE.FindStringSubmatch(r.header.Get("Location"))[1]
	rev := e.browser()
	rev.signIn("reviewer")
	rev.post("/admin/notices/"+id+"/reject", url.Values{"reason": {"请写明停水时段"}})

	page := staff.get("/admin/notices/" + id)
	if !strings.Contains(page.body, "已退回") || !strings.Contains(page.body, "reviewer 退回了这条通知：请写明停水时段") || !strings.Contains(page.body, "/edit") {
		t.Fatalf("rejected notice page lacks the reason or the edit link")
	}
	form := staff.get("/admin/notices/" + id + "/edit")
	if form.status != 200 || !strings.Contains(form.body, "修改通知 "+id) || !strings.Contains(form.body, "明天停水。") {
		t.Fatalf("edit form: %d", form.status)
	}
	if r := rev.get("/admin/notices/" + id + "/edit"); r.status != http.StatusForbidden || !strings.Contains(r.body, "只有作者") {
		t.Errorf("reviewer editing: %d", r.status)
	}
	r = staff.post("/admin/notices/"+id, url.Values{"title": {"停水通知"}, "body": {"明天 9:00-15:00 停水。"}, "audience": {"就业"}, "do": {"submit"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit and resubmit: %d %s", r.status, r.body)
	}
	n, _ := e.svc.Get(id)
	if n.Status != notice.StatusSubmitted || n.Body != "明天 9:00-15:00 停水。" {
		t.Errorf("after resubmit: %s %q", n.Status, n.Body)
	}
}
