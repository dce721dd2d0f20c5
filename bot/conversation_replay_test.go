package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

// askKinds counts a dialogue's asks by what they ask: the message on its
// own (alone), read with the matter (wide), restricted to disclosures
// (only); with Explain or not.
type askKinds struct {
	bot.Answerer
	mu    sync.Mutex
	text  string // the message being answered
	count map[string]int
	msgs  int
}

func newAskKinds(lib bot.Answerer) *askKinds {
	return &askKinds{Answerer: lib, count: map[string]int{}}
}

func (c *askKinds) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	kind := "alone"
	switch {
	case q.Only != nil:
		kind = "only"
	case q.Text != c.text:
		kind = "wide"
	}
	if q.Explain {
		kind += "+explain"
	}
	c.mu.Lock()
	c.count[kind]++
	c.mu.Unlock()
	return c.Answerer.Ask(ctx, q)
}

// reply sends one message through d, counting it.
func (c *askKinds) reply(t testing.TB, d *bot.Dialogue, in bot.Input) bot.Turn {
	t.Helper()
	c.mu.Lock()
	c.text = in.Text
	c.msgs++
	c.mu.Unlock()
	got, err := d.Reply(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// String is the asks per message, in all and by kind.
func (c *askKinds) String() string {
	var kinds []string
	total := 0
	for k, n := range c.count {
		kinds = append(kinds, k)
		total += n
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %.2f", k, float64(c.count[k])/float64(c.msgs))
	}
	return fmt.Sprintf("%.2f asks per message (%s)", float64(total)/float64(c.msgs), strings.Join(parts, ", "))
}

// benchMessages is the webhook benchmark's sequence of messages
// (webhook_bench_test.go): the residents' questions of index/testdata in
// turn, from 500 followers in turn.
func benchMessages(t testing.TB, n int) []bot.Input {
	t.Helper()
	files, err := filepath.Glob("../index/testdata/*-questions.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no question files: %v", err)
	}
	var qs []string
	for _, q := range readQuestions(t, files...) {
		if s := strings.TrimSpace(q.Q); s != "" {
			qs = append(qs, s)
		}
	}
	out := make([]bot.Input, n)
	for i := range out {
		out[i] = bot.Input{User: fmt.Sprintf("oBenchFollower%014d", i%500), Key: fmt.Sprint(i), Text: qs[i%len(qs)]}
	}
	return out
}

// sameTurn tells whether two replies are the same for the resident and
// for what the conversation remembers of them.
func sameTurn(a, b bot.Turn) bool {
	ids := func(t bot.Turn) []string {
		out := make([]string, len(t.Hits))
		for i, h := range t.Hits {
			out[i] = h.ID
		}
		return out
	}
	return a.Kind == b.Kind && a.Text == b.Text && a.Answered == b.Answered && a.Confidence == b.Confidence &&
		a.Answer == b.Answer && slices.Equal(a.Choices, b.Choices) && slices.Equal(ids(a), ids(b))
}

// The dialogue skips asking the index what cannot change its reply (the
// message read with the matter under discussion, when the message is
// decided on its own). Every message of the webhook benchmark's sequence
// and of both corpora's conversations gets the same reply as from a
// dialogue that asks everything before deciding; and it asks less.
// GOVBOT_REPLAY_ALL=1 replays the benchmark's 5,200 messages (warm-up
// included) instead of the first 1,500; GOVBOT_REPLAY_OUT=dir writes the
// replies there, to compare with another build's.
func TestConversationSkipsOnlyWhatCannotMatter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds indexes")
	}
	day, _ := clock.ParseDate("2026-12-01")
	noon := day.Add(12 * time.Hour)
	bench := 1500
	if os.Getenv("GOVBOT_REPLAY_ALL") != "" {
		bench = 5200
	}
	yingpu := []string{"../data/disclosures/part1.jsonl", "../data/disclosures/part2.jsonl"}
	cases := []struct {
		name   string
		corpus []string
		inputs func(t testing.TB) []bot.Input
	}{
		{"webhook benchmark", yingpu, func(t testing.TB) []bot.Input { return benchMessages(t, bench) }},
		{"夏阳 conversations", []string{"../index/testdata/xiayang.jsonl"}, func(t testing.TB) []bot.Input {
			return conversationInputs(loadConversations(t, "testdata/xiayang-conversations.jsonl"))
		}},
		{"盈浦 conversations", yingpu, func(t testing.TB) []bot.Input {
			return conversationInputs(loadConversations(t, "testdata/yingpu-conversations.jsonl"))
		}},
	}
	for _, c := range cases {
		// One index for both: two builds of a corpus may rank a few ties
		// differently. GOVBOT_REPLAY_INDEX keeps it in a directory, so
		// that another build of govbot replays on the same one.
		dir := t.TempDir()
		if d := os.Getenv("GOVBOT_REPLAY_INDEX"); d != "" {
			dir = filepath.Join(d, strings.Fields(c.name)[0])
		}
		ix := corpusIndexIn(t, dir, noon, c.corpus...)
		r := bot.NewRenderer(bot.RenderOptions{Related: 2})
		short, all := newAskKinds(ix), newAskKinds(ix)
		ds := bot.NewDialogue(short, r, clock.Fixed(noon), bot.ConversationOptions{})
		da := bot.NewDialogueAskingAll(all, r, clock.Fixed(noon), bot.ConversationOptions{})
		differ := 0
		var dump strings.Builder
		for i, in := range c.inputs(t) {
			got, want := short.reply(t, ds, in), all.reply(t, da, in)
			fmt.Fprintf(&dump, "%d\t%s\t%s\t%s\t%v\t%q\n", i, in.User, in.Text, got.Kind, got.Choices, got.Text)
			if !sameTurn(got, want) {
				differ++
				if differ <= 5 {
					t.Errorf("%s: message %d %q from %s: %s %v %q, asking everything %s %v %q",
						c.name, i, in.Text, in.User, got.Kind, got.Choices, got.Text, want.Kind, want.Choices, want.Text)
				}
			}
		}
		t.Logf("%s: asking everything %v; skipping %v", c.name, all, short)
		if dir := os.Getenv("GOVBOT_REPLAY_OUT"); dir != "" {
			// The replies, to compare with another build's.
			if err := os.WriteFile(filepath.Join(dir, strings.Fields(c.name)[0]+".tsv"), []byte(dump.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if differ > 0 {
			t.Errorf("%s: %d of %d replies differ from asking everything", c.name, differ, short.msgs)
		}
	}
}

// conversationInputs are the turns of convs as messages, each
// conversation from its own resident.
func conversationInputs(convs []conversation) []bot.Input {
	var out []bot.Input
	for i, c := range convs {
		for j, turn := range c.Turns {
			out = append(out, bot.Input{User: fmt.Sprintf("conv-%d", i), Key: fmt.Sprintf("%d-%d", i, j), Text: turn.Q})
		}
	}
	return out
}
