package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type commandKind int

const (
	cmdNone commandKind = iota
	cmdHelp
	cmdSubscribe
	cmdUnsubscribe
	cmdMine
)

// command is a parsed resident command.
type command struct {
	kind commandKind
	// args are the topics named (subscribe, unsubscribe), as typed.
	args []string
	// all is "退订 全部".
	all bool
}

var (
	helpWords = map[string]bool{"帮助": true, "help": true, "?": true, "？": true, "使用帮助": true, "使用说明": true}
	mineWords = map[string]bool{"我的订阅": true, "查看订阅": true, "订阅列表": true}
	allWords  = map[string]bool{"全部": true, "所有": true, "全部主题": true, "all": true}
	// Unsubscribe prefixes come first: "取消订阅" also starts like
	// nothing else, but "订阅" must not match it.
	unsubscribePrefixes = []string{"取消订阅", "退订"}
	subscribePrefixes   = []string{"订阅"}
)

// questionMarkers make "订阅号是什么" a question, not a command.
var questionMarkers = []string{"吗", "么", "什么", "怎么", "如何", "哪", "是", "能", "可以", "?", "？", "。"}

// isCommandSpace reports separators residents type between a command and
// its topics, including full-width forms.
func isCommandSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u3000' || r == ':' || r == '：'
}

// isTopicSeparator separates several topics: "订阅 防汛、停水".
func isTopicSeparator(r rune) bool {
	switch r {
	case '、', '，', ',', '；', ';', '/', '／':
		return true
	}
	return isCommandSpace(r)
}

// trimQuotes strips quotes residents put around a topic: “防汛”.
func trimQuotes(s string) string {
	return strings.Trim(s, "\"'“”‘’「」『』《》【】<>")
}

// cleanText trims spaces (also full-width) around a message.
func cleanText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' })
}

// trimEndPunct drops the trailing full stops WeChat's speech recognition
// adds ("订阅防汛。").
func trimEndPunct(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		return r == '。' || r == '.' || r == '！' || r == '!' || unicode.IsSpace(r) || r == '\u3000'
	})
}

// parseCommand recognizes the commands; ok is false for a question.
// isTopic tells whether a word is a configured topic.
func parseCommand(text string, isTopic func(string) bool) (command, bool) {
	t := cleanText(text)
	if helpWords[strings.ToLower(t)] {
		return command{kind: cmdHelp}, true
	}
	t = trimEndPunct(t)
	if helpWords[strings.ToLower(t)] {
		return command{kind: cmdHelp}, true
	}
	if mineWords[t] {
		return command{kind: cmdMine}, true
	}
	for _, p := range unsubscribePrefixes {
		if rest, ok := strings.CutPrefix(t, p); ok {
			return argsCommand(cmdUnsubscribe, rest, isTopic)
		}
	}
	for _, p := range subscribePrefixes {
		if rest, ok := strings.CutPrefix(t, p); ok {
			return argsCommand(cmdSubscribe, rest, isTopic)
		}
	}
	return command{}, false
}

// maxBareTopicRunes bounds "订阅XYZ" (no separator) with an unknown XYZ
// that is still taken as a command.
const maxBareTopicRunes = 8

func argsCommand(kind commandKind, rest string, isTopic func(string) bool) (command, bool) {
	separated := rest == "" || isCommandSpace(firstRune(rest))
	rest = strings.TrimLeftFunc(rest, isCommandSpace)
	var args []string
	for _, f := range strings.FieldsFunc(rest, isTopicSeparator) {
		if f = trimQuotes(f); f != "" {
			args = append(args, f)
		}
	}
	cmd := command{kind: kind}
	for _, a := range args {
		if allWords[strings.ToLower(a)] {
			cmd.all = true
			continue
		}
		cmd.args = append(cmd.args, a)
	}
	if separated {
		return cmd, true
	}
	// "订阅防汛" is a command; "订阅号是什么" is a question.
	known := true
	for _, a := range cmd.args {
		if !isTopic(a) {
			known = false
		}
	}
	if known {
		return cmd, true
	}
	if utf8.RuneCountInString(rest) > maxBareTopicRunes {
		return command{}, false
	}
	for _, m := range questionMarkers {
		if strings.Contains(rest, m) {
			return command{}, false
		}
	}
	return cmd, true
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
