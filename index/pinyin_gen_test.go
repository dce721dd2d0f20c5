package index

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

var updatePinyin = flag.Bool("update-pinyin", false, "regenerate pinyin.tab from go-pinyin")

var toneless = strings.NewReplacer(
	"ā", "a", "á", "a", "ǎ", "a", "à", "a",
	"ē", "e", "é", "e", "ě", "e", "è", "e", "ê", "e", "ế", "e", "ề", "e",
	"ī", "i", "í", "i", "ǐ", "i", "ì", "i",
	"ō", "o", "ó", "o", "ǒ", "o", "ò", "o",
	"ū", "u", "ú", "u", "ǔ", "u", "ù", "u",
	"ǖ", "v", "ǘ", "v", "ǚ", "v", "ǜ", "v", "ü", "v",
	"ń", "n", "ň", "n", "ǹ", "n", "ḿ", "m",
)

// pinyinFromSource is each character's folded syllable as go-pinyin gives
// it: the first reading, tones removed, folded.
func pinyinFromSource() map[rune]string {
	out := make(map[rune]string, len(pinyin.PinyinDict))
	for code, readings := range pinyin.PinyinDict {
		first, _, _ := strings.Cut(readings, ",")
		if first == "" {
			continue
		}
		out[rune(code)] = foldSyllable(toneless.Replace(first))
	}
	return out
}

func encodePinyinTable(src map[rune]string) []byte {
	runes := make([]rune, 0, len(src))
	for r := range src {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	ids := map[string]uint32{}
	var names []string
	for _, r := range runes {
		if _, ok := ids[src[r]]; !ok {
			ids[src[r]] = uint32(len(names))
			names = append(names, src[r])
		}
	}
	lo, hi := runes[0], runes[0]
	for _, r := range runes {
		if r <= 0xffff {
			hi = r + 1
		}
	}
	le := binary.LittleEndian
	direct := make([]byte, 2*(hi-lo))
	var extra []byte
	for _, r := range runes {
		id := ids[src[r]] + 1
		if r < hi {
			le.PutUint16(direct[2*(r-lo):], uint16(id))
		} else {
			extra = le.AppendUint32(extra, uint32(r))
			extra = le.AppendUint32(extra, id)
		}
	}
	joined := strings.Join(names, "\n")
	var out bytes.Buffer
	out.WriteString(pinyinMagic)
	for _, v := range []uint32{uint32(lo), uint32(hi), uint32(len(extra) / 8), uint32(len(joined))} {
		out.Write(le.AppendUint32(nil, v))
	}
	out.Write(direct)
	out.Write(extra)
	out.WriteString(joined)
	return out.Bytes()
}

// TestPinyinTableFile: the embedded table is what go-pinyin and
// foldSyllable give, character for character.
func TestPinyinTableFile(t *testing.T) {
	src := pinyinFromSource()
	b := encodePinyinTable(src)
	if *updatePinyin {
		if err := os.WriteFile("pinyin.tab", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(b, []byte(pinyinTab)) {
		t.Fatal("pinyin.tab is not what go-pinyin gives: go test ./index -run TestPinyinTableFile -update-pinyin")
	}
	py := newPinyinTable()
	for r, want := range src {
		id, ok := py.of(r)
		if !ok || py.names[id] != want {
			t.Fatalf("%c: got %v %q, want %q", r, ok, py.names[id], want)
		}
	}
	for _, r := range []rune{'a', '。', 0x3006, 0x10000, 0x40000} {
		if _, ok := py.of(r); ok {
			t.Errorf("%U has a syllable", r)
		}
	}
	if _, err := openPinyinTable(pinyinTab[:len(pinyinTab)-1]); err == nil {
		t.Error("a truncated table opens")
	}
}
