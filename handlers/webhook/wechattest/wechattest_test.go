package wechattest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

const (
	token = "tok123"
	key   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	appID = "wx1234567890abcdef"
)

func response(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))}
}

func encryptedReply(t *testing.T, tok, inner string) string {
	c, err := wxcrypto.NewCipher(key, appID, nil)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := c.Encrypt([]byte(inner))
	sig := wxcrypto.Signature(tok, "1700000000", "42", enc)
	return "<xml><Encrypt>" + enc + "</Encrypt><MsgSignature>" + sig + "</MsgSignature><TimeStamp>1700000000</TimeStamp><Nonce>42</Nonce></xml>"
}

func TestDecodeReply(t *testing.T) {
	oa := NewOA(token, key, appID)
	inner := MessageXML("o1", "gh", "text", time.Unix(1700000000, 0), 0, "Content", "你好")
	got, err := oa.DecodeReply(response(200, encryptedReply(t, token, inner)))
	if err != nil || got != "你好" {
		t.Fatalf("DecodeReply = %q, %v", got, err)
	}
	for name, resp := range map[string]*http.Response{
		"wrong signature":        response(200, encryptedReply(t, "otherTok", inner)),
		"plaintext in safe mode": response(200, inner),
		"status":                 response(403, "bad signature"),
		"not text":               response(200, encryptedReply(t, token, MessageXML("o1", "gh", "image", time.Unix(1, 0), 0))),
	} {
		if _, err := oa.DecodeReply(resp); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got, err := oa.DecodeReply(response(200, "success")); err != nil || got != "" {
		t.Fatalf("success: %q, %v", got, err)
	}
	plain := NewOA(token, "", appID)
	if got, err := plain.DecodeReply(response(200, inner)); err != nil || got != "你好" {
		t.Fatalf("plaintext DecodeReply = %q, %v", got, err)
	}
}

func TestRequestsAreSigned(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	oa := NewOA(token, key, appID)
	// Chinese text cannot occur in base64 by chance, as "hi" can.
	r := oa.SignedTextRequest("o1", "你好", ts)
	q := r.URL.Query()
	body, _ := io.ReadAll(r.Body)
	if q.Get("encrypt_type") != "aes" || !wxcrypto.VerifySignature(q.Get("signature"), token, q.Get("timestamp"), q.Get("nonce")) {
		t.Fatalf("query %v", q)
	}
	if strings.Contains(string(body), "你好") {
		t.Fatal("safe-mode body carries plaintext")
	}
	oa.BaseURL = "http://127.0.0.1:1"
	if r := oa.SignedTextRequest("o1", "hi", ts); r.RequestURI != "" || r.URL.Host != "127.0.0.1:1" {
		t.Fatalf("client request: %q %v", r.RequestURI, r.URL)
	}
}
