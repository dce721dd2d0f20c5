package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRecord(t *testing.T) {
	cases := []struct {
		name    string
		input   string // file content; "" reads testdata/time-v.txt
		wall    time.Duration
		cpu     time.Duration
		maxRSS  int64
		wantErr bool
	}{
		{name: "h:mm:ss", wall: time.Hour + 46*time.Second, cpu: 997690 * time.Millisecond, maxRSS: 2786240},
		{name: "m:ss.ss", input: "\tUser time (seconds): 1.50\n\tSystem time (seconds): 0.25\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 2:03.50\n\tMaximum resident set size (kbytes): 1024\n",
			wall: 123500 * time.Millisecond, cpu: 1750 * time.Millisecond, maxRSS: 1024},
		{name: "not time -v output", input: "indexed 1000 disclosures\n", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			from := filepath.Join("testdata", "time-v.txt")
			if c.input != "" {
				from = filepath.Join(dir, "in.txt")
				if err := os.WriteFile(from, []byte(c.input), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, "build.json")
			err := record(from, out)
			if c.wantErr {
				if err == nil {
					t.Fatal("record accepted output without an elapsed time")
				}
				if _, err := os.Stat(out); err == nil {
					t.Fatal("record wrote a record for bad input")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var r result
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			if r.Wall != c.wall || r.CPU != c.cpu || r.MaxRSS != c.maxRSS {
				t.Errorf("got wall %v cpu %v rss %d, want %v %v %d", r.Wall, r.CPU, r.MaxRSS, c.wall, c.cpu, c.maxRSS)
			}
		})
	}
}

// TestBuiltReuse: with reuse, an index already there is not rebuilt and its
// recorded figures are returned; without, it is rebuilt and recorded.
func TestBuiltReuse(t *testing.T) {
	work := t.TempDir()
	ix := filepath.Join(work, "state")
	builds := 0
	build := func() (result, error) {
		builds++
		if err := os.MkdirAll(ix, 0o755); err != nil {
			return result{}, err
		}
		return result{Wall: time.Second, CPU: 2 * time.Second, MaxRSS: 100}, nil
	}
	r, have, err := built(work, "govbot", ix, true, build)
	if err != nil || !have || builds != 1 || r.CPU != 2*time.Second {
		t.Fatalf("first build: %+v %v %v, %d builds", r, have, err, builds)
	}
	r, have, err = built(work, "govbot", ix, true, build)
	if err != nil || !have || builds != 1 || r.MaxRSS != 100 {
		t.Fatalf("reuse: %+v %v %v, %d builds", r, have, err, builds)
	}
	os.Remove(filepath.Join(work, "govbot-build.json"))
	if _, have, err = built(work, "govbot", ix, true, build); err != nil || have || builds != 1 {
		t.Fatalf("reuse without a record: have %v err %v, %d builds", have, err, builds)
	}
	if _, have, err = built(work, "govbot", ix, false, build); err != nil || !have || builds != 2 {
		t.Fatalf("no reuse: have %v err %v, %d builds", have, err, builds)
	}
}
