package notice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/outbox"
)

var ctx = context.Background()

func actions(n Notice) []string {
	var out []string
	for _, h := range n.History {
		out = append(out, h.Action+":"+h.By)
	}
	return out
}

func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	n := mustCreate(t, e, staff, draft("防汛"))
	if n.ID != "1" || n.Status != StatusDraft || n.Author != "wang" {
		t.Fatalf("created %+v", n)
	}
	e.clock.Advance(time.Minute)
	if n, _ = e.svc.Submit(staff, n.ID); n.Status != StatusSubmitted {
		t.Fatalf("submit: %s", n.Status)
	}
	e.clock.Advance(time.Minute)
	n, err := e.svc.Approve(ctx, reviewer, n.ID, "同意")
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != StatusSending || n.Reviewer != "chen" || n.Recipients != 5 || !n.SentAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("approve: %+v", n)
	}
	jobs := e.out.Jobs()
	if len(jobs) != 1 || jobs[0].NoticeID != "1" || jobs[0].Title != "防汛预警" || jobs[0].Urgent {
		t.Fatalf("jobs %+v", jobs)
	}
	r, err := e.svc.Report(n.ID)
	if err != nil || r.Total != 5 || r.Pending != 5 {
		t.Fatalf("report %+v %v", r, err)
	}
	e.svc.MarkDone(n.ID)
	e.svc.MarkDone(n.ID) // idempotent
	n, _ = e.svc.Get(n.ID)
	if n.Status != StatusDone {
		t.Fatalf("after done: %s", n.Status)
	}
	want := []string{"create:wang", "submit:wang", "approve:chen", "send:system", "done:system"}
	if !slices.Equal(actions(n), want) {
		t.Errorf("history %v, want %v", actions(n), want)
	}
	if n.History[2].Note != "同意" {
		t.Errorf("approval note %q", n.History[2].Note)
	}
	recs, _ := e.audit.List(audit.Filter{})
	var got []string
	for _, r := range recs {
		got = append(got, r.Actor+":"+r.Action)
	}
	if !slices.Equal(got, []string{"system:notice.done", "system:notice.send"}) {
		t.Errorf("system audit records %v", got)
	}
	if len(e.published()) != 0 {
		t.Errorf("targeted notice was published: %v", e.published())
	}
}

func TestTransitions(t *testing.T) {
	type act struct {
		name string
		do   func(e *env, id string) (Notice, error)
	}
	acts := []act{
		{"update", func(e *env, id string) (Notice, error) {
			title := "新标题"
			return e.svc.Update(staff, id, Patch{Title: &title})
		}},
		{"submit", func(e *env, id string) (Notice, error) { return e.svc.Submit(staff, id) }},
		{"approve", func(e *env, id string) (Notice, error) { return e.svc.Approve(ctx, reviewer, id, "") }},
		{"reject", func(e *env, id string) (Notice, error) { return e.svc.Reject(reviewer, id, "请补充时间") }},
		{"cancel", func(e *env, id string) (Notice, error) { return e.svc.Cancel(staff, id, "") }},
	}
	// allowed[status][action] = resulting status; absent = refused.
	allowed := map[Status]map[string]Status{
		StatusDraft:     {"update": StatusDraft, "submit": StatusSubmitted, "cancel": StatusCancelled},
		StatusSubmitted: {"approve": StatusSending, "reject": StatusRejected, "cancel": StatusCancelled},
		StatusApproved:  {"cancel": StatusCancelled},
		StatusRejected:  {"update": StatusDraft, "submit": StatusSubmitted, "cancel": StatusCancelled},
		StatusSending:   {},
		StatusDone:      {},
		StatusCancelled: {},
	}
	for _, st := range Statuses {
		for _, a := range acts {
			t.Run(string(st)+"/"+a.name, func(t *testing.T) {
				e := newEnv(t)
				n := inStatus(t, e, st)
				before := e.dump(t)
				jobs := len(e.out.Jobs())
				got, err := a.do(e, n.ID)
				want, ok := allowed[st][a.name]
				if !ok {
					if CodeOf(err) != CodeStatus {
						t.Fatalf("got %v (%v), want a status error", err, got.Status)
					}
					if e.dump(t) != before || len(e.out.Jobs()) != jobs {
						t.Fatal("refused action changed the store")
					}
					return
				}
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Status != want {
					t.Fatalf("status %s, want %s", got.Status, want)
				}
				stored, _ := e.svc.Get(n.ID)
				if stored.Status != want {
					t.Fatalf("stored status %s, want %s", stored.Status, want)
				}
			})
		}
	}
}

