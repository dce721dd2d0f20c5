// Package wxcrypto implements WeChat's and WeCom's callback message
// security: the SHA-1 request signature and the AES-256-CBC message
// encryption (the WXBizMsgCrypt scheme) shared by the Official Account safe
// mode and the WeCom app callback.
//
// Signature and the encryption layout are delegated to
// github.com/silenceper/wechat/v2/util, which is correct for them. Decryption
// is done here: silenceper's AESDecryptMsg checks only the last padding byte
// and relies on panic/recover for bad keys, whereas Decrypt must reject any
// malformed payload with an error, check every padding byte and the length
// field, and compare the receive id. The tests cross-check Decrypt against
// silenceper's DecryptMsg on well-formed inputs.
package wxcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	wxutil "github.com/silenceper/wechat/v2/util"
)

// blockSize is the PKCS#7 block size of the scheme (32, not AES's 16).
const blockSize = 32

// Errors returned by Decrypt. Every one of them means the payload was not
// produced by WeChat with the configured key and receive id.
var (
	// ErrMalformed: not base64, or not a whole number of AES blocks.
	ErrMalformed = errors.New("wxcrypto: malformed ciphertext")
	// ErrPadding: the PKCS#7 padding is invalid.
	ErrPadding = errors.New("wxcrypto: bad padding")
	// ErrLength: the length field does not fit the plaintext.
	ErrLength = errors.New("wxcrypto: bad message length")
	// ErrReceiveID: the trailing receive id (appid / corpid) differs from
	// the configured one.
	ErrReceiveID = errors.New("wxcrypto: receive id mismatch")
)

// Signature returns hex(sha1(concatenation of the sorted parts)): the
// Official Account `signature` over (token, timestamp, nonce) and the
// `msg_signature` over (token, timestamp, nonce, encrypt). parts is not
// modified.
func Signature(parts ...string) string {
	return wxutil.Signature(slices.Clone(parts)...)
}

// VerifySignature reports whether got is the Signature of parts, comparing in
// constant time.
func VerifySignature(got string, parts ...string) bool {
	want := Signature(parts...)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// DecodeAESKey decodes a 43-character EncodingAESKey into the 32-byte AES key.
func DecodeAESKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("wxcrypto: encoding_aes_key must be 43 characters, got %d", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, errors.New("wxcrypto: encoding_aes_key is not base64")
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("wxcrypto: encoding_aes_key decodes to %d bytes, want 32", len(key))
	}
	return key, nil
}

// Cipher encrypts and decrypts messages for one account. It is safe for
// concurrent use when its random source is (crypto/rand is).
type Cipher struct {
	key       []byte
	block     cipher.Block
	receiveID string
	random    io.Reader
}

// NewCipher returns a Cipher for the EncodingAESKey and the receive id (the
// Official Account appid, or the WeCom corpid). random supplies the 16
// random bytes of each encrypted message; nil means crypto/rand.
func NewCipher(encodingAESKey, receiveID string, random io.Reader) (*Cipher, error) {
	key, err := DecodeAESKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	if receiveID == "" {
		return nil, errors.New("wxcrypto: receive id (appid / corpid) is empty")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wxcrypto: %w", err)
	}
	if random == nil {
		random = rand.Reader
	}
	return &Cipher{key: key, block: block, receiveID: receiveID, random: random}, nil
}

// ReceiveID returns the configured receive id.
func (c *Cipher) ReceiveID() string { return c.receiveID }

// Encrypt returns base64(AES-256-CBC(16 random bytes + uint32 big-endian
// length + msg + receive id + PKCS#7 padding to 32 bytes)).
func (c *Cipher) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := io.ReadFull(c.random, random[:]); err != nil {
		return "", fmt.Errorf("wxcrypto: random: %w", err)
	}
	if uint64(len(msg)) > 1<<31 {
		return "", errors.New("wxcrypto: message too long")
	}
	// The key is validated (32 bytes) and random is exactly 16 bytes, so
	// silenceper's AESEncryptMsg cannot panic here.
	ct := wxutil.AESEncryptMsg(random[:], msg, c.receiveID, c.key)
	return base64.StdEncoding.EncodeToString(ct), nil
}

// Decrypt reverses Encrypt. It never panics: any payload that is not base64,
// not whole AES blocks, badly padded, with a length field that does not fit
// or with another receive id is an error (see the Err* values).
func (c *Cipher) Decrypt(encrypted string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, ErrMalformed
	}
	if len(ct) < blockSize || len(ct)%aes.BlockSize != 0 {
		return nil, ErrMalformed
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(pt, ct)

	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > blockSize || pad > len(pt) {
		return nil, ErrPadding
	}
	var bad byte
	for _, b := range pt[len(pt)-pad:] {
		bad |= b ^ byte(pad)
	}
	if bad != 0 {
		return nil, ErrPadding
	}
	pt = pt[:len(pt)-pad]

	if len(pt) < 20 {
		return nil, ErrLength
	}
	n := binary.BigEndian.Uint32(pt[16:20])
	rest := pt[20:]
	if uint64(n) > uint64(len(rest)) {
		return nil, ErrLength
	}
	msg, id := rest[:n:n], rest[n:]
	if string(id) != c.receiveID {
		return nil, ErrReceiveID
	}
	return msg, nil
}
