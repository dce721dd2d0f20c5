package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/golang/snappy"
)

// A generation keeps each disclosure's source (its JSON, snappy-compressed)
// in a file of its own, docs.dat, beside the bleve index, rather than as a
// stored field of bleve's segment. bleve memory-maps its segment, and every
// page a question touches there stays in the server's resident set: with the
// sources inside it, the few disclosures each question reads brought most of
// the segment's stored section in (the kernel maps the neighbouring pages
// of each one too). Read with pread, a source costs one read into the heap,
// where the decoded-disclosure cache bounds what is kept; the file's pages
// stay in the page cache, which the kernel shares and reclaims as it needs.
// Building is cheaper as well: bleve neither compresses the sources nor
// copies them again in its final merge.
//
// Layout: the magic "GVDOC001"; the records one after the other, each a
// compressed source preceded by its CRC-32C (uint32); a table of the records sorted by disclosure id (per record its
// offset uint64, its length uint32 and the offset of its id in the ids
// uint32, little endian), the ids back to back, and a 32-byte footer: the
// table's offset, the number of records and the length of the ids (uint64
// each), then "GVDOCEND". Only the table and the ids are read when the
// generation opens (about 30 bytes a disclosure).
const (
	docStoreFile   = "docs.dat"
	docStoreMagic  = "GVDOC001"
	docStoreEnd    = "GVDOCEND"
	docEntrySize   = 16
	docFooterSize  = 32
	maxStoredBytes = 64 << 20 // a larger record means a damaged file
)

// ErrBadDocStore is returned for a docs.dat that is not one or is damaged.
var ErrBadDocStore = errors.New("index: damaged disclosure store (docs.dat)")

// docStoreWriter writes docs.dat during a build. It is used by one
// goroutine.
type docStoreWriter struct {
	f   *os.File
	w   *bufio.Writer
	off uint64
	ids []docStoreEntry
}

type docStoreEntry struct {
	id   string
	off  uint64
	size uint32
}

