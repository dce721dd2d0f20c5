package segment

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Word is a word added to a dictionary, with its frequency (how strongly the
// segmenter prefers it to splits of it).
type Word struct {
	Text string
	Freq float64
}

// Segmenter cuts text with a dictionary and the words added to it. It is
// safe for concurrent use.
type Segmenter struct {
	d     *Dict
	extra map[uint64]extraEntry
	// extraBits has bit h%65536 set for the hash h of each key of extra:
	// most lookups of what extra does not hold stop there.
	extraBits *[1024]uint64
	logT      float64
	// chars, once PrepareChars made it, answers for single characters
	// what find and the emission table would.
	chars atomic.Pointer[charTable]
	// scratch holds the buffers of a cut (*scratch) for the next one:
	// a build cuts millions of texts, and allocating them anew each time
	// makes the garbage collector run several times as often.
	scratch sync.Pool
}

// scratch is what one cut uses and drops: the characters' offsets, the
// word graph's best routes and the accurate cut under a search cut.
type scratch struct {
	pos []int
	rs  []route
	ws  []string
}

// maxScratch bounds the buffers kept for the next cut (a huge text's are
// let go).
const maxScratch = 1 << 16

func (s *Segmenter) getScratch() *scratch {
	if sc, ok := s.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{}
}

func (s *Segmenter) putScratch(sc *scratch) {
	if cap(sc.pos) > maxScratch || cap(sc.rs) > maxScratch || cap(sc.ws) > maxScratch {
		return
	}
	clear(sc.ws[:cap(sc.ws)]) // no references to the text cut
	sc.pos, sc.rs, sc.ws = sc.pos[:0], sc.rs[:0], sc.ws[:0]
	s.scratch.Put(sc)
}

// charTableEnd bounds the characters charTable holds: ASCII, punctuation,
// kana and the CJK unified ideographs (U+4E00–U+9FFF), nearly every
// character of Chinese text.
const charTableEnd = 0xA000

// charTable is, for each character below charTableEnd, what find gives for
// it alone (whether it is a word or begins one, and the log of its
// frequency) and where its HMM emissions are. The dictionary's entries for
// single characters are scattered over its 16 MB; one lookup of these per
// character cut costs three cache misses, here one read from 500 KB.
type charTable struct {
	logf  []float64 // log of find's frequency (-Inf for 0)
	flags []uint8   // charFound, charPositive
	emit  []int32   // index of the emission entry + 1; 0: none
}

const (
	charFound    = 1 << iota // find's ok
	charPositive             // frequency > 0: an edge of the word graph
)

// PrepareChars builds the segmenter's table of single characters (a few
// milliseconds, 530 KB), which makes cutting large amounts of text about a
// tenth cheaper (a build of the index). Cutting gives the same words with or
// without it. It is safe to call concurrently and more than once.
func (s *Segmenter) PrepareChars() {
	if s.chars.Load() != nil {
		return
	}
	ct := &charTable{logf: make([]float64, charTableEnd), flags: make([]uint8, charTableEnd), emit: make([]int32, charTableEnd)}
	var buf [utf8.UTFMax]byte
	for r := rune(0); r < charTableEnd; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue // surrogates: never in valid text
		}
		k := string(buf[:utf8.EncodeRune(buf[:], r)])
		f, ok := s.find(k, hashString(k))
		if ok {
			ct.flags[r] |= charFound
			ct.logf[r] = math.Log(f)
		}
		if f > 0 {
			ct.flags[r] |= charPositive
		}
		ct.emit[r] = int32(s.d.emissionIndex(r) + 1)
	}
	s.chars.CompareAndSwap(nil, ct)
}

// emission is the dictionary's emission of r, from the table of characters
// when there is one.
func (s *Segmenter) emission(r rune) ([4]float64, uint32) {
	if ct := s.chars.Load(); ct != nil && r >= 0 && r < charTableEnd {
		return s.d.emissionAt(int(ct.emit[r]) - 1)
	}
	return s.d.emission(r)
}

// extraEntry is an added word or a proper prefix of one (freq 0), keyed by
// the hash the dictionary uses.
type extraEntry struct {
	key  string
	freq float64
	word bool
}

