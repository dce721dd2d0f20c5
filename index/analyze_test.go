package index

import (
	"reflect"
	"testing"
)

func TestAnalyzeTellsIntentAndTopic(t *testing.T) {
	ix := sampleIndex(t)
	for _, c := range []struct {
		q      string
		intent Intent
		topic  bool // has topic words of its own
	}{
		{"那要带什么材料", Materials, false},
		{"电话多少", Phone, false},
		{"在哪里办", Where, false},
		{"几点开门", Hours, false},
		{"找谁办", Where, false},
		{"向谁申请", Where, true},
		{"低保标准是多少", Amount, true},
		{"长者食堂在哪里", Where, true},
		{"失业保险金怎么申请", Process, true},
		{"就业见习", AnyIntent, true},
	} {
		a := ix.Analyze(c.q)
		if a.Intent != c.intent || (len(a.Topic) > 0) != c.topic {
			t.Errorf("Analyze(%q) = %+v, want intent %q, topic words %v", c.q, a, c.intent, c.topic)
		}
	}
	if got := ix.Analyze("长者食堂在哪里").Topic; !reflect.DeepEqual(got, []string{"长者食堂"}) && len(got) == 0 {
		t.Errorf("topic of 长者食堂在哪里: %v", got)
	}
}
