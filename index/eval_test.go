package index

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

// evalQuestion is one resident question with its right answers.
type evalQuestion struct {
	Q       string   `json:"q"`
	Answers []string `json:"answers"`
	Kind    string   `json:"kind"`
	Lat     *float64 `json:"lat"`
	Lon     *float64 `json:"lon"`
}

// loadQuestions reads 盈浦's questions (the sample data's).
func loadQuestions(t testing.TB) []evalQuestion {
	t.Helper()
	files, _ := filepath.Glob("testdata/part*-questions.jsonl")
	if len(files) == 0 {
		t.Fatal("no testdata/part*-questions.jsonl")
	}
	var qs []evalQuestion
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var q evalQuestion
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			qs = append(qs, q)
		}
		fh.Close()
	}
	return qs
}

// evalDay is the day the questions' right answers hold for.
var evalDay = time.Date(2026, 11, 26, 12, 0, 0, 0, clock.Shanghai)
