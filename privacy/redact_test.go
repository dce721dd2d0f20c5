package privacy

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := []struct {
		id, head string
	}{
		{"oE2EFollowerFlood00000000001", "oE2E"},         // openid: 28 characters
		{"693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa", "693a"}, // robot key
		{"zhangsan", "zh"},                               // WeCom userid
		{"li", ""},                                       // short: nothing shown
		{"3", ""},                                        // tag id
		{"wrkSFfCgAAxxxx", "wrk"},                        // chat id
		{"张三丰的账号", "张"},                                  // runes, not bytes
	}
	for _, c := range cases {
		got := Redact(c.id)
		if !strings.HasPrefix(got, c.head+"…") || len(got) != len(c.head)+len("…")+8 {
			t.Errorf("Redact(%q) = %q, want %q…<8 hex>", c.id, got, c.head)
		}
		if len(c.id) > 4 && strings.Contains(got, c.id) {
			t.Errorf("Redact(%q) = %q shows the ID", c.id, got)
		}
		if Redact(c.id) != got {
			t.Errorf("Redact(%q) is not stable", c.id)
		}
	}
	if Redact("a1") == Redact("a2") {
		t.Error("two IDs redact alike")
	}
	key := "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
	if got := Redact("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key); got != Redact(key) {
		t.Errorf("webhook URL redacts as %q, its key as %q", got, Redact(key))
	}
	if Redact("") != "" {
		t.Error("empty ID")
	}
}
