package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/handlers/webhook/wechattest"
	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

const (
	oaToken = "govbotOAtoken1"
	oaKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	oaAppID = "wx1234567890abcdef"

	workToken = "govbotWorkToken"
	workKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	workCorp  = "ww0123456789abcdef"
)

var now = time.Date(2024, 5, 6, 10, 30, 0, 0, clock.Shanghai)

// fakeBot records what reaches it and answers as told.
type fakeBot struct {
	mu      sync.Mutex
	calls   []bot.Message
	reply   func(bot.Message) bot.Reply
	err     error
	panics  bool
	ctxDead []time.Time
}

func (f *fakeBot) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	f.mu.Lock()
	f.calls = append(f.calls, m)
	dl, _ := ctx.Deadline()
	f.ctxDead = append(f.ctxDead, dl)
	f.mu.Unlock()
	if f.panics {
		panic("bot exploded")
	}
	if f.err != nil {
		return bot.Reply{}, f.err
	}
	if f.reply == nil {
		return bot.Reply{}, nil
	}
	return f.reply(m), nil
}

func (f *fakeBot) Calls() []bot.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Message(nil), f.calls...)
}

func echoBot() *fakeBot {
	return &fakeBot{reply: func(m bot.Message) bot.Reply { return bot.Reply{Text: "收到：" + m.Content} }}
}

func oaHandler(t testing.TB, mode wechattest.Mode, b bot.Handler, edit ...func(*OfficialAccountOptions)) (http.Handler, *wechattest.OA) {
	t.Helper()
	opts := OfficialAccountOptions{Token: oaToken, AppID: oaAppID, Options: Options{Handler: b, Clock: clock.Fixed(now)}}
	key := ""
	if mode != wechattest.Plaintext {
		opts.EncodingAESKey = oaKey
		key = oaKey
	}
	for _, e := range edit {
		e(&opts)
	}
	h, err := NewOfficialAccount(opts)
	if err != nil {
		t.Fatal(err)
	}
	wx := wechattest.NewOA(oaToken, key, oaAppID)
	wx.Mode = mode
	return h, wx
}

func workHandler(t testing.TB, b bot.Handler, edit ...func(*WorkOptions)) (http.Handler, *wechattest.Work) {
	t.Helper()
	opts := WorkOptions{Token: workToken, EncodingAESKey: workKey, CorpID: workCorp, Options: Options{Handler: b, Clock: clock.Fixed(now)}}
	for _, e := range edit {
		e(&opts)
	}
	h, err := NewWork(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, wechattest.NewWork(workToken, workKey, workCorp)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

var modes = []struct {
	name string
	mode wechattest.Mode
}{{"plaintext", wechattest.Plaintext}, {"compatible", wechattest.Compatible}, {"safe", wechattest.Safe}}

func TestOAURLVerification(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := echoBot()
			h, wx := oaHandler(t, m.mode, b)
			rec := serve(h, wx.VerifyURLRequest("4187539127460393912", now.Add(-10*time.Second)))
			if rec.Code != 200 || rec.Body.String() != "4187539127460393912" {
				t.Fatalf("got %d %q", rec.Code, rec.Body.String())
			}
			// Signed by someone else.
			other := wechattest.NewOA("otherToken", "", oaAppID)
			if rec := serve(h, other.VerifyURLRequest("1", now)); rec.Code != 403 {
				t.Fatalf("foreign signature: %d %q", rec.Code, rec.Body.String())
			}
			if rec := serve(h, wx.VerifyURLRequest("1", now.Add(-6*time.Minute))); rec.Code != 403 {
				t.Fatalf("stale verification: %d", rec.Code)
			}
			if len(b.Calls()) != 0 {
				t.Fatal("URL verification reached the bot")
			}
		})
	}
}

func TestWorkURLVerification(t *testing.T) {
	b := echoBot()
	h, wx := workHandler(t, b)
	rec := serve(h, wx.VerifyURLRequest("5927638689404981254", now))
	if rec.Code != 200 || rec.Body.String() != "5927638689404981254" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
	// A "+" in echostr sent unescaped arrives as a space.
	req := wx.VerifyURLRequest("5927638689404981254", now)
	for i := 0; i < 200 && !strings.Contains(req.URL.Query().Get("echostr"), "+"); i++ {
		req = wx.VerifyURLRequest("5927638689404981254", now)
	}
	if strings.Contains(req.URL.Query().Get("echostr"), "+") {
		req.URL.RawQuery = strings.ReplaceAll(req.URL.RawQuery, "%2B", "+")
		if rec := serve(h, req); rec.Code != 200 || rec.Body.String() != "5927638689404981254" {
			t.Fatalf("unescaped +: %d %q", rec.Code, rec.Body.String())
		}
	}
	other := wechattest.NewWork(workToken, oaKey, workCorp)
	if rec := serve(h, other.VerifyURLRequest("1", now)); rec.Code != 400 {
		t.Fatalf("echostr under another key: %d", rec.Code)
	}
	if rec := serve(h, wx.VerifyURLRequest("1", now.Add(7*time.Minute))); rec.Code != 403 {
		t.Fatalf("future verification: %d", rec.Code)
	}
	if len(b.Calls()) != 0 {
		t.Fatal("URL verification reached the bot")
	}
}

