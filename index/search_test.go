package index

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
)

// day is midday (Asia/Shanghai) of a YYYY-MM-DD date.
func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := clock.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

func askOn(t testing.TB, ix *Index, q Query) Answer {
	t.Helper()
	ans, err := ix.Ask(context.Background(), q)
	if err != nil {
		t.Fatalf("Ask(%q): %v", q.Text, err)
	}
	return ans
}

func hitIDs(a Answer) []string {
	ids := make([]string, len(a.Hits))
	for i, h := range a.Hits {
		ids[i] = h.ID
	}
	return ids
}

// rankOf is the 1-based rank of id among the hits, 0 when absent.
func rankOf(a Answer, id string) int {
	for i, h := range a.Hits {
		if h.ID == id {
			return i + 1
		}
	}
	return 0
}

func hitOfID(a Answer, id string) (Hit, bool) {
	for _, h := range a.Hits {
		if h.ID == id {
			return h, true
		}
	}
	return Hit{}, false
}

// withSearch is the sample index answering with other search settings. It
// shares the sample's generation (opening another would load the
// segmenter's dictionary again); it must only be asked, never closed.
func withSearch(t testing.TB, s config.Search) *Index {
	base := sampleIndex(t)
	opts := base.opts
	opts.Search = s
	return &Index{opts: opts, gen: base.gen}
}

// Drafts (not approved) and approved disclosures that hold personal data
// are never answered, not even to a question that is their very title.
func TestReviewGateAndPrivacyNeverAnswered(t *testing.T) {
	ix := sampleIndex(t)
	withheld := map[string][]string{
		// drafts
		"emp-021": {"盈浦街道2024年春季招聘会安排（草稿）", "2024年春季招聘会"},
		"ben-021": {"关于2024年调整城乡居民最低生活保障标准的公告（征求意见稿）", "2024年低保标准"},
		"eld-016": {"盈浦街道长者食堂收费标准调整方案（征求意见稿）", "长者食堂收费标准调整"},
		"pln-006": {"盈浦街道2027年美丽街区建设计划（草案）", "2027年美丽街区建设计划"},
		// blocked by the privacy check
		"ben-020": {"2023年第二季度临时救助对象公示", "临时救助对象 周建国"},
		"res-004": {"公园路东侧地块房屋征收分户补偿结果公示（第一批）", "王建国 房屋征收补偿结果 第一批"},
	}
	// Personal data in the blocked disclosures (ID card and mobile numbers).
	personal := []string{"310118196203154210", "13916250873", "310229196203152412", "13761849025"}
	for id, qs := range withheld {
		for _, q := range qs {
			for _, when := range []string{"2026-11-26", "2024-02-01", "2027-02-01"} {
				ans := askOn(t, ix, Query{Text: q, Now: day(t, when)})
				if r := rankOf(ans, id); r != 0 {
					t.Errorf("%s (as of %s): withheld %s is hit %d", q, when, id, r)
				}
				for _, p := range personal {
					if strings.Contains(ans.Text, p) {
						t.Errorf("%s: reply reveals personal data %s:\n%s", q, p, ans.Text)
					}
				}
			}
		}
	}
}

func TestStandardInForceOutranksSupersededOne(t *testing.T) {
	ix := sampleIndex(t)

	// Today ben-002 (2023, from 2023-07-01) is the standard in force.
	ans := askOn(t, ix, Query{Text: "低保标准", Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-002" {
		t.Fatalf("低保标准 as of 2026-11-26: hits %v, want ben-002 first", hitIDs(ans))
	}
	if r := rankOf(ans, "ben-001"); r != 0 && r < 2 {
		t.Errorf("superseded ben-001 at rank %d", r)
	}
	if !strings.Contains(ans.Text, "每人每月1510元") {
		t.Errorf("reply does not give the standard in force (1510元):\n%s", ans.Text)
	}

	// Before 2023-07-01 the 2022 edition is the one in force, and it is
	// not presented as replaced.
	ans = askOn(t, ix, Query{Text: "低保标准", Now: day(t, "2023-01-15")})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-001" {
		t.Fatalf("低保标准 as of 2023-01-15: hits %v, want ben-001 first", hitIDs(ans))
	}
	if strings.Contains(ans.Text, "替代") {
		t.Errorf("as of 2023-01-15 ben-001 is current, but the reply says it was replaced:\n%s", ans.Text)
	}
	if h, ok := hitOfID(ans, "ben-002"); ok && h.Status != content.NotYetEffective {
		t.Errorf("ben-002 as of 2023-01-15: status %v, want not yet effective", h.Status)
	}
	if !strings.Contains(ans.Text, "每人每月1420元") {
		t.Errorf("reply does not give the 2022 standard (1420元):\n%s", ans.Text)
	}

	// A question naming its year gets that year's edition, marked as
	// replaced by the one in force.
	ans = askOn(t, ix, Query{Text: "2022年的低保标准", Now: evalDay})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-001" {
		t.Fatalf("2022年的低保标准: hits %v, want ben-001 first", hitIDs(ans))
	}
	if !strings.Contains(ans.Text, "已被新标准替代") || !strings.Contains(ans.Text, "关于2023年提高城乡居民最低生活保障标准的公告") {
		t.Errorf("2022 edition not marked as replaced by ben-002:\n%s", ans.Text)
	}
}

