package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/handlers/webhook/wechattest"
	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

type refuseCase struct {
	name   string
	status int
	req    func() *http.Request
}

// badPadding encrypts a well-formed layout whose padding bytes disagree.
func badPadding(t *testing.T, encodingAESKey, receiveID, msg string) string {
	key, err := wxcrypto.DecodeAESKey(encodingAESKey)
	if err != nil {
		t.Fatal(err)
	}
	pt := make([]byte, 20, 96)
	binary.BigEndian.PutUint32(pt[16:], uint32(len(msg)))
	pt = append(pt, msg...)
	pt = append(pt, receiveID...)
	pad := 32 - len(pt)%32
	for i := 0; i < pad; i++ {
		pt = append(pt, byte(pad))
	}
	pt[len(pt)-2] ^= 0x40
	block, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(pt, pt)
	return base64.StdEncoding.EncodeToString(pt)
}

func unixStr(ts time.Time) string { return strconv.FormatInt(ts.Unix(), 10) }

// oaSigned builds a safe-mode request around an arbitrary Encrypt value,
// correctly signed.
func oaSigned(wx *wechattest.OA, enc string, ts time.Time) *http.Request {
	t, n := unixStr(ts), "987654321"
	q := url.Values{"signature": {wx.Signature(t, n)}, "timestamp": {t}, "nonce": {n},
		"encrypt_type": {"aes"}, "msg_signature": {wx.Signature(t, n, enc)}}
	return wx.PostRequest(q, "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA["+enc+"]]></Encrypt></xml>")
}

func withQuery(r *http.Request, edit func(q url.Values)) *http.Request {
	q := r.URL.Query()
	edit(q)
	r.URL.RawQuery = q.Encode()
	r.RequestURI = r.URL.RequestURI()
	return r
}

func withMethod(r *http.Request, m string) *http.Request {
	r.Method = m
	return r
}

func runRefusals(t *testing.T, h http.Handler, b *fakeBot, valid func() *http.Request, cases []refuseCase) {
	t.Helper()
	// Positive control: the same construction, untampered, is accepted.
	if rec := serve(h, valid()); rec.Code != 200 {
		t.Fatalf("valid request: %d %q", rec.Code, rec.Body.String())
	}
	if len(b.Calls()) != 1 {
		t.Fatal("valid request did not reach the bot")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(b.Calls())
			rec := serve(h, tc.req())
			if rec.Code != tc.status {
				t.Fatalf("status %d (%q), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tc.status)
			}
			if rec.Code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "GET, POST" {
				t.Fatalf("405 without Allow: %q", rec.Header().Get("Allow"))
			}
			if strings.Contains(rec.Body.String(), "<") {
				t.Fatalf("error body echoes markup: %q", rec.Body.String())
			}
			if n := len(b.Calls()); n != before {
				t.Fatalf("refused request reached the bot (%d calls)", n-before)
			}
		})
	}
}

func bigText() string { return strings.Repeat("长", DefaultMaxBodyBytes/3+100) }

