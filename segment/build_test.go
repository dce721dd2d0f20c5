package segment

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-ego/gse"
)

var update = flag.Bool("update", false, "regenerate zh_s.dict from gse")

// TestEmbeddedDictionary checks that the embedded file is what gse's
// dictionary, IDF table and HMM model give today (after a gse upgrade it
// fails until the file is regenerated with -update).
func TestEmbeddedDictionary(t *testing.T) {
	if testing.Short() {
		t.Skip("loads gse's dictionary")
	}
	b := generate(t)
	if *update {
		if err := os.WriteFile("zh_s.dict", b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote zh_s.dict: %d bytes", len(b))
		return
	}
	if !bytes.Equal(b, []byte(zhS)) {
		t.Fatalf("zh_s.dict (sha256 %x) is not what gse gives (sha256 %x): go test ./segment -run TestEmbeddedDictionary -update",
			sha256.Sum256([]byte(zhS)), sha256.Sum256(b))
	}
}

// gseSource is what the file is made of.
type gseSource struct {
	words []gseWord // in gse's order
	total float64
	idf   map[string]float32
	emit  map[rune]*emitRow
}

type gseWord struct {
	key  string
	freq float64
}

type emitRow struct {
	mask uint32
	p    [4]float64
}

// pristine is gse with its dictionary as shipped, loaded once per test
// binary (it takes a second and a few hundred MB); nothing may add to it.
var pristine struct {
	once sync.Once
	seg  gse.Segmenter
	err  error
}

func pristineGse(t testing.TB) *gse.Segmenter {
	t.Helper()
	pristine.once.Do(func() {
		pristine.seg.SkipLog = true
		pristine.err = pristine.seg.LoadDictEmbed("zh_s")
	})
	if pristine.err != nil {
		t.Fatal(pristine.err)
	}
	return &pristine.seg
}

func loadGse(t testing.TB) *gseSource {
	t.Helper()
	seg := pristineGse(t)
	d := seg.Dictionary()
	src := &gseSource{total: d.TotalFreq(), idf: map[string]float32{}}
	for _, tk := range d.Tokens {
		src.words = append(src.words, gseWord{tk.Text(), tk.Freq()})
	}
	// As the index read gse's IDF table: "word idf" lines, the last of a
	// repeated word winning.
	for _, line := range strings.Split(gse.ZhIdf, "\n") {
		sp := strings.IndexByte(line, ' ')
		if sp <= 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[sp+1:]), 32)
		if err != nil {
			continue
		}
		src.idf[line[:sp]] = float32(v)
	}
	src.emit = loadEmit(t)
	return src
}

// loadEmit reads the HMM emission probabilities from gse's source (the
// model is unexported there).
func loadEmit(t testing.TB) map[rune]*emitRow {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/go-ego/gse").Output()
	if err != nil {
		t.Fatalf("locate gse: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "hmm", "prob_emit.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	states := map[rune]int{'B': stB, 'M': stM, 'E': stE, 'S': stS}
	rows := map[rune]*emitRow{}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		as, ok := node.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return true
		}
		ix, ok := as.Lhs[0].(*ast.IndexExpr)
		if !ok {
			return true
		}
		st := charLit(t, ix.Index)
		lit, ok := as.Rhs[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		y, ok := states[st]
		if !ok {
			t.Fatalf("prob_emit.go: unknown state %q", st)
		}
		for _, el := range lit.Elts {
			kv := el.(*ast.KeyValueExpr)
			r := charLit(t, kv.Key)
			var text string
			switch v := kv.Value.(type) {
			case *ast.BasicLit:
				text = v.Value
			case *ast.UnaryExpr:
				text = v.Op.String() + v.X.(*ast.BasicLit).Value
			default:
				t.Fatalf("prob_emit.go: unexpected value %T", kv.Value)
			}
			p, err := strconv.ParseFloat(text, 64)
			if err != nil {
				t.Fatal(err)
			}
			row := rows[r]
			if row == nil {
				row = &emitRow{}
				rows[r] = row
			}
			row.mask |= 1 << y
			row.p[y] = p
			n++
		}
		return false
	})
	if n < 10000 {
		t.Fatalf("prob_emit.go: only %d emission probabilities found", n)
	}
	return rows
}

