// Package privacy finds and masks the personal numbers that must never be
// published or stored (保密审查): resident identity card, mainland mobile and
// bank card numbers. It is a leaf: content checks disclosures with it,
// notice checks notices, querylog masks what residents typed.
package privacy

import (
	"fmt"
	"strings"
	"time"
)

// Kinds of personal data the privacy check (保密审查) looks for.
const (
	KindIDCard   = "id_card"   // an 18-digit resident identity card number (居民身份证号)
	KindMobile   = "mobile"    // an 11-digit mainland mobile number (手机号)
	KindBankCard = "bank_card" // a 16-19 digit bank card number (银行卡号)
)

// Finding is one piece of personal data found in a text field. It says where
// the data is without repeating it: Masked shows at most the first four and
// the last four digits.
type Finding struct {
	Kind  string // KindIDCard, KindMobile or KindBankCard
	Field string // title, body, keywords, audience, department, location.name, location.address
	// Offset is the rune offset of the number within the field text (for a
	// list field, within the item).
	Offset int
	// Line is the 1-based line within the field text. For a list field
	// (keywords, audience) it is the 1-based item number instead.
	Line int
	// Column is the 1-based rune column within that line.
	Column int
	Masked string // e.g. 3101**********1234 or 138****5678
}

// String describes the finding for an editor, e.g.
// "id_card in body line 5 (3101**********123X)".
func (f Finding) String() string {
	where := "line"
	if f.Field == "keywords" || f.Field == "audience" {
		where = "item"
	}
	return fmt.Sprintf("%s in %s %s %d (%s)", f.Kind, f.Field, where, f.Line, f.Masked)
}

// Scan finds personal numbers in one text (a field of a disclosure, a
// notice, ...) and reports them under the given field name.
//
// It flags:
//   - an 18-digit identity card number (17 digits and a check digit 0-9 or X,
//     valid per GB 11643-1999, region prefix 1-8, a real birth date
//     1900..2100), contiguous or grouped 6-8-4;
//   - an 11-digit mobile number 1[3-9]X XXXX XXXX, contiguous or grouped
//     3-4-4 with spaces or hyphens, optionally prefixed by 86 or +86;
//   - a 16-19 digit bank card number passing the Luhn check, contiguous or in
//     groups of four (the last group may be shorter).
//
// A number directly joined to more digits (or to more digits by a hyphen) is
// part of a longer number and is not flagged; neither are masked numbers
// (138****5678), landlines, hotlines, dates, amounts or web addresses.
// Full-width digits count as digits.
func Scan(field, text string) []Finding {
	if text == "" {
		return nil
	}
	rs := normalizeRunes(text)
	var out []Finding
	for i := 0; i < len(rs); {
		if end := urlEnd(rs, i); end > i {
			i = end
			continue
		}
		if !isDigit(rs[i]) || (i > 0 && isDigit(rs[i-1])) {
			i++
			continue
		}
		if m, ok := matchAt(rs, i); ok {
			line, col := lineCol(rs, i)
			out = append(out, Finding{
				Kind:   m.kind,
				Field:  field,
				Offset: i,
				Line:   line,
				Column: col,
				Masked: mask(m.kind, m.digits),
			})
			i = m.end
			continue
		}
		for i < len(rs) && isDigit(rs[i]) {
			i++
		}
	}
	return out
}

// normalizeRunes maps full-width digits, X, hyphen and space to ASCII so
// that 13８1234５678 is read as a number. The mapping is one rune to one
// rune, so offsets stay those of the original text.
func normalizeRunes(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r >= '０' && r <= '９':
			rs[i] = '0' + (r - '０')
		case r == 'Ｘ' || r == 'ｘ':
			rs[i] = 'X'
		case r == '－':
			rs[i] = '-'
		case r == '\u3000' || r == '\u00a0':
			rs[i] = ' '
		}
	}
	return rs
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isSep(r rune) bool { return r == ' ' || r == '-' }

