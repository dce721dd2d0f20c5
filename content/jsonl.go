package content

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// readJSONL reads one disclosure per non-blank line. A line that is not
// valid UTF-8 or not a JSON object is an error; the other lines are still
// read.
func readJSONL(file string, data []byte) []item {
	var items []item
	eachJSONL(file, bytes.NewReader(data), func(it item) error {
		items = append(items, it)
		return nil
	})
	return items
}

// eachJSONL reads r line by line, as readJSONL does, handing each record
// to fn as it is read; only one line is held at a time. It stops at the
// first error of r or of fn.
func eachJSONL(file string, r io.Reader, fn func(item) error) error {
	lineNo := 0
	var stop error
	err := eachLine(r, func(line []byte) bool {
		lineNo++
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) > 0 {
			stop = fn(jsonlItem(file, lineNo, line))
		}
		return stop == nil
	})
	if stop != nil {
		return stop
	}
	return err
}

// eachLine calls fn with each line of r, without its "\n", however long,
// until fn returns false; the line is only valid during the call.
func eachLine(r io.Reader, fn func(line []byte) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			buf = append(buf[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				buf = append(buf, line...)
			}
			line = buf
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if !fn(bytes.TrimSuffix(line, []byte("\n"))) || err != nil {
			return nil
		}
	}
}

func jsonlItem(file string, lineNo int, line []byte) item {
	it := item{file: file, line: lineNo}
	if !utf8.Valid(line) {
		it.errs = append(it.errs, LoadError{File: file, Line: lineNo,
			Problem: fmt.Sprintf("not valid UTF-8 (first bad byte at column %d)", firstInvalidUTF8(line)+1)})
		return it
	}
	var rec record
	if msg := decodeJSONLine(line, &rec); msg != "" {
		it.id = strings.TrimSpace(rec.ID)
		it.errs = append(it.errs, LoadError{File: file, Line: lineNo, ID: it.id, Problem: msg})
		return it
	}
	d, ps := rec.disclosure()
	it.id, it.d = d.ID, d
	for _, p := range ps {
		it.errs = append(it.errs, LoadError{File: file, Line: lineNo, ID: d.ID, Problem: p.Message})
	}
	return it
}

// firstInvalidUTF8 returns the byte offset of the first invalid UTF-8
// sequence in b, or -1.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// decodeJSONLine decodes exactly one JSON object into rec and describes what
// is wrong, or returns "".
func decodeJSONLine(line []byte, rec *record) string {
	if bytes.Equal(bytes.TrimSpace(line), []byte("null")) {
		return "not a JSON object (got null)"
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(rec); err != nil {
		return describeJSONError(err)
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(line[end:], " \t"); len(rest) > 0 {
		return fmt.Sprintf("unexpected text after the JSON object at column %d", len(line)-len(rest)+1)
	}
	return ""
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not valid JSON: %v (column %d)", syn, syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "not valid JSON: the line ends inside the object"
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("not a JSON object (got %s)", typ.Value)
		}
		return fmt.Sprintf("%s: want %s, got %s", typ.Field, typeName(typ.Type), typ.Value)
	}
	return "not valid JSON: " + err.Error()
}

// typeName names a Go type as the import format does.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "a list of strings"
		}
		return "a list"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		return "an object"
	}
	return t.String()
}
