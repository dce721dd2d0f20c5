package index

import (
	"slices"
	"testing"
)

// TestLifeSituationsFindTheService: a resident who describes a need in
// everyday words (data/situations.txt, data/synonyms.txt), naming no
// programme, is answered from the disclosure of the service that meets it,
// one case for each area of the services: births, wages, disability,
// insurance, unemployment, veterans, illness, mishaps, shops, trade-ins,
// the service centre's hours, housing repairs, legal aid. And a need no
// disclosure of the sample data meets (a funeral) is not answered from one
// that only mentions the word.
func TestLifeSituationsFindTheService(t *testing.T) {
	ix := sampleIndex(t)
	now := day(t, "2026-11-26")
	for _, c := range []struct {
		q    string
		want []string // any of them first
	}{
		{"我刚生了二胎，有什么补贴可以领", []string{"chd-004"}},
		{"老板跑路了工钿拿不到", []string{"emp-008", "emp-009"}},
		{"孩子是自闭症，有什么补贴", []string{"ben-014"}},
		{"没单位交医保一年多少钱", []string{"ben-010", "ben-011"}},
		{"从部队退下来想找个工作", []string{"emp-010", "emp-011", "emp-024"}},
		{"得了癌症化疗费用太高了", []string{"ben-022"}},
		{"家里失火了日子过不下去", []string{"ben-017"}},
		{"招牌怎么装才合规", []string{"biz-009"}},
		{"想换台冰箱有补贴吗", []string{"cul-005"}},
		{"周六能去受理中心办事吗", []string{"ben-019"}},
		{"老房子屋顶漏水能修吗", []string{"pln-002"}},
		{"打官司请不起律师", []string{"emp-009"}},
	} {
		a := askOn(t, ix, Query{Text: c.q, Now: now})
		if !a.Answered || len(a.Hits) == 0 || !slices.Contains(c.want, a.Hits[0].ID) {
			t.Errorf("%q: answered=%v %v, want %v first", c.q, a.Answered, hitIDs(a), c.want)
		}
	}
	if a := askOn(t, ix, Query{Text: "我爸过世了，丧葬费怎么领", Now: now}); a.Answered {
		t.Errorf("a funeral, which no sample disclosure speaks of, answered from %v", hitIDs(a))
	}
}
