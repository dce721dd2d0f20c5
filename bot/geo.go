package bot

import (
	"math"

	"github.com/yingpu/govbot/index"
)

// Coordinates. WeChat's and WeCom's location messages come from Tencent
// Maps, in GCJ-02 (the offset coordinate system required for maps of
// China), while the locations reported by the LOCATION event are GPS
// (WGS-84). Both are brought into the datum of the disclosures' own
// coordinates (search.datum: GCJ-02 unless configured as WGS-84); in Qingpu
// the two differ by about 500 m, enough to change which place is nearest.

// validPoint reports whether lat/lon is a usable coordinate. (0, 0) is what
// a client sends when it has no fix.
func validPoint(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lat, 0) || math.IsInf(lon, 0) {
		return false
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return false
	}
	return lat != 0 || lon != 0
}

// Krasovsky 1940 ellipsoid, on which GCJ-02 is defined.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

func outOfChina(lat, lon float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// wgsToGCJ applies the GCJ-02 offset to a WGS-84 point.
func wgsToGCJ(p index.Point) index.Point {
	if outOfChina(p.Lat, p.Lon) {
		return p
	}
	dLat, dLon := gcjDelta(p.Lat, p.Lon)
	return index.Point{Lat: p.Lat + dLat, Lon: p.Lon + dLon}
}

// gcjToWGS inverts the GCJ-02 offset by fixed-point iteration; after a few
// rounds the error is far below a metre.
func gcjToWGS(g index.Point) index.Point {
	if outOfChina(g.Lat, g.Lon) {
		return g
	}
	w := g
	for range 8 {
		c := wgsToGCJ(w)
		dLat, dLon := c.Lat-g.Lat, c.Lon-g.Lon
		w.Lat -= dLat
		w.Lon -= dLon
		if math.Abs(dLat) < 1e-9 && math.Abs(dLon) < 1e-9 {
			break
		}
	}
	return w
}

func gcjDelta(lat, lon float64) (dLat, dLon float64) {
	x, y := lon-105.0, lat-35.0
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	dLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0

	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLon += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLon += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	dLon += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0

	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLat, dLon
}

// haversineKm is the great-circle distance; used in tests of the offset.
func haversineKm(a, b index.Point) float64 {
	const r = 6371.0088
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla := la2 - la1
	dlo := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
