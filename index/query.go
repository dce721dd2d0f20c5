package index

import (
	"time"
)

// Query is a resident's question.
type Query struct {
	// Text is the question as typed (or WeChat's voice Recognition text).
	// It may be empty for a bare shared location.
	Text string
	// Geo is the resident's shared location, if any.
	Geo *Point
	// Now overrides the index clock (the day that decides what is current).
	Now time.Time
	// Only, when set, restricts the answer to these disclosures (a
	// follow-up on the matter just shown: 那要带什么材料 asks the same
	// disclosure for another section). The confidence threshold does not
	// apply: the resident already chose the matter.
	Only []string
	// Exclude leaves these disclosures out (a correction, 不是这个; or 还有
	// 别的吗 after they were shown).
	Exclude []string
	// Explain adds to each hit the terms matched and the ranking factors,
	// and to the answer the disclosures left out and why.
	Explain bool
}

// Point is a coordinate in the datum of the disclosures' locations:
// GCJ-02 by default (as read from Chinese maps), WGS-84 with search.datum
// wgs84. The bot converts a shared location into that datum before asking;
// distances are computed as if on a sphere, which is exact enough within a
// datum at a subdistrict's scale.
type Point struct {
	Lat, Lon float64
}

// Status says whether a disclosure is in force on the day asked.
type Status string

const (
	Current    Status = "current"    // in force
	Ended      Status = "ended"      // expired (Hit.Ended says when)
	Superseded Status = "superseded" // replaced by a later edition (Hit.SupersededBy)
	Upcoming   Status = "upcoming"   // not yet effective (Hit.Effective says from when)
)

// Ref names another disclosure.
type Ref struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Effective string `json:"effective,omitempty"` // YYYY-MM-DD
}

// Place is a disclosure's service place.
type Place struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
}

// Passage is the part of a disclosure that answers the question.
type Passage struct {
	// Text is the passage: the section that answers the question's intent
	// from its heading on, or the whole body of a short disclosure. Lines
	// are separated by "\n".
	Text string `json:"text"`
	// Whole is true when Text is the disclosure's whole body.
	Whole bool `json:"whole"`
	// Intent is true when the passage holds what the question's intent
	// asks for (an amount, an address, a phone number…), not only its
	// words.
	Intent bool `json:"intent"`
	// Best is the one line of the disclosure that best answers the
	// question (the passage's top line, preferring one that holds what
	// the intent asks for), as written; "" when no line holds anything
	// of the question.
	Best string `json:"best,omitempty"`
}

// Where a question term was found in a disclosure.
const (
	InTitle     = "title"     // title (or place name)
	InKeywords  = "keywords"  // editor's keywords
	InBody      = "body"      // body text or address
	BySynonym   = "synonym"   // an expression of the same concept
	ByHomophone = "homophone" // same pinyin (a typo)
	BySituation = "situation" // a life situation mapped to a service
	ByPart      = "part"      // known sub-words of a longer word
)

// Match is one question term and where a disclosure holds it.
type Match struct {
	Term  string `json:"term"`
	Where string `json:"where"`
	// As is the expression found when it differs from Term (a synonym,
	// a homophone, a service named by a situation).
	As string `json:"as,omitempty"`
}

// Hit is one ranked disclosure.
type Hit struct {
	ID         string  `json:"id"`
	Score      float64 `json:"score"` // ranking score 0..1
	Title      string  `json:"title"`
	Department string  `json:"department,omitempty"`
	Date       string  `json:"date,omitempty"` // published, YYYY-MM-DD
	URL        string  `json:"url,omitempty"`
	Category   string  `json:"category,omitempty"`
	Status     Status  `json:"status"`
	// Ended is the expiry date of an ended disclosure, or of a current
	// time-limited one (a warning in force until…). YYYY-MM-DD.
	Ended string `json:"ended,omitempty"`
	// Effective is when it took (or takes) effect. YYYY-MM-DD.
	Effective string `json:"effective,omitempty"`
	// SupersededBy names the edition in force that replaced it.
	SupersededBy *Ref `json:"superseded_by,omitempty"`
	// DistanceKm is set for geo questions on disclosures with a location.
	DistanceKm *float64 `json:"distance_km,omitempty"`
	Place      *Place   `json:"place,omitempty"`
	// Coverage is the share of the question (weighted by how telling each
	// word is) that the disclosure speaks of, 0..1.
	Coverage float64 `json:"coverage"`
	// Related: it answers the question well enough to be offered beside
	// the best hit.
	Related bool `json:"-"`
	// Passage answers the question from this disclosure (set for the
	// first few hits).
	Passage *Passage `json:"-"`
	// Matched and Factors explain the rank (Query.Explain).
	Matched []Match            `json:"matched,omitempty"`
	Factors map[string]float64 `json:"factors,omitempty"`
}