var reEnded = regexp.MustCompile(`已于[^，。]*结束`)

func TestExpiredWarningPresentedAsEnded(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "台风“贝碧嘉”预警", Now: evalDay})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "emg-001" {
		t.Fatalf("hits %v, want emg-001 first", hitIDs(ans))
	}
	if !reEnded.MatchString(ans.Text) || !strings.Contains(ans.Text, "不在生效期") {
		t.Errorf("expired warning not presented as ended:\n%s", ans.Text)
	}
	if !strings.Contains(ans.Text, "2024年9月17日") {
		t.Errorf("reply does not say when it ended (2024年9月17日):\n%s", ans.Text)
	}
	if ans.Hits[0].Status != content.Expired {
		t.Errorf("emg-001 status %v, want expired", ans.Hits[0].Status)
	}
}

func TestCurrentWarningEndsWithItsExpiry(t *testing.T) {
	ix := sampleIndex(t)
	const q = "关于台风“海神”黄色预警的紧急通知" // emg-003, in force 2026-11-25..28
	endOf28 := time.Date(2026, 11, 28, 23, 30, 0, 0, clock.Shanghai)
	for _, c := range []struct {
		name  string
		now   time.Time
		ended bool
	}{
		{"2026-11-26", day(t, "2026-11-26"), false},
		{"2026-11-28 23:30 (its last day)", endOf28, false},
		// 2026-11-28 16:30 UTC is already 2026-11-29 in Shanghai.
		{"2026-11-29 00:30 Shanghai, given in UTC", time.Date(2026, 11, 28, 16, 30, 0, 0, time.UTC), true},
		{"2026-12-05", day(t, "2026-12-05"), true},
	} {
		ans := askOn(t, ix, Query{Text: q, Now: c.now})
		if len(ans.Hits) == 0 || ans.Hits[0].ID != "emg-003" {
			t.Errorf("%s: hits %v, want emg-003 first", c.name, hitIDs(ans))
			continue
		}
		ended := reEnded.MatchString(ans.Text) || strings.Contains(ans.Text, "不在生效期")
		if ended != c.ended {
			t.Errorf("%s: presented as ended = %v, want %v:\n%s", c.name, ended, c.ended, ans.Text)
		}
		if want := map[bool]content.Status{false: content.InForce, true: content.Expired}[c.ended]; ans.Hits[0].Status != want {
			t.Errorf("%s: status %v, want %v", c.name, ans.Hits[0].Status, want)
		}
		if !c.ended && !strings.Contains(ans.Text, "2026年11月28日") {
			t.Errorf("%s: a warning in force should say until when:\n%s", c.name, ans.Text)
		}
	}
}

var reDistance = regexp.MustCompile(`约(\d+)(米|\.\d公里)`)

func TestGeoQuestionListsNearestFirst(t *testing.T) {
	ix := sampleIndex(t)
	here := &Point{Lat: 31.1516, Lon: 121.1179}
	ans := askOn(t, ix, Query{Text: "附近的长者食堂", Geo: here, Now: evalDay})
	if !ans.Answered {
		t.Fatalf("declined: %s", ans.Text)
	}
	// The located hits come first, nearest first.
	n := 0
	for n < len(ans.Hits) && ans.Hits[n].DistanceKm != nil {
		if n > 0 && *ans.Hits[n].DistanceKm < *ans.Hits[n-1].DistanceKm {
			t.Errorf("hit %d (%s, %.2f km) is nearer than hit %d (%s, %.2f km)", n+1, ans.Hits[n].ID, *ans.Hits[n].DistanceKm, n, ans.Hits[n-1].ID, *ans.Hits[n-1].DistanceKm)
		}
		n++
	}
	if n < 3 {
		t.Fatalf("want at least 3 located hits first, got %d: %v", n, hitIDs(ans))
	}
	for _, h := range ans.Hits[:n] {
		if !strings.HasPrefix(h.ID, "eld-") {
			t.Errorf("located hit %s (%s) is not a place to eat", h.ID, h.Title)
		}
	}
	if !strings.Contains(ans.Text, ans.Hits[0].Title) {
		t.Errorf("reply does not name the nearest place's disclosure %q:\n%s", ans.Hits[0].Title, ans.Text)
	}
	if m := reDistance.FindAllString(ans.Text, -1); len(m) < 2 {
		t.Errorf("reply names no distances in 米/公里:\n%s", ans.Text)
	}
	// The places in the reply are in the order of the hits.
	last := -1
	for _, h := range ans.Hits[:min(n, 3)] {
		i := strings.Index(ans.Text, h.Title)
		if i < 0 || i < last {
			t.Errorf("reply lists %q out of order:\n%s", h.Title, ans.Text)
		}
		last = i
	}
}

