package index

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

func TestZZExplore(t *testing.T) {
	qs := os.Getenv("ZZQ")
	if qs == "" {
		t.Skip()
	}
	ix := sampleIndex(t)
	now := evalDay
	if s := os.Getenv("ZZNOW"); s != "" {
		d, _ := clock.ParseDate(s)
		now = d.Add(12 * time.Hour)
	}
	for _, q := range strings.Split(qs, "|") {
		query := Query{Text: q, Now: now}
		if strings.HasPrefix(q, "GEO") {
			query.Text = strings.TrimPrefix(q, "GEO")
			query.Geo = &Point{31.1516, 121.1179}
		}
		if strings.HasPrefix(q, "BJ") {
			query.Text = strings.TrimPrefix(q, "BJ")
			query.Geo = &Point{39.9042, 116.4074}
		}
		a, err := ix.Ask(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Q=%q answered=%v conf=%.2f", q, a.Answered, a.Confidence)
		for i, h := range a.Hits {
			if i > 5 {
				break
			}
			d := -1.0
			if h.DistanceKm != nil {
				d = *h.DistanceKm
			}
			t.Logf("  %s %.3f %.2f %s", h.ID, h.Score, d, h.Title)
		}
		t.Logf("TEXT:\n%s", a.Text)
	}
}
