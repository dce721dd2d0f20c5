package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The content pages driven in a real browser: an admin hit-tests a
// question and sees the matched terms; a question nothing answers is
// answered after staff upload a disclosure, a reviewer approves it and the
// admin reindexes from the page; the admin fixes a resident's question
// from the 需求 page in one step (常见问法, reindex, hit test) and rolls
// the index back. Every page is screenshot at desktop and phone width into
// $GOVBOT_SCREENSHOTS (default: a temporary directory, named in the log).
func TestContentInBrowser(t *testing.T) {
	chromium := requireChromium(t)
	e := startBrowserE2E(t)
	const question = "便民修鞋点几点开门"
	// A resident asks what nothing answers yet: the 需求 page will list it.
	if reply := e.oaSay("o-reader-1", question); !strings.Contains(reply, "12345") {
		t.Fatalf("before: the bot answered %q", reply)
	}

	upload := filepath.Join(t.TempDir(), "repairs.jsonl")
	if err := os.WriteFile(upload, []byte(`{"id":"svc-fix-01","title":"盈浦街道便民修鞋点服务时间","category":"service","department":"社区服务办",`+
		`"published":"2024-05-20","effective":"2024-05-20","url":"https://gk.yingpu.example/zwgk/2024/svc-fix-01.html",`+
		`"keywords":["修鞋","修伞","便民服务"],"body":"盈浦街道便民修鞋点设在城中东路158号社区服务站门口，每周二至周日9:00—17:00开门，周一休息，修鞋、修伞、配钥匙。"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	s := newShooter(t, chromium, e.srv.URL, 3*time.Minute)
	hitTest := func(q string) {
		s.t.Helper()
		s.open("/admin/hittest")
		s.do("hit test "+q, chromedp.SendKeys(chromedp.CSS(`#hittest-form input[name=q]`), q),
			chromedp.Click(chromedp.CSS("#hittest-run")), chromedp.WaitVisible(chromedp.CSS("#chat")))
	}

	// The admin hit-tests a question the sample data answers.
	s.signIn("admin")
	hitTest("低保标准是多少")
	s.wantText("hit test", "居民看到的回复", "检索结果", "可信度", "命中的词与位置", "覆盖度", "现行有效")
	terms := s.text("#candidates tbody tr:first-child .terms")
	if !strings.Contains(terms, "低保") || !strings.Contains(terms, "标题") {
		t.Errorf("matched terms of the best candidate: %q, want 低保 in the title", terms)
	}
	s.shot("c01-hittest")
	hitTest(question)
	s.wantText("hit test, not answered", "未作答")
	s.shot("c02-hittest-declined")
	s.signOut()

	// Staff upload a disclosure that answers it: it awaits review.
	s.signIn("staff")
	s.open("/admin/disclosures")
	s.wantText("list", "公开信息", "全部", "已公开", "撰写", "上传文件")
	s.shot("c03-disclosures")
	s.open("/admin/disclosures/upload")
	s.do("choose the file", chromedp.SetUploadFiles(`#upload-file`, []string{upload}, chromedp.NodeVisible))
	s.do("upload", chromedp.Click(chromedp.CSS("#upload-submit")), chromedp.WaitVisible(chromedp.CSS("#upload-result")))
	s.wantText("uploaded", "已保存 1 条", "盈浦街道便民修鞋点服务时间", "待审核")
	s.shot("c04-uploaded")
	s.open("/admin/disclosures/svc-fix-01")
	s.wantText("own disclosure", "待审核", "上传", "staff")
	s.open("/admin/disclosures/new")
	s.shot("c05-disclosure-form")
	// A disclosure written with a mobile number in it is blocked, the
	// number shown masked with its place.
	s.do("write", chromedp.SendKeys(chromedp.CSS(`#disclosure-form input[name=title]`), "社区志愿者招募"),
		chromedp.SendKeys(chromedp.CSS(`#disclosure-form input[name=url]`), "https://gk.yingpu.example/zwgk/2024/vol-01.html"),
		chromedp.SendKeys(chromedp.CSS(`#disclosure-form textarea[name=body]`), "欢迎报名，联系人王老师 13912345678。"),
		chromedp.Click(chromedp.CSS("#save-submit")), chromedp.WaitVisible(chromedp.CSS("#privacy-findings")))
	s.wantText("blocked", "保密审查未通过", "正文第 1 行", "手机号", "139****5678")
	if strings.Contains(s.page(), "13912345678") {
		t.Error("the blocked disclosure's page shows the mobile number")
	}
	s.shot("c05b-privacy-blocked")
	s.signOut()

	// A reviewer approves it.
	s.signIn("reviewer")
	s.open("/admin/disclosures?status=pending")
	s.wantText("pending", "盈浦街道便民修鞋点服务时间")
	s.open("/admin/disclosures/svc-fix-01")
	s.wantText("review", "批准公开", "驳回理由")
	s.shot("c06-review")
	s.do("approve", chromedp.SendKeys(chromedp.CSS(`form[action$="/approve"] input[name=note]`), "同意公开"),
		chromedp.Click(chromedp.CSS("#approve")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if st := s.text("#d-status"); st != "已公开" {
		t.Errorf("after approval the status is %q", st)
	}
	s.wantText("approved", "已批准公开", "reviewer 于 2024-06-03 批准")
	s.shot("c07-approved")
	s.signOut()

	// The admin reindexes from the page and watches it finish.
	s.signIn("admin")
	s.open("/admin/reindex")
	s.do("reindex", chromedp.Click(chromedp.CSS("#reindex-start")), chromedp.WaitVisible(chromedp.CSS("#job")))
	waitFor(t, s, "#job-state", "完成")
	s.wantText("reindexed", "完成：已索引", "新版本", "上一版本")
	s.shot("c08-reindexed")
	hitTest(question)
	s.wantText("answered now", "已作答", "盈浦街道便民修鞋点服务时间")
	if chat := s.text("#chat"); !strings.Contains(chat, "9:00") {
		t.Errorf("the reply a resident sees does not hold the hours: %q", chat)
	}
	s.shot("c09-hittest-answered")

	// The 需求 page lists the resident's question; one step makes it a
	// 常见问法 of the disclosure, reindexes and reruns it.
	s.open("/admin/demand")
	s.wantText("demand", "未能回答的问题", question, "按周", "按类别", "每条公开信息的命中次数")
	s.shot("c10-demand")
	row := `//table[contains(@class,"qtable")]//tr[.//a[contains(.,"` + question + `")]]`
	s.do("mark as 常见问法",
		chromedp.SetValue(chromedp.Search(row+`//form[contains(@action,"/demand/ask")]//input[@name="id"]`), "svc-fix-01"),
		chromedp.Click(chromedp.Search(row+`//button[contains(@class,"mark-ask")]`)),
		chromedp.WaitVisible(chromedp.CSS("#after-job")))
	waitFor(t, s, "#after-job", "索引已重建")
	s.wantText("after the fix", "已作答", "盈浦街道便民修鞋点服务时间")
	s.shot("c11-fixed")
	s.open("/admin/disclosures/svc-fix-01")
	s.wantText("ask kept", "常见问法", question, "添加常见问法")

	// The lexicon page.
	s.open("/admin/lexicon?file=synonyms.txt")
	s.wantText("lexicon", "同义词", "第 0 版", "保存并重建索引")
	s.shot("c12-lexicon")

	// Roll back to the previous generation in one step.
	s.open("/admin/reindex")
	before := s.text("#gen-previous")
	s.do("rollback", chromedp.Click(chromedp.CSS("#rollback")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	s.wantText("rolled back", "已回退到上一版索引", "回退")
	if cur := s.text("#gen-current"); !strings.Contains(cur, strings.Fields(before)[0]) {
		t.Errorf("after rollback the current generation is %q, want the previous %q", cur, before)
	}
	s.shot("c13-rolled-back")
	s.signOut()
}