func TestPermissions(t *testing.T) {
	cases := []struct {
		name string
		from Status
		do   func(e *env, id string) (Notice, error)
		want Code
	}{
		{"staff cannot approve", StatusSubmitted, func(e *env, id string) (Notice, error) { return e.svc.Approve(ctx, staff2, id, "") }, CodeForbidden},
		{"staff cannot reject", StatusSubmitted, func(e *env, id string) (Notice, error) { return e.svc.Reject(staff2, id, "不行") }, CodeForbidden},
		{"author cannot approve own even as reviewer", StatusSubmitted, func(e *env, id string) (Notice, error) {
			return e.svc.Approve(ctx, Actor{Name: "wang", Roles: []string{"staff", "reviewer", "admin"}}, id, "")
		}, CodeSelfReview},
		{"author cannot reject own", StatusSubmitted, func(e *env, id string) (Notice, error) {
			return e.svc.Reject(Actor{Name: "wang", Roles: []string{"reviewer"}}, id, "x")
		}, CodeSelfReview},
		{"other staff cannot cancel", StatusDraft, func(e *env, id string) (Notice, error) { return e.svc.Cancel(staff2, id, "") }, CodeForbidden},
		{"other staff cannot edit", StatusDraft, func(e *env, id string) (Notice, error) {
			b := "改"
			return e.svc.Update(staff2, id, Patch{Body: &b})
		}, CodeNotAuthor},
		{"reviewer cannot edit others'", StatusRejected, func(e *env, id string) (Notice, error) {
			b := "改"
			return e.svc.Update(reviewer, id, Patch{Body: &b})
		}, CodeNotAuthor},
		{"other staff cannot submit", StatusDraft, func(e *env, id string) (Notice, error) { return e.svc.Submit(staff2, id) }, CodeNotAuthor},
		{"reject needs a reason", StatusSubmitted, func(e *env, id string) (Notice, error) { return e.svc.Reject(reviewer, id, "  ") }, CodeReasonRequired},
		{"unknown notice", StatusDraft, func(e *env, id string) (Notice, error) { return e.svc.Submit(staff, "99") }, CodeNotFound},
		{"malformed id", StatusDraft, func(e *env, id string) (Notice, error) { return e.svc.Submit(staff, "01") }, CodeNotFound},
		{"no role cannot create", StatusDraft, func(e *env, id string) (Notice, error) {
			return e.svc.Create(Actor{Name: "x"}, draft("防汛"))
		}, CodeForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			n := inStatus(t, e, tc.from)
			before := e.dump(t)
			_, err := tc.do(e, n.ID)
			if CodeOf(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if e.dump(t) != before {
				t.Fatal("refused action changed the store")
			}
		})
	}
	// Allowed: a reviewer may author; an admin may cancel anyone's; a
	// reviewer may cancel.
	e := newEnv(t)
	n := mustCreate(t, e, reviewer, draft("防汛"))
	if _, err := e.svc.Submit(reviewer, n.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(ctx, admin, n.ID, ""); err != nil {
		t.Fatalf("admin approving a reviewer's notice: %v", err)
	}
	n = inStatus(t, e, StatusSubmitted)
	if _, err := e.svc.Cancel(admin, n.ID, "重复"); err != nil {
		t.Fatalf("admin cancel: %v", err)
	}
	n = inStatus(t, e, StatusApproved)
	if _, err := e.svc.Cancel(reviewer, n.ID, ""); err != nil {
		t.Fatalf("reviewer cancel: %v", err)
	}
}

func targetStrings(ts []outbox.Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Channel+"/"+t.Kind+"/"+t.ID)
	}
	return out
}

