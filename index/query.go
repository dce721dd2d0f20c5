package index

import (
	"time"

	"github.com/yingpu/govbot/content"
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
}

// Point is a coordinate in the datum of the disclosures' locations:
// GCJ-02 by default (as read from Chinese maps), WGS-84 with search.datum
// wgs84. The bot converts a shared location into that datum before asking;
// distances are computed as if on a sphere, which is exact enough within a
// datum at a subdistrict's scale.
type Point struct {
	Lat, Lon float64
}

// Hit is one ranked disclosure.
type Hit struct {
	ID         string         `json:"id"`
	Score      float64        `json:"score"` // confidence 0..1 after all adjustments
	Title      string         `json:"title"`
	Department string         `json:"department,omitempty"`
	Date       string         `json:"date,omitempty"` // published, YYYY-MM-DD
	URL        string         `json:"url,omitempty"`
	Status     content.Status `json:"-"`
	// DistanceKm is set for geo questions on disclosures with a location.
	DistanceKm *float64 `json:"distance_km,omitempty"`
}

// Answer is what the resident is told, and why.
type Answer struct {
	// Answered is false when nothing matched with enough confidence; Text
	// then declines honestly and names the hotline.
	Answered bool `json:"answered"`
	// Confidence is the share of what was asked that the best disclosure
	// speaks of (0..1); below Search.MinScore govbot declines.
	Confidence float64 `json:"confidence"`
	// Text is the reply, within the configured byte limit (WeChat: 2048).
	Text string `json:"text"`
	// Hits are ranked best first (also when declined, for the query log).
	Hits []Hit `json:"hits"`
}