// urlEnd returns the end of a web address starting at i, or i when none
// starts there. Digits inside web addresses are not personal data.
func urlEnd(rs []rune, i int) int {
	if rs[i] != 'h' && rs[i] != 'H' {
		return i
	}
	var n int
	switch {
	case hasPrefixFold(rs[i:], "https://"):
		n = len("https://")
	case hasPrefixFold(rs[i:], "http://"):
		n = len("http://")
	default:
		return i
	}
	j := i + n
	for j < len(rs) && isURLRune(rs[j]) {
		j++
	}
	return j
}

func hasPrefixFold(rs []rune, prefix string) bool {
	if len(rs) < len(prefix) {
		return false
	}
	return strings.EqualFold(string(rs[:len(prefix)]), prefix)
}

func isURLRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	// Sub-delimiters such as , ; ( ) are left out: in running text they
	// usually end the address rather than belong to it.
	return strings.ContainsRune("-._~:/?#[]@$&+=%", r)
}

func lineCol(rs []rune, at int) (line, col int) {
	line, start := 1, 0
	for k := 0; k < at; k++ {
		if rs[k] == '\n' {
			line++
			start = k + 1
		}
	}
	return line, at - start + 1
}

type match struct {
	kind   string
	digits string // the number's digits (and a final X), without prefix or separators
	end    int    // rune index just after the match
}

// matchAt tries, at the start of a digit run, an identity card number, then
// a mobile number, then a bank card number.
func matchAt(rs []rune, i int) (match, bool) {
	// Identity card: 18 contiguous, or 6-8-4 grouped.
	for _, sh := range idShapes {
		if digits, end, ok := readShape(rs, i, sh, true); ok && validIDCard(digits) {
			return match{KindIDCard, digits, end}, true
		}
	}
	// Mobile, optionally after 86 / +86 (the + is not a digit, so the run
	// starts at the 8).
	if i+2 < len(rs) && rs[i] == '8' && rs[i+1] == '6' {
		j := i + 2
		if isSep(rs[j]) {
			j++
		}
		for _, sh := range mobileShapes {
			if digits, end, ok := readShapeFrom(rs, i, j, sh, false); ok && validMobile(digits) {
				return match{KindMobile, digits, end}, true
			}
		}
	}
	for _, sh := range mobileShapes {
		if digits, end, ok := readShape(rs, i, sh, false); ok && validMobile(digits) {
			return match{KindMobile, digits, end}, true
		}
	}
	for _, sh := range cardShapes {
		if digits, end, ok := readShape(rs, i, sh, false); ok && validBankCard(digits) {
			return match{KindBankCard, digits, end}, true
		}
	}
	return match{}, false
}

// shape is a number's layout: group lengths joined by one separator rune
// (sep 0: the groups are contiguous).
type shape struct {
	groups []int
	sep    rune
}

func contiguous(n int) shape { return shape{groups: []int{n}} }

func grouped(sep rune, groups ...int) shape { return shape{groups: groups, sep: sep} }

var (
	idShapes = []shape{
		contiguous(18),
		grouped(' ', 6, 8, 4), grouped('-', 6, 8, 4),
	}
	mobileShapes = []shape{
		contiguous(11),
		grouped(' ', 3, 4, 4), grouped('-', 3, 4, 4),
	}
	cardShapes = func() []shape {
		var s []shape
		for n := 19; n >= 16; n-- {
			s = append(s, contiguous(n))
		}
		for _, sep := range []rune{' ', '-'} {
			for last := 3; last >= 1; last-- {
				s = append(s, grouped(sep, 4, 4, 4, 4, last))
			}
			s = append(s, grouped(sep, 4, 4, 4, 4))
		}
		return s
	}()
)

func readShape(rs []rune, i int, sh shape, allowX bool) (string, int, bool) {
	return readShapeFrom(rs, i, i, sh, allowX)
}

