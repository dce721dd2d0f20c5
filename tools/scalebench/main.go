// Command scalebench measures govbot at a corpus size beside a plain bleve
// index (its cjk analyzer, default settings) built from the same
// disclosures in the same run: reindex time, CPU and peak RSS, start-up with
// an existing index, one `govbot ask`, question latency and CPU, serving RSS
// and index size. Every measured step runs in a process of its own, so each
// peak RSS is that step's alone.
//
//	go run ./tools/synthcorpus -n 100000 -out /tmp/synth100k
//	go build -o /tmp/govbot . && go build -o /tmp/scalebench ./tools/scalebench
//	/tmp/scalebench all -data /tmp/synth100k -work /tmp/sb100k -govbot /tmp/govbot
//
// Each build's figures are kept beside its index (<work>/govbot-build.json,
// <work>/anchor-build.json); with -reuse, an index already built is measured
// again without rebuilding it, its build figures read from that file. A
// build run by hand under /usr/bin/time -v is recorded with
//
//	scalebench record -from time.txt -out <work>/anchor-build.json
//
// The questions are the residents' questions of index/testdata. The load
// average is sampled before and after every step and reported: figures taken
// on a busy machine are comparable only with those of the same run.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scalebench all|open|serve|anchor-build|anchor-serve|record [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "", "data directory (disclosures/ and the lexicon), e.g. made by tools/synthcorpus")
	work := fs.String("work", "", "working directory for the indexes (created)")
	govbot := fs.String("govbot", "", "govbot binary to measure")
	dir := fs.String("index", "", "index directory")
	questions := fs.String("questions", "index/testdata", "directory of *-questions.jsonl")
	passes := fs.Int("passes", 5, "passes over the questions")
	runs := fs.Int("runs", 5, "start-up runs")
	withAnchor := fs.Bool("anchor", true, "all: build and measure the plain bleve index too")
	reuse := fs.Bool("reuse", false, "all: measure the indexes already in -work instead of rebuilding them")
	cpuprofile := fs.String("cpuprofile", "", "serve: write a CPU profile of the measured passes to this file")
	from := fs.String("from", "", "record: output of /usr/bin/time -v")
	out := fs.String("out", "", "record: build record to write")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "all":
		err = all(*data, *work, *govbot, *questions, *passes, *runs, *reuse, *withAnchor)
	case "open":
		err = open(*dir, *data)
	case "serve":
		err = serve(*dir, *data, *questions, *passes, *cpuprofile)
	case "anchor-build":
		err = anchorBuild(*data, *dir)
	case "anchor-serve":
		err = anchorServe(*dir, *questions, *passes)
	case "record":
		err = record(*from, *out)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

// result is what one child process reports, plus its resource use and the
// machine's load average (1 minute) before and after it.
type result struct {
	Wall   time.Duration
	CPU    time.Duration // user + system
	MaxRSS int64         // KiB
	Out    map[string]float64
	Load   [2]float64
}

// child runs a command and measures it; a child that prints "key value"
// lines reports figures.
func child(name string, args ...string) (result, error) {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	load0 := loadAverage()
	start := time.Now()
	out, err := cmd.Output()
	r := result{Wall: time.Since(start), Out: map[string]float64{}, Load: [2]float64{load0, loadAverage()}}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		r.MaxRSS = ru.Maxrss
	}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); ok && err == nil {
			r.Out[k] = f
		}
	}
	return r, nil
}

// loadAverage is the machine's 1-minute load average (0 where unknown).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b) + " 0")[0], 64)
	return f
}