func TestAudienceExactness(t *testing.T) {
	cases := []struct {
		audiences []string
		want      []string
	}{
		{[]string{"防汛"}, []string{"oa/follower/o1", "oa/follower/o2", "robot/robot/r1", "robot/robot/r2", "work_chat/chat/c1"}},
		{[]string{"防汛", "楼组长"}, []string{
			"oa/follower/o1", "oa/follower/o2", "oa/follower/o3", "oa/follower/o4",
			"robot/robot/r1", "robot/robot/r2", "work_app/dept/2", "work_app/tag/3", "work_app/user/u1", "work_chat/chat/c1",
		}},
		{[]string{"楼组长", "防汛", "楼组长"}, []string{
			"oa/follower/o1", "oa/follower/o2", "oa/follower/o3", "oa/follower/o4",
			"robot/robot/r1", "robot/robot/r2", "work_app/dept/2", "work_app/tag/3", "work_app/user/u1", "work_chat/chat/c1",
		}},
		{[]string{"机器人"}, []string{"robot/robot/r4"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.audiences, "+"), func(t *testing.T) {
			e := newEnv(t)
			n := mustCreate(t, e, staff, draft(tc.audiences...))
			e.svc.Submit(staff, n.ID)
			if _, err := e.svc.Approve(ctx, reviewer, n.ID, ""); err != nil {
				t.Fatal(err)
			}
			jobs := e.out.Jobs()
			if len(jobs) != 1 {
				t.Fatalf("%d jobs", len(jobs))
			}
			got := targetStrings(jobs[0].Targets)
			if len(got) != len(slices.Compact(slices.Sorted(slices.Values(got)))) {
				t.Errorf("duplicate targets: %v", got)
			}
			sort.Strings(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("targets\n got %v\nwant %v", got, tc.want)
			}
			for _, s := range got {
				for _, foreign := range []string{"r3", "u9", "o9", "r4", "u5"} {
					if strings.HasSuffix(s, "/"+foreign) && !slices.Contains(tc.want, s) {
						t.Errorf("target %s of an unchosen audience", s)
					}
				}
			}
		})
	}
}

func TestScheduledSend(t *testing.T) {
	e := newEnv(t)
	d := draft("机器人")
	d.SendAt = t0.Add(2 * time.Hour).Format(time.RFC3339)
	d.Urgent = true
	n := mustCreate(t, e, staff, d)
	e.svc.Submit(staff, n.ID)
	n, err := e.svc.Approve(ctx, reviewer, n.ID, "")
	if err != nil || n.Status != StatusApproved {
		t.Fatalf("approve: %v %v", n.Status, err)
	}
	e.svc.Tick(ctx)
	if len(e.out.Jobs()) != 0 {
		t.Fatal("sent before its time")
	}
	e.clock.Advance(2*time.Hour - time.Second)
	e.svc.Tick(ctx)
	if len(e.out.Jobs()) != 0 {
		t.Fatal("sent a second early")
	}
	e.clock.Advance(time.Second)
	e.svc.Tick(ctx)
	jobs := e.out.Jobs()
	if len(jobs) != 1 || !jobs[0].Urgent {
		t.Fatalf("jobs %+v", jobs)
	}
	n, _ = e.svc.Get(n.ID)
	if n.Status != StatusSending || !n.SentAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("after tick: %s at %v", n.Status, n.SentAt)
	}
	e.svc.Tick(ctx)
	if len(e.out.Jobs()) != 1 {
		t.Fatal("sent twice")
	}
}

func TestScheduleCancelled(t *testing.T) {
	e := newEnv(t)
	n := inStatus(t, e, StatusApproved)
	if _, err := e.svc.Cancel(staff, n.ID, "天气好转"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Hour)
	e.svc.Tick(ctx)
	if len(e.out.Jobs()) != 0 {
		t.Fatal("cancelled notice was sent")
	}
}

func TestSendAtPassedDuringReviewSendsAtOnce(t *testing.T) {
	e := newEnv(t)
	d := draft("机器人")
	d.SendAt = t0.Add(time.Hour).Format(time.RFC3339)
	n := mustCreate(t, e, staff, d)
	e.svc.Submit(staff, n.ID)
	e.clock.Advance(2 * time.Hour)
	n, err := e.svc.Approve(ctx, reviewer, n.ID, "")
	if err != nil || n.Status != StatusSending {
		t.Fatalf("approve: %v %v", n.Status, err)
	}
}

func TestPublic(t *testing.T) {
	e := newEnv(t)
	d := draft("机器人")
	d.Public, d.Urgent, d.Expires = true, true, "2024-06-03"
	n := mustCreate(t, e, staff, d)
	e.svc.Submit(staff, n.ID)
	if len(e.published()) != 0 {
		t.Fatal("published before sending")
	}
	e.clock.Advance(time.Hour)
	e.svc.Approve(ctx, reviewer, n.ID, "")
	pub := e.published()
	if len(pub) != 1 {
		t.Fatalf("published %d", len(pub))
	}
	p := pub[0]
	if p.ID != "notice-"+n.ID || p.Title != "防汛预警" || p.Body != d.Body || p.Department != "盈浦街道办事处" ||
		p.Published.String() != "2024-06-01" || p.Expires.String() != "2024-06-03" ||
		p.Review.Status != "approved" || p.Review.Reviewer != "chen" || p.Review.Date.String() != "2024-06-01" {
		t.Errorf("disclosure %+v", p)
	}
	e.svc.Tick(ctx)
	if len(e.published()) != 1 {
		t.Error("published twice")
	}
	n, _ = e.svc.Get(n.ID)
	if !n.Published || !slices.Contains(actions(n), "publish:system") {
		t.Errorf("notice %+v", n)
	}
}

