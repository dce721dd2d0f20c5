package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

// notStatedLibrary answers like testLibrary, but a question about next
// year is declined as not stated, its best disclosure named.
type notStatedLibrary struct{ *fakeLibrary }

func (l notStatedLibrary) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	a, err := l.fakeLibrary.Ask(ctx, q)
	if err == nil && len(q.Only) == 0 && strings.Contains(q.Text, "明年") && len(a.Hits) > 0 {
		a.Answered, a.Decline, a.Unstated = false, index.DeclineNotStated, index.UnstatedFuture
	}
	return a, err
}

// A decline for what is not stated names what is published, numbered, so
// that 1 shows it.
func TestDialogueNotStatedOffersWhatIsPublished(t *testing.T) {
	lib := notStatedLibrary{testLibrary()}
	d := NewDialogue(lib, NewRenderer(RenderOptions{Related: 2}), clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	turns := say(t, d, "u", "低保标准明年会提高吗", "1")
	first := turns[0]
	if first.Kind != TurnDecline || first.Answered || len(first.Choices) != 1 || first.Choices[0] != "std" {
		t.Fatalf("first reply: kind %s answered %v choices %v", first.Kind, first.Answered, first.Choices)
	}
	assertContains(t, first.Text, "没有后续的调整安排")
	assertContains(t, first.Text, "1. 低保标准公告")
	assertContains(t, first.Text, "回复「1」查看")
	assertContains(t, first.Text, "12345")
	if p := turns[1]; p.Kind != TurnPick || !p.Answered || top(p) != "std" {
		t.Errorf("1 after the decline: kind %s answered %v top %s", p.Kind, p.Answered, top(p))
	}
}
