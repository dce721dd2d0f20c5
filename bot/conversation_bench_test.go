package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
)

// BenchmarkDialogue: one message through the conversation on the 夏阳
// index, a question on its own beside a follow-up on it (which asks the
// index with the matter, then restricted to the disclosure; one that names
// a word of its own is also asked alone).
//
//	go test -run '^$' -bench Dialogue -benchtime 200x ./bot
//	go test -run '^$' -bench Dialogue/webhook-mix -benchtime 5200x ./bot
func BenchmarkDialogue(b *testing.B) {
	day, _ := clock.ParseDate("2026-11-26")
	noon := day.Add(12 * time.Hour)
	ix := corpusIndex(b, noon, "../index/testdata/xiayang.jsonl")
	d := bot.NewDialogue(ix, bot.NewRenderer(bot.RenderOptions{Related: 2}), clock.Fixed(noon), bot.ConversationOptions{})
	ctx := context.Background()
	b.Run("question", func(b *testing.B) {
		for i := range b.N {
			if _, err := d.Reply(ctx, bot.Input{User: fmt.Sprint("q", i), Text: "现在低保标准是多少"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("follow-up", func(b *testing.B) {
		for i := range b.N {
			user := fmt.Sprint("f", i)
			b.StopTimer()
			if _, err := d.Reply(ctx, bot.Input{User: user, Text: "现在低保标准是多少"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := d.Reply(ctx, bot.Input{User: user, Text: "那要带什么材料"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("follow-up-naming", func(b *testing.B) {
		// A follow-up that names a word of its own (能送饭到家里吗) is
		// also asked on its own.
		for i := range b.N {
			user := fmt.Sprint("n", i)
			b.StopTimer()
			if _, err := d.Reply(ctx, bot.Input{User: user, Text: "夏阳湖长者食堂几点开饭"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := d.Reply(ctx, bot.Input{User: user, Text: "能送饭到家里吗"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("webhook-mix", func(b *testing.B) {
		// The webhook benchmark's messages (500 followers asking the
		// residents' questions in turn) on the sample data: -benchtime
		// 5200x replays them all. Each run starts with no conversations
		// and an index of its own, so that no run answers from another's
		// asks.
		today, _ := clock.ParseDate("2026-12-01")
		at := today.Add(12 * time.Hour)
		ix := corpusIndex(b, at, "../data/disclosures/part1.jsonl", "../data/disclosures/part2.jsonl")
		lib := newAskKinds(ix)
		d := bot.NewDialogue(lib, bot.NewRenderer(bot.RenderOptions{Related: 2}), clock.Fixed(at), bot.ConversationOptions{})
		msgs := benchMessages(b, b.N)
		b.ResetTimer()
		for _, in := range msgs {
			lib.reply(b, d, in)
		}
		b.StopTimer()
		total := 0
		for _, n := range lib.count {
			total += n
		}
		b.ReportMetric(float64(total)/float64(b.N), "asks/msg")
	})
	b.Run("pick", func(b *testing.B) {
		for i := range b.N {
			user := fmt.Sprint("p", i)
			b.StopTimer()
			if _, err := d.Reply(ctx, bot.Input{User: user, Text: "街道有哪些长者食堂"}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := d.Reply(ctx, bot.Input{User: user, Text: "2"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