func createDocStore(path string) (*docStoreWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	w := &docStoreWriter{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	if _, err := w.w.WriteString(docStoreMagic); err != nil {
		f.Close()
		return nil, err
	}
	w.off = uint64(len(docStoreMagic))
	return w, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// compressSource is what add takes for a disclosure's source JSON: its
// checksum and its snappy encoding.
func compressSource(src []byte) []byte {
	b := make([]byte, 4+snappy.MaxEncodedLen(len(src)))
	n := len(snappy.Encode(b[4:], src))
	binary.LittleEndian.PutUint32(b, crc32.Checksum(b[4:4+n], castagnoli))
	return b[:4+n]
}

// add appends the compressed source of id (from compressSource).
func (w *docStoreWriter) add(id string, compressed []byte) error {
	if len(compressed) < 4 || len(compressed) > maxStoredBytes {
		return fmt.Errorf("%s: source of %d bytes is too large to store", id, len(compressed))
	}
	if _, err := w.w.Write(compressed); err != nil {
		return err
	}
	w.ids = append(w.ids, docStoreEntry{id: id, off: w.off, size: uint32(len(compressed))})
	w.off += uint64(len(compressed))
	return nil
}

// finish writes the table and the footer and syncs the file.
func (w *docStoreWriter) finish() error {
	sort.Slice(w.ids, func(i, j int) bool { return w.ids[i].id < w.ids[j].id })
	for i := 1; i < len(w.ids); i++ {
		if w.ids[i].id == w.ids[i-1].id {
			w.f.Close()
			return fmt.Errorf("index: disclosure %q stored twice", w.ids[i].id)
		}
	}
	table := w.off
	var e [docEntrySize]byte
	idOff := uint32(0)
	for _, x := range w.ids {
		binary.LittleEndian.PutUint64(e[0:], x.off)
		binary.LittleEndian.PutUint32(e[8:], x.size)
		binary.LittleEndian.PutUint32(e[12:], idOff)
		idOff += uint32(len(x.id))
		w.w.Write(e[:])
	}
	for _, x := range w.ids {
		w.w.WriteString(x.id)
	}
	var foot [docFooterSize]byte
	binary.LittleEndian.PutUint64(foot[0:], table)
	binary.LittleEndian.PutUint64(foot[8:], uint64(len(w.ids)))
	binary.LittleEndian.PutUint64(foot[16:], uint64(idOff))
	copy(foot[24:], docStoreEnd)
	w.w.Write(foot[:])
	err := w.w.Flush()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.ids = nil
	return err
}

// abort closes the file of a build that will not be finished.
func (w *docStoreWriter) abort() { w.f.Close() }

// docStore reads the sources of one generation. It is safe for concurrent
// use.
type docStore struct {
	f     *os.File
	table []byte // n entries
	ids   string
	n     int
	end   uint64 // where the records end
}

// openDocStore opens dir's docs.dat; it returns nil and no error when the
// generation has none (one built before the store, whose sources bleve
// holds).
func openDocStore(dir string) (*docStore, error) {
	f, err := os.Open(dir + string(os.PathSeparator) + docStoreFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s, err := readDocStore(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func readDocStore(f *os.File) (*docStore, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := uint64(st.Size())
	if size < uint64(len(docStoreMagic))+docFooterSize {
		return nil, ErrBadDocStore
	}
	var head [len(docStoreMagic)]byte
	var foot [docFooterSize]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	if _, err := f.ReadAt(foot[:], int64(size-docFooterSize)); err != nil {
		return nil, err
	}
	if string(head[:]) != docStoreMagic || string(foot[24:]) != docStoreEnd {
		return nil, ErrBadDocStore
	}
	table := binary.LittleEndian.Uint64(foot[0:])
	n := binary.LittleEndian.Uint64(foot[8:])
	idsLen := binary.LittleEndian.Uint64(foot[16:])
	if table < uint64(len(docStoreMagic)) || n > size/docEntrySize || idsLen > size ||
		table+n*docEntrySize+idsLen+docFooterSize != size {
		return nil, fmt.Errorf("%w: its table does not match its size", ErrBadDocStore)
	}
	buf := make([]byte, n*docEntrySize+idsLen)
	if _, err := f.ReadAt(buf, int64(table)); err != nil {
		return nil, err
	}
	s := &docStore{f: f, table: buf[:n*docEntrySize], ids: string(buf[n*docEntrySize:]), n: int(n), end: table}
	prev := uint32(0)
	for i := 0; i < s.n; i++ {
		off, sz, idOff := s.entry(i)
		if off < uint64(len(docStoreMagic)) || sz < 4 || sz > maxStoredBytes || off+uint64(sz) > table || idOff < prev || uint64(idOff) > idsLen {
			return nil, fmt.Errorf("%w: bad entry %d", ErrBadDocStore, i)
		}
		prev = idOff
	}
	return s, nil
}

func (s *docStore) entry(i int) (off uint64, size uint32, idOff uint32) {
	e := s.table[i*docEntrySize:]
	return binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
}

func (s *docStore) id(i int) string {
	_, _, a := s.entry(i)
	b := uint32(len(s.ids))
	if i+1 < s.n {
		_, _, b = s.entry(i + 1)
	}
	return s.ids[a:b]
}

// Len is the number of sources held.
func (s *docStore) Len() int { return s.n }

// get returns the source JSON of id; found is false when the store has no
// such disclosure.
func (s *docStore) get(id string) (src []byte, found bool, err error) {
	i := sort.Search(s.n, func(i int) bool { return s.id(i) >= id })
	if i == s.n || s.id(i) != id {
		return nil, false, nil
	}
	off, size, _ := s.entry(i)
	buf := make([]byte, size)
	if _, err := s.f.ReadAt(buf, int64(off)); err != nil {
		return nil, true, fmt.Errorf("index: read the source of %q: %w", id, err)
	}
	if crc32.Checksum(buf[4:], castagnoli) != binary.LittleEndian.Uint32(buf) {
		return nil, true, fmt.Errorf("%w: the source of %q fails its checksum", ErrBadDocStore, id)
	}
	src, err = snappy.Decode(nil, buf[4:])
	if err != nil {
		return nil, true, fmt.Errorf("%w: the source of %q: %v", ErrBadDocStore, id, err)
	}
	return src, true, nil
}

// each calls fn with every id and source, in id order (for tests and
// checks).
func (s *docStore) each(fn func(id string, src []byte) error) error {
	for i := 0; i < s.n; i++ {
		id := s.id(i)
		src, _, err := s.get(id)
		if err != nil {
			return err
		}
		if err := fn(id, src); err != nil {
			return err
		}
	}
	return nil
}

func (s *docStore) close() error { return s.f.Close() }

// addedFile lists, a line each, the ids of the disclosures Add put into a
// generation after its build.
const addedFile = "added.txt"

// addedSet is the ids in addedFile. It is safe for concurrent use.
type addedSet struct {
	path string
	mu   sync.Mutex
	ids  map[string]bool
}

func readAdded(dir string) (*addedSet, error) {
	a := &addedSet{path: filepath.Join(dir, addedFile), ids: map[string]bool{}}
	b, err := os.ReadFile(a.path)
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, err
	}
	for _, id := range strings.Split(string(b), "\n") {
		if id != "" {
			a.ids[id] = true
		}
	}
	return a, nil
}

// add records id, on disk first.
func (a *addedSet) add(id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ids[id] {
		return nil
	}
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(id + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	a.ids[id] = true
	return nil
}

func (a *addedSet) has(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ids[id]
}