// built returns the build record of an index in work, running build when
// the index is not there or reuse is off.
func built(work, name, indexDir string, reuse bool, build func() (result, error)) (result, bool, error) {
	file := filepath.Join(work, name+"-build.json")
	if reuse {
		if _, err := os.Stat(indexDir); err == nil {
			var r result
			b, err := os.ReadFile(file)
			if err != nil {
				return r, false, nil // built, but its figures were not recorded
			}
			return r, true, json.Unmarshal(b, &r)
		}
	}
	os.RemoveAll(indexDir)
	r, err := build()
	if err != nil {
		return r, false, err
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	return r, true, os.WriteFile(file, b, 0o644)
}

// record writes the build record of a build run by hand under
// /usr/bin/time -v.
func record(from, out string) error {
	if from == "" || out == "" {
		return errors.New("record needs -from and -out")
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	r := result{Out: map[string]float64{}}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
		if !ok {
			continue
		}
		f, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "User time (seconds)", "System time (seconds)":
			r.CPU += time.Duration(f * float64(time.Second))
		case "Maximum resident set size (kbytes)":
			r.MaxRSS = int64(f)
		case "Elapsed (wall clock) time (h:mm:ss or m:ss)":
			var secs float64
			for _, part := range strings.Split(v, ":") {
				p, _ := strconv.ParseFloat(part, 64)
				secs = secs*60 + p
			}
			r.Wall = time.Duration(secs * float64(time.Second))
		}
	}
	if r.Wall == 0 {
		return fmt.Errorf("%s: no elapsed time: not the output of /usr/bin/time -v", from)
	}
	enc, _ := json.MarshalIndent(r, "", "  ")
	return os.WriteFile(out, enc, 0o644)
}

