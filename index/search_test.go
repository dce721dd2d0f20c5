package index

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
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
					for _, h := range ans.Hits {
						if h.Passage != nil && strings.Contains(h.Passage.Text, p) || strings.Contains(h.Title, p) {
							t.Errorf("%s: hit %s reveals personal data %s", q, h.ID, p)
						}
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
	if p := ans.Hits[0].Passage; p == nil || !strings.Contains(p.Text, "每人每月1510元") {
		t.Errorf("passage does not give the standard in force (1510元): %+v", p)
	}
	if ans.Hits[0].Status != Current {
		t.Errorf("ben-002 status %s, want current", ans.Hits[0].Status)
	}

	// Before 2023-07-01 the 2022 edition is the one in force, and it is
	// not presented as replaced.
	ans = askOn(t, ix, Query{Text: "低保标准", Now: day(t, "2023-01-15")})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-001" {
		t.Fatalf("低保标准 as of 2023-01-15: hits %v, want ben-001 first", hitIDs(ans))
	}
	if ans.Hits[0].Status != Current || ans.Hits[0].SupersededBy != nil {
		t.Errorf("as of 2023-01-15 ben-001 is current, but its hit says %s %+v", ans.Hits[0].Status, ans.Hits[0].SupersededBy)
	}
	if h, ok := hitOfID(ans, "ben-002"); ok && h.Status != Upcoming {
		t.Errorf("ben-002 as of 2023-01-15: status %v, want not yet effective", h.Status)
	}
	if p := ans.Hits[0].Passage; p == nil || !strings.Contains(p.Text, "每人每月1420元") {
		t.Errorf("passage does not give the 2022 standard (1420元): %+v", p)
	}

	// A question naming its year gets that year's edition, marked as
	// replaced by the one in force.
	ans = askOn(t, ix, Query{Text: "2022年的低保标准", Now: evalDay})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-001" {
		t.Fatalf("2022年的低保标准: hits %v, want ben-001 first", hitIDs(ans))
	}
	if h := ans.Hits[0]; h.Status != Superseded || h.SupersededBy == nil || h.SupersededBy.ID != "ben-002" ||
		h.SupersededBy.Title != "关于2023年提高城乡居民最低生活保障标准的公告" || h.SupersededBy.Effective != "2023-07-01" {
		t.Errorf("2022 edition not marked as replaced by ben-002: %s %+v", h.Status, h.SupersededBy)
	}
}

func TestExpiredWarningPresentedAsEnded(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "台风“贝碧嘉”预警", Now: evalDay})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "emg-001" {
		t.Fatalf("hits %v, want emg-001 first", hitIDs(ans))
	}
	if ans.Hits[0].Ended != "2024-09-17" {
		t.Errorf("hit does not say when it ended (2024-09-17): %q", ans.Hits[0].Ended)
	}
	if ans.Hits[0].Status != Ended {
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
		if want := map[bool]Status{false: Current, true: Ended}[c.ended]; ans.Hits[0].Status != want {
			t.Errorf("%s: status %v, want %v", c.name, ans.Hits[0].Status, want)
		}
		if ans.Hits[0].Ended != "2026-11-28" {
			t.Errorf("%s: a warning should say until when: %q", c.name, ans.Hits[0].Ended)
		}
	}
}