func TestPublicRetry(t *testing.T) {
	e := newEnv(t)
	e.pubErr = errors.New("index closed")
	d := draft("机器人")
	d.Public, d.Expires = true, "2024-06-03"
	n := mustCreate(t, e, staff, d)
	e.svc.Submit(staff, n.ID)
	e.svc.Approve(ctx, reviewer, n.ID, "")
	e.svc.Tick(ctx)
	n, _ = e.svc.Get(n.ID)
	if n.Published || n.Status != StatusSending {
		t.Fatalf("notice %+v", n)
	}
	if c := strings.Count(strings.Join(actions(n), ","), "publish_failed"); c != 1 {
		t.Errorf("publish_failed recorded %d times", c)
	}
	e.mu.Lock()
	e.pubErr = nil
	e.mu.Unlock()
	e.svc.Tick(ctx)
	e.svc.Tick(ctx)
	if len(e.published()) != 1 {
		t.Fatalf("published %d after recovery", len(e.published()))
	}
}

func TestBadInput(t *testing.T) {
	long := func(n int) string { return strings.Repeat("水", n/3) }
	cases := []struct {
		name  string
		edit  func(*Draft)
		code  Code
		wants string
	}{
		{"unknown audience", func(d *Draft) { d.Audiences = []string{"防汛", "天气"} }, CodeUnknownAudience, "天气"},
		{"no audience", func(d *Draft) { d.Audiences = nil }, CodeInvalid, "受众"},
		{"empty title", func(d *Draft) { d.Title = "  " }, CodeInvalid, "标题"},
		{"empty body", func(d *Draft) { d.Body = "" }, CodeInvalid, "正文"},
		{"title with newline", func(d *Draft) { d.Title = "a\nb" }, CodeInvalid, "换行"},
		{"robot text too long", func(d *Draft) { d.Audiences = []string{"机器人"}; d.Body = long(2100) }, CodeTooLong, "2048"},
		{"robot markdown too long", func(d *Draft) {
			d.Audiences = []string{"机器人"}
			d.Markdown = true
			d.Body = long(4100)
		}, CodeTooLong, "4096"},
		{"app markdown too long", func(d *Draft) {
			d.Audiences = []string{"应用"}
			d.Markdown = true
			d.Body = long(3000)
		}, CodeTooLong, "2048"},
		{"oa text too long", func(d *Draft) { d.Audiences = []string{"停水"}; d.Body = long(2100) }, CodeTooLong, "公众号"},
		{"send_at past", func(d *Draft) { d.SendAt = t0.Add(-time.Minute).Format(time.RFC3339) }, CodeInvalid, "已过"},
		{"send_at now", func(d *Draft) { d.SendAt = t0.Format(time.RFC3339) }, CodeInvalid, "已过"},
		{"send_at malformed", func(d *Draft) { d.SendAt = "tomorrow" }, CodeInvalid, "RFC 3339"},
		{"send_at too far", func(d *Draft) { d.SendAt = t0.AddDate(2, 0, 0).Format(time.RFC3339) }, CodeInvalid, "太远"},
		{"public without expires", func(d *Draft) { d.Public = true }, CodeInvalid, "expires"},
		{"expires malformed", func(d *Draft) { d.Expires = "2024-02-30" }, CodeInvalid, "expires"},
		{"expires past", func(d *Draft) { d.Public = true; d.Expires = "2024-05-31" }, CodeInvalid, "早于"},
		{"mobile in body", func(d *Draft) { d.Body = "联系人王先生 13812345678" }, CodePrivacy, "138****5678"},
		{"id card in title", func(d *Draft) { d.Title = "寻找 11010519491231002X 的家属" }, CodePrivacy, "身份证号"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			existing := mustCreate(t, e, staff, draft("防汛"))
			before := e.dump(t)
			d := draft("防汛")
			tc.edit(&d)
			_, err := e.svc.Create(staff, d)
			if CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("create: got %v (%s), want %s containing %q", err, CodeOf(err), tc.code, tc.wants)
			}
			if e.dump(t) != before {
				t.Fatal("refused create changed the store")
			}
			// The same content as a patch of the existing draft.
			p := Patch{Title: &d.Title, Body: &d.Body, Audiences: &d.Audiences, Public: &d.Public,
				Markdown: &d.Markdown, Expires: &d.Expires, SendAt: &d.SendAt}
			_, err = e.svc.Update(staff, existing.ID, p)
			if CodeOf(err) != tc.code {
				t.Fatalf("patch: got %v, want %s", err, tc.code)
			}
			if e.dump(t) != before {
				t.Fatal("refused patch changed the store")
			}
		})
	}
}

