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
	for i := range g.withheld {
		w := &g.withheld[i]
		if titleShare(a, w.head) >= max(minScore, 0.5) {
			out = append(out, Skipped{ID: w.ID, Title: w.Title, Reason: w.Reason})
		}
	}
	return out
}

// titleShare is the share of the question (its units, by weight) that
// head speaks of.
func titleShare(a analyzed, head string) float64 {
	total, got := 0.0, 0.0
	for _, u := range a.units {
		total += u.weight
		if unitIn(head, u) {
			got += u.weight
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// A question nothing published answers is about what is not published
// when the title of a withheld disclosure (a draft, one the privacy check
// blocked) speaks of at least unpublishedShare of it, and of
// unpublishedMargin more of it than the title of the best published
// candidate does (公益性岗位录用名单 when only the blocked list of names has
// it). It only names the reason of a decline: a draft's title is often
// closer to a question than the published edition's (调整 in the draft,
// 提高 in the notice) though the notice answers it.
const (
	unpublishedShare  = 0.5
	unpublishedMargin = 0.2
)

// unpublished reports whether the question is about a withheld disclosure
// rather than about best (nil when nothing published matched).
func (g *generation) unpublished(a analyzed, best *candidate) bool {
	if len(g.withheld) == 0 || len(a.units) == 0 {
		return false
	}
	head := 0.0
	if best != nil {
		head = best.head
	}
	for i := range g.withheld {
		if s := titleShare(a, g.withheld[i].head); s >= unpublishedShare && s >= head+unpublishedMargin {
			return true
		}
	}
	return false
}