func TestGeoQuestionListsNearestFirst(t *testing.T) {
	ix := sampleIndex(t)
	here := &Point{Lat: 31.1516, Lon: 121.1179}
	ans := askOn(t, ix, Query{Text: "附近的长者食堂", Geo: here, Now: evalDay})
	if !ans.Answered {
		t.Fatalf("declined: %s", ans.Decline)
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
	if !ans.Near || ans.AnyPlace {
		t.Errorf("a place question with a location: near=%v any_place=%v, want near only", ans.Near, ans.AnyPlace)
	}
	for _, h := range ans.Hits[:n] {
		if h.Place == nil || h.Place.Address == "" {
			t.Errorf("located hit %s has no place: %+v", h.ID, h.Place)
		}
	}
}

func TestSharedLocationAloneListsNearbyPlaces(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Geo: &Point{Lat: 31.1516, Lon: 121.1179}, Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 {
		t.Fatalf("bare location: answered=%v hits=%v (%s)", ans.Answered, hitIDs(ans), ans.Decline)
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
		if h.Status == Ended {
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
	if !ans.Near || !ans.AnyPlace {
		t.Errorf("bare location: near=%v any_place=%v", ans.Near, ans.AnyPlace)
	}

	far := askOn(t, ix, Query{Geo: &Point{Lat: 39.9042, Lon: 116.4074}, Now: evalDay}) // Beijing
	if far.Answered || len(far.Hits) != 0 {
		t.Errorf("far away: answered=%v hits=%v", far.Answered, hitIDs(far))
	}
	if far.Decline != DeclineNoPlace || far.RadiusKm != 10 {
		t.Errorf("far away: decline %q radius %v, want %q within 10 km", far.Decline, far.RadiusKm, DeclineNoPlace)
	}
}

func TestDeclinesWhatItCannotAnswer(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "护照到期了怎么换", Now: evalDay})
	if ans.Answered {
		t.Errorf("passport question answered from %v", hitIDs(ans))
	}
	if ans.Decline != DeclineReferral || !strings.Contains(ans.Agency, "出入境") || ans.Matter != "护照" {
		t.Errorf("decline %q agency %q matter %q, want a referral to 出入境 for 护照", ans.Decline, ans.Agency, ans.Matter)
	}
	for _, q := range []string{"asdkfj qwpoeiru zxcv", "嘻嘻哈哈咕噜咕噜", "？？？"} {
		ans := askOn(t, ix, Query{Text: q, Now: evalDay})
		if ans.Answered {
			t.Errorf("gibberish %q answered from %v", q, hitIDs(ans))
		}
		if ans.Decline == NotDeclined {
			t.Errorf("%q: declined without a reason", q)
		}
	}
}

func TestAnswerNamesItsSourceAndRelevantPassage(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "失业保险金领取期限", Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 || ans.Hits[0].ID != "emp-004" {
		t.Fatalf("hits %v answered=%v, want emp-004 first", hitIDs(ans), ans.Answered)
	}
	top := ans.Hits[0]
	if top.Title == "" || top.URL == "" {
		t.Errorf("hit lacks its title or url: %+v", top)
	}
	if top.Date != "2023-02-20" || top.Department != "社区事务受理服务中心" {
		t.Errorf("hit metadata: %+v", top)
	}
	// emp-004 says: 累计缴费满1年不满5年的，最长可领取12个月；…
	p := top.Passage
	if p == nil || !strings.Contains(p.Text, "最长可领取12个月") {
		t.Fatalf("passage misses the line about the period (最长可领取12个月): %+v", p)
	}
	// The passage starts at what was asked, not at the top of the guide
	// (一、申领条件).
	if strings.Contains(p.Text, "一、") || p.Whole {
		t.Errorf("passage starts at the top of the guide rather than at 领取期限:\n%s", p.Text)
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

// An answer must share something distinctive with the question: a question
// made only of words half the disclosures use (怎么申请) is declined, though
// every one of its words is "found".
func TestDeclinesWhenOnlyCommonWordsMatch(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "怎么申请", Now: evalDay})
	if ans.Answered {
		t.Fatalf("怎么申请 answered from %v", ans.Hits[:1])
	}
	if ans.Decline != DeclineLowScore {
		t.Errorf("怎么申请: decline %q, want %q", ans.Decline, DeclineLowScore)
	}
	// The same generation with the rule relaxed answers it: the rule, not
	// coverage, declined.
	opts := ix.opts
	opts.Search.DistinctShare = 1
	relaxed := &Index{opts: opts, gen: ix.gen, weights: ix.weights}
	if ans := askOn(t, relaxed, Query{Text: "怎么申请", Now: evalDay}); !ans.Answered {
		t.Fatalf("with distinct_share 1, 怎么申请 is still declined (confidence %v)", ans.Confidence)
	}
	// A distinctive word makes it an answer.
	if ans := askOn(t, ix, Query{Text: "低保怎么申请", Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "ben-003" {
		t.Fatalf("低保怎么申请: answered=%v hits %v", ans.Answered, ans.Hits)
	}
}
