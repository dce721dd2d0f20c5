package privacy

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The identity numbers below were built for these tests: the check digits
// and Luhn sums were worked out by hand from GB 11643-1999 and ISO/IEC 7812.

type wantFinding struct {
	kind, masked string
}

func scanKinds(text string) []wantFinding {
	var out []wantFinding
	for _, f := range Scan("body", text) {
		out = append(out, wantFinding{f.Kind, f.Masked})
	}
	return out
}

func TestScanTextFlags(t *testing.T) {
	id := func(m string) []wantFinding { return []wantFinding{{KindIDCard, m}} }
	mob := func(m string) []wantFinding { return []wantFinding{{KindMobile, m}} }
	card := func(m string) []wantFinding { return []wantFinding{{KindBankCard, m}} }
	cases := []struct {
		name, text string
		want       []wantFinding
	}{
		{"id plain", "身份证号310101199001011234，", id("3101**********1234")},
		{"id check X", "11010519491231002X", id("1101**********002X")},
		{"id check lower x", "证件号码：11010519491231002x。", id("1101**********002X")},
		{"id grouped spaces", "310101 19900101 1234", id("3101**********1234")},
		{"id grouped hyphens", "310101-19900101-1234", id("3101**********1234")},
		{"id full-width digits", "３１０１０１１９９００１０１１２３４", id("3101**********1234")},
		{"id leap day 2020", "310101202002290006", id("3101**********0006")},
		{"id year 2100", "310101210012310007", id("3101**********0007")},
		{"id region 8", "810101199001010002", id("8101**********0002")},
		{"id year 1900", "110101190001010006", id("1101**********0006")},
		{"id in a table cell", "3｜周建国｜公园居委会｜310118196203154210｜3020", id("3101**********4210")},
		{"mobile plain", "手机：19912345678。", mob("199****5678")},
		{"mobile spaces", "联系电话 138 1234 5678", mob("138****5678")},
		{"mobile hyphens", "138-1234-5678", mob("138****5678")},
		{"mobile +86 spaced", "+86 138 1234 5678", mob("138****5678")},
		{"mobile +86 joined", "+8613812345678", mob("138****5678")},
		{"mobile 86 joined", "8613812345678", mob("138****5678")},
		{"mobile +86 hyphens", "+86-138-1234-5678", mob("138****5678")},
		{"mobile bracketed prefix", "(+86)13812345678", mob("138****5678")},
		{"mobile after landline", "电话021-59705218 13912345678", mob("139****5678")},
		{"mobile full-width", "１３８１２３４５６７８", mob("138****5678")},
		{"mobile after text url", "见 https://gk.yingpu.example/a.html 13812345678", mob("138****5678")},
		{"card 16", "银行卡号6222021234567894", card("6222********7894")},
		{"card 16 visa", "4111111111111111", card("4111********1111")},
		{"card grouped spaces", "卡号：6222 0212 3456 7894", card("6222********7894")},
		{"card grouped hyphens", "6222-0212-3456-7894", card("6222********7894")},
		{"card 19", "6228480012345678903", card("6228***********8903")},
		{"card 19 grouped 4-4-4-4-3", "6228 4800 1234 5678 903", card("6228***********8903")},
		{"card 18 failing id rules", "621483123456789014", card("6214**********9014")},
		{"id plus mobile", "身份证号310229196203152412，联系电话13761849025，", []wantFinding{
			{KindIDCard, "3102**********2412"}, {KindMobile, "137****9025"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := scanKinds(c.text); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Scan(%q) = %v, want %v", c.text, got, c.want)
			}
		})
	}
}

