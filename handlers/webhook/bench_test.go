package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/handlers/webhook/wechattest"
)

// fastBot answers at once, so the benchmarks measure the transport:
// verification, decryption, XML decoding, reply encoding and encryption.
type fastBot struct{ reply string }

func (f fastBot) Handle(context.Context, bot.Message) (bot.Reply, error) {
	return bot.Reply{Text: f.reply}, nil
}

const benchReply = "盈浦街道社区事务受理服务中心：工作日 8:30-17:00，地址：青浦区盈浦街道……详情请见政务公开栏目。"

func benchServe(b *testing.B, h http.Handler, method, target, body string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkOASafe: one Official Account safe-mode text message per op.
func BenchmarkOASafe(b *testing.B) {
	h, wx := oaHandler(b, wechattest.Safe, fastBot{benchReply})
	q, body := wx.Sign(wechattest.MessageXML(wx.Account, "oFollower", "text", now, 1, "Content", "社区食堂几点开门"), now, "123456789")
	benchServe(b, h, http.MethodPost, "/wechat/oa?"+q.Encode(), body)
}

// BenchmarkOAPlaintext: the same message in plaintext mode.
func BenchmarkOAPlaintext(b *testing.B) {
	h, wx := oaHandler(b, wechattest.Plaintext, fastBot{benchReply})
	q, body := wx.Sign(wechattest.MessageXML(wx.Account, "oFollower", "text", now, 1, "Content", "社区食堂几点开门"), now, "123456789")
	benchServe(b, h, http.MethodPost, "/wechat/oa?"+q.Encode(), body)
}

// BenchmarkWork: one WeCom app text message per op.
func BenchmarkWork(b *testing.B) {
	h, wx := workHandler(b, fastBot{benchReply})
	q, body := wx.Sign(wechattest.MessageXML(workCorp, "zhangsan", "text", now, 1, "Content", "社区食堂几点开门", "AgentID", "1000002"), now, "123456789")
	benchServe(b, h, http.MethodPost, "/wechat/work?"+q.Encode(), body)
}

// BenchmarkOABadSignature: the cost of refusing a forged request.
func BenchmarkOABadSignature(b *testing.B) {
	h, wx := oaHandler(b, wechattest.Safe, fastBot{benchReply})
	q, body := wx.Sign(wechattest.MessageXML(wx.Account, "o", "text", now, 1, "Content", "x"), now, "1")
	q.Set("msg_signature", strings.Repeat("0", 40))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wechat/oa?"+q.Encode(), strings.NewReader(body)))
		if rec.Code != 403 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
