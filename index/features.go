package index

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yingpu/govbot/content"
)

// The ranking features: a few interpretable signals that hold for any
// district's disclosures, each 0..1, mixed by weights fitted on one dev
// corpus and checked on the other (data/ranking.txt; see docs/search.md).
const (
	featBM25      = iota // BM25 relative to the best candidate
	featCoverage         // share of the question the disclosure speaks of
	featTitle            // share of the question in the title and keywords
	featPhrase           // a phrase of the question found whole in the title
	featKind             // the disclosure's kind answers the question's intent
	featIntent           // its passage holds what the intent asks for
	featPassage          // share of the question found within its passage
	featTitleKind        // its title names the kind that answers the intent (a 标准 for 多少): a factor
	featExact            // share of the question in the title as the resident wrote it (no synonym)
	featPlace            // for a question asking for places: how much it is such a place (or a list of them); 1 when no candidate is: a factor
	numFeatures
)

var featureNames = [numFeatures]string{"bm25", "coverage", "title", "phrase", "kind", "intent", "passage", "title_kind", "exact", "place"}

// Weights mix the features into a rank.
type Weights [numFeatures]float64

// defaultWeights are used when the data directory has no ranking.txt:
// those shipped in data/ranking.txt.
var defaultWeights = Weights{0.05, 0.58, 0, 0, 0, 0, 0.05, 0.05, 0.30, 0.50}

// RankingFile holds the ranking weights in a data directory.
const RankingFile = "ranking.txt"

// LoadWeights reads dir/ranking.txt: "feature weight" a line. A missing
// file gives the built-in weights; an unknown feature or a bad number is
// an error naming the line.
func LoadWeights(dir string) (Weights, error) {
	w := defaultWeights
	f, err := os.Open(filepath.Join(dir, RankingFile))
	if errors.Is(err, os.ErrNotExist) {
		return w, nil
	}
	if err != nil {
		return w, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	var errs []error
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		k := featureIndex(fs[0])
		if len(fs) != 2 || k < 0 {
			errs = append(errs, fmt.Errorf("%s:%d: want \"feature weight\" with feature one of %s", RankingFile, n, strings.Join(featureNames[:], ", ")))
			continue
		}
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil || v < 0 || v > 10 {
			errs = append(errs, fmt.Errorf("%s:%d: weight %q is not a number in 0..10", RankingFile, n, fs[1]))
			continue
		}
		w[k] = v
	}
	if err := sc.Err(); err != nil {
		return w, err
	}
	return w, errors.Join(errs...)
}

func featureIndex(name string) int {
	for i, n := range featureNames {
		if n == name {
			return i
		}
	}
	return -1
}

// mix is the weighted sum of the features, scaled to 0..1 by the sum of
// the weights, times the factors: title kind (1 + its weight when the
// title names the kind that answers the question's intent) and place
// ((1 + its weight × the feature) / (1 + its weight): 1 for the place a
// question asks for, and for every candidate of a question asking for no
// place; less for what is not the place asked for).
func (w *Weights) mix(f *[numFeatures]float64) float64 {
	sum, tot := 0.0, 0.0
	for i := range w {
		if isFactor(i) {
			continue
		}
		sum += w[i] * f[i]
		tot += w[i]
	}
	if tot == 0 {
		return 0
	}
	place := (1 + w[featPlace]*f[featPlace]) / (1 + w[featPlace])
	return sum / tot * (1 + w[featTitleKind]*f[featTitleKind]) * place
}

// isFactor tells the features that multiply the rank rather than count
// in its mean: they hold for some questions only, and leave the others'
// ranks as they are.
func isFactor(i int) bool { return i == featTitleKind || i == featPlace }

// kindCues: title words that say what kind of disclosure it is, by the
// intent it answers. A standard (标准) answers 多少; a list of places (一览,
// 地址) answers 在哪; a guide (指南, 办事) answers 怎么办 and 材料.
var kindCues = map[Intent]*pattern{
	Amount:      mustPattern(`标准|补贴|津贴|补助|收费|价格|费用|资助|奖励|待遇|调整|提高`),
	Where:       mustPattern(`一览|地址|站点|分布|服务点|名单|场所|地点|中心|食堂|点位|避难`),
	Hours:       mustPattern(`开放|时间|安排|一览|中心|食堂|服务点|调整`),
	Materials:   mustPattern(`指南|办事|申请|办理|须知|流程|指引|操作`),
	Process:     mustPattern(`指南|办事|申请|办理|须知|流程|指引|操作|报名`),
	Eligibility: mustPattern(`指南|申请|办理|须知|条件|对象|认定|标准`),
	Phone:       mustPattern(`电话|联系|通讯|一览|中心|服务点`),
	When:        mustPattern(`安排|报名|截止|时间|预警|活动|招聘|日程|期限`),
	Duration:    mustPattern(`指南|办事|申请|办理|须知|流程|指引|时限`),
}

// payCue: title words of a disclosure about what residents pay: a charge,
// a contribution, a price (answers 交多少, 收费吗).
var payCue = mustPattern(`缴费|收费|费用|价格|缴纳|参保|处理费|收取`)

// titleKind tells whether a title names the kind of disclosure that
// answers the question's intent.
func titleKind(a analyzed, title string) bool {
	if a.intent == AnyIntent {
		return false
	}
	if a.pay {
		return payCue.MatchString(title)
	}
	return kindCues[a.intent].MatchString(title)
}