func TestScanTextDoesNotFlag(t *testing.T) {
	cases := []struct{ name, text string }{
		{"landline", "咨询电话：021-59705218（社区服务办）"},
		{"landline bracketed", "(021)59705218"},
		{"landline full-width brackets", "（021）59705218"},
		{"landline bare", "59705218"},
		{"hotline", "12345"},
		{"hotline text", "也可拨打12345热线、12333、12393医保服务热线"},
		{"962 number", "962号码"},
		{"962 hotline", "拨打962121"},
		{"year", "2023年"},
		{"amount", "每招用1人补贴2000元，补偿款合计286.4万元"},
		{"area", "认定建筑面积48.6平方米"},
		{"date", "2023-03-15"},
		{"impossible date", "2023-02-30"},
		{"compact date", "20230315"},
		{"chinese date", "2023年7月10日"},
		{"document number", "青府办发〔2023〕12号"},
		{"document number 2", "沪人社规〔2023〕5号"},
		{"postcode", "邮编201700"},
		{"time range", "9:00—17:00，13:30—17:00"},
		{"url", "https://gk.yingpu.example/zwgk/2023/emp-001.html"},
		{"url with long numbers", "https://mp.weixin.qq.com/s?__biz=MzA5&mid=13812345678&sn=6222021234567894"},
		{"masked id", "身份证号310101********1234"},
		{"half-masked id", "3101011990****1234"},
		{"masked mobile", "联系电话138****5678"},
		{"masked mobile spaced", "138 **** 5678"},
		{"masked card", "6222 **** **** 7894"},
		{"id bad check digit", "310101199001011235"},
		{"id bad check digit 2", "310101199001011233"},
		{"id region 9", "910101199001010049"},
		{"id region 0", "010101199001010003"},
		{"id February 30", "31010119900230002X"},
		{"id 1900-02-29", "310101190002290000"},
		{"id year 1899", "310101189912310009"},
		{"id year 2101", "310101210101010006"},
		{"id month 13", "310101199013010001"},
		{"id day 0", "310101199001000009"},
		{"id in longer run", "0310101199001011234"},
		{"id followed by digit", "3101011990010112345"},
		{"mobile second digit 2", "12812345678"},
		{"mobile second digit 0", "10012345678"},
		{"mobile 12 digits", "138123456789"},
		{"mobile 10 digits", "1381234567"},
		{"mobile with leading 0", "013812345678"},
		{"mobile in 17-digit run", "13812345678901234"},
		{"mobile hyphen-joined", "021-13812345678"},
		{"mobile badly grouped", "1381 234 5678"},
		{"mobile mixed separators", "138 1234-5678"},
		{"card Luhn fails", "6222021234567890"},
		{"card Luhn fails 2", "4111111111111112"},
		{"card 19 Luhn fails", "6228480012345678900"},
		{"card 20 digits", "62284800123456789030"},
		{"card 15 digits", "411111111111111"},
		{"card starting 0", "0000000000000000"},
		{"card grouped hyphen-joined to more", "6222-0212-3456-7894-1234"},
		{"work order", "工单编号20231012001234567"},
		{"statistics", "主动公开政府信息412条，申请23件"},
		{"empty", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Scan("body", c.text); len(got) != 0 {
				t.Errorf("Scan(%q) = %v, want nothing", c.text, got)
			}
		})
	}
}

func TestScanTextPosition(t *testing.T) {
	text := "第一行\n联系电话：13812345678\n第三行 身份证号11010519491231002X"
	got := Scan("body", text)
	want := []Finding{
		{Kind: KindMobile, Field: "body", Offset: 9, Line: 2, Column: 6, Masked: "138****5678"},
		{Kind: KindIDCard, Field: "body", Offset: 29, Line: 3, Column: 9, Masked: "1101**********002X"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	rs := []rune(text)
	for _, f := range got {
		if r := rs[f.Offset]; r < '0' || r > '9' {
			t.Errorf("offset %d points at %q, not at the number", f.Offset, r)
		}
	}
	if s := got[1].String(); s != "id_card in body line 3 (1101**********002X)" {
		t.Errorf("String() = %q", s)
	}
}

// FuzzScan checks invariants on arbitrary text: no panic, findings in
// order without overlap, offsets on a digit, and never more than eight
// digits shown.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"身份证号310101199001011234，联系电话13812345678",
		"+86 138 1234 5678", "6228 4800 1234 5678 903", "11010519491231002X",
		"https://x.example/13812345678 13912345678", "３１０１０１１９９００１０１１２３４",
		"021-59705218", "138****5678", "8613812345678-", "86 ", "http", "1\n2\n3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		rs := normalizeRunes(s)
		prevEnd := -1
		for _, fd := range Scan("f", s) {
			if fd.Offset <= prevEnd || fd.Offset >= len(rs) {
				t.Fatalf("finding %+v out of order or range in %q", fd, s)
			}
			prevEnd = fd.Offset
			if !isDigit(rs[fd.Offset]) {
				t.Fatalf("finding %+v does not start on a digit in %q", fd, s)
			}
			if fd.Line < 1 || fd.Column < 1 {
				t.Fatalf("bad line/column %+v", fd)
			}
			shown := 0
			for _, r := range fd.Masked {
				if isDigit(r) {
					shown++
				}
			}
			if shown > 8 || !strings.Contains(fd.Masked, "*") {
				t.Fatalf("mask %q shows too much", fd.Masked)
			}
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat("各居（村）委会：咨询电话：021-59705218，12345热线。补贴2000元，青府办发〔2023〕12号。\n", 40) +
		"身份证号310101199001011234，联系电话13812345678"
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if len(Scan("body", text)) != 2 {
			b.Fatal("want 2 findings")
		}
	}
}

func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		{"我的手机13812345678，请回电", "我的手机138****5678，请回电"},
		{"身份证310101199001011234在哪补办", "身份证" + mask(KindIDCard, "310101199001011234") + "在哪补办"},
		{"热线12345，电话021-59705218", "热线12345，电话021-59705218"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
		if f := Scan("q", Mask(c.in)); len(f) > 0 {
			t.Errorf("Mask(%q) still holds %v", c.in, f)
		}
	}
}
