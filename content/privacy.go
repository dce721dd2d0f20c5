package content

import "github.com/yingpu/govbot/privacy"

// CheckPrivacy scans every text field of d that is shown to residents (title,
// body, keywords, audience, department, location name and address) and
// returns each identity card, mobile or bank card number found, in field
// order. A disclosure with findings must not be published.
func CheckPrivacy(d *Disclosure) []privacy.Finding {
	var out []privacy.Finding
	out = append(out, privacy.Scan("title", d.Title)...)
	out = append(out, privacy.Scan("body", d.Body)...)
	out = append(out, scanList("keywords", d.Keywords)...)
	out = append(out, scanList("audience", d.Audience)...)
	out = append(out, privacy.Scan("department", d.Department)...)
	if d.Location != nil {
		out = append(out, privacy.Scan("location.name", d.Location.Name)...)
		out = append(out, privacy.Scan("location.address", d.Location.Address)...)
	}
	return out
}

// scanList scans each item of a list field; Line is the item number.
func scanList(field string, items []string) []privacy.Finding {
	var out []privacy.Finding
	for i, item := range items {
		for _, f := range privacy.Scan(field, item) {
			f.Line = i + 1
			out = append(out, f)
		}
	}
	return out
}