// Decline says why a question is not answered.
type Decline string

const (
	NotDeclined       Decline = ""
	DeclineNotCovered Decline = "not_covered"   // no published disclosure speaks of it
	DeclineLowScore   Decline = "low_score"     // the best match is too weak to trust
	DeclineReferral   Decline = "referral"      // another agency's matter (Answer.Agency)
	DeclineOtherArea  Decline = "other_area"    // another city or district (Answer.AreaNamed)
	DeclinePersonal   Decline = "personal_case" // a resident's own application or case
	DeclineWeather    Decline = "weather"       // a weather forecast
	DeclineBusiness   Decline = "business"      // a private business
	DeclineNoPlace    Decline = "no_place_near" // a bare location with no place within the radius
	// The best disclosure is on the matter but does not state what the
	// question asks (Answer.Unstated): next year's change of a standard,
	// a facility yet to be built. Hits[0] is that disclosure.
	DeclineNotStated Decline = "not_stated"
	// What the question is about is in a disclosure that is not published
	// (a draft, or one withheld for the personal data it holds): nothing of
	// it is told.
	DeclineUnpublished Decline = "unpublished"
)

// What a question asks that the disclosures on its matter do not state
// (DeclineNotStated).
const (
	UnstatedFuture = "future" // a change in a year to come; what is published is what holds now
	UnstatedPlan   = "plan"   // a facility to be built; what is published is what exists
	UnstatedHours  = "hours"  // when a place opens; what is published says nothing of it
	UnstatedHiring = "hiring" // whether a place takes on staff; no recruitment is published
)

// Skipped is a disclosure left out of the answer.
type Skipped struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Reason string `json:"reason"` // draft, privacy, expired, superseded, low_score, referral
}

// Intent is what a question asks for.
type Intent string

const (
	AnyIntent   Intent = ""
	Amount      Intent = "amount"      // 多少钱, 标准
	Where       Intent = "where"       // 在哪, 地址
	Hours       Intent = "hours"       // 几点, 开放时间
	Materials   Intent = "materials"   // 要带什么, 材料
	Process     Intent = "process"     // 怎么办, 流程
	Eligibility Intent = "eligibility" // 条件, 谁能
	Phone       Intent = "phone"       // 电话
	When        Intent = "when"        // 什么时候, 截止
	Duration    Intent = "duration"    // 多久, 几个工作日
)

// Answer is what the index found for a question, and why. It holds no
// wording: package bot writes what the resident reads.
type Answer struct {
	// Answered is false when nothing matched with enough confidence
	// (Decline says why).
	Answered bool `json:"answered"`
	// Confidence is the share of what was asked that the best disclosure
	// speaks of (0..1); below Search.MinScore govbot declines.
	Confidence float64 `json:"confidence"`
	// Intent is what the question asks for.
	Intent Intent `json:"intent,omitempty"`
	// Decline is why the question is not answered.
	Decline Decline `json:"decline,omitempty"`
	// Agency handles the matter (DeclineReferral; also set when a
	// disclosure answers a matter another agency handles).
	Agency string `json:"agency,omitempty"`
	// Matter is the question's word that names the agency's matter.
	Matter string `json:"matter,omitempty"`
	// AreaNamed is the other city or district the question is about
	// (DeclineOtherArea).
	AreaNamed string `json:"area_named,omitempty"`
	// Unstated is what the question asks that Hits[0], on its matter,
	// does not state (DeclineNotStated): UnstatedFuture, UnstatedPlan,
	// UnstatedHours or UnstatedHiring.
	Unstated string `json:"unstated,omitempty"`
	// Near: the hits are the service places nearest the resident's
	// location, nearest first (a place question with a location).
	Near bool `json:"near,omitempty"`
	// AnyPlace: a bare location; the hits are the places of any kind
	// nearest the resident.
	AnyPlace bool `json:"any_place,omitempty"`
	// RadiusKm is the distance searched for places (Near, DeclineNoPlace).
	RadiusKm float64 `json:"radius_km,omitempty"`
	// Hits are ranked best first (also when declined, for the query log).
	Hits []Hit `json:"hits"`
	// Decisive: the best hit stands out from the runner-up by what a
	// resident would see, not by its score alone: a phrase of the question
	// in its title, the kind of disclosure the question asks for, the
	// question's own words in its title, the edition in force or of the
	// year named. However close the scores, there is then nothing to ask.
	Decisive bool `json:"decisive,omitempty"`
	// Skipped lists disclosures left out and why (Query.Explain).
	Skipped []Skipped `json:"skipped,omitempty"`
}
