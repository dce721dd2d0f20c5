package index

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/yingpu/govbot/content"
)

// docInfo is a disclosure decoded from the index with the derived text that
// ranking compares questions against.
type docInfo struct {
	doc   content.Disclosure
	head  string // normalized title, keywords and place name
	title string // normalized title and place name
	// The dates as a hit shows them (YYYY-MM-DD, "" when unset).
	published, effective, expires string
	body                          string // normalized body and address
	// Which characters head and body hold, to skip most substring searches
	// for question words that cannot be there.
	headRunes, bodyRunes runeFilter

	pyOnce sync.Once
	py     string         // pinyin key of head and body, made on first need
	pyf    syllableFilter // which syllables py holds (with py)

	shapeOnce sync.Once
	sh        *shape // lines and intent cues, made on first need
}

// shape returns the disclosure's passage shape, made on first need.
func (d *docInfo) shape() *shape {
	d.shapeOnce.Do(func() { d.sh = newShape(d) })
	return d.sh
}

func newDocInfo(d content.Disclosure) *docInfo {
	di := &docInfo{doc: d}
	di.head = normalize(d.Title + " " + strings.Join(d.Keywords, " "))
	di.title = normalize(d.Title)
	di.published, di.effective, di.expires = d.Published.String(), d.Effective.String(), d.Expires.String()
	di.body = normalize(d.Body)
	if d.Location != nil {
		di.head += " " + normalize(d.Location.Name)
		di.title += " " + normalize(d.Location.Name)
		di.body += " " + normalize(d.Location.Name+" "+d.Location.Address)
	}
	di.headRunes.addAll(di.head)
	di.bodyRunes.addAll(di.body)
	return di
}

// runeFilter is a Bloom filter of the characters of a text (4096 bits, one
// hash): mayHold is false only when a word certainly does not occur.
type runeFilter [64]uint64

func runeBit(r rune) uint32 { return uint32(r) * 2654435761 >> 20 }

func (f *runeFilter) addAll(s string) {
	for _, r := range s {
		h := runeBit(r)
		f[h>>6] |= 1 << (h & 63)
	}
}

// mayHold reports whether every character of w may be in the text.
func (f *runeFilter) mayHold(w string) bool {
	for _, r := range w {
		h := runeBit(r)
		if f[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

// contains reports whether text (filtered by f) holds w.
func (f *runeFilter) contains(text, w string) bool {
	return f.mayHold(w) && strings.Contains(text, w)
}

func (di *docInfo) pinyin(t pinyinTable) string {
	di.pyOnce.Do(func() {
		di.py = " " + t.key(di.head+" "+di.body)
		di.pyf = newSyllableFilter(di.py)
	})
	return di.py
}

// docCache keeps decoded disclosures of one generation, bounded in size:
// residents' questions come back to the same disclosures, and decoding them
// from stored JSON again on every question is the costliest step of ranking.
type docCache struct {
	mu    sync.Mutex
	max   int // at most this many kept; none when max <= 0
	items map[string]*docInfo
}

func newDocCache(size int) *docCache {
	return &docCache{max: size, items: make(map[string]*docInfo, min(max(size, 0), 1024))}
}

// load returns the decoded disclosure for id, reading its source with
// fetch on a miss.
func (c *docCache) load(id string, fetch func() (string, error)) (*docInfo, error) {
	c.mu.Lock()
	di, ok := c.items[id]
	c.mu.Unlock()
	if ok {
		return di, nil
	}
	src, err := fetch()
	if err != nil {
		return nil, err
	}
	var d content.Disclosure
	if err := json.Unmarshal([]byte(src), &d); err != nil {
		return nil, err
	}
	di = newDocInfo(d)
	if c.max <= 0 {
		return di, nil
	}
	c.mu.Lock()
	if len(c.items) >= c.max {
		// Evict an arbitrary entry (map order): cheap, and bounded.
		for k := range c.items {
			delete(c.items, k)
			break
		}
	}
	c.items[id] = di
	c.mu.Unlock()
	return di, nil
}

// forget drops id (its disclosure was replaced).
func (c *docCache) forget(id string) {
	c.mu.Lock()
	delete(c.items, id)
	c.mu.Unlock()
}
