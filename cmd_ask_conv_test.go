package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Lines with the same "user" are one conversation, in order, as messages
// from one follower; --json prints the choices each reply numbers.
func TestAskConversations(t *testing.T) {
	data := copyDataDir(t, askIDs)
	stdin := strings.Join([]string{
		`{"q":"低保怎么申请","user":"a"}`,
		`{"q":"失业保险金领取期限","user":"b"}`,
		`{"q":"那要带什么材料","user":"a"}`,
		`{"q":"电话多少","user":"b"}`,
		`{"q":"长者食堂在哪里","user":"c"}`,
		`{"q":"2","user":"c"}`,
		`{"q":"2"}`,
		`{"q":"谢谢","user":"a"}`,
	}, "\n") + "\n"
	code, out, errOut := runGovbot(t, stdin, "ask", "--data", data, "--state", t.TempDir(), "--now", "2026-11-26", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	type line struct {
		Answered bool     `json:"answered"`
		Text     string   `json:"text"`
		Hits     []askHit `json:"hits"`
		Choices  []string `json:"choices"`
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		var r line
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if _, ok := raw["choices"]; !ok {
			t.Errorf("no choices: %s", l)
		}
		json.Unmarshal([]byte(l), &r)
		lines = append(lines, r)
	}
	if len(lines) != 8 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	topOf := func(r line) string {
		if len(r.Hits) == 0 {
			return ""
		}
		return r.Hits[0].ID
	}
	if r := lines[2]; topOf(r) != "ben-003" || !strings.Contains(r.Text, "户口簿") {
		t.Errorf("a's 那要带什么材料: %s\n%s", topOf(r), r.Text)
	}
	if r := lines[3]; topOf(r) != "emp-004" || !strings.Contains(r.Text, "021-59702361") {
		t.Errorf("b's 电话多少: %s\n%s", topOf(r), r.Text)
	}
	c := lines[4]
	if len(c.Choices) < 2 || c.Choices[0] != topOf(c) {
		t.Fatalf("c's choices %v, hits %s", c.Choices, topOf(c))
	}
	if r := lines[5]; !r.Answered || topOf(r) != c.Choices[1] {
		t.Errorf("c's 2 picked %s, want %s", topOf(r), c.Choices[1])
	}
	if r := lines[6]; r.Answered || len(r.Choices) != 0 {
		t.Errorf("a 2 without a conversation: %+v", r)
	}
	if r := lines[7]; r.Answered || len(r.Hits) != 0 || strings.Contains(r.Text, "【") {
		t.Errorf("谢谢: %+v", r)
	}
}
