package content

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestWalkStreamsWhatLoadKeeps: Walk hands over exactly the disclosures Load
// keeps, in the same order, and sorts the rest into the same lists.
func TestWalkStreamsWhatLoadKeeps(t *testing.T) {
	want := mustLoad(t, "../data/disclosures")
	var got []Disclosure
	res, err := Walk("../data/disclosures", LoadOptions{}, func(d Disclosure) error {
		got = append(got, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want.Publishable) {
		t.Errorf("Walk handed over %d disclosures, Load kept %d (or in another order)", len(got), len(want.Publishable))
	}
	if res.Streamed != len(got) || len(res.Publishable) != 0 {
		t.Errorf("Streamed = %d, Publishable = %d; want %d, 0", res.Streamed, len(res.Publishable), len(got))
	}
	if !reflect.DeepEqual(res.Drafts, want.Drafts) || !reflect.DeepEqual(res.Blocked, want.Blocked) || !reflect.DeepEqual(res.Errors, want.Errors) {
		t.Error("drafts, blocked or errors differ from Load's")
	}
	if res.Summary() != want.Summary() {
		t.Errorf("Summary() = %q, want %q", res.Summary(), want.Summary())
	}
}

// TestWalkLongLinesAndStop: a line longer than the read buffer is one
// record; an error from the callback stops the walk and is returned.
func TestWalkLongLinesAndStop(t *testing.T) {
	dir := t.TempDir()
	rec := func(id string, body string) string {
		return `{"id":"` + id + `","title":"长者食堂","category":"elderly","department":"街道","published":"2026-01-02",` +
			`"url":"https://gk.example/` + id + `","body":"` + body + `","review":{"status":"approved","reviewer":"王","date":"2026-01-02"}}`
	}
	lines := rec("a", strings.Repeat("助餐服务", 40000)) + "\r\n\n" + rec("b", "每餐补贴3元") + "\n" + rec("c", "地址")
	if err := os.WriteFile(filepath.Join(dir, "x.jsonl"), []byte("\xef\xbb\xbf"+lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var ids []string
	res, err := Walk(dir, LoadOptions{}, func(d Disclosure) error {
		ids = append(ids, d.ID)
		return nil
	})
	if err != nil || len(res.Errors) != 0 {
		t.Fatalf("Walk: %v %v", err, res.Errors)
	}
	if !reflect.DeepEqual(ids, []string{"a", "b", "c"}) {
		t.Errorf("ids = %v", ids)
	}
	stop := errors.New("stop")
	ids = nil
	_, err = Walk(dir, LoadOptions{}, func(d Disclosure) error {
		ids = append(ids, d.ID)
		return stop
	})
	if !errors.Is(err, stop) || len(ids) != 1 {
		t.Errorf("after an error: err %v, %d handed over; want stop, 1", err, len(ids))
	}
}

// TestCountRecords counts what Walk reads, and Record is told of each.
func TestCountRecords(t *testing.T) {
	n, err := CountRecords("../data/disclosures")
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	res, err := Walk("../data/disclosures", LoadOptions{Record: func() { read++ }}, func(Disclosure) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if all := res.Streamed + len(res.Drafts) + len(res.Blocked) + len(res.Errors); n != read || n != all {
		t.Errorf("CountRecords = %d, Record called %d times, %d records sorted", n, read, all)
	}
}