func TestOASafeRefusals(t *testing.T) {
	b := echoBot()
	h, wx := oaHandler(t, wechattest.Safe, b)
	text := func(ts time.Time) *http.Request { return wx.SignedTextRequest("o1", "hi", ts) }
	inner := wechattest.MessageXML(wx.Account, "o1", "text", now, 1, "Content", "hi")
	other := mustCipher(t, oaKey, "wxffffffffffffffff")
	otherEnc, _ := other.Encrypt([]byte(inner))
	runRefusals(t, h, b, func() *http.Request { return text(now) }, []refuseCase{
		{"bad msg_signature", 403, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Set("msg_signature", strings.Repeat("a", 40)) })
		}},
		{"bad signature", 403, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Set("signature", strings.Repeat("a", 40)) })
		}},
		{"Encrypt swapped under the signature", 403, func() *http.Request {
			q, _ := wx.Sign(inner, now, "111")
			_, body := wx.Sign(strings.Replace(inner, "hi", "ho", 1), now, "111")
			return wx.PostRequest(q, body)
		}},
		{"stale", 403, func() *http.Request { return text(now.Add(-5*time.Minute - time.Second)) }},
		{"future", 403, func() *http.Request { return text(now.Add(5*time.Minute + time.Second)) }},
		{"too large", 413, func() *http.Request { return wx.SignedTextRequest("o1", bigText(), now) }},
		{"endless body", 413, func() *http.Request {
			r := text(now)
			r.Body = io.NopCloser(endless{})
			r.ContentLength = -1
			return r
		}},
		{"malformed envelope", 400, func() *http.Request {
			r := text(now)
			r.Body = io.NopCloser(strings.NewReader("<xml><Encrypt>abc"))
			return r
		}},
		{"envelope without Encrypt", 400, func() *http.Request {
			r := text(now)
			r.Body = io.NopCloser(strings.NewReader("<xml><ToUserName>x</ToUserName></xml>"))
			return r
		}},
		{"malformed inner XML", 400, func() *http.Request { return oaSigned(wx, wx.Encrypt("<xml><ToUserName>gh"), now) }},
		{"incomplete message", 400, func() *http.Request {
			return oaSigned(wx, wx.Encrypt("<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType></xml>"), now)
		}},
		{"Encrypt not base64", 400, func() *http.Request { return oaSigned(wx, "%%%not-base64%%%", now) }},
		{"Encrypt too short", 400, func() *http.Request { return oaSigned(wx, "AAAA", now) }},
		{"bad padding", 400, func() *http.Request { return oaSigned(wx, badPadding(t, oaKey, oaAppID, inner), now) }},
		{"wrong receive id", 400, func() *http.Request { return oaSigned(wx, otherEnc, now) }},
		{"plaintext POST in safe mode", 403, func() *http.Request {
			p := wechattest.NewOA(oaToken, "", oaAppID)
			return p.SignedTextRequest("o1", "hi", now)
		}},
		{"unknown encrypt_type", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Set("encrypt_type", "des") })
		}},
		{"missing msg_signature", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Del("msg_signature") })
		}},
		{"missing timestamp", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Del("timestamp") })
		}},
		{"missing nonce", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Del("nonce") })
		}},
		{"timestamp not a number", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Set("timestamp", "1e9") })
		}},
		{"PUT", 405, func() *http.Request { return withMethod(text(now), http.MethodPut) }},
		{"DELETE", 405, func() *http.Request { return withMethod(text(now), http.MethodDelete) }},
		{"HEAD", 405, func() *http.Request { return withMethod(text(now), http.MethodHead) }},
	})
}

func TestOAPlaintextRefusals(t *testing.T) {
	b := echoBot()
	h, wx := oaHandler(t, wechattest.Plaintext, b)
	text := func(ts time.Time) *http.Request { return wx.SignedTextRequest("o1", "hi", ts) }
	safe := wechattest.NewOA(oaToken, oaKey, oaAppID)
	runRefusals(t, h, b, func() *http.Request { return text(now) }, []refuseCase{
		{"bad signature", 403, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Set("signature", wrongSig()) })
		}},
		{"other token", 403, func() *http.Request {
			return wechattest.NewOA("someOtherToken", "", oaAppID).SignedTextRequest("o1", "hi", now)
		}},
		{"missing signature", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Del("signature") })
		}},
		{"stale", 403, func() *http.Request { return text(now.Add(-time.Hour)) }},
		{"future", 403, func() *http.Request { return text(now.Add(6 * time.Minute)) }},
		{"too large", 413, func() *http.Request { return wx.SignedTextRequest("o1", bigText(), now) }},
		{"malformed XML", 400, func() *http.Request { return wx.SignedRequest("<xml><Content>hi</Content", now) }},
		{"not XML", 400, func() *http.Request { return wx.SignedRequest(`{"MsgType":"text"}`, now) }},
		{"wrong root", 400, func() *http.Request {
			return wx.SignedRequest(strings.ReplaceAll(wechattest.MessageXML("gh", "o1", "text", now, 1), "xml>", "msg>"), now)
		}},
		{"encrypted without a key configured", 400, func() *http.Request { return safe.SignedTextRequest("o1", "hi", now) }},
		{"PATCH", 405, func() *http.Request { return withMethod(text(now), http.MethodPatch) }},
	})
}

// Signature0 is a well-formed but wrong signature.
func wrongSig() string { return strings.Repeat("0", 40) }