func TestLimitsAreOfTheChosenChannels(t *testing.T) {
	e := newEnv(t)
	d := draft("机器人")
	d.Markdown = true
	d.Body = strings.Repeat("水", 1000) // 3000 bytes: over app's 2048, under robot markdown's 4096
	if _, err := e.svc.Create(staff, d); err != nil {
		t.Fatalf("robot markdown of 3000 bytes refused: %v", err)
	}
}

func TestUnavailableChannels(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.ChannelReady = func(ch string) bool { return ch != outbox.ChannelOA }
		o.Tags = nil
	})
	if _, err := e.svc.Create(staff, draft("机器人")); err != nil {
		t.Fatalf("robot audience refused: %v", err)
	}
	_, err := e.svc.Create(staff, draft("防汛"))
	if CodeOf(err) != CodeUnavailable || !strings.Contains(err.Error(), "公众号") {
		t.Fatalf("got %v", err)
	}
	e = newEnv(t, func(o *Options) { o.Tags = nil })
	if _, err := e.svc.Create(staff, draft("楼组长")); CodeOf(err) != CodeUnavailable {
		t.Fatalf("oa_tags without the OA: %v", err)
	}
	infos, err := e.svc.Audiences()
	if err != nil {
		t.Fatal(err)
	}
	if infos[1].Name != "楼组长" || infos[1].Unavailable == "" || infos[0].Unavailable != "" {
		t.Errorf("infos %+v", infos)
	}
}

func TestSendFailureRetries(t *testing.T) {
	e := newEnv(t)
	e.out.fail = errors.New("disk full")
	n := mustCreate(t, e, staff, draft("机器人"))
	e.svc.Submit(staff, n.ID)
	n, err := e.svc.Approve(ctx, reviewer, n.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != StatusApproved || n.LastError != "disk full" || n.SendAttempts != 1 || !n.NextAttempt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after failure: %+v", n)
	}
	e.svc.Tick(ctx) // before the retry time: not tried
	if n, _ = e.svc.Get(n.ID); n.SendAttempts != 1 {
		t.Fatalf("tried early: %d", n.SendAttempts)
	}
	e.clock.Advance(time.Minute)
	e.svc.Tick(ctx)
	if n, _ = e.svc.Get(n.ID); n.SendAttempts != 2 || !n.NextAttempt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("second try: %d next %v", n.SendAttempts, n.NextAttempt)
	}
	e.out.mu.Lock()
	e.out.fail = nil
	e.out.mu.Unlock()
	e.clock.Advance(2 * time.Minute)
	e.svc.Tick(ctx)
	n, _ = e.svc.Get(n.ID)
	if n.Status != StatusSending || n.LastError != "" || len(e.out.Jobs()) != 1 {
		t.Fatalf("after recovery: %+v", n)
	}
	if c := strings.Count(strings.Join(actions(n), ","), "send_failed"); c != 1 {
		t.Errorf("send_failed in history %d times, want once for the same error", c)
	}
	recs, _ := e.audit.List(audit.Filter{Action: "notice.send_failed"})
	if len(recs) != 2 || recs[0].Result != audit.ResultError {
		t.Errorf("audit send_failed records: %+v", recs)
	}
}

func TestTagFailureRetries(t *testing.T) {
	e := newEnv(t)
	e.tags.err = errors.New("api down")
	n := mustCreate(t, e, staff, draft("楼组长"))
	e.svc.Submit(staff, n.ID)
	n, _ = e.svc.Approve(ctx, reviewer, n.ID, "")
	if n.Status != StatusApproved || !strings.Contains(n.LastError, "api down") || len(e.out.Jobs()) != 0 {
		t.Fatalf("notice %+v", n)
	}
}