func TestSharedLocationAloneListsNearbyPlaces(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Geo: &Point{Lat: 31.1516, Lon: 121.1179}, Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 {
		t.Fatalf("bare location: answered=%v hits=%v:\n%s", ans.Answered, hitIDs(ans), ans.Text)
	}
	for i, h := range ans.Hits {
		if h.DistanceKm == nil {
			t.Fatalf("hit %s has no distance", h.ID)
		}
		if *h.DistanceKm > 10 {
			t.Errorf("hit %s is %.1f km away, beyond the 10 km radius", h.ID, *h.DistanceKm)
		}
		if i > 0 && *h.DistanceKm < *ans.Hits[i-1].DistanceKm {
			t.Errorf("hits not nearest first: %s %.2f after %s %.2f", h.ID, *h.DistanceKm, ans.Hits[i-1].ID, *ans.Hits[i-1].DistanceKm)
		}
		if h.Status == content.Expired {
			t.Errorf("ended disclosure %s (%s) offered as a place", h.ID, h.Title)
		}
	}
	// The summer day-care (ended 2026-08-21) and the choir contest (ended
	// 2026-06-20) are located but over.
	for _, id := range []string{"chd-003", "cul-003"} {
		if rankOf(ans, id) != 0 {
			t.Errorf("ended %s listed", id)
		}
	}
	if !reDistance.MatchString(ans.Text) {
		t.Errorf("reply names no distance:\n%s", ans.Text)
	}

	far := askOn(t, ix, Query{Geo: &Point{Lat: 39.9042, Lon: 116.4074}, Now: evalDay}) // Beijing
	if far.Answered || len(far.Hits) != 0 {
		t.Errorf("far away: answered=%v hits=%v", far.Answered, hitIDs(far))
	}
	if !strings.Contains(far.Text, "没有") || !strings.Contains(far.Text, "12345") {
		t.Errorf("far away: reply does not say there is nothing nearby and name the hotline:\n%s", far.Text)
	}
}

func TestDeclinesWhatItCannotAnswer(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "护照到期了怎么换", Now: evalDay})
	if ans.Answered {
		t.Errorf("passport question answered from %v:\n%s", hitIDs(ans), ans.Text)
	}
	if !strings.Contains(ans.Text, "12345") || !strings.Contains(ans.Text, "出入境") {
		t.Errorf("decline does not name the hotline and 出入境:\n%s", ans.Text)
	}
	for _, q := range []string{"asdkfj qwpoeiru zxcv", "嘻嘻哈哈咕噜咕噜", "？？？"} {
		ans := askOn(t, ix, Query{Text: q, Now: evalDay})
		if ans.Answered {
			t.Errorf("gibberish %q answered from %v:\n%s", q, hitIDs(ans), ans.Text)
		}
		if !strings.Contains(ans.Text, "12345") {
			t.Errorf("%q: decline does not name the hotline:\n%s", q, ans.Text)
		}
	}
	// The hotline is the configured one.
	s := config.Default().Search
	s.Hotline = "021-59700000"
	ans = askOn(t, withSearch(t, s), Query{Text: "护照到期了怎么换", Now: evalDay})
	if !strings.Contains(ans.Text, "021-59700000") {
		t.Errorf("decline does not name the configured hotline:\n%s", ans.Text)
	}
}

