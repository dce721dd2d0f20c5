package index

import "testing"

// Shanghainese words (data/synonyms.txt, data/stopwords.txt) are read as
// their Mandarin equivalents: the same question in either is answered by
// the same disclosure, and neither is declined for words nothing holds.
func TestDialectAsMandarin(t *testing.T) {
	ix := sampleIndex(t)
	now := day(t, "2026-11-26")
	for _, c := range []struct{ wu, mandarin string }{
		{"低保现在一个号头多少钞票", "低保现在一个月多少钱"},
		{"阿拉屋里厢有煤气味道哪能弄", "家里有燃气味怎么办"},
		{"侬晓得长者食堂一个号头要多少铜钿伐", "长者食堂一个月要多少钱"},
		{"搿个低保哪能申请", "这个低保怎么申请"},
		{"屋里厢老人跌跤了，想装扶手", "家里老人摔倒了，想装扶手"},
		{"阿拉姆妈汏浴不方便，有人上门伐", "我妈洗澡不方便，有人上门吗"},
	} {
		wu := askOn(t, ix, Query{Text: c.wu, Now: now})
		md := askOn(t, ix, Query{Text: c.mandarin, Now: now})
		if len(md.Hits) == 0 || !md.Answered {
			t.Fatalf("%q: not answered in Mandarin (%v)", c.mandarin, hitIDs(md))
		}
		if !wu.Answered || len(wu.Hits) == 0 || wu.Hits[0].ID != md.Hits[0].ID {
			t.Errorf("%q answered=%v %v, want %s as for %q", c.wu, wu.Answered, hitIDs(wu), md.Hits[0].ID, c.mandarin)
		}
	}
}
