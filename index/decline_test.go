package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/yingpu/govbot/content"
)

// guideCorpus is an index of n guides that each name, in their body, the
// office where they are handled, plus extra: the shape of a district's
// 办事指南 (a body word common to most disclosures, in the title of few).
func guideCorpus(t *testing.T, n int, extra ...content.Disclosure) *Index {
	t.Helper()
	dir := t.TempDir()
	var lines []string
	for i := range n {
		d := newDisclosure(t, fmt.Sprintf("g-%03d", i), fmt.Sprintf("第%d号专项补贴申请指南", i+1),
			fmt.Sprintf("一、申请条件\n符合第%d号专项规定的居民。\n二、办理地点\n社区事务受理服务中心综合窗口。", i+1))
		lines = append(lines, jsonLine(t, d))
	}
	for _, d := range extra {
		lines = append(lines, jsonLine(t, d))
	}
	writeJSONL(t, filepath.Join(dir, "disclosures", "guides.jsonl"), lines...)
	ix, err := OpenOrBuild(context.Background(), Options{Dir: t.TempDir(), DataDir: dir, LexiconDir: "../data"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// Words that together are in the body of most disclosures but in the title
// of few are distinctive for a disclosure whose title holds them: the
// office's own guide answers a question naming the office, though every
// guide names it in its body.
func TestWordsTogetherInFewTitlesAreDistinctive(t *testing.T) {
	office := newDisclosure(t, "office", "社区事务受理服务中心办事指引",
		"社区事务受理服务中心地址：示例路1号。办公时间：周一至周五9:00-17:00。")
	ix := guideCorpus(t, 60, office)
	ans := askOn(t, ix, Query{Text: "社区事务受理服务中心", Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 || ans.Hits[0].ID != "office" {
		t.Fatalf("社区事务受理服务中心: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
	// Words in every title and every body stay common: no answer.
	if ans := askOn(t, ix, Query{Text: "专项补贴申请指南", Now: evalDay}); ans.Answered {
		t.Errorf("专项补贴申请指南 answered from %v", hitIDs(ans))
	}
}
