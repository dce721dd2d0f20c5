package bot

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/querylog"
)

// fakeAnswerer answers fakeAnswer(question) and records every query. When gate
// is set, Ask waits for it to close (after signalling entered).
type fakeAnswerer struct {
	mu      sync.Mutex
	queries []index.Query
	answer  func(q index.Query) (index.Answer, error)
	entered chan struct{}
	gate    chan struct{}
}

func (f *fakeAnswerer) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.entered != nil {
		f.entered <- struct{}{}
	}
	if f.gate != nil {
		<-f.gate
	}
	if err := ctx.Err(); err != nil {
		return index.Answer{}, err
	}
	if f.answer != nil {
		return f.answer(q)
	}
	return fakeAnswer(q.Text), nil
}

// fakeAnswer is what fakeAnswerer answers: the nearest place for a bare
// location, else a disclosure whose title and passage are "答：<question>".
func fakeAnswer(q string) index.Answer {
	if q == "" {
		km := 0.3
		return index.Answer{Answered: true, Near: true, AnyPlace: true, Confidence: 1, Hits: []index.Hit{{ID: "place-1", Score: 0.8,
			Title: "长者食堂一览", Department: "测试办", DistanceKm: &km, Place: &index.Place{Name: "第一食堂", Address: "一号路1号"}}}}
	}
	return index.Answer{Answered: true, Confidence: 0.9, Hits: []index.Hit{
		{ID: "doc-1", Score: 0.9, Title: "答：" + q, Department: "测试办", URL: "https://gk.example/doc-1.html", Passage: &index.Passage{Text: "答：" + q, Whole: true}},
		{ID: "doc-2", Score: 0.5, Title: "另一条"}}}
}

// fakeText is the reply a resident reads for fakeAnswer(q).
func fakeText(q string) string {
	return NewRenderer(RenderOptions{}).AnswerText(fakeAnswer(q))
}

// Full returns the disclosure id with a whole body "全文：<id>".
func (f *fakeAnswerer) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	return index.Hit{ID: id, Title: "标题" + id, Department: "测试办", Passage: &index.Passage{Text: "全文：" + id, Whole: true}}, nil
}

// Analyze takes every question to name a matter (each is answered on its
// own) unless it is one of the follow-ups the dialogue tests use.
func (f *fakeAnswerer) Analyze(text string) index.Analysis {
	switch text {
	case "电话多少", "那要带什么材料", "在哪里办", "":
		return index.Analysis{}
	}
	return index.Analysis{Topic: []string{text}}
}

// calls are the questions asked as the resident wrote them: not the
// queries a conversation adds for a follow-up (the matter under discussion
// before the question, or restricted to the disclosures just shown).
func (f *fakeAnswerer) calls() []index.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []index.Query
	for _, q := range f.queries {
		if len(q.Only) == 0 && !strings.Contains(q.Text, " ") {
			out = append(out, q)
		}
	}
	return out
}

type touch struct {
	openid, platform string
	at               time.Time
}

// fakeSubs is an in-memory Subscriptions.
type fakeSubs struct {
	mu      sync.Mutex
	byUser  map[string]map[string]bool
	touches []touch
	forgot  []string
	fail    bool
}

func newFakeSubs() *fakeSubs { return &fakeSubs{byUser: map[string]map[string]bool{}} }

var errStore = errors.New("store down")

func (s *fakeSubs) Subscribe(openid, topic string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return false, errStore
	}
	if s.byUser[openid] == nil {
		s.byUser[openid] = map[string]bool{}
	}
	if s.byUser[openid][topic] {
		return false, nil
	}
	s.byUser[openid][topic] = true
	return true, nil
}

func (s *fakeSubs) Unsubscribe(openid, topic string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return false, errStore
	}
	if !s.byUser[openid][topic] {
		return false, nil
	}
	delete(s.byUser[openid], topic)
	return true, nil
}

func (s *fakeSubs) UnsubscribeAll(openid string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.byUser[openid] {
		out = append(out, t)
	}
	sort.Strings(out)
	delete(s.byUser, openid)
	return out, nil
}

func (s *fakeSubs) Forget(openid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byUser, openid)
	s.forgot = append(s.forgot, openid)
	return nil
}

func (s *fakeSubs) Topics(openid string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return nil, errStore
	}
	var out []string
	for t := range s.byUser[openid] {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}

func (s *fakeSubs) Touch(openid, platform string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touches = append(s.touches, touch{openid, platform, at})
	return nil
}

func (s *fakeSubs) topics(openid string) []string {
	t, _ := s.Topics(openid)
	return t
}

func (s *fakeSubs) touched() []touch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]touch(nil), s.touches...)
}

// fakeLog collects query log records.
type fakeLog struct {
	mu      sync.Mutex
	records []querylog.Record
}

func (l *fakeLog) Append(r querylog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r)
	return nil
}

func (l *fakeLog) all() []querylog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]querylog.Record(nil), l.records...)
}
