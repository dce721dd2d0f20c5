package content

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheckPrivacyFields(t *testing.T) {
	d := &Disclosure{
		ID:         "x",
		Title:      "联系13812345678",
		Department: "社区服务办 13912345678",
		Audience:   []string{"老年人", "家属 13712345678"},
		Keywords:   []string{"助餐", "补贴", "6222021234567894"},
		Location:   &Location{Name: "某点 15012345678", Address: "公园路1号 身份证310101199001011234"},
		Body:       "正文\n电话021-59705218",
		URL:        "https://gk.yingpu.example/13812345678.html",
	}
	var got []string
	for _, f := range CheckPrivacy(d) {
		got = append(got, f.String())
	}
	want := []string{
		"mobile in title line 1 (138****5678)",
		"bank_card in keywords item 3 (6222********7894)",
		"mobile in audience item 2 (137****5678)",
		"mobile in department line 1 (139****5678)",
		"mobile in location.name line 1 (150****5678)",
		"id_card in location.address line 1 (3101**********1234)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CheckPrivacy =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	clean := &Disclosure{Title: "长者食堂", Body: "电话021-59705218", Location: nil}
	if f := CheckPrivacy(clean); len(f) != 0 {
		t.Errorf("clean disclosure: %v", f)
	}
}
