package wxcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	wxutil "github.com/silenceper/wechat/v2/util"
)

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
			Plaintext    string `json:"plaintext"`
		} `json:"message"`
	} `json:"wecom_sample"`
	Push struct {
		Token          string `json:"token"`
		EncodingAESKey string `json:"encoding_aes_key"`
		AppID          string `json:"app_id"`
		Timestamp      string `json:"timestamp"`
		Nonce          string `json:"nonce"`
		Signature      string `json:"signature"`
		MsgSignature   string `json:"msg_signature"`
		Encrypt        string `json:"encrypt"`
		Random         string `json:"random"`
		Plaintext      string `json:"plaintext"`
		Reply          struct {
			Random       string `json:"random"`
			Plaintext    string `json:"plaintext"`
			Timestamp    string `json:"timestamp"`
			Nonce        string `json:"nonce"`
			Encrypt      string `json:"encrypt"`
			MsgSignature string `json:"msg_signature"`
		} `json:"reply"`
	} `json:"wechat_push_doc"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustCipher(t testing.TB, key, id string) *Cipher {
	t.Helper()
	c, err := NewCipher(key, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWeComSampleURLVerification(t *testing.T) {
	v := loadVectors(t).WeCom
	u := v.URLVerify
	if !VerifySignature(u.MsgSignature, v.Token, u.Timestamp, u.Nonce, u.Echostr) {
		t.Fatalf("msg_signature of the sample echostr does not verify; computed %s", Signature(v.Token, u.Timestamp, u.Nonce, u.Echostr))
	}
	got, err := mustCipher(t, v.EncodingAESKey, v.CorpID).Decrypt(u.Echostr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != u.EchostrPlaintext {
		t.Fatalf("echostr decrypted to %q, want %q", got, u.EchostrPlaintext)
	}
}

func TestWeComSampleMessage(t *testing.T) {
	v := loadVectors(t).WeCom
	m := v.Message
	if !VerifySignature(m.MsgSignature, v.Token, m.Timestamp, m.Nonce, m.Encrypt) {
		t.Fatal("msg_signature of the sample message does not verify")
	}
	if VerifySignature(m.MsgSignature, v.Token, m.Timestamp, m.Nonce, m.Encrypt+"A") {
		t.Fatal("msg_signature verified over a different Encrypt")
	}
	got, err := mustCipher(t, v.EncodingAESKey, v.CorpID).Decrypt(m.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != m.Plaintext {
		t.Fatalf("decrypted %q, want %q", got, m.Plaintext)
	}
}

func TestPushDocSample(t *testing.T) {
	v := loadVectors(t).Push
	if !VerifySignature(v.Signature, v.Token, v.Timestamp, v.Nonce) {
		t.Fatal("signature does not verify")
	}
	if !VerifySignature(v.MsgSignature, v.Token, v.Timestamp, v.Nonce, v.Encrypt) {
		t.Fatal("msg_signature does not verify")
	}
	c := mustCipher(t, v.EncodingAESKey, v.AppID)
	got, err := c.Decrypt(v.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != v.Plaintext {
		t.Fatalf("decrypted %q, want %q", got, v.Plaintext)
	}
	// The same plaintext with the documented random encrypts to the same
	// ciphertext.
	c2, err := NewCipher(v.EncodingAESKey, v.AppID, strings.NewReader(v.Random))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c2.Encrypt([]byte(v.Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	if enc != v.Encrypt {
		t.Fatalf("encrypt with the sample random:\n got %s\nwant %s", enc, v.Encrypt)
	}
}

func TestPushDocReply(t *testing.T) {
	v := loadVectors(t).Push
	r := v.Reply
	c, err := NewCipher(v.EncodingAESKey, v.AppID, strings.NewReader(r.Random))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt([]byte(r.Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	if enc != r.Encrypt {
		t.Fatalf("reply encrypt:\n got %s\nwant %s", enc, r.Encrypt)
	}
	if got := Signature(v.Token, r.Timestamp, r.Nonce, enc); got != r.MsgSignature {
		t.Fatalf("reply msg_signature %s, want %s", got, r.MsgSignature)
	}
	dec, err := c.Decrypt(enc)
	if err != nil || string(dec) != r.Plaintext {
		t.Fatalf("reply round trip: %q, %v", dec, err)
	}
}

func TestSignatureDoesNotReorderArguments(t *testing.T) {
	parts := []string{"z", "a", "m"}
	_ = Signature(parts...)
	if parts[0] != "z" || parts[1] != "a" || parts[2] != "m" {
		t.Fatalf("Signature sorted its caller's slice: %v", parts)
	}
	if Signature("a", "b") != Signature("b", "a") {
		t.Fatal("signature depends on argument order")
	}
	if VerifySignature("", "a") || VerifySignature(strings.ToUpper(Signature("a")), "a") {
		t.Fatal("VerifySignature accepted a wrong signature")
	}
}

func TestRoundTripFreshRandom(t *testing.T) {
	v := loadVectors(t).WeCom
	c := mustCipher(t, v.EncodingAESKey, v.CorpID)
	for _, msg := range []string{"", "x", strings.Repeat("长", 700), strings.Repeat("a", 12)} {
		a, err := c.Encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Encrypt([]byte(msg))
		if a == b {
			t.Fatal("two encryptions of the same message are identical: random prefix not used")
		}
		got, err := c.Decrypt(a)
		if err != nil || string(got) != msg {
			t.Fatalf("round trip of %d bytes: %v", len(msg), err)
		}
	}
}

// rawEncrypt builds a ciphertext from an arbitrary plaintext (no padding
// added), to construct payloads with bad padding or length fields.
func rawEncrypt(t testing.TB, encodingAESKey string, pt []byte) string {
	t.Helper()
	key, err := DecodeAESKey(encodingAESKey)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct)
}

func layout(msg, id string, pad []byte) []byte {
	pt := make([]byte, 20, 20+len(msg)+len(id)+len(pad))
	copy(pt, "0123456789abcdef")
	binary.BigEndian.PutUint32(pt[16:20], uint32(len(msg)))
	pt = append(pt, msg...)
	pt = append(pt, id...)
	return append(pt, pad...)
}

func TestDecryptRejects(t *testing.T) {
	v := loadVectors(t).WeCom
	key := v.EncodingAESKey
	c := mustCipher(t, key, v.CorpID)
	good := v.Message.Encrypt

	// A valid layout: 20 + 16 + 18 = 54 bytes, padded with 10 to 64.
	okPT := layout("<xml>hello</xml>", v.CorpID, bytes.Repeat([]byte{10}, 10))
	if len(okPT)%32 != 0 {
		t.Fatalf("test layout is %d bytes", len(okPT))
	}
	if got, err := c.Decrypt(rawEncrypt(t, key, okPT)); err != nil || string(got) != "<xml>hello</xml>" {
		t.Fatalf("hand-built valid payload: %q, %v", got, err)
	}

	badPad := slices32(okPT)
	badPad[len(badPad)-5] = 9 // last byte says 10, one pad byte differs
	zeroPad := layout("<xml>hello</xml>", v.CorpID, append(bytes.Repeat([]byte{10}, 9), 0))
	bigPad := layout("<xml>hello</xml>", v.CorpID, bytes.Repeat([]byte{33}, 10))
	longLen := slices32(okPT)
	binary.BigEndian.PutUint32(longLen[16:20], 1000)
	hugeLen := slices32(okPT)
	binary.BigEndian.PutUint32(hugeLen[16:20], 0xFFFFFFFF)
	// The pad covers everything: nothing left for random and length.
	allPad := bytes.Repeat([]byte{32}, 32)

	tampered := []byte(good)
	if tampered[10] == 'A' {
		tampered[10] = 'B'
	} else {
		tampered[10] = 'A'
	}
	lastBlockTampered, _ := base64.StdEncoding.DecodeString(good)
	lastBlockTampered[len(lastBlockTampered)-20] ^= 0x01

	// CBC has no integrity of its own: a flipped byte early on may still
	// decrypt. Integrity comes from msg_signature, which covers Encrypt.
	if VerifySignature(v.Message.MsgSignature, v.Token, v.Message.Timestamp, v.Message.Nonce, string(tampered)) {
		t.Fatal("msg_signature verified over tampered ciphertext")
	}

	wrongKey := mustCipher(t, loadVectors(t).Push.EncodingAESKey, v.CorpID)
	wrongID := mustCipher(t, key, "wx0000000000000000")

	cases := []struct {
		name string
		c    *Cipher
		in   string
		want error
	}{
		{"empty", c, "", ErrMalformed},
		{"not base64", c, "@@@@not base64!!", ErrMalformed},
		{"unpadded base64", c, strings.TrimRight(good, "="), ErrMalformed},
		{"short", c, base64.StdEncoding.EncodeToString(make([]byte, 16)), ErrMalformed},
		{"not whole blocks", c, base64.StdEncoding.EncodeToString(make([]byte, 40)), ErrMalformed},
		{"bad pad byte", c, rawEncrypt(t, key, badPad), ErrPadding},
		{"zero pad", c, rawEncrypt(t, key, zeroPad), ErrPadding},
		{"pad over 32", c, rawEncrypt(t, key, bigPad), ErrPadding},
		{"length too long", c, rawEncrypt(t, key, longLen), ErrLength},
		{"length 2^32-1", c, rawEncrypt(t, key, hugeLen), ErrLength},
		{"all padding", c, rawEncrypt(t, key, allPad), ErrLength},
		{"wrong receive id", wrongID, good, ErrReceiveID},
		{"tampered last block", c, base64.StdEncoding.EncodeToString(lastBlockTampered), nil},
		{"wrong key", wrongKey, good, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.Decrypt(tc.in)
			if err == nil {
				t.Fatalf("accepted, decrypted to %q", got)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func slices32(b []byte) []byte { return append([]byte(nil), b...) }

func TestNewCipherRejectsBadConfig(t *testing.T) {
	v := loadVectors(t).WeCom
	for _, tc := range []struct{ key, id string }{
		{"", v.CorpID},
		{v.EncodingAESKey[:42], v.CorpID},
		{v.EncodingAESKey + "A", v.CorpID},
		{"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", v.CorpID},
		{v.EncodingAESKey, ""},
	} {
		if _, err := NewCipher(tc.key, tc.id, nil); err == nil {
			t.Errorf("NewCipher(%q, %q) accepted", tc.key, tc.id)
		}
	}
}

func TestEncryptRandomFailure(t *testing.T) {
	v := loadVectors(t).WeCom
	c, _ := NewCipher(v.EncodingAESKey, v.CorpID, strings.NewReader("short"))
	if _, err := c.Encrypt([]byte("x")); err == nil {
		t.Fatal("Encrypt succeeded without 16 random bytes")
	}
}

// FuzzDecrypt checks that Decrypt never panics, that whatever it accepts
// re-encrypts to a payload it decrypts to the same message, and that on
// 32-byte-aligned payloads it agrees with silenceper's DecryptMsg whenever
// that accepts too (silenceper is laxer on padding, never stricter).
func FuzzDecrypt(f *testing.F) {
	v := loadVectors(f)
	w := v.WeCom
	f.Add(w.Message.Encrypt)
	f.Add(w.URLVerify.Echostr)
	f.Add("")
	f.Add("AAAA")
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Add(rawEncrypt(f, w.EncodingAESKey, layout("m", w.CorpID, bytes.Repeat([]byte{25}, 25))))
	c := mustCipher(f, w.EncodingAESKey, w.CorpID)
	f.Fuzz(func(t *testing.T, in string) {
		msg, err := c.Decrypt(in)
		_, theirs, theirErr := wxutil.DecryptMsg(w.CorpID, in, w.EncodingAESKey)
		if err != nil {
			return
		}
		raw, _ := base64.StdEncoding.DecodeString(in)
		if len(raw)%32 != 0 {
			// silenceper wants whole 32-byte blocks; Decrypt accepts
			// whole AES blocks with padding up to 32.
			theirErr, theirs = nil, msg
		}
		if theirErr != nil {
			t.Fatalf("silenceper rejects what Decrypt accepts: %v", theirErr)
		}
		if !bytes.Equal(msg, theirs) {
			t.Fatalf("Decrypt %q, silenceper %q", msg, theirs)
		}
		again, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(again)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("re-encryption round trip: %v", err)
		}
	})
}