// readShapeFrom reads sh at j; start is where the whole match (with any
// prefix) begins, for the boundary check before it. allowX lets the last
// character be X (an identity card check digit).
func readShapeFrom(rs []rune, start, j int, sh shape, allowX bool) (string, int, bool) {
	// Not part of a longer number: no digit, nor digit and hyphen, before.
	if start > 0 && isDigit(rs[start-1]) {
		return "", 0, false
	}
	if start > 1 && rs[start-1] == '-' && isDigit(rs[start-2]) {
		return "", 0, false
	}
	var buf [24]byte
	nd := 0
	for g, n := range sh.groups {
		if g > 0 {
			if j >= len(rs) || rs[j] != sh.sep {
				return "", 0, false
			}
			j++
		}
		for k := 0; k < n; k++ {
			if j >= len(rs) || nd == len(buf) {
				return "", 0, false
			}
			r := rs[j]
			last := g == len(sh.groups)-1 && k == n-1
			switch {
			case isDigit(r):
			case allowX && last && (r == 'X' || r == 'x'):
				r = 'X'
			default:
				return "", 0, false
			}
			buf[nd] = byte(r)
			nd++
			j++
		}
	}
	// ...nor after.
	if j < len(rs) && isDigit(rs[j]) {
		return "", 0, false
	}
	if j+1 < len(rs) && rs[j] == '-' && isDigit(rs[j+1]) {
		return "", 0, false
	}
	return string(buf[:nd]), j, true
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// validIDCard reports whether s (18 characters) is a plausible GB 11643-1999
// citizen identity number: region prefix 1-8, real birth date 1900..2100,
// correct check character.
func validIDCard(s string) bool {
	if len(s) != 18 || s[0] < '1' || s[0] > '8' {
		return false
	}
	sum := 0
	for k := 0; k < 17; k++ {
		if !isDigit(rune(s[k])) {
			return false
		}
		sum += int(s[k]-'0') * idWeights[k]
	}
	if idCheckChars[sum%11] != s[17] {
		return false
	}
	return validBirthDate(s[6:14])
}

func validBirthDate(s string) bool {
	y := atoi(s[0:4])
	m := atoi(s[4:6])
	d := atoi(s[6:8])
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && t.Month() == time.Month(m)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// validMobile: 11 digits 1[3-9]XXXXXXXXX.
func validMobile(s string) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9'
}

// validBankCard: 16-19 digits, not starting with 0, passing the Luhn check.
func validBankCard(s string) bool {
	if len(s) < 16 || len(s) > 19 || s[0] == '0' {
		return false
	}
	return luhn(s)
}

func luhn(s string) bool {
	sum := 0
	double := false
	for k := len(s) - 1; k >= 0; k-- {
		c := s[k]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// mask keeps at most the first four and last four digits (three and four for
// a mobile number, as is usual) and stars the rest.
func mask(kind, digits string) string {
	head, tail := 4, 4
	if kind == KindMobile {
		head = 3
	}
	if len(digits) <= head+tail {
		return strings.Repeat("*", len(digits))
	}
	return digits[:head] + strings.Repeat("*", len(digits)-head-tail) + digits[len(digits)-tail:]
}

// Mask returns text with every personal number that Scan would
// flag replaced by its masked form (3101**********1234, 139****0873), for
// storing what residents typed without keeping their ID or mobile numbers.
func Mask(text string) string {
	if text == "" {
		return text
	}
	rs := normalizeRunes(text)
	orig := []rune(text)
	var b strings.Builder
	last := 0
	for i := 0; i < len(rs); {
		if end := urlEnd(rs, i); end > i {
			i = end
			continue
		}
		if !isDigit(rs[i]) || (i > 0 && isDigit(rs[i-1])) {
			i++
			continue
		}
		if m, ok := matchAt(rs, i); ok {
			b.WriteString(string(orig[last:i]))
			b.WriteString(mask(m.kind, m.digits))
			last, i = m.end, m.end
			continue
		}
		for i < len(rs) && isDigit(rs[i]) {
			i++
		}
	}
	if last == 0 {
		return text
	}
	b.WriteString(string(orig[last:]))
	return b.String()
}
