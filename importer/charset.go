package importer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// DecodeHTML converts an HTML page to UTF-8. The encoding is taken, in
// order, from a byte order mark, the charset of the HTTP Content-Type
// header (contentType, may be ""), and a <meta charset> or <meta
// http-equiv="Content-Type"> in the first 1024 bytes. A page that declares
// none is read as UTF-8 when it is valid UTF-8, else as GB18030 (a superset
// of GBK and GB2312, which Chinese sites use). It returns the text and the
// encoding's name.
func DecodeHTML(data []byte, contentType string) (string, string, error) {
	enc, name, certain := charset.DetermineEncoding(data, contentType)
	if !certain && !declaresCharset(data, contentType) {
		if utf8.Valid(data) {
			return string(bytes.TrimPrefix(data, utf8BOM)), "utf-8", nil
		}
		enc, name = simplifiedchinese.GB18030, "gb18030"
	}
	// WHATWG maps gb2312 and gbk labels to GBK; GB18030 decodes every GBK
	// page too and also the characters GBK lacks, so read GBK as GB18030.
	if name == "gbk" {
		enc, name = simplifiedchinese.GB18030, "gbk"
	}
	s, err := decodeWith(enc, data)
	if err != nil {
		return "", name, fmt.Errorf("decode %s: %w", name, err)
	}
	return s, name, nil
}

// DecodeText converts a text file (CSV) to UTF-8: UTF-8 (with or without a
// byte order mark), UTF-16 with a byte order mark, else GB18030.
func DecodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		return string(data[len(utf8BOM):]), "utf-8", nil
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		s, err := decodeWith(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), data)
		return s, "utf-16", err
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	}
	s, err := decodeWith(simplifiedchinese.GB18030, data)
	return s, "gb18030", err
}

var utf8BOM = []byte("\xef\xbb\xbf")

func decodeWith(enc encoding.Encoding, data []byte) (string, error) {
	out, _, err := transform.Bytes(enc.NewDecoder(), data)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(string(out), "\ufeff"), nil
}

// declaresCharset reports whether the header or the page names a charset
// (DetermineEncoding calls a <meta> declaration uncertain, but a page that
// declares one means it).
func declaresCharset(data []byte, contentType string) bool {
	if strings.Contains(strings.ToLower(contentType), "charset=") {
		return true
	}
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	return bytes.Contains(bytes.ToLower(head), []byte("charset"))
}
