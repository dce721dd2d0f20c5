// Package segment cuts Chinese text into words the way gse does (its
// shortest-path search over a word graph, and its HMM for runs of characters
// the dictionary cannot join), from gse's simplified-Chinese dictionary, its
// general-language IDF weights and its HMM model held in one compact file
// generated from gse and embedded in the binary.
//
// gse builds its dictionary at every start: it parses 350,000 lines,
// re-segments every word and fills a trie, which takes about a second and
// 400 MB of allocations, once for every index generation opened. The
// compact file is used where it lies: it is read-only data of the
// executable, mapped by the operating system and paged in as it is touched,
// so opening a dictionary costs nothing and every generation (every
// process, even) shares the same pages.
//
// The file is regenerated from gse, and checked against it, by the tests:
//
//	go test ./segment -run TestEmbeddedDictionary -update
package segment

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"sort"
)

//go:embed zh_s.dict
var zhS string

// File layout (little endian). A 64-byte header:
//
//	0  magic "GVSEG001"
//	8  slots     uint32, a power of two
//	12 entries   uint32
//	16 blob      uint32, bytes of key text
//	20 emit      uint32, characters with HMM emission probabilities
//	24 totalFreq float64, the sum of the dictionary words' frequencies
//	32 words     uint32, entries that are words
//	36 filter    uint32, bits of the Bloom filter of keys (a power of two)
//
// then the hash table (slots × uint32: 0 empty, else entry index + 1 in the
// low 22 bits and 10 bits of the key's hash above), the entries (16 bytes
// each: key offset uint32, key length uint16, flags uint16, frequency
// uint32, IDF float32), the key text (padded to 8 bytes), the HMM
// emissions (40 bytes each, by character: rune uint32, state mask uint32,
// B, M, E, S float64) and a Bloom filter of the keys (two bits a key, from
// bits 10-31 and 32-53 of its hash), which answers most lookups of what is
// not there from a few hundred kilobytes that stay in the processor's
// cache.
//
// An entry is a dictionary word (flagWord, with its frequency), a proper
// prefix of one (no flag: gse's trie answers "found" for those), a word with
// a general-language IDF (flagIDF), or several of these.
const (
	magic      = "GVSEG001"
	headerSize = 64
	entrySize  = 16
	emitSize   = 40

	flagWord = 1 << 0
	flagIDF  = 1 << 1

	idxBits = 22
	idxMask = 1<<idxBits - 1
	tagBits = 32 - idxBits
)

// Errors opening a dictionary file.
var (
	ErrBadDict = errors.New("segment: not a dictionary file")
)

// Dict is a compact dictionary: read-only, safe for concurrent use.
type Dict struct {
	data                       string
	nSlots, nEntries, nEmit    uint32
	slots, entries, blob, emit int // section offsets
	filter                     int
	filterMask                 uint64
	total                      float64
	words                      int
}

// Zh returns the embedded simplified-Chinese dictionary. It costs a few
// bounds checks: the data stays where the executable holds it.
func Zh() *Dict {
	d, err := Open(zhS)
	if err != nil {
		// The embedded file is checked by the tests; a broken one is a
		// broken build, not a runtime condition.
		panic(err)
	}
	return d
}

// Open validates a dictionary file held in data and returns a view of it.
func Open(data string) (*Dict, error) {
	if len(data) < headerSize || data[:8] != magic {
		return nil, ErrBadDict
	}
	d := &Dict{
		data:     data,
		nSlots:   le32(data, 8),
		nEntries: le32(data, 12),
		nEmit:    le32(data, 20),
		total:    math.Float64frombits(le64(data, 24)),
		words:    int(le32(data, 32)),
	}
	blobLen := int(le32(data, 16))
	filterBits := le32(data, 36)
	if d.nSlots == 0 || d.nSlots&(d.nSlots-1) != 0 || d.nEntries >= idxMask ||
		filterBits < 64 || filterBits&(filterBits-1) != 0 || filterBits > 1<<22 {
		return nil, fmt.Errorf("%w: bad header", ErrBadDict)
	}
	d.filterMask = uint64(filterBits - 1)
	d.slots = headerSize
	d.entries = d.slots + 4*int(d.nSlots)
	d.blob = d.entries + entrySize*int(d.nEntries)
	d.emit = d.blob + pad8(blobLen)
	d.filter = d.emit + emitSize*int(d.nEmit)
	if d.filter+int(filterBits/8) != len(data) {
		return nil, fmt.Errorf("%w: size %d does not match its header", ErrBadDict, len(data))
	}
	return d, nil
}