type vectors struct {
	WeCom struct {
		Token          string `json:"token"`
		EncodingAESKey string `json:"encoding_aes_key"`
		CorpID         string `json:"corp_id"`
		URLVerify      struct {
			MsgSignature     string `json:"msg_signature"`
			Timestamp        string `json:"timestamp"`
			Nonce            string `json:"nonce"`
			Echostr          string `json:"echostr"`
			EchostrPlaintext string `json:"echostr_plaintext"`
		} `json:"url_verification"`
		Message struct {
			MsgSignature string `json:"msg_signature"`
			Timestamp    string `json:"timestamp"`
			Nonce        string `json:"nonce"`
			Encrypt      string `json:"encrypt"`
		} `json:"message"`
	} `json:"wecom_sample"`
}

func loadVectors(t testing.TB) vectors {
	b, err := os.ReadFile("wxcrypto/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The published WeCom sample goes through the handler's own code path.
func TestWorkTencentSample(t *testing.T) {
	v := loadVectors(t).WeCom
	mk := func(ts time.Time, b bot.Handler) http.Handler {
		h, err := NewWork(WorkOptions{Token: v.Token, EncodingAESKey: v.EncodingAESKey, CorpID: v.CorpID,
			Options: Options{Handler: b, Clock: clock.Fixed(ts)}})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	u := v.URLVerify
	b := echoBot()
	q := url.Values{"msg_signature": {u.MsgSignature}, "timestamp": {u.Timestamp}, "nonce": {u.Nonce}, "echostr": {u.Echostr}}
	rec := serve(mk(time.Unix(1409659589, 0), b), httptest.NewRequest("GET", "/wechat/work?"+q.Encode(), nil))
	if rec.Code != 200 || rec.Body.String() != u.EchostrPlaintext {
		t.Fatalf("sample URL verification: %d %q", rec.Code, rec.Body.String())
	}

	m := v.Message
	q = url.Values{"msg_signature": {m.MsgSignature}, "timestamp": {m.Timestamp}, "nonce": {m.Nonce}}
	body := "<xml><ToUserName><![CDATA[" + v.CorpID + "]]></ToUserName><Encrypt><![CDATA[" + m.Encrypt + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
	h := mk(time.Unix(1409659813, 0), b)
	rec = serve(h, httptest.NewRequest("POST", "/wechat/work?"+q.Encode(), strings.NewReader(body)))
	if rec.Code != 200 {
		t.Fatalf("sample message: %d %q", rec.Code, rec.Body.String())
	}
	calls := b.Calls()
	if len(calls) != 1 {
		t.Fatalf("bot called %d times", len(calls))
	}
	got := calls[0]
	want := bot.Message{Platform: bot.Work, ToUser: "wx5823bf96d3bd56c7", FromUser: "mycreate",
		CreateTime: time.Unix(1409659813, 0).In(clock.Shanghai), MsgID: "4561255354251345929",
		MsgType: "text", Content: "hello", AgentID: "218"}
	if got != want {
		t.Fatalf("decoded\n %+v\nwant\n %+v", got, want)
	}
	// The reply is encrypted for the sample corp and decrypts to a text
	// reply to mycreate.
	wx := wechattest.NewWork(v.Token, v.EncodingAESKey, v.CorpID)
	r, err := wx.DecodeReplyMessage(rec.Result())
	if err != nil {
		t.Fatal(err)
	}
	if r.Content != "收到：hello" || r.ToUserName != "mycreate" || r.FromUserName != v.CorpID || r.CreateTime != 1409659813 {
		t.Fatalf("reply %+v", r)
	}

	// The same sample one minute after the window is refused.
	late := mk(time.Unix(1409659813, 0).Add(5*time.Minute+time.Second), b)
	if rec := serve(late, httptest.NewRequest("POST", "/wechat/work?"+q.Encode(), strings.NewReader(body))); rec.Code != 403 {
		t.Fatalf("late sample: %d", rec.Code)
	}
	if len(b.Calls()) != 1 {
		t.Fatal("late sample reached the bot")
	}
}

type typeCase struct {
	name    string
	msgType string
	extra   []string
	want    func(m bot.Message) bool
}

var typeCases = []typeCase{
	{"text", "text", []string{"Content", "社区食堂在哪里？"}, func(m bot.Message) bool { return m.Content == "社区食堂在哪里？" && m.MsgID != "" }},
	{"text with ]]>", "text", []string{"Content", "a]]>b <x>&"}, func(m bot.Message) bool { return m.Content == "a]]>b <x>&" }},
	{"voice", "voice", []string{"MediaId", "m1", "Format", "amr", "Recognition", "垃圾分类怎么投放"}, func(m bot.Message) bool {
		return m.Recognition == "垃圾分类怎么投放" && m.Content == ""
	}},
	{"location", "location", []string{"Location_X", "31.1532", "Location_Y", "121.0675", "Scale", "15", "Label", "青浦区盈浦街道"}, func(m bot.Message) bool {
		return m.Lat == 31.1532 && m.Lon == 121.0675 && m.Label == "青浦区盈浦街道"
	}},
	{"image", "image", []string{"PicUrl", "http://example.invalid/p.jpg", "MediaId", "m"}, func(m bot.Message) bool { return m.MsgType == "image" && m.Content == "" }},
	{"video", "video", []string{"MediaId", "m", "ThumbMediaId", "t"}, func(m bot.Message) bool { return m.MsgType == "video" }},
	{"shortvideo", "shortvideo", []string{"MediaId", "m", "ThumbMediaId", "t"}, func(m bot.Message) bool { return m.MsgType == "shortvideo" }},
	{"link", "link", []string{"Title", "t", "Description", "d", "Url", "http://example.invalid"}, func(m bot.Message) bool { return m.MsgType == "link" }},
	{"subscribe", "event", []string{"Event", "subscribe", "EventKey", "qrscene_42"}, func(m bot.Message) bool {
		return m.Event == "subscribe" && m.EventKey == "qrscene_42" && m.MsgID == ""
	}},
	{"unsubscribe", "event", []string{"Event", "unsubscribe"}, func(m bot.Message) bool { return m.Event == "unsubscribe" }},
	{"click", "event", []string{"Event", "CLICK", "EventKey", "MENU_GUIDE"}, func(m bot.Message) bool { return m.Event == "CLICK" && m.EventKey == "MENU_GUIDE" }},
	{"click lower case", "event", []string{"Event", "click", "EventKey", "K"}, func(m bot.Message) bool { return m.Event == "CLICK" && m.EventKey == "K" }},
	{"view", "event", []string{"Event", "VIEW", "EventKey", "https://example.invalid/x"}, func(m bot.Message) bool {
		return m.Event == "VIEW" && m.EventKey == "https://example.invalid/x"
	}},
	{"location event", "event", []string{"Event", "LOCATION", "Latitude", "31.150000", "Longitude", "121.100000", "Precision", "65.0"}, func(m bot.Message) bool {
		return m.Event == "LOCATION" && m.Lat == 31.15 && m.Lon == 121.1
	}},
}

func TestOAMessageTypes(t *testing.T) {
	for _, md := range modes {
		for _, tc := range typeCases {
			t.Run(md.name+"/"+tc.name, func(t *testing.T) {
				b := &fakeBot{}
				h, wx := oaHandler(t, md.mode, b)
				rec := serve(h, wx.MessageRequest("oFollower1", tc.msgType, now.Add(-3*time.Second), tc.extra...))
				if rec.Code != 200 || rec.Body.String() != "success" {
					t.Fatalf("got %d %q", rec.Code, rec.Body.String())
				}
				calls := b.Calls()
				if len(calls) != 1 {
					t.Fatalf("bot called %d times", len(calls))
				}
				m := calls[0]
				if m.Platform != bot.OfficialAccount || m.FromUser != "oFollower1" || m.ToUser != wx.Account ||
					m.MsgType != tc.msgType || !m.CreateTime.Equal(now.Add(-3*time.Second)) || m.AgentID != "" {
					t.Fatalf("common fields: %+v", m)
				}
				if !tc.want(m) {
					t.Fatalf("decoded %+v", m)
				}
			})
		}
	}
}

func TestWorkMessageTypes(t *testing.T) {
	for _, tc := range typeCases {
		t.Run(tc.name, func(t *testing.T) {
			b := &fakeBot{}
			h, wx := workHandler(t, b)
			rec := serve(h, wx.MessageRequest("zhangsan", tc.msgType, now, tc.extra...))
			if rec.Code != 200 || rec.Body.Len() != 0 {
				t.Fatalf("got %d %q", rec.Code, rec.Body.String())
			}
			calls := b.Calls()
			if len(calls) != 1 {
				t.Fatalf("bot called %d times", len(calls))
			}
			m := calls[0]
			if m.Platform != bot.Work || m.FromUser != "zhangsan" || m.ToUser != workCorp || m.AgentID != "1000002" || m.MsgType != tc.msgType {
				t.Fatalf("common fields: %+v", m)
			}
			if !tc.want(m) {
				t.Fatalf("decoded %+v", m)
			}
		})
	}
}

func TestOAReplyRoundTrip(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			h, wx := oaHandler(t, md.mode, echoBot())
			rec := serve(h, wx.SignedTextRequest("oFollower2", "你好", now))
			if rec.Code != 200 {
				t.Fatalf("status %d %q", rec.Code, rec.Body.String())
			}
			raw := rec.Body.String()
			if md.mode != wechattest.Plaintext && (strings.Contains(raw, "你好") || !strings.Contains(raw, "<Encrypt>")) {
				t.Fatalf("reply in %s mode not encrypted: %s", md.name, raw)
			}
			r, err := wx.DecodeReplyMessage(rec.Result())
			if err != nil {
				t.Fatal(err)
			}
			if r.Content != "收到：你好" || r.ToUserName != "oFollower2" || r.FromUserName != wx.Account || r.MsgType != "text" || r.CreateTime != now.Unix() {
				t.Fatalf("reply %+v", r)
			}
		})
	}
}