func TestAnswerNamesItsSourceAndRelevantPassage(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "失业保险金领取期限", Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 || ans.Hits[0].ID != "emp-004" {
		t.Fatalf("hits %v answered=%v, want emp-004 first", hitIDs(ans), ans.Answered)
	}
	top := ans.Hits[0]
	for what, want := range map[string]string{
		"title": top.Title, "department": top.Department, "date": top.Date, "url": top.URL,
	} {
		if want == "" || !strings.Contains(ans.Text, want) {
			t.Errorf("reply lacks the %s %q:\n%s", what, want, ans.Text)
		}
	}
	if top.Date != "2023-02-20" || top.Department != "社区事务受理服务中心" {
		t.Errorf("hit metadata: %+v", top)
	}
	// emp-004 says: 累计缴费满1年不满5年的，最长可领取12个月；…
	if !strings.Contains(ans.Text, "最长可领取12个月") {
		t.Errorf("passage misses the line about the period (最长可领取12个月):\n%s", ans.Text)
	}
	// The passage starts at what was asked, not at the top of the guide
	// (一、申领条件).
	if strings.Contains(ans.Text, "一、") {
		t.Errorf("passage starts at the top of the guide rather than at 领取期限:\n%s", ans.Text)
	}
	if ans.Confidence <= 0 || ans.Confidence > 1 {
		t.Errorf("confidence %v outside (0, 1]", ans.Confidence)
	}
	for i := 1; i < len(ans.Hits); i++ {
		if ans.Hits[i].Score > ans.Hits[i-1].Score {
			t.Errorf("hits not ranked by score: %v", ans.Hits)
			break
		}
	}
}

// linkLines are the lines of a reply that give a disclosure's address:
// 原文：URL, and 详见《title》URL for places.
var reLinkLine = regexp.MustCompile(`(?m)(?:^原文：|》)(https?:.*)$`)

// checkReply holds a reply to the promises every reply keeps.
func checkReply(t *testing.T, q evalQuestion, ans Answer, limit int) {
	t.Helper()
	if len(ans.Text) > limit {
		t.Errorf("%q: reply is %d bytes, over %d:\n%s", q.Q, len(ans.Text), limit, ans.Text)
	}
	if !utf8.ValidString(ans.Text) {
		t.Errorf("%q: reply is not valid UTF-8", q.Q)
	}
	if strings.TrimSpace(ans.Text) == "" {
		t.Errorf("%q: empty reply", q.Q)
	}
	// A link to a disclosure is whole or absent: never cut in the middle.
	urls := map[string]bool{}
	for _, h := range ans.Hits {
		urls[h.URL] = true
	}
	for _, m := range reLinkLine.FindAllStringSubmatch(ans.Text, -1) {
		if !urls[m[1]] {
			t.Errorf("%q: reply links to %q, which is no hit's address (cut?):\n%s", q.Q, m[1], ans.Text)
		}
	}
	if !ans.Answered || len(ans.Hits) == 0 {
		return
	}
	top := ans.Hits[0]
	if top.DistanceKm == nil && !strings.Contains(ans.Text, top.Title) {
		t.Errorf("%q: reply does not name the best disclosure %q:\n%s", q.Q, top.Title, ans.Text)
	}
	if limit >= 2048 && !strings.Contains(ans.Text, top.URL) {
		t.Errorf("%q: reply does not link the best disclosure %s:\n%s", q.Q, top.URL, ans.Text)
	}
}

func TestRepliesFitWeChatForEverySampleQuestion(t *testing.T) {
	qs := loadQuestions(t)
	short := config.Default().Search
	short.MaxReplyBytes = 300
	for _, c := range []struct {
		name  string
		ix    *Index
		limit int
	}{
		{"default", sampleIndex(t), 2048},
		{"max_reply_bytes=300", withSearch(t, short), 300},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, q := range qs {
				query := Query{Text: q.Q, Now: evalDay}
				if q.Lat != nil && q.Lon != nil {
					query.Geo = &Point{Lat: *q.Lat, Lon: *q.Lon}
				}
				checkReply(t, q, askOn(t, c.ix, query), c.limit)
			}
		})
	}
}

// An answer must share something distinctive with the question: a question
// made only of words half the disclosures use (怎么申请) is declined, though
// every one of its words is "found".
func TestDeclinesWhenOnlyCommonWordsMatch(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "怎么申请", Now: evalDay})
	if ans.Answered {
		t.Fatalf("怎么申请 answered from %v:\n%s", ans.Hits[:1], ans.Text)
	}
	if !strings.Contains(ans.Text, "12345") {
		t.Errorf("decline does not name the hotline:\n%s", ans.Text)
	}
	// The same generation with the rule relaxed answers it: the rule, not
	// coverage, declined.
	opts := ix.opts
	opts.Search.DistinctShare = 1
	relaxed := &Index{opts: opts, gen: ix.gen}
	if ans := askOn(t, relaxed, Query{Text: "怎么申请", Now: evalDay}); !ans.Answered {
		t.Fatalf("with distinct_share 1, 怎么申请 is still declined (confidence %v)", ans.Confidence)
	}
	// A distinctive word makes it an answer.
	if ans := askOn(t, ix, Query{Text: "低保怎么申请", Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "ben-003" {
		t.Fatalf("低保怎么申请: answered=%v hits %v", ans.Answered, ans.Hits)
	}
}