// kindScore: how well the disclosure's kind answers the intent, from its
// title and the shape of its body (the share of its lines that hold what
// the intent asks for: values[i] for line i).
func kindScore(di *docInfo, intent Intent, values []bool) float64 {
	s := 0.0
	if kindCues[intent].MatchString(di.doc.Title) {
		s = 0.6
	}
	hit := 0
	for _, v := range values {
		if v {
			hit++
		}
	}
	if n := len(values); n > 0 {
		s += 0.4 * min(1, 2*float64(hit)/float64(n))
	}
	return s
}

// phraseScore: the longest run of the question's characters found whole
// in the title (就业服务站 in 就业服务站点一览), relative to a phrase of
// phraseRunes characters. Runs under 3 characters do not count.
const phraseRunes = 6

func phraseScore(question []rune, title string) float64 {
	return phraseScoreIn(question, title, nil)
}

// phraseScoreIn is phraseScore where f, when not nil, filters the
// characters of title (or of a text that holds them all): a run holding a
// character that f rules out is not looked for.
func phraseScoreIn(question []rune, title string, f *runeFilter) float64 {
	// The question as one string, and where each of its characters starts
	// in it: q[at[i]:at[j]] is string(question[i:j]).
	var buf [64]int
	at := append(buf[:0], 0)
	for _, r := range question {
		n := utf8.RuneLen(r)
		if n < 0 {
			n = len(string(utf8.RuneError))
		}
		at = append(at, at[len(at)-1]+n)
	}
	q := string(question)
	// absent[i]: the first character from i on that the title lacks
	// (len(question): none).
	var absent []int
	if f != nil {
		var abuf [64]int
		absent = append(abuf[:0], make([]int, len(question)+1)...)
		absent[len(question)] = len(question)
		for i := len(question) - 1; i >= 0; i-- {
			absent[i] = absent[i+1]
			if !f.mayHold(q[at[i]:at[i+1]]) {
				absent[i] = i
			}
		}
	}
	best := 0
	for i := range question {
		for j := i + best + 1; j <= len(question); j++ {
			if absent != nil && absent[i] < j || !strings.Contains(title, q[at[i]:at[j]]) {
				break
			}
			best = j - i
		}
	}
	if best < 3 {
		return 0
	}
	return min(1, float64(best)/phraseRunes)
}

// questionRunes is the question as compared with titles: normalized, its
// stopwords kept (a phrase may hold one).
func questionRunes(text string) []rune {
	n := normalize(text)
	var out []rune
	for _, r := range n {
		if r != ' ' && utf8.RuneLen(r) > 1 {
			out = append(out, r)
		} else if r != ' ' {
			out = append(out, r)
		}
	}
	return out
}

// passageCoverage is the share of the question's weight found in the
// passage text: the words asked about, together in one place. held, when
// not nil, says which units the passage holds (see sectionPassage).
func passageCoverage(a analyzed, p *Passage, held []bool) float64 {
	if p == nil {
		return 0
	}
	var text string
	if held == nil {
		text = normalize(p.Text)
	}
	total, got := 0.0, 0.0
	for k, u := range a.units {
		total += u.weight
		if held != nil && held[k] || held == nil && unitIn(text, u) {
			got += u.weight
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// placeListCue: title words of a list of places (一览, 名录, 分布).
var placeListCue = mustPattern(`一览|名录|分布|点位|网点`)

// placeFeature is, for a question asking for places (a.places), the share
// of what it names (the units of named) that a place's name holds: the
// place of a located disclosure, or the title of a list of places. A
// policy that merely names the places (a subsidy usable in every canteen)
// is no place. 0 for other disclosures; 1 for every candidate of a
// question asking for no place (see placeNeutral).
func placeFeature(a analyzed, d *content.Disclosure, named uint64) float64 {
	if !a.places || named == 0 {
		return 1
	}
	var name string
	switch {
	case d.Location != nil:
		name = normalize(d.Location.Name)
	case placeListCue.MatchString(d.Title):
		name = normalize(d.Title)
	default:
		return 0
	}
	total, got := 0.0, 0.0
	for i, u := range a.units {
		if i >= 64 || named&(1<<i) == 0 {
			continue
		}
		total += u.weight
		if unitIn(name, u) {
			got += u.weight
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// placeCommonShare: a word held by more than this share of the titles
// (街道 in every 某某街道… title) names no kind of place.
const placeCommonShare = 0.2

// placeAskWord: the words that ask for a place (附近, 最近), not what kind.
var placeAskWord = mustPattern(`附近|最近|周边|旁边|就近|哪里|哪儿|地方|地址|位置`)

// placeUnits marks the question's units (bit i: unit i) that may name a
// kind of place: a concept, or a word of two characters or more that at
// most placeCommonShare of the titles hold, and not a word asking for a
// place.
func (g *generation) placeUnits(ctx context.Context, a analyzed) uint64 {
	if !a.places {
		return 0
	}
	limit := uint64(placeCommonShare * float64(g.meta.Docs))
	var m uint64
	for i, u := range a.units {
		if i >= 64 || utf8.RuneCountInString(u.text) < 2 {
			continue
		}
		if !u.concept && (placeAskWord.MatchString(u.text) || g.df.docFreq(ctx, fTitle, u.text) > limit) {
			continue
		}
		m |= 1 << i
	}
	return m
}

// placeNeutral sets the place feature to 1 for every candidate when none
// is a place of the kind asked for: there is nothing to prefer (欠薪去哪投诉
// asks where, and no place is so named).
func placeNeutral(cs []*candidate) {
	named := false
	for _, c := range cs {
		c.placeAsked = c.feat[featPlace] >= 1
		named = named || c.feat[featPlace] > 0
	}
	if named {
		return
	}
	for _, c := range cs {
		c.feat[featPlace], c.placeAsked = 1, false
	}
}
