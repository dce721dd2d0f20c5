package push

import (
	"strings"
)

// Byte limits of message content (UTF-8 bytes of the text as sent, title
// included). Longer content is refused before any call: WeCom would cut it
// (app messages) or refuse it (robots).
const (
	RobotTextMaxBytes     = 2048
	RobotMarkdownMaxBytes = 4096
	AppTextMaxBytes       = 2048 // WeCom app and app group chat text
	AppMarkdownMaxBytes   = 2048 // WeCom app and app group chat markdown
)

// Recipient limits of one WeCom app message call.
const (
	MaxAppUsers = 1000
	MaxAppDepts = 100
	MaxAppTags  = 100
)

// TextContent is the plain text sent for m: the title, an empty line, the
// body (or whichever of them is not empty).
func TextContent(m Message) string {
	return join(strings.TrimSpace(m.Title), strings.TrimSpace(m.Body))
}

// MarkdownContent is the markdown sent for m: the title in bold, an empty
// line, the body as written.
func MarkdownContent(m Message) string {
	title := strings.TrimSpace(m.Title)
	if title != "" {
		title = "**" + title + "**"
	}
	return join(title, strings.TrimSpace(m.Body))
}

func join(title, body string) string {
	switch {
	case title == "":
		return body
	case body == "":
		return title
	}
	return title + "\n\n" + body
}

// content picks the msgtype and content of m for a channel with the given
// limits and checks them.
func content(channel string, m Message, textMax, markdownMax int) (msgtype, text string, err error) {
	msgtype, text, max := "text", TextContent(m), textMax
	if m.Markdown {
		msgtype, text, max = "markdown", MarkdownContent(m), markdownMax
	}
	if text == "" {
		return "", "", rejectf(ErrBadInput, "%s: message is empty", channel)
	}
	if len(text) > max {
		return "", "", rejectf(ErrTooLong, "%s: %s content is %d bytes, over the %d-byte limit", channel, msgtype, len(text), max)
	}
	return msgtype, text, nil
}

// CheckRobot checks m against the robot limits (2048 bytes of text, 4096 of
// markdown) without sending it, so that a notice can be refused when it is
// written rather than when it is sent.
func CheckRobot(m Message) error {
	_, _, err := content("robot", m, RobotTextMaxBytes, RobotMarkdownMaxBytes)
	return err
}

// CheckApp checks m against the WeCom app and app group chat limits (2048
// bytes of text or markdown) without sending it.
func CheckApp(m Message) error {
	_, _, err := content("work app", m, AppTextMaxBytes, AppMarkdownMaxBytes)
	return err
}