func TestNoRecipients(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Subscribers = fakeSubs{} })
	n := mustCreate(t, e, staff, draft("停水"))
	e.svc.Submit(staff, n.ID)
	n, err := e.svc.Approve(ctx, reviewer, n.ID, "")
	if err != nil || n.Status != StatusDone || n.Recipients != 0 || len(e.out.Jobs()) != 0 {
		t.Fatalf("notice %+v %v", n, err)
	}
	r, err := e.svc.Report(n.ID)
	if err != nil || r.Total != 0 || r.ByChannel == nil || r.Failures == nil {
		t.Fatalf("report %+v %v", r, err)
	}
}

func TestRejectEditResubmit(t *testing.T) {
	e := newEnv(t)
	n := inStatus(t, e, StatusRejected)
	if n.History[len(n.History)-1].Note != "措辞不当" {
		t.Errorf("reason not recorded: %+v", n.History)
	}
	body := "今晚有暴雨，请居民关好门窗。"
	n, err := e.svc.Update(staff, n.ID, Patch{Body: &body})
	if err != nil || n.Status != StatusDraft || n.Body != body {
		t.Fatalf("edit: %+v %v", n, err)
	}
	if n, _ = e.svc.Submit(staff, n.ID); n.Status != StatusSubmitted {
		t.Fatal(n.Status)
	}
	want := []string{"create:wang", "submit:wang", "reject:chen", "edit:wang", "submit:wang"}
	if !slices.Equal(actions(n), want) {
		t.Errorf("history %v", actions(n))
	}
}

func TestList(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		inStatus(t, e, StatusDraft)
	}
	inStatus(t, e, StatusSubmitted)
	all, _ := e.svc.List(ListFilter{})
	if len(all) != 4 || all[0].ID != "4" {
		t.Fatalf("list %d first %s", len(all), all[0].ID)
	}
	drafts, _ := e.svc.List(ListFilter{Status: StatusDraft, Limit: 2})
	if len(drafts) != 2 || drafts[0].ID != "3" {
		t.Fatalf("drafts %v", drafts)
	}
	if _, err := e.svc.List(ListFilter{Status: "bogus"}); CodeOf(err) != CodeInvalid {
		t.Fatalf("bad status: %v", err)
	}
}

func TestAudiencesCounts(t *testing.T) {
	e := newEnv(t)
	infos, err := e.svc.Audiences()
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(infos[1].Counts)
	if got != "map[followers:2 oa_tags:1 work_depts:1 work_robots:1 work_tags:1 work_users:1]" {
		t.Errorf("counts %s", got)
	}
	if !slices.Equal(infos[1].Channels, []string{"robot", "work_app", "oa"}) {
		t.Errorf("channels %v", infos[1].Channels)
	}
}

func TestRunSendsScheduled(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Interval = time.Millisecond })
	d := draft("机器人")
	d.SendAt = t0.Add(time.Hour).Format(time.RFC3339)
	n := mustCreate(t, e, staff, d)
	e.svc.Submit(staff, n.ID)
	e.svc.Approve(ctx, reviewer, n.ID, "")
	e.clock.Advance(time.Hour)
	c, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- e.svc.Run(c) }()
	deadline := time.After(5 * time.Second)
	for len(e.out.Jobs()) == 0 {
		select {
		case <-deadline:
			t.Fatal("Run did not send the due notice")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestNilPointerTagsIsUnconfigured(t *testing.T) {
	var nilTags *fakeTags
	e := newEnv(t, func(o *Options) { o.Tags = nilTags })
	if _, err := e.svc.Create(staff, draft("楼组长")); CodeOf(err) != CodeUnavailable {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkNoticeCycle measures create, submit and approve (with the
// expansion of two audiences and the hand-over to the outbox).
func BenchmarkNoticeCycle(b *testing.B) {
	e := newEnv(b, func(o *Options) {
		subs := make([]string, 2000)
		for i := range subs {
			subs[i] = fmt.Sprintf("openid-%04d", i)
		}
		o.Subscribers = fakeSubs{"防汛": subs, "楼组长": subs[1000:]}
	})
	for b.Loop() {
		n, err := e.svc.Create(staff, draft("防汛", "楼组长"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.Submit(staff, n.ID); err != nil {
			b.Fatal(err)
		}
		if n, err = e.svc.Approve(ctx, reviewer, n.ID, ""); err != nil || n.Status != StatusSending {
			b.Fatal(n.Status, err)
		}
	}
}
