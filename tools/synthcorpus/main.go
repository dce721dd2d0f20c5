// Command synthcorpus writes a large synthetic disclosure corpus for
// benchmarks: sentences, titles and keywords of the sample disclosures
// recombined at random (deterministically, from a seed), with dates,
// categories, expiries and places spread like the real ones. The sample
// disclosures and the lexicon files are copied alongside, so questions about
// them still have their right answers among the noise.
//
//	go run ./tools/synthcorpus -n 100000 -data data -out /tmp/govbot-synth
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yingpu/govbot/content"
)

func main() {
	n := flag.Int("n", 100000, "number of synthetic disclosures")
	data := flag.String("data", "data", "data directory with the sample disclosures and lexicon")
	out := flag.String("out", "", "output directory (created)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthcorpus: -out is required")
		os.Exit(2)
	}
	if err := run(*n, *data, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "synthcorpus:", err)
		os.Exit(1)
	}
}

func run(n int, data, out string, seed uint64) error {
	res, err := content.Load(filepath.Join(data, "disclosures"), content.LoadOptions{})
	if err != nil {
		return err
	}
	src := res.Publishable
	if len(src) == 0 {
		return fmt.Errorf("no publishable disclosures in %s", data)
	}
	if err := os.MkdirAll(filepath.Join(out, "disclosures"), 0o755); err != nil {
		return err
	}
	for _, f := range []string{"dict.txt", "stopwords.txt", "synonyms.txt", "referrals.txt", "disclosures/part1.jsonl", "disclosures/part2.jsonl"} {
		b, err := os.ReadFile(filepath.Join(data, f))
		if err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(out, f), b, 0o644); err != nil {
			return err
		}
	}
	var sentences, titles, keywords []string
	for _, d := range src {
		for _, line := range strings.Split(d.Body, "\n") {
			for _, s := range strings.SplitAfter(line, "。") {
				if s = strings.TrimSpace(s); len(s) > 12 {
					sentences = append(sentences, s)
				}
			}
		}
		titles = append(titles, d.Title)
		keywords = append(keywords, d.Keywords...)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	f, err := os.Create(filepath.Join(out, "disclosures", "synthetic.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		t := src[r.IntN(len(src))]
		d := t
		d.ID = fmt.Sprintf("syn-%06d", i)
		a, b := []rune(titles[r.IntN(len(titles))]), []rune(titles[r.IntN(len(titles))])
		d.Title = string(a[:len(a)/2]) + string(b[len(b)/2:])
		var body []string
		for k := 8 + r.IntN(10); k > 0; k-- {
			body = append(body, sentences[r.IntN(len(sentences))])
		}
		d.Body = strings.Join(body, "\n")
		d.Keywords = []string{keywords[r.IntN(len(keywords))], keywords[r.IntN(len(keywords))]}
		pub := base.AddDate(0, 0, r.IntN(7*365))
		eff := pub.AddDate(0, 0, r.IntN(10))
		d.Published = content.NewDate(pub)
		d.Effective = content.NewDate(eff)
		d.Expires = content.Date{}
		if r.IntN(4) == 0 {
			d.Expires = content.NewDate(eff.AddDate(0, 0, 3+r.IntN(120)))
		}
		d.URL = fmt.Sprintf("https://gk.example/zwgk/syn/%06d.html", i)
		d.Review.Date = d.Published
		d.Location = nil
		if r.IntN(20) == 0 {
			d.Location = &content.Location{Name: d.Title[:0] + "服务点" + fmt.Sprint(i), Address: "青浦区示例路" + fmt.Sprint(i) + "号",
				Lat: 31.10 + r.Float64()*0.1, Lon: 121.05 + r.Float64()*0.1}
		}
		d.Supersedes = nil
		if err := enc.Encode(&d); err != nil {
			return err
		}
	}
	return f.Close()
}
