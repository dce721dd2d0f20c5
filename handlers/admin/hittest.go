package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/yingpu/govbot/hittest"
)

func (c *Console) registerHitTest() {
	c.AddNav(NavItem{Label: "命中测试", Href: "/admin/hittest", Roles: readerRoles, Order: 25})
	c.Handle(Page{Pattern: "GET /admin/hittest", Roles: readerRoles, Serve: c.hitTest})
}

// hitTest runs the question of the query string (a GET: a hit test
// changes nothing and logs nothing as a resident's question).
func (c *Console) hitTest(q *Request) error {
	v := q.R.URL.Query()
	in := map[string]any{"Q": v.Get("q"), "Lat": v.Get("lat"), "Lon": v.Get("lon"), "Turns": v.Get("turns"), "MinScore": c.opts.Content.MinScore}
	if id, err := strconv.ParseUint(v.Get("after"), 10, 64); err == nil && c.opts.Content.Jobs != nil {
		if j, found, err := c.opts.Content.Jobs.Get(id); err == nil && found {
			in["After"] = j
		}
	}
	if strings.TrimSpace(v.Get("q")) == "" {
		return q.Render(http.StatusOK, "hittest", "命中测试", in)
	}
	req := hittest.Request{Q: v.Get("q")}
	for _, t := range strings.Split(v.Get("turns"), "\n") {
		if t = strings.TrimSpace(t); t != "" {
			req.Turns = append(req.Turns, t)
		}
	}
	if v.Get("lat") != "" || v.Get("lon") != "" {
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(v.Get("lat")), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(v.Get("lon")), 64)
		if err1 != nil || err2 != nil {
			in["Problem"] = "纬度和经度须为数字，且须同时填写。"
			return q.Render(http.StatusBadRequest, "hittest", "命中测试", in)
		}
		req.Lat, req.Lon = &lat, &lon
	}
	res, err := c.opts.Content.HitTest.Run(q.R.Context(), req)
	if err != nil {
		if e := contentError(err); e != err {
			in["Problem"] = e.(*Error).Msg
			return q.Render(http.StatusBadRequest, "hittest", "命中测试", in)
		}
		return err
	}
	in["Result"] = res
	return q.Render(http.StatusOK, "hittest", "命中测试", in)
}
