package index

import (
	"reflect"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

// cacheQueries are the residents' questions as a conversation asks them:
// alone, explained, restricted to a disclosure, without one, at a place.
func cacheQueries(t *testing.T, ix *Index) []Query {
	t.Helper()
	var qs []Query
	for i, q := range loadQuestions(t) {
		if i%3 != 0 {
			continue
		}
		base := Query{Text: q.Q, Now: evalDay}
		if q.Lat != nil && q.Lon != nil {
			base.Geo = &Point{Lat: *q.Lat, Lon: *q.Lon}
		}
		qs = append(qs, base)
		ex := base
		ex.Explain = true
		qs = append(qs, ex)
		a := askOn(t, withoutCache(ix), base)
		if len(a.Hits) > 1 {
			only, excl := base, base
			only.Only = []string{a.Hits[1].ID}
			excl.Exclude = []string{a.Hits[0].ID}
			qs = append(qs, only, excl)
		}
	}
	return qs
}

// withoutCache is the sample index answering without the answer cache.
func withoutCache(ix *Index) *Index {
	opts := ix.opts
	opts.AnswerCache = -1
	return &Index{opts: opts, gen: ix.gen, weights: ix.weights}
}

// A cached answer is the answer: asked twice (the second time from the
// cache), every query gets what the index answers without a cache.
func TestAnswerCacheAnswersAsUncached(t *testing.T) {
	base := sampleIndex(t)
	cached := &Index{opts: base.opts, gen: base.gen, weights: base.weights}
	plain := withoutCache(base)
	for _, q := range cacheQueries(t, base) {
		want := askOn(t, plain, q)
		for range 2 {
			if got := askOn(t, cached, q); !reflect.DeepEqual(got, want) {
				t.Fatalf("%+v: the cached answer differs\n got %+v\nwant %+v", q, got, want)
			}
		}
	}
	if len(cached.answers.items) == 0 {
		t.Fatal("nothing was cached")
	}
}

// The cache keys answers by the day asked: nothing in an answer may depend
// on the time of day. (If something must, answerKey must hold it.)
func TestAnswersDependOnTheDayOnly(t *testing.T) {
	plain := withoutCache(sampleIndex(t))
	day := clock.DateOf(evalDay)
	for _, q := range cacheQueries(t, sampleIndex(t)) {
		q.Now = day.Add(time.Second)
		early := askOn(t, plain, q)
		q.Now = day.Add(24*time.Hour - time.Second)
		if late := askOn(t, plain, q); !reflect.DeepEqual(early, late) {
			t.Fatalf("%q: answered differently at 00:00:01 and 23:59:59 of one day", q.Text)
		}
	}
}

// What the caller changes in an answer is its own; another day, or
// another query, is asked anew.
func TestAnswerCacheKeepsAnswersApart(t *testing.T) {
	base := sampleIndex(t)
	ix := &Index{opts: base.opts, gen: base.gen, weights: base.weights}
	q := Query{Text: "低保标准", Now: evalDay}
	a := askOn(t, ix, q)
	if len(a.Hits) == 0 {
		t.Fatal("no hits")
	}
	first := a.Hits[0]
	a.Hits[0].Title = "changed"
	a.Hits = a.Hits[:0]
	if b := askOn(t, ix, q); len(b.Hits) == 0 || !reflect.DeepEqual(b.Hits[0], first) {
		t.Fatalf("a caller's change reached the cache: %+v", b.Hits)
	}
	plain := withoutCache(base)
	for _, other := range []Query{
		{Text: "低保标准", Now: evalDay.AddDate(-3, 0, 0)},
		{Text: "低保标准 ", Now: evalDay},
		{Text: "低保标准", Now: evalDay, Explain: true},
		{Text: "低保标准", Now: evalDay, Only: []string{"ben-001"}},
		{Text: "低保标准", Now: evalDay, Exclude: []string{first.ID}},
		{Text: "低保标准", Now: evalDay, Geo: &Point{Lat: 31.15, Lon: 121.12}},
	} {
		if got, want := askOn(t, ix, other), askOn(t, plain, other); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: answered from another query's cache", other)
		}
	}
}

func BenchmarkAnswerKey(b *testing.B) {
	q := Query{Text: "请问盈浦街道的低保标准现在是每月多少钱", Now: evalDay, Only: []string{"ben-002"}, Explain: true}
	for range b.N {
		answerKey(q, q.Now)
	}
}

// Analyze keeps what it told of a message: the same again, whatever the
// caller did with it.
func TestAnalyzeCachedAsUncached(t *testing.T) {
	base := sampleIndex(t)
	cached := &Index{opts: base.opts, gen: base.gen, weights: base.weights}
	plain := withoutCache(base)
	for _, q := range loadQuestions(t) {
		want := plain.Analyze(q.Q)
		for range 2 {
			got := cached.Analyze(q.Q)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Analyze(%q) = %+v cached, %+v uncached", q.Q, got, want)
			}
			if len(got.Topic) > 0 {
				got.Topic[0] = "changed"
			}
		}
	}
}

// The decoded-disclosure cache changes nothing but the cost: with none
// kept, or only a few, every query gets the answer of the default cache,
// and the cache never holds more than its size.
func TestDocCacheSizeAnswersTheSame(t *testing.T) {
	base := sampleIndex(t)
	plain := withoutCache(base)
	for _, size := range []int{-1, 3} {
		g := *base.gen
		g.docs = newDocCache(size)
		small := withoutCache(&Index{opts: base.opts, gen: &g, weights: base.weights})
		for _, q := range cacheQueries(t, base) {
			want := askOn(t, plain, q)
			if got := askOn(t, small, q); !reflect.DeepEqual(got, want) {
				t.Fatalf("cache of %d: %+v: the answer differs\n got %+v\nwant %+v", size, q, got, want)
			}
		}
		if n := len(g.docs.items); n > max(size, 0) {
			t.Errorf("cache of %d holds %d disclosures", size, n)
		}
	}
}

// A query restricted to a few disclosures is answered anew each time: it
// costs a fraction of a search, and keeping it would push out the answers
// that are dear to work out again.
func TestAnswerCacheLeavesOutRestrictedQueries(t *testing.T) {
	shared := sampleIndex(t)
	ix := &Index{opts: shared.opts, gen: shared.gen, weights: shared.weights} // a cache of its own
	q := Query{Text: "低保标准是多少", Now: evalDay}
	a := askOn(t, ix, q)
	if len(a.Hits) == 0 {
		t.Fatal("no hits")
	}
	before := len(ix.answers.items) // 1
	restricted := q
	restricted.Only = []string{a.Hits[0].ID}
	for range 2 {
		if got := askOn(t, ix, restricted); len(got.Hits) != 1 || got.Hits[0].ID != a.Hits[0].ID {
			t.Fatalf("restricted ask: %v", got.Hits)
		}
	}
	if n := len(ix.answers.items); n != before {
		t.Errorf("answers kept: %d after restricted asks, %d before", n, before)
	}
	q.Text = "廉租房在哪里办"
	askOn(t, ix, q)
	if n := len(ix.answers.items); n != before+1 {
		t.Errorf("answers kept: %d after a new question, want %d", n, before+1)
	}
}
