package index

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"
)

// BenchmarkAskSample measures answering the residents' questions on the
// sample corpus; it reports p50/p99 latency across the question set.
//
// cached: as served, the answers of questions asked before come from the
// answer cache (the 297 questions come round again); uncached: every
// question answered anew.
func BenchmarkAskSample(b *testing.B) {
	ix := sampleIndex(b)
	qs := loadQuestions(b)
	b.Run("cached", func(b *testing.B) {
		benchAsk(b, &Index{opts: ix.opts, gen: ix.gen, weights: ix.weights}, qs)
	})
	b.Run("uncached", func(b *testing.B) {
		opts := ix.opts
		opts.AnswerCache = -1
		benchAsk(b, &Index{opts: opts, gen: ix.gen, weights: ix.weights}, qs)
	})
}

// BenchmarkAsk100k answers the residents' questions from a large index
// built beforehand (see BENCHMARKS.md): GOVBOT_BENCH_INDEX names its index
// directory (<state>/index). Every question is answered anew (no answer
// cache), as the scale figures are.
func BenchmarkAsk100k(b *testing.B) {
	dir := os.Getenv("GOVBOT_BENCH_INDEX")
	if dir == "" {
		b.Skip("GOVBOT_BENCH_INDEX not set")
	}
	ix, err := OpenOrBuild(context.Background(), Options{Dir: dir, DataDir: "../data", AnswerCache: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	benchAsk(b, ix, loadQuestions(b))
}

// BenchmarkOpen measures start-up with an existing index: opening the live
// generation, which loads the segmenter's dictionary.
func BenchmarkOpen(b *testing.B) {
	dir := os.Getenv("GOVBOT_BENCH_INDEX")
	if dir == "" {
		dir = b.TempDir()
		if _, err := Rebuild(context.Background(), Options{Dir: dir, DataDir: "../data"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix, err := OpenOrBuild(context.Background(), Options{Dir: dir, DataDir: "../data"})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func benchAsk(b *testing.B, ix *Index, qs []evalQuestion) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		q := qs[i%len(qs)]
		query := Query{Text: q.Q, Now: evalDay}
		if q.Lat != nil && q.Lon != nil {
			query.Geo = &Point{Lat: *q.Lat, Lon: *q.Lon}
		}
		start := time.Now()
		if _, err := ix.Ask(ctx, query); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	// CPU time is what a question costs the machine; on a busy machine the
	// wall time also holds the waits for a core.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkRebuild rebuilds an index from GOVBOT_BENCH_DATA (a data
// directory, e.g. made by tools/synthcorpus).
func BenchmarkRebuild(b *testing.B) {
	data := os.Getenv("GOVBOT_BENCH_DATA")
	if data == "" {
		b.Skip("GOVBOT_BENCH_DATA not set")
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		rep, err := Rebuild(context.Background(), Options{Dir: dir, DataDir: data})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Indexed)/rep.Took.Seconds(), "docs/s")
	}
}
