package channel

import (
	"testing"

	"github.com/yingpu/govbot/push"
)

// TestRegistry checks what the outbox, notice and config rely on: unique
// names, kinds and audience fields, a sender and limits for every channel,
// a per-call size for every kind of a batched channel.
func TestRegistry(t *testing.T) {
	names, fields := map[string]bool{}, map[string]bool{}
	for _, c := range All() {
		if c.Name == "" || names[c.Name] {
			t.Errorf("channel name %q empty or repeated", c.Name)
		}
		names[c.Name] = true
		if c.Label == "" || len(c.Kinds) == 0 || c.TextMaxBytes <= 0 {
			t.Errorf("%s: label %q, %d kinds, text limit %d", c.Name, c.Label, len(c.Kinds), c.TextMaxBytes)
		}
		if c.Configured == nil || c.Send == nil || c.DuplicateCheck == nil {
			t.Errorf("%s: Configured, Send or DuplicateCheck missing", c.Name)
		}
		if c.Configured(Adapters{}) {
			t.Errorf("%s configured without adapters", c.Name)
		}
		kinds := map[string]bool{}
		for _, k := range c.Kinds {
			if k.Name == "" || kinds[k.Name] || k.Label == "" {
				t.Errorf("%s: kind %+v", c.Name, k)
			}
			kinds[k.Name] = true
			if k.Field != "" {
				if fields[k.Field] {
					t.Errorf("audience field %s used twice", k.Field)
				}
				fields[k.Field] = true
			}
			if c.Batched && k.PerCall <= 0 {
				t.Errorf("%s/%s: batched without PerCall", c.Name, k.Name)
			}
		}
		if got, ok := Get(c.Name); !ok || got.Name != c.Name {
			t.Errorf("Get(%q) = %v, %v", c.Name, got.Name, ok)
		}
	}
	if _, ok := Get("fax"); ok {
		t.Error("Get of an unknown channel")
	}
	if Label("fax") != "fax" || Label(Robot) != "企业微信群机器人" {
		t.Errorf("labels %q %q", Label("fax"), Label(Robot))
	}
}

func TestContentFallsBackToText(t *testing.T) {
	m := push.Message{Title: "停水", Body: "明日停水", Markdown: true}
	oa, _ := Get(OA)
	if typ, text, max := oa.Content(m); typ != "text" || text != "停水\n\n明日停水" || max != OATextMaxBytes {
		t.Errorf("OA content %q %q %d", typ, text, max)
	}
	robot, _ := Get(Robot)
	if typ, text, max := robot.Content(m); typ != "markdown" || text != "**停水**\n\n明日停水" || max != push.RobotMarkdownMaxBytes {
		t.Errorf("robot content %q %q %d", typ, text, max)
	}
}