func charLit(t testing.TB, e ast.Expr) rune {
	t.Helper()
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.CHAR {
		t.Fatalf("prob_emit.go: expected a character literal, got %T", e)
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		t.Fatal(err)
	}
	return []rune(s)[0]
}

func generate(t testing.TB) []byte {
	b, err := encode(loadGse(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type buildEntry struct {
	flags uint16
	freq  uint32
	idf   float32
}

// encode writes the file format described in dict.go.
func encode(src *gseSource) ([]byte, error) {
	ents := map[string]*buildEntry{}
	get := func(k string) *buildEntry {
		e := ents[k]
		if e == nil {
			e = &buildEntry{}
			ents[k] = e
		}
		return e
	}
	for _, w := range src.words {
		if w.freq != math.Trunc(w.freq) || w.freq <= 0 || w.freq > math.MaxUint32 {
			return nil, fmt.Errorf("word %q: frequency %v is not a whole number", w.key, w.freq)
		}
		e := get(w.key)
		e.flags |= flagWord
		e.freq = uint32(w.freq)
		for i := range w.key {
			if i > 0 {
				get(w.key[:i])
			}
		}
	}
	for w, v := range src.idf {
		e := get(w)
		e.flags |= flagIDF
		e.idf = v
	}
	keys := make([]string, 0, len(ents))
	for k := range ents {
		if len(k) > 0xffff {
			return nil, fmt.Errorf("key %q too long", k[:32])
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) >= idxMask {
		return nil, fmt.Errorf("%d entries do not fit", len(keys))
	}
	// Key text: a key that begins the next one in sorted order shares its
	// bytes.
	var blob []byte
	next, nextOff := "", 0
	offs := make([]int, len(keys))
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i]
		if strings.HasPrefix(next, k) {
			offs[i] = nextOff
		} else {
			offs[i] = len(blob)
			blob = append(blob, k...)
		}
		next, nextOff = k, offs[i]
	}
	nSlots := uint32(1)
	for nSlots < uint32(2*len(keys)) {
		nSlots <<= 1
	}
	slots := make([]uint32, nSlots)
	for i, k := range keys {
		h := hashString(k)
		j := uint32(h) & (nSlots - 1)
		for slots[j] != 0 {
			j = (j + 1) & (nSlots - 1)
		}
		slots[j] = tagOf(h) | uint32(i+1)
	}
	runes := make([]rune, 0, len(src.emit))
	for r := range src.emit {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })

	var out bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, headerSize)
	copy(hdr, magic)
	le.PutUint32(hdr[8:], nSlots)
	le.PutUint32(hdr[12:], uint32(len(keys)))
	le.PutUint32(hdr[16:], uint32(len(blob)))
	le.PutUint32(hdr[20:], uint32(len(runes)))
	le.PutUint64(hdr[24:], math.Float64bits(src.total))
	le.PutUint32(hdr[32:], uint32(len(src.words)))
	nBits := uint64(1)
	for nBits < uint64(8*len(keys)) && nBits < 1<<22 {
		nBits <<= 1
	}
	le.PutUint32(hdr[36:], uint32(nBits))
	out.Write(hdr)
	for _, s := range slots {
		out.Write(le.AppendUint32(nil, s))
	}
	var e [entrySize]byte
	for i, k := range keys {
		be := ents[k]
		le.PutUint32(e[0:], uint32(offs[i]))
		le.PutUint32(e[4:], uint32(len(k))|uint32(be.flags)<<16)
		le.PutUint32(e[8:], be.freq)
		le.PutUint32(e[12:], math.Float32bits(be.idf))
		out.Write(e[:])
	}
	out.Write(blob)
	out.Write(make([]byte, pad8(len(blob))-len(blob)))
	var em [emitSize]byte
	for _, r := range runes {
		row := src.emit[r]
		le.PutUint32(em[0:], uint32(r))
		le.PutUint32(em[4:], row.mask)
		for s := 0; s < 4; s++ {
			le.PutUint64(em[8+8*s:], math.Float64bits(row.p[s]))
		}
		out.Write(em[:])
	}
	filter := make([]byte, nBits/8)
	for _, k := range keys {
		a, b := filterBits(hashString(k), nBits-1)
		filter[a>>3] |= 1 << (a & 7)
		filter[b>>3] |= 1 << (b & 7)
	}
	out.Write(filter)
	return out.Bytes(), nil
}