// New returns a segmenter over d with words added, as gse's AddToken adds
// them: a word the dictionary (or an earlier added word) already has keeps
// its frequency.
func New(d *Dict, words []Word) *Segmenter {
	s := &Segmenter{d: d}
	total := d.total
	for _, w := range words {
		key := asciiLower(w.Text)
		if key == "" || s.isWord(key) {
			continue
		}
		if s.extra == nil {
			s.extra = map[uint64]extraEntry{}
			s.extraBits = new([1024]uint64)
		}
		s.addExtra(hashString(key), extraEntry{key, w.Freq, true})
		total += w.Freq
		for i := range key {
			if i == 0 {
				continue
			}
			p := key[:i]
			h := hashString(p)
			if _, ok := s.extra[h]; !ok {
				s.addExtra(h, extraEntry{p, 0, false})
			}
		}
	}
	s.logT = math.Log(total)
	return s
}

func (s *Segmenter) addExtra(h uint64, e extraEntry) {
	s.extra[h] = e
	s.extraBits[h>>6&1023] |= 1 << (h & 63)
}

// mayBeExtra is false when extra certainly has no key of hash h.
func (s *Segmenter) mayBeExtra(h uint64) bool {
	return s.extraBits != nil && s.extraBits[h>>6&1023]&(1<<(h&63)) != 0
}

// asciiLower lower-cases A-Z as gse does for the keys of its dictionary.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// find is gse's Dictionary.Find: whether key is a word or the beginning of
// one, and its frequency when it is a word.
func (s *Segmenter) find(key string, h uint64) (freq float64, ok bool) {
	e, ok := s.d.lookup(key, h)
	if ok && e.flags&flagWord != 0 {
		return float64(e.freq), true
	}
	if s.mayBeExtra(h) {
		if x, found := s.extra[h]; found && x.key == key {
			return x.freq, true
		}
	}
	return 0, ok
}

// isWord reports whether key is a word of the dictionary or added to it.
func (s *Segmenter) isWord(key string) bool {
	h := hashString(key)
	if e, ok := s.d.lookup(key, h); ok && e.flags&flagWord != 0 {
		return true
	}
	x, ok := s.extra[h]
	return ok && x.word && x.key == key
}

// IDF is the dictionary's general-language IDF of w.
func (s *Segmenter) IDF(w string) (float32, bool) { return s.d.IDF(w) }

// text is a lower-cased string with the byte offset of each character.
type text struct {
	s   string
	pos []int // len(runes)+1 offsets
}

// newText makes the text of str, its offsets appended to pos[:0].
func newText(str string, pos []int) text {
	str = strings.ToLower(str)
	if !utf8.ValidString(str) {
		// gse works on []rune: each invalid byte is one U+FFFD.
		str = string([]rune(str))
	}
	if pos == nil {
		pos = make([]int, 0, len(str)/2+1)
	}
	t := text{s: str, pos: pos[:0]}
	for i := range str {
		t.pos = append(t.pos, i)
	}
	t.pos = append(t.pos, len(str))
	return t
}

func (t text) n() int { return len(t.pos) - 1 }

// char is the character at i, whose text is c.
func (t text) char(i int, c string) rune {
	if len(c) == 1 {
		return rune(c[0])
	}
	r, _ := utf8.DecodeRuneInString(c)
	return r
}
func (t text) sub(a, b int) string     { return t.s[t.pos[a]:t.pos[b]] }
func (t text) isASCIIAlnum(i int) bool { return t.pos[i+1]-t.pos[i] == 1 && isAlnum(t.s[t.pos[i]]) }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// route is gse's best path from a character to the end: its log probability
// and where its first word ends.
type route struct {
	freq  float64
	index int
}

// routes is gse's calc over the word graph (getDag): for each character, the
// words of the dictionary that start there. The routes are made in buf when
// it is large enough.
func (s *Segmenter) routes(t text, buf []route) []route {
	n := t.n()
	var rs []route
	if cap(buf) > n {
		rs = buf[:n+1]
		rs[n] = route{} // the others are all set before they are read
	} else {
		rs = make([]route, n+1)
	}
	type edge struct {
		end  int
		logf float64
	}
	var edges []edge
	ct := s.chars.Load()
	for idx := n - 1; idx >= 0; idx-- {
		edges = edges[:0]
		c := t.sub(idx, idx+1)
		h := hashAdd(fnvOffset, c)
		// The character alone: found (a word or the beginning of one),
		// and an edge when its frequency is above 0.
		var firstOK, positive bool
		var firstLog float64
		if r := t.char(idx, c); ct != nil && r >= 0 && r < charTableEnd {
			fl := ct.flags[r]
			firstOK, positive, firstLog = fl&charFound != 0, fl&charPositive != 0, ct.logf[r]
		} else {
			f, ok := s.find(c, h)
			firstOK, positive = ok, f > 0
			if ok {
				firstLog = math.Log(f)
			}
		}
		if firstOK {
			if positive {
				edges = append(edges, edge{idx, firstLog})
			}
			for i := idx + 1; i < n; i++ {
				h = hashAdd(h, t.sub(i, i+1))
				f, ok := s.find(t.sub(idx, i+1), h)
				if !ok {
					break
				}
				if f > 0 {
					edges = append(edges, edge{i, math.Log(f)})
				}
			}
		}
		if len(edges) == 0 {
			// No word starts here: the character alone, with gse's
			// frequency for it (0 when it only begins words: log 0).
			lf := math.Log(1.0)
			if firstOK {
				lf = firstLog
			}
			edges = append(edges, edge{idx, lf})
		}
		for k, e := range edges {
			r := route{freq: e.logf - s.logT + rs[e.end+1].freq, index: e.end}
			if k == 0 {
				rs[idx] = r
				continue
			}
			if v := rs[idx]; v.freq < r.freq || v.freq == r.freq && v.index < r.index {
				rs[idx] = r
			}
		}
	}
	return rs
}

