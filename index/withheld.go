package index

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yingpu/govbot/content"
)

// What a build left out (drafts, disclosures blocked by the privacy check)
// is kept beside the generation by id and title only, so that a hit test
// can say why a disclosure a question is about was not answered. Nothing
// of their bodies is kept.

const withheldFile = "withheld.json"

type withheldDoc struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Reason string `json:"reason"` // draft or privacy
	head   string // normalized title
}

func writeWithheld(gdir string, res *content.LoadResult) error {
	var w []withheldDoc
	for _, d := range res.Drafts {
		w = append(w, withheldDoc{ID: d.ID, Title: d.Title, Reason: "draft"})
	}
	for _, b := range res.Blocked {
		// The title may itself hold the personal data: it is masked
		// where the privacy check found it.
		w = append(w, withheldDoc{ID: b.ID, Title: maskedTitle(b), Reason: "privacy"})
	}
	j, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(gdir, withheldFile), j)
}

var reLongNumber = regexp.MustCompile(`[0-9Xx]{6,}`)

// maskedTitle is b's title, its long numbers masked when the privacy check
// found personal data in it.
func maskedTitle(b content.Blocked) string {
	for _, f := range b.Findings {
		if f.Field == "title" {
			return reLongNumber.ReplaceAllStringFunc(b.Title, func(s string) string { return strings.Repeat("*", len(s)) })
		}
	}
	return b.Title
}

func readWithheld(gdir string) []withheldDoc {
	b, err := os.ReadFile(filepath.Join(gdir, withheldFile))
	if errors.Is(err, os.ErrNotExist) || err != nil {
		return nil
	}
	var w []withheldDoc
	if json.Unmarshal(b, &w) != nil {
		return nil
	}
	for i := range w {
		w[i].head = normalize(w[i].Title)
	}
	return w
}

// withheldFor lists the disclosures kept out of the index (drafts, privacy
// blocked) whose title speaks of at least minScore of the question.
func (g *generation) withheldFor(a analyzed, minScore float64) []Skipped {
	var out []Skipped
	for _, w := range g.withheld {
		total, got := 0.0, 0.0
		for _, u := range a.units {
			total += u.weight
			if unitIn(w.head, u) {
				got += u.weight
			}
		}
		if total > 0 && got/total >= max(minScore, 0.5) {
			out = append(out, Skipped{ID: w.ID, Title: w.Title, Reason: w.Reason})
		}
	}
	return out
}
