package hittest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/index"
)

type fakeAnswerer struct {
	mu   sync.Mutex
	seen []index.Query
}

func (f *fakeAnswerer) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	f.mu.Lock()
	f.seen = append(f.seen, q)
	f.mu.Unlock()
	if strings.Contains(q.Text, "低保") {
		return index.Answer{Answered: true, Confidence: 0.82,
			Hits: []index.Hit{{ID: "ben-001", Score: 0.82, Title: "低保标准", Passage: &index.Passage{Text: "每人每月1510元。", Whole: true}}}}, nil
	}
	return index.Answer{Decline: index.DeclineNotCovered, Hits: []index.Hit{{ID: "x", Score: 0.1}}}, nil
}

func (f *fakeAnswerer) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	return index.Hit{}, index.ErrNoDisclosure
}

func (f *fakeAnswerer) Analyze(text string) index.Analysis { return index.Analysis{} }

func TestRun(t *testing.T) {
	fa := &fakeAnswerer{}
	tr := New(Options{Answerer: fa})
	lat, lon := 31.15, 121.11
	res, err := tr.Run(context.Background(), Request{Q: "低保标准是多少", Turns: []string{"你好"}, Lat: &lat, Lon: &lon})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Chat); n >= 2 && (res.Chat[n-2].From != "resident" || res.Chat[n-1].From != "govbot") {
		t.Errorf("the last two bubbles are from %q and %q, want resident and govbot", res.Chat[n-2].From, res.Chat[n-1].From)
	}
	if len(res.Chat) < 5 || res.Chat[len(res.Chat)-2].Text != "低保标准是多少" || !strings.Contains(res.Chat[len(res.Chat)-1].Text, "1510") {
		t.Fatalf("chat %+v", res.Chat)
	}
	if res.Answer == nil || res.Answer.Hits[0].ID != "ben-001" || res.Asked != "低保标准是多少" {
		t.Errorf("answer %+v asked %q", res.Answer, res.Asked)
	}
	fa.mu.Lock()
	last := fa.seen[len(fa.seen)-1]
	fa.mu.Unlock()
	if last.Text != "低保标准是多少" || !last.Explain {
		t.Errorf("the index was asked %+v, want the question with its explanation", last)
	}

	// A command is answered by the bot without the index.
	res, err = tr.Run(context.Background(), Request{Q: "帮助"})
	if err != nil || len(res.Chat) != 2 || res.Answer != nil {
		t.Errorf("help: %+v, %v", res, err)
	}
	for _, bad := range []Request{{Q: " "}, {Q: strings.Repeat("问", MaxQuestionRunes+1)}, {Q: "x", Lat: &lat}, {Q: "x", Turns: make([]string, MaxTurns+1)}} {
		if _, err := tr.Run(context.Background(), bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", bad, err)
		}
	}
}
