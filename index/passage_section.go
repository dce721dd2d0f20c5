package index

import (
	"math"
	"strings"
)

// sectionPassage picks the part of a disclosure that answers the question: the
// line that holds most of what was asked and what the intent asks for,
// from the heading of its section to the section's end, within about
// budget characters. A short body is the whole passage. held says, for
// each of the question's units, whether the passage holds it (as unitIn
// on its normalized text); nil when it was not worked out (a passage
// decided early, the whole body).
func sectionPassage(di *docInfo, a analyzed, budget int) (p *Passage, held []bool) {
	sh, cue, done, early := startPassage(di, a)
	if done {
		return early, nil
	}
	segs := sh.segs
	// A question word that most lines hold (the matter itself, in its own
	// disclosure) tells little about which line answers.
	weights := make([]float64, len(a.units))
	holds := make([][]bool, len(a.units)) // holds[k][i]: line i holds unit k
	top := 0.0
	for k, u := range a.units {
		n := 0
		holds[k] = make([]bool, len(segs))
		for i := range sh.norm {
			if i == 0 && !sh.inBody(u) {
				break // no line holds it (its weight still counts)
			}
			if sh.holds(i, u) {
				holds[k][i] = true
				n++
			}
		}
		weights[k] = u.weight * math.Log(1+float64(len(segs))/float64(1+n))
		top += weights[k]
	}
	// heldIn: which units the lines hold. The passage's text is its lines
	// joined by "\n", so a unit is in it when a line holds it (no unit
	// spans lines; one with a line break is read from the text instead).
	heldIn := func(lines []int) []bool {
		out := make([]bool, len(a.units))
		for k, u := range a.units {
			if spansLines(u) {
				return nil
			}
			for _, i := range lines {
				if holds[k][i] {
					out[k] = true
					break
				}
			}
		}
		return out
	}
	heading := -1      // index of the heading of the current section
	headMatch := false // it names what the intent asks for
	scores := make([]float64, len(segs))
	intentLine := make([]bool, len(segs))
	for i := range segs {
		if sh.heading[i] {
			heading, headMatch = i, cue != nil && cue.head[i]
		}
		score := 0.0
		for k := range a.units {
			if holds[k][i] {
				score += weights[k]
			}
		}
		if top > 0 {
			score = 4 * score / top
		}
		if sh.pre[i] {
			score -= 1 // an introduction (…现公布如下) holds no fact
		}
		if cue != nil {
			switch {
			case cue.value[i]:
				score += 3
				intentLine[i] = true
			case cue.word[i]:
				score += 1
			}
			if cue.label[i] {
				score += 3
				intentLine[i] = true
			}
			if headMatch && heading >= 0 && i-heading <= reachBack*2 {
				score += 2.5
			}
		}
		scores[i] = score
	}
	best, bestScore := 0, -1.0
	for i, s := range scores {
		if s > bestScore+1e-9 {
			best, bestScore = i, s
		}
	}
	start := best
	for j := best; j >= 0 && j >= best-reachBack; j-- {
		if sh.heading[j] {
			start = j
			break
		}
	}
	if start == best && best > 0 && sh.runes[best-1] <= 16 {
		start = best - 1 // a short line before it gives it context
	}
	var b strings.Builder
	runes := 0
	end := start
	hit := false
	for i := start; i < len(segs); i++ {
		r := sh.runes[i]
		// The section ends at the next heading, unless it is short: then
		// the next one follows, within the budget.
		if i > best && (sh.heading[i] && runes >= budget/2 || runes+r > budget) {
			break
		}
		if i > start && runes+r > 2*budget {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(segs[i])
		runes += r
		end = i
		hit = hit || intentLine[i]
	}
	whole := start == 0 && end == len(segs)-1
	section := func() (*Passage, []bool) {
		lines := make([]int, 0, end+1-start)
		for i := start; i <= end; i++ {
			lines = append(lines, i)
		}
		return &Passage{Text: b.String(), Whole: whole, Intent: hit}, heldIn(lines)
	}
	if cue == nil {
		return section()
	}
	// The section read holds no line with what the intent asks for (an
	// address, a date, an amount…) while another part of the disclosure
	// does: that line comes along, under its heading.
	// A value with a figure (100元, 清波路500号, 5个工作日) answers before
	// one without (不收费, 地址).
	extra := -1
	for _, strong := range []bool{true, false} {
		held := false
		for i := start; i <= end; i++ {
			held = held || cue.value[i] && (!strong || cue.figure[i])
		}
		if held {
			return section()
		}
		for i := range segs {
			if !cue.value[i] || strong && !cue.figure[i] || i >= start && i <= end {
				continue
			}
			if extra < 0 || scores[i] > scores[extra]+1e-9 {
				extra = i
			}
		}
		if extra >= 0 {
			break
		}
	}
	if extra < 0 {
		return section()
	}
	lines := []int{}
	for j := extra - 1; j >= 0 && j >= extra-reachBack && (j > end || j < start); j-- {
		if sh.heading[j] {
			lines = append(lines, j)
			break
		}
	}
	lines = append(lines, extra)
	extraRunes := 0
	for _, j := range lines {
		extraRunes += sh.runes[j]
	}
	// Room for it: the section loses its last lines past the best one.
	keep := end
	for keep > best && runes+extraRunes > budget+budget/4 {
		runes -= sh.runes[keep]
		keep--
	}
	if runes+extraRunes > 2*budget {
		return section()
	}
	var order []int
	for i := start; i <= keep; i++ {
		order = append(order, i)
	}
	if extra < start {
		order = append(append([]int{}, lines[len(lines)-1:]...), order...)
		if len(lines) == 2 {
			order = append([]int{lines[0]}, order...)
		}
	} else {
		if len(lines) == 2 {
			order = append(order, lines[0])
		}
		order = append(order, extra)
	}
	texts := make([]string, len(order))
	for k, i := range order {
		texts[k] = segs[i]
	}
	return &Passage{Text: strings.Join(texts, "\n"), Intent: true}, heldIn(order)
}

// spansLines: an expression of u holds a line break (and may span lines).
func spansLines(u unit) bool {
	if strings.Contains(u.text, "\n") {
		return true
	}
	for _, alt := range u.alts {
		if strings.Contains(alt, "\n") {
			return true
		}
	}
	return false
}
