package push

import (
	"context"
	"net/url"
	"strings"

	"github.com/silenceper/wechat/v2/work/robot"
)

// RobotOptions configure a RobotClient.
type RobotOptions struct {
	API
}

// RobotClient sends to WeCom group robots (群机器人): POST
// /cgi-bin/webhook/send?key=KEY, no access token. It is safe for concurrent
// use.
type RobotClient struct {
	c *caller
}

var _ Robot = (*RobotClient)(nil)

// NewRobot returns a robot sender.
func NewRobot(o RobotOptions) (*RobotClient, error) {
	c, err := o.newCaller()
	if err != nil {
		return nil, err
	}
	return &RobotClient{c: c}, nil
}

// SendRobot sends m to the robot with webhook key (the key, or the whole
// webhook URL as WeCom shows it, whose key parameter is used). Text is limited to 2048
// bytes and markdown to 4096; longer content is refused before the call.
// The answer's errcode is checked (WeCom answers HTTP 200 with errcode
// 93000 for an unknown key, 45009 when the robot's 20 a minute are used).
func (r *RobotClient) SendRobot(ctx context.Context, key string, m Message) error {
	const api = "webhook/send"
	key = robotKey(key)
	if key == "" {
		return rejectf(ErrBadInput, "robot: webhook key is empty")
	}
	msgtype, text, err := content("robot", m, RobotTextMaxBytes, RobotMarkdownMaxBytes)
	if err != nil {
		return err
	}
	var body any
	if msgtype == "markdown" {
		var o robot.WebhookSendMarkdownOption
		o.MsgType = msgtype
		o.Markdown.Content = text
		body = &o
	} else {
		// Not robot.WebhookSendTextOption: it sends the mention lists as
		// null when empty.
		body = &robotText{MsgType: msgtype, Text: appText{Content: text}}
	}
	u := "https://" + wecomHost + "/cgi-bin/webhook/send?key=" + url.QueryEscape(key)
	return r.c.call(ctx, api, u, body, nil)
}

type robotText struct {
	MsgType string  `json:"msgtype"`
	Text    appText `json:"text"`
}

// robotKey returns the key of a webhook URL
// (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY), or s itself
// trimmed.
func robotKey(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.Query().Get("key")
}