// Cut segments text in accurate mode without the HMM (gse's Cut(text,
// false)): the most probable words, single characters where the dictionary
// has none, runs of ASCII letters and digits kept together.
func (s *Segmenter) Cut(str string) []string {
	sc := s.getScratch()
	defer s.putScratch(sc)
	t := newText(str, sc.pos)
	sc.pos = t.pos
	rs := s.routes(t, sc.rs)
	sc.rs = rs
	n := t.n()
	out := make([]string, 0, n/2+1)
	buf := -1 // start of a run of ASCII letters and digits
	for x := 0; x < n; {
		y := rs[x].index + 1
		if y-x == 1 && t.isASCIIAlnum(x) {
			if buf < 0 {
				buf = x
			}
			x = y
			continue
		}
		if buf >= 0 {
			out = append(out, t.sub(buf, x))
			buf = -1
		}
		out = append(out, t.sub(x, y))
		x = y
	}
	if buf >= 0 {
		out = append(out, t.sub(buf, n))
	}
	return out
}

// cutHMM segments text in accurate mode with the HMM (gse's Cut(text,
// true)) on the routes of t: runs of single characters the dictionary
// cannot join are cut by the HMM. The words are appended to out.
func (s *Segmenter) cutHMM(t text, rs []route, out []string) []string {
	n := t.n()
	buf := -1 // start of a run of single characters
	flush := func(end int) {
		if buf < 0 {
			return
		}
		if end-buf == 1 {
			out = append(out, t.sub(buf, end))
		} else {
			run := t.sub(buf, end)
			if f, ok := s.find(run, hashString(run)); !ok || f == 0 {
				out = append(out, s.hmmCut(run)...)
			} else {
				for i := buf; i < end; i++ {
					out = append(out, t.sub(i, i+1))
				}
			}
		}
		buf = -1
	}
	for x := 0; x < n; {
		y := rs[x].index + 1
		if y-x == 1 {
			if buf < 0 {
				buf = x
			}
		} else {
			flush(x)
			out = append(out, t.sub(x, y))
		}
		x = y
	}
	flush(n)
	return out
}

// CutSearch segments text in search mode with the HMM (gse's
// CutSearch(text, true)): each word of the accurate cut, preceded by the
// two- and three-character dictionary words inside it.
func (s *Segmenter) CutSearch(str string) []string {
	sc := s.getScratch()
	defer s.putScratch(sc)
	t := newText(str, sc.pos)
	sc.pos = t.pos
	sc.rs = s.routes(t, sc.rs)
	ws := s.cutHMM(t, sc.rs, sc.ws[:0])
	sc.ws = ws
	out := make([]string, 0, len(ws)*3/2)
	for _, w := range ws {
		if len(w) > 2 && utf8.RuneCountInString(w) > 2 {
			var pos [32]int
			p := pos[:0]
			for i := range w {
				p = append(p, i)
			}
			p = append(p, len(w))
			runes := len(p) - 1
			for _, incr := range [2]int{2, 3} {
				if runes <= incr {
					continue
				}
				for i := 0; i+incr <= runes; i++ {
					g := w[p[i]:p[i+incr]]
					if f, ok := s.find(g, hashString(g)); ok && f > 0 {
						out = append(out, g)
					}
				}
			}
		}
		out = append(out, w)
	}
	return out
}