func all(data, work, govbot, questions string, passes, runs int, reuse, withAnchor bool) error {
	if data == "" || work == "" || govbot == "" {
		return errors.New("all needs -data, -work and -govbot")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	state := filepath.Join(work, "state")
	anchor := filepath.Join(work, "anchor")
	docs, err := countDocs(data)
	if err != nil {
		return err
	}
	fmt.Printf("corpus %s: %d records\n\n", data, docs)

	ix := filepath.Join(state, "index")
	build, haveBuild, err := built(work, "govbot", state, reuse, func() (result, error) {
		return child(govbot, "reindex", "--quiet", "--data", data, "--state", state)
	})
	if err != nil {
		return err
	}
	var abuild result
	haveABuild := false
	if withAnchor {
		abuild, haveABuild, err = built(work, "anchor", anchor, reuse, func() (result, error) {
			return child(self, "anchor-build", "-data", data, "-index", anchor)
		})
		if err != nil {
			return err
		}
	}
	var opens []time.Duration
	var openRSS int64
	var steps []result
	for range runs {
		r, err := child(self, "open", "-index", ix, "-data", data)
		if err != nil {
			return err
		}
		opens = append(opens, time.Duration(r.Out["open_ms"]*float64(time.Millisecond)))
		openRSS = max(openRSS, r.MaxRSS)
		steps = append(steps, r)
	}
	var asks []result
	for range runs {
		r, err := child(govbot, "ask", "--data", data, "--state", state, "--now", "2026-11-26", "低保标准是多少")
		if err != nil {
			return err
		}
		asks = append(asks, r)
		steps = append(steps, r)
	}
	srv, err := child(self, "serve", "-index", ix, "-data", data, "-questions", questions, "-passes", strconv.Itoa(passes))
	if err != nil {
		return err
	}
	var asrv result
	if withAnchor {
		asrv, err = child(self, "anchor-serve", "-index", anchor, "-questions", questions, "-passes", strconv.Itoa(passes))
		if err != nil {
			return err
		}
	}
	steps = append(steps, srv)
	size, asize := dirSize(ix), dirSize(anchor)

	mib := func(kib int64) string { return fmt.Sprintf("%d MiB", kib/1024) }
	buildCell := func(have bool, f func() string) string {
		if !have {
			return "not recorded"
		}
		return f()
	}
	anchorCell := func(f func() string) string {
		if !withAnchor {
			return "not run"
		}
		return f()
	}
	rate := func(r result) string { return fmt.Sprintf("%.0f/s", float64(docs)/r.Wall.Seconds()) }
	loads := func(rs ...result) string {
		lo, hi := rs[0].Load[0], rs[0].Load[0]
		for _, r := range rs {
			lo, hi = min(lo, r.Load[0], r.Load[1]), max(hi, r.Load[0], r.Load[1])
		}
		return fmt.Sprintf("%.1f–%.1f", lo, hi)
	}
	fmt.Println("| | govbot | plain bleve (cjk) |")
	fmt.Println("|---|---|---|")
	fmt.Printf("| reindex wall | %s | %s |\n",
		buildCell(haveBuild, func() string { return fmt.Sprintf("%s (%s)", build.Wall.Round(100*time.Millisecond), rate(build)) }),
		buildCell(haveABuild, func() string { return fmt.Sprintf("%s (%s)", abuild.Wall.Round(100*time.Millisecond), rate(abuild)) }))
	fmt.Printf("| reindex CPU per disclosure | %s | %s |\n",
		buildCell(haveBuild, func() string {
			return fmt.Sprintf("%.3f ms (%.0f s)", ms(build.CPU)/float64(docs), build.CPU.Seconds())
		}),
		buildCell(haveABuild, func() string {
			return fmt.Sprintf("%.3f ms (%.0f s)", ms(abuild.CPU)/float64(docs), abuild.CPU.Seconds())
		}))
	fmt.Printf("| reindex peak RSS | %s | %s |\n",
		buildCell(haveBuild, func() string { return mib(build.MaxRSS) }),
		buildCell(haveABuild, func() string { return mib(abuild.MaxRSS) }))
	fmt.Printf("| load average during the build | %s | %s |\n",
		buildCell(haveBuild && build.Load != [2]float64{}, func() string { return loads(build) }),
		buildCell(haveABuild && abuild.Load != [2]float64{}, func() string { return loads(abuild) }))
	fmt.Printf("| start-up with an existing index (open, %d runs) | %s | — |\n", runs, spread(opens))
	var askWall []time.Duration
	var askRSS []int64
	for _, a := range asks {
		askWall = append(askWall, a.Wall)
		askRSS = append(askRSS, a.MaxRSS/1024)
	}
	sort.Slice(askRSS, func(i, j int) bool { return askRSS[i] < askRSS[j] })
	fmt.Printf("| one `govbot ask` (whole process, %d runs): wall, peak RSS | %s, %d–%d MiB | — |\n", runs, spread(askWall), askRSS[0], askRSS[len(askRSS)-1])
	fmt.Printf("| query p50 / p99 | %.2f / %.2f ms | %s |\n", srv.Out["p50_ms"], srv.Out["p99_ms"],
		anchorCell(func() string { return fmt.Sprintf("%.2f / %.2f ms", asrv.Out["p50_ms"], asrv.Out["p99_ms"]) }))
	fmt.Printf("| CPU per question | %.3f ms | %s |\n", srv.Out["cpu_ms"],
		anchorCell(func() string { return fmt.Sprintf("%.3f ms", asrv.Out["cpu_ms"]) }))
	fmt.Printf("| serving RSS after %d×%d questions (peak) | %.0f MiB (%s) | %s |\n", passes, int(srv.Out["questions"]), srv.Out["rss_kib"]/1024, mib(srv.MaxRSS),
		anchorCell(func() string { return fmt.Sprintf("%.0f MiB (%s)", asrv.Out["rss_kib"]/1024, mib(asrv.MaxRSS)) }))
	fmt.Printf("| index size | %d MiB | %s |\n", size>>20, anchorCell(func() string { return fmt.Sprintf("%d MiB", asize>>20) }))
	fmt.Printf("| load average during the measurements | %s | %s |\n", loads(steps...), anchorCell(func() string { return loads(asrv) }))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func spread(ds []time.Duration) string {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	round := func(d time.Duration) string {
		if d < 10*time.Millisecond {
			return fmt.Sprintf("%.1f ms", ms(d))
		}
		if d < time.Second {
			return fmt.Sprintf("%.0f ms", ms(d))
		}
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return round(ds[0]) + "–" + round(ds[len(ds)-1])
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func countDocs(data string) (int, error) {
	n := 0
	err := eachDisclosure(data, func(plainDoc) error { n++; return nil })
	return n, err
}

// open measures opening the live generation, as a starting server does.
func open(dir, data string) error {
	start := time.Now()
	ix, err := index.OpenOrBuild(context.Background(), index.Options{Dir: dir, DataDir: data})
	if err != nil {
		return err
	}
	took := time.Since(start)
	ix.Close()
	fmt.Printf("open_ms %.3f\n", ms(took))
	return nil
}

type question struct {
	Q   string   `json:"q"`
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

func loadQuestions(dir string) ([]question, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*-questions.jsonl"))
	if len(files) == 0 {
		return nil, fmt.Errorf("no %s/*-questions.jsonl", dir)
	}
	var qs []question
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			var q question
			if json.Unmarshal([]byte(line), &q) == nil && q.Q != "" {
				qs = append(qs, q)
			}
		}
	}
	return qs, nil
}

// serve answers every question passes times, as a server does, and reports
// latency, CPU and the resident set after.
func serve(dir, data, questions string, passes int, cpuprofile string) error {
	qs, err := loadQuestions(questions)
	if err != nil {
		return err
	}
	ix, err := index.OpenOrBuild(context.Background(), index.Options{Dir: dir, DataDir: data})
	if err != nil {
		return err
	}
	defer ix.Close()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, clock.Shanghai)
	ask := func(q question) error {
		query := index.Query{Text: q.Q, Now: now}
		if q.Lat != nil && q.Lon != nil {
			query.Geo = &index.Point{Lat: *q.Lat, Lon: *q.Lon}
		}
		_, err := ix.Ask(context.Background(), query)
		return err
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		return measureQuestions(qs, passes, ask, func() error { return pprof.StartCPUProfile(f) }, pprof.StopCPUProfile)
	}
	return measureQuestions(qs, passes, ask, nil, nil)
}

// measureQuestions asks every question once to warm up, then passes times,
// measured; start and stop (when set) bracket the measured passes.
func measureQuestions(qs []question, passes int, ask func(question) error, start func() error, stop func()) error {
	for _, q := range qs { // warm-up
		if err := ask(q); err != nil {
			return err
		}
	}
	if start != nil {
		if err := start(); err != nil {
			return err
		}
	}
	var lat []time.Duration
	cpu0 := cpuTime()
	for range passes {
		for _, q := range qs {
			start := time.Now()
			if err := ask(q); err != nil {
				return err
			}
			lat = append(lat, time.Since(start))
		}
	}
	cpu := cpuTime() - cpu0
	if stop != nil {
		stop()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("questions %d\n", len(qs))
	fmt.Printf("p50_ms %.3f\n", ms(lat[len(lat)/2]))
	fmt.Printf("p99_ms %.3f\n", ms(lat[len(lat)*99/100]))
	fmt.Printf("cpu_ms %.4f\n", ms(cpu)/float64(len(lat)))
	fmt.Printf("rss_kib %d\n", procStatus("VmRSS"))
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func procStatus(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// plainDoc is what the plain index holds of a disclosure.
type plainDoc struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// eachDisclosure reads the JSONL files under data/disclosures a line at a
// time.
func eachDisclosure(data string, fn func(plainDoc) error) error {
	files, _ := filepath.Glob(filepath.Join(data, "disclosures", "*.jsonl"))
	if len(files) == 0 {
		return fmt.Errorf("no %s/disclosures/*.jsonl", data)
	}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var d plainDoc
			if json.Unmarshal(sc.Bytes(), &d) != nil || d.ID == "" {
				continue
			}
			if err := fn(d); err != nil {
				f.Close()
				return err
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	return nil
}

// anchorBuild indexes title and body with bleve's defaults and its cjk
// analyzer, in batches of 1,000, the corpus streamed.
func anchorBuild(data, dir string) error {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	bi, err := bleve.New(dir, m)
	if err != nil {
		return err
	}
	b := bi.NewBatch()
	err = eachDisclosure(data, func(d plainDoc) error {
		if err := b.Index(d.ID, map[string]string{"title": d.Title, "body": d.Body}); err != nil {
			return err
		}
		if b.Size() >= 1000 {
			if err := bi.Batch(b); err != nil {
				return err
			}
			b.Reset()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if b.Size() > 0 {
		if err := bi.Batch(b); err != nil {
			return err
		}
	}
	return bi.Close()
}

// anchorServe asks the plain index each question as a match query (top 10).
func anchorServe(dir, questions string, passes int) error {
	qs, err := loadQuestions(questions)
	if err != nil {
		return err
	}
	bi, err := bleve.Open(dir)
	if err != nil {
		return err
	}
	defer bi.Close()
	return measureQuestions(qs, passes, func(q question) error {
		_, err := bi.Search(bleve.NewSearchRequest(bleve.NewMatchQuery(q.Q)))
		return err
	}, nil, nil)
}