func TestReplyNonceAndSignatureFresh(t *testing.T) {
	h, wx := oaHandler(t, wechattest.Safe, echoBot())
	req := wx.SignedTextRequest("o1", "x", now)
	nonce := req.URL.Query().Get("nonce")
	a := serve(h, req).Body.String()
	b := serve(h, wx.SignedTextRequest("o1", "x", now)).Body.String()
	if a == b {
		t.Fatal("two replies are byte-identical: no fresh random/nonce")
	}
	if strings.Contains(a, "<Nonce>"+nonce+"</Nonce>") {
		t.Fatal("reply reuses the request nonce")
	}
}

func TestWorkReplyRoundTrip(t *testing.T) {
	h, wx := workHandler(t, echoBot())
	rec := serve(h, wx.SignedTextRequest("lisi", "办证", now))
	r, err := wx.DecodeReplyMessage(rec.Result())
	if err != nil {
		t.Fatal(err)
	}
	if r.Content != "收到：办证" || r.ToUserName != "lisi" || r.FromUserName != workCorp {
		t.Fatalf("reply %+v", r)
	}
}

func TestEmptyReplyFailureAndPanic(t *testing.T) {
	cases := []struct {
		name string
		bot  *fakeBot
	}{
		{"empty", &fakeBot{}},
		{"error", &fakeBot{err: errors.New("index unavailable")}},
		{"panic", &fakeBot{panics: true}},
	}
	for _, tc := range cases {
		for _, md := range modes {
			t.Run(tc.name+"/oa-"+md.name, func(t *testing.T) {
				h, wx := oaHandler(t, md.mode, tc.bot)
				rec := serve(h, wx.SignedTextRequest("o1", "hi", now))
				if rec.Code != 200 || rec.Body.String() != "success" {
					t.Fatalf("got %d %q", rec.Code, rec.Body.String())
				}
			})
		}
		t.Run(tc.name+"/work", func(t *testing.T) {
			h, wx := workHandler(t, tc.bot)
			rec := serve(h, wx.SignedTextRequest("u1", "hi", now))
			if rec.Code != 200 || rec.Body.Len() != 0 {
				t.Fatalf("got %d %q", rec.Code, rec.Body.String())
			}
		})
		if n := len(tc.bot.Calls()); n != 4 {
			t.Fatalf("%s: bot called %d times, want 4", tc.name, n)
		}
	}
}