func TestOACompatibleRefusals(t *testing.T) {
	b := echoBot()
	h, wx := oaHandler(t, wechattest.Compatible, b)
	inner := wechattest.MessageXML(wx.Account, "o1", "text", now, 1, "Content", "hi")
	runRefusals(t, h, b, func() *http.Request { return wx.SignedTextRequest("o1", "hi", now) }, []refuseCase{
		{"Encrypt edited", 403, func() *http.Request {
			q, body := wx.Sign(inner, now, "222")
			i := strings.Index(body, "<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
			// Change the first base64 character (to one it is not:
			// the ciphertext is random).
			c := "B"
			if body[i] == 'B' {
				c = "C"
			}
			body = body[:i] + c + body[i+1:]
			return wx.PostRequest(q, body)
		}},
		{"stale", 403, func() *http.Request { return wx.SignedTextRequest("o1", "hi", now.Add(-10*time.Minute)) }},
		{"too large", 413, func() *http.Request { return wx.SignedTextRequest("o1", bigText(), now) }},
	})
	// In compatible mode the decrypted message is used, not the plaintext
	// copy next to it.
	q, body := wx.Sign(inner, now, "333")
	body = strings.Replace(body, "<Content><![CDATA[hi]]>", "<Content><![CDATA[forged]]>", 1)
	if rec := serve(h, wx.PostRequest(q, body)); rec.Code != 200 {
		t.Fatalf("compatible: %d", rec.Code)
	}
	calls := b.Calls()
	if got := calls[len(calls)-1].Content; got != "hi" {
		t.Fatalf("compatible mode used the unsigned plaintext copy: %q", got)
	}
}

func TestWorkRefusals(t *testing.T) {
	b := echoBot()
	h, wx := workHandler(t, b)
	text := func(ts time.Time) *http.Request { return wx.SignedTextRequest("u1", "hi", ts) }
	inner := wechattest.MessageXML(workCorp, "u1", "text", now, 1, "Content", "hi", "AgentID", "1000002")
	signed := func(enc string) *http.Request {
		q, body := wx.SignEncrypted(enc, now, "444")
		return wx.Request(http.MethodPost, q, body)
	}
	otherEnc, _ := mustCipher(t, workKey, "wwffffffffffffffff").Encrypt([]byte(inner))
	wrongKeyEnc, _ := mustCipher(t, oaKey, workCorp).Encrypt([]byte(inner))
	runRefusals(t, h, b, func() *http.Request { return text(now) }, []refuseCase{
		{"bad msg_signature", 403, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Set("msg_signature", wrongSig()) })
		}},
		{"other token", 403, func() *http.Request {
			return wechattest.NewWork("otherToken", workKey, workCorp).SignedTextRequest("u1", "hi", now)
		}},
		{"stale", 403, func() *http.Request { return text(now.Add(-6 * time.Minute)) }},
		{"future", 403, func() *http.Request { return text(now.Add(6 * time.Minute)) }},
		{"too large", 413, func() *http.Request { return wx.SignedTextRequest("u1", bigText(), now) }},
		{"malformed envelope", 400, func() *http.Request {
			r := text(now)
			r.Body = io.NopCloser(strings.NewReader("<xml><Encrypt>"))
			return r
		}},
		{"malformed inner XML", 400, func() *http.Request { return signed(wx.Encrypt("<xml><FromUserName>")) }},
		{"Encrypt not base64", 400, func() *http.Request { return signed("!!!!") }},
		{"bad padding", 400, func() *http.Request { return signed(badPadding(t, workKey, workCorp, inner)) }},
		{"wrong corp id", 400, func() *http.Request { return signed(otherEnc) }},
		{"wrong key", 400, func() *http.Request { return signed(wrongKeyEnc) }},
		{"missing msg_signature", 400, func() *http.Request {
			return withQuery(text(now), func(q url.Values) { q.Del("msg_signature") })
		}},
		{"verification without echostr", 400, func() *http.Request {
			return withQuery(wx.VerifyURLRequest("1", now), func(q url.Values) { q.Del("echostr") })
		}},
		{"verification bad signature", 403, func() *http.Request {
			return withQuery(wx.VerifyURLRequest("1", now), func(q url.Values) { q.Set("msg_signature", wrongSig()) })
		}},
		{"OPTIONS", 405, func() *http.Request { return withMethod(text(now), http.MethodOptions) }},
	})
}
