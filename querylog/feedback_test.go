package querylog

import (
	"testing"
	"time"
)

func TestFeedbackAndTurnsInTheLog(t *testing.T) {
	l := newLog(t)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	recs := []Record{
		{At: at(0), Q: "低保标准", Turn: "answer", Answered: true, Answer: "ben-002", Confidence: 0.9},
		{At: at(1), Q: "低保标准", Turn: "feedback", Answer: "ben-002", Confidence: 0.9, Feedback: FeedbackWrong},
		{At: at(2), Q: "长者食堂", Turn: "answer", Answered: true, Answer: "eld-001", Confidence: 0.4},
		{At: at(3), Q: "长者食堂", Turn: "feedback", Answer: "eld-001", Confidence: 0.4, Feedback: FeedbackNotUseful},
		{At: at(4), Q: "长者食堂", Turn: "feedback", Answer: "eld-001", Confidence: 0.4, Feedback: FeedbackUseful},
		{At: at(5), Q: "还有别的吗", Turn: "more"},
		{At: at(6), Q: "2", Turn: "pick"},
		{At: at(7), Q: "护照怎么办", Turn: "decline"},
		{At: at(8), Q: "那要带什么材料", Turn: "followup"},
	}
	if err := l.AppendAll(recs); err != nil {
		t.Fatal(err)
	}
	// Feedback, picks and 还有别的吗 are not unanswered demand; a declined
	// question and a follow-up nothing answered are.
	ds, err := l.Unanswered(t0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range ds {
		got[d.Example] = true
	}
	if len(ds) != 2 || !got["护照怎么办"] || !got["那要带什么材料"] {
		t.Errorf("unanswered %+v", ds)
	}
	// Doubted: the answers said to be wrong or of no use, the most
	// confident first, with question, disclosure and confidence.
	doubted, err := l.Doubted(t0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doubted) != 2 || doubted[0].Answer != "ben-002" || doubted[0].Q != "低保标准" || doubted[0].Confidence != 0.9 ||
		doubted[1].Answer != "eld-001" || doubted[1].Feedback != FeedbackNotUseful {
		t.Errorf("doubted %+v", doubted)
	}
	// The fields survive the round trip.
	all, err := l.List(t0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := all[len(all)-1]
	if last.Turn != "answer" || last.Answer != "ben-002" || last.Confidence != 0.9 {
		t.Errorf("first record read back %+v", last)
	}
	if _, err := l.Doubted(at(5), at(5)); err == nil {
		t.Error("empty period accepted")
	}
}