func TestReplyCutToLimit(t *testing.T) {
	long := strings.Repeat("盈浦街道政务公开", 200) // 4800 bytes
	b := &fakeBot{reply: func(bot.Message) bot.Reply { return bot.Reply{Text: long + "\x01"} }}
	h, wx := oaHandler(t, wechattest.Safe, b)
	got, err := wx.DecodeReply(serve(h, wx.SignedTextRequest("o1", "q", now)).Result())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > MaxReplyBytes || len(got) < MaxReplyBytes-3 || !utf8.ValidString(got) || !strings.HasPrefix(long, got) {
		t.Fatalf("reply of %d bytes, valid %v", len(got), utf8.ValidString(got))
	}

	h, wx = oaHandler(t, wechattest.Plaintext, b, func(o *OfficialAccountOptions) { o.MaxReplyBytes = 600 })
	got, err = wx.DecodeReply(serve(h, wx.SignedTextRequest("o1", "q", now)).Result())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 600 || len(got) < 597 || !strings.HasPrefix(long, got) {
		t.Fatalf("reply of %d bytes with MaxReplyBytes 600", len(got))
	}
}

func TestClampReply(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 10, "abc"},
		{"街道", 5, "街"},
		{"街道", 6, "街道"},
		{"a\x00b\x1fc\td", 10, "abc\td"},
		{"a\xffb", 10, "ab"},
		{"街", 2, ""},
	} {
		if got := clampReply(tc.in, tc.max); got != tc.want {
			t.Errorf("clampReply(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// WeChat retries a message with the same query string and body; the
// transport delivers each, and the bot deduplicates on MsgId.
func TestRetryIsDelivered(t *testing.T) {
	b := echoBot()
	h, wx := oaHandler(t, wechattest.Safe, b)
	q, body := wx.Sign(wechattest.MessageXML(wx.Account, "o1", "text", now, 42, "Content", "hi"), now, "123456")
	for i := 0; i < 3; i++ {
		if rec := serve(h, wx.PostRequest(q, body)); rec.Code != 200 {
			t.Fatalf("retry %d: %d", i, rec.Code)
		}
	}
	calls := b.Calls()
	if len(calls) != 3 || calls[2].MsgID != "42" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestHandlerGetsDeadline(t *testing.T) {
	b := &fakeBot{}
	h, wx := oaHandler(t, wechattest.Plaintext, b)
	start := time.Now()
	serve(h, wx.SignedTextRequest("o1", "q", now))
	dl := b.ctxDead[0]
	if dl.IsZero() || dl.Sub(start) > DefaultHandlerTimeout+time.Second {
		t.Fatalf("handler context deadline %v", dl)
	}
}

// Nothing a resident wrote, nor their id, reaches the log; the keyed hash
// of the sender does when configured.
func TestLogsCarryNoResidentContent(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := &fakeBot{err: errors.New("boom")}
	h, wx := oaHandler(t, wechattest.Safe, b, func(o *OfficialAccountOptions) {
		o.Logger = logger
		o.HashSender = func(id string) string { return "h:" + strings.ToUpper(id[len(id)-3:]) }
	})
	serve(h, wx.SignedTextRequest("oSecretOpenid", "我的身份证号是310000", now))
	b.err = nil
	serve(h, wx.SignedTextRequest("oSecretOpenid", "我的身份证号是310000", now))
	serve(h, wx.SignedTextRequest("oSecretOpenid", "我的身份证号是310000", now.Add(-time.Hour)))
	out := buf.String()
	for _, secret := range []string{"身份证", "oSecretOpenid", "310000"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"h:NID", "bot handler failed", "webhook request refused"} {
		if !strings.Contains(out, want) {
			t.Fatalf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	b := &fakeBot{}
	bad := []OfficialAccountOptions{
		{AppID: oaAppID, Options: Options{Handler: b}},
		{Token: oaToken, Options: Options{}},
		{Token: oaToken, EncodingAESKey: oaKey, Options: Options{Handler: b}},
		{Token: oaToken, EncodingAESKey: "short", AppID: oaAppID, Options: Options{Handler: b}},
	}
	for i, o := range bad {
		if _, err := NewOfficialAccount(o); err == nil {
			t.Errorf("official account options %d accepted", i)
		}
	}
	for i, o := range []WorkOptions{
		{Token: workToken, EncodingAESKey: workKey, Options: Options{Handler: b}},
		{Token: workToken, CorpID: workCorp, Options: Options{Handler: b}},
		{EncodingAESKey: workKey, CorpID: workCorp, Options: Options{Handler: b}},
	} {
		if _, err := NewWork(o); err == nil {
			t.Errorf("work options %d accepted", i)
		}
	}
}

// ensure the body reader is fully bounded even when the handler is fed a
// never-ending body.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

var _ io.Reader = endless{}

func mustCipher(t testing.TB, key, id string) *wxcrypto.Cipher {
	c, err := wxcrypto.NewCipher(key, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