func pad8(n int) int { return (n + 7) &^ 7 }

// Words is the number of dictionary words.
func (d *Dict) Words() int { return d.words }

// Size is the size of the dictionary file in bytes.
func (d *Dict) Size() int { return len(d.data) }

func le32(s string, i int) uint32 {
	_ = s[i+3]
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func le64(s string, i int) uint64 {
	return uint64(le32(s, i)) | uint64(le32(s, i+4))<<32
}

// FNV-1a, 64 bits: computed a character at a time as a word grows.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashString(s string) uint64 { return hashAdd(fnvOffset, s) }

func tagOf(h uint64) uint32 { return uint32(h>>(64-tagBits)) << idxBits }

// entry is one decoded entry.
type entry struct {
	flags uint16
	freq  uint32
	idf   float32
}

// filterBits returns the two bits of the Bloom filter for hash h.
func filterBits(h, mask uint64) (uint64, uint64) {
	return (h >> 10) & mask, (h >> 32) & mask
}

// mayHold is the Bloom filter: false when no key has hash h.
func (d *Dict) mayHold(h uint64) bool {
	a, b := filterBits(h, d.filterMask)
	return d.data[d.filter+int(a>>3)]&(1<<(a&7)) != 0 && d.data[d.filter+int(b>>3)]&(1<<(b&7)) != 0
}

// lookup finds key, whose hash is h.
func (d *Dict) lookup(key string, h uint64) (entry, bool) {
	if !d.mayHold(h) {
		return entry{}, false
	}
	mask := d.nSlots - 1
	tag := tagOf(h)
	for i := uint32(h) & mask; ; i = (i + 1) & mask {
		s := le32(d.data, d.slots+4*int(i))
		if s == 0 {
			return entry{}, false
		}
		if s&^idxMask != tag {
			continue
		}
		e := d.entries + entrySize*int(s&idxMask-1)
		off, n := int(le32(d.data, e)), int(le32(d.data, e+4)&0xffff)
		if n != len(key) || d.data[d.blob+off:d.blob+off+n] != key {
			continue
		}
		return entry{
			flags: uint16(le32(d.data, e+4) >> 16),
			freq:  le32(d.data, e+8),
			idf:   math.Float32frombits(le32(d.data, e+12)),
		}, true
	}
}

// IDF is gse's general-language inverse document frequency of w: how much a
// word says in Chinese at large (一个 little, 护照 much).
func (d *Dict) IDF(w string) (float32, bool) {
	e, ok := d.lookup(w, hashString(w))
	if !ok || e.flags&flagIDF == 0 {
		return 0, false
	}
	return e.idf, true
}

// HMM states, in gse's order of their bytes.
const (
	stB = iota
	stM
	stE
	stS
)

// emission returns the HMM emission log-probabilities of r in the four
// states and which of them gse's model has.
func (d *Dict) emission(r rune) (p [4]float64, mask uint32) {
	return d.emissionAt(d.emissionIndex(r))
}

// emissionIndex is the index of r's emission entry, -1 if it has none.
func (d *Dict) emissionIndex(r rune) int {
	n := int(d.nEmit)
	i := sort.Search(n, func(i int) bool { return rune(le32(d.data, d.emit+emitSize*i)) >= r })
	if i == n || rune(le32(d.data, d.emit+emitSize*i)) != r {
		return -1
	}
	return i
}

// emissionAt is the emission entry i (none when i < 0).
func (d *Dict) emissionAt(i int) (p [4]float64, mask uint32) {
	if i < 0 {
		return p, 0
	}
	o := d.emit + emitSize*i
	mask = le32(d.data, o+4)
	for s := range p {
		p[s] = math.Float64frombits(le64(d.data, o+8+8*s))
	}
	return p, mask
}