// hmmCut is gse's hmm.Cut: runs of Han characters (its \p{Han}+) are cut
// by the HMM, numbers and ASCII words (its (\d+\.\d+|[a-zA-Z0-9]+)) are
// kept whole, anything else is passed through between them.
func (s *Segmenter) hmmCut(text string) []string {
	var out []string
	for len(text) > 0 {
		hs, he := findHan(text)
		if hs == 0 {
			out = append(out, s.viterbiCut(text[:he])...)
			text = text[he:]
			continue
		}
		ks, ke := findSkip(text)
		if ks == 0 {
			out = append(out, text[:ke])
			text = text[ke:]
			continue
		}
		// Up to the nearer of the two, or all of it when neither occurs.
		loc := hs
		if loc < 0 || ks >= 0 && ks <= hs {
			loc = ks
		}
		if loc < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:loc])
		text = text[loc:]
	}
	return out
}

// findHan finds the first run of Han characters: start and end, or -1.
func findHan(text string) (int, int) {
	start := -1
	for i, r := range text {
		han := r >= 0x2e80 && unicode.Is(unicode.Han, r)
		if start < 0 && han {
			start = i
		} else if start >= 0 && !han {
			return start, i
		}
	}
	if start < 0 {
		return -1, -1
	}
	return start, len(text)
}

// findSkip finds the first match of (\d+\.\d+|[a-zA-Z0-9]+), leftmost
// first as Go's regexp does: start and end, or -1.
func findSkip(text string) (int, int) {
	for i := 0; i < len(text); i++ {
		if !isAlnum(text[i]) {
			continue
		}
		if isDigit(text[i]) {
			j := i
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			if j+1 < len(text) && text[j] == '.' && isDigit(text[j+1]) {
				k := j + 1
				for k < len(text) && isDigit(text[k]) {
					k++
				}
				return i, k
			}
		}
		j := i
		for j < len(text) && isAlnum(text[j]) {
			j++
		}
		return i, j
	}
	return -1, -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// gse's HMM model (from jieba): start and transition log-probabilities.
const minFloat = -3.14e100

var (
	probStart = [4]float64{stB: -0.26268660809250016, stM: minFloat, stE: minFloat, stS: -1.4652633398537678}
	// prevStates lists, for each state, the states that may precede it,
	// in gse's order.
	prevStates = [4][2]int{stB: {stE, stS}, stM: {stM, stB}, stE: {stB, stM}, stS: {stS, stE}}
	probTrans  = [4][4]float64{
		stB: {stE: -0.510825623765990, stM: -0.916290731874155},
		stE: {stB: -0.5897149736854513, stS: -0.8085250474669937},
		stM: {stE: -0.33344856811948514, stM: -1.2603623820268226},
		stS: {stB: -0.7211965654669841, stS: -0.6658631448798212},
	}
)

// viterbiCut is gse's hmm internalCut: the most probable B(egin) M(iddle)
// E(nd) S(ingle) labelling of a run of Han characters, cut at E and S.
func (s *Segmenter) viterbiCut(run string) []string {
	runes := []rune(run)
	n := len(runes)
	prob := make([][4]float64, n)
	back := make([][4]int8, n)
	for t, r := range runes {
		emit, mask := s.emission(r)
		for y := 0; y < 4; y++ {
			em := minFloat
			if mask&(1<<y) != 0 {
				em = emit[y]
			}
			if t == 0 {
				prob[0][y] = em + probStart[y]
				continue
			}
			// gse sorts the two candidates by probability, then state
			// byte (B < E < M < S), and takes the greatest.
			a, b := prevStates[y][0], prevStates[y][1]
			pa := prob[t-1][a] + probTrans[a][y] + em
			pb := prob[t-1][b] + probTrans[b][y] + em
			if pb > pa || pb == pa && stateByte[b] > stateByte[a] {
				prob[t][y], back[t][y] = pb, int8(b)
			} else {
				prob[t][y], back[t][y] = pa, int8(a)
			}
		}
	}
	last := stE
	if pe, ps := prob[n-1][stE], prob[n-1][stS]; ps > pe || ps == pe {
		last = stS
	}
	labels := make([]int, n)
	for t := n - 1; t >= 0; t-- {
		labels[t] = last
		last = int(back[t][last])
	}
	var out []string
	begin, next := 0, 0
	for i, r := range runes {
		switch labels[i] {
		case stB:
			begin = i
		case stE:
			out = append(out, string(runes[begin:i+1]))
			next = i + 1
		case stS:
			out = append(out, string(r))
			next = i + 1
		}
	}
	if next < n {
		out = append(out, string(runes[next:]))
	}
	return out
}

var stateByte = [4]byte{stB: 'B', stM: 'M', stE: 'E', stS: 'S'}
