package admin

import (
	"net/http"
	"strconv"
)

func (c *Console) registerPeople() {
	c.AddNav(NavItem{Label: "用户", Href: "/admin/users", Roles: adminRoles, Order: 60})
	c.AddNav(NavItem{Label: "受众", Href: "/admin/audiences", Roles: adminRoles, Order: 70})
	c.Handle(Page{Pattern: "GET /admin/users", Roles: adminRoles, Serve: c.usersPage})
	c.Handle(Page{Pattern: "GET /admin/audiences", Roles: adminRoles, Serve: c.audiencesPage})
}

type userRow struct {
	Name, Department string
	Roles            []string
	Password         bool
	Token            string // masked
	Sessions         int
}

// usersPage lists the configured users; tokens show only their last four
// characters, password hashes only whether one is set.
func (c *Console) usersPage(q *Request) error {
	var rows []userRow
	for _, u := range c.opts.Users {
		_, canSignIn := c.users[u.Name]
		r := userRow{Name: u.Name, Department: u.Department, Roles: u.Roles, Password: canSignIn}
		if u.Token != "" {
			r.Token = maskSecret(u.Token)
		}
		ss, err := c.opts.Sessions.List(u.Name)
		if err != nil {
			return err
		}
		r.Sessions = len(ss)
		rows = append(rows, r)
	}
	return q.Render(http.StatusOK, "users", "用户", rows)
}

// maskSecret shows the last four characters of a secret.
func maskSecret(s string) string {
	if len(s) <= 8 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

type audienceRow struct {
	Name      string
	Followers string // "是（现有 3 人订阅）" or ""
	Targets   [][2]string
	Channels  []string
	Problem   string
}

func (c *Console) audiencesPage(q *Request) error {
	counts := map[string]int{}
	problems := map[string]string{}
	if c.opts.Notices != nil {
		infos, err := c.opts.Notices.Audiences()
		if err != nil {
			return err
		}
		for _, in := range infos {
			counts[in.Name] = in.Counts["followers"]
			problems[in.Name] = in.Unavailable
		}
	}
	var rows []audienceRow
	for _, a := range c.opts.Audiences {
		r := audienceRow{Name: a.Name, Problem: problems[a.Name]}
		if a.Followers {
			r.Followers = "订阅“" + a.Name + "”的公众号粉丝：现有 " + strconv.Itoa(counts[a.Name]) + " 人"
		}
		add := func(label string, ids []string, mask bool) {
			for _, id := range ids {
				if mask {
					id = maskSecret(id)
				}
				r.Targets = append(r.Targets, [2]string{label, id})
			}
		}
		for _, t := range a.OATags {
			r.Targets = append(r.Targets, [2]string{"公众号用户标签", strconv.Itoa(t)})
		}
		add("企业微信成员", a.WorkUsers, false)
		add("企业微信部门", a.WorkDepts, false)
		add("企业微信标签", a.WorkTags, false)
		add("企业微信应用群聊", a.WorkChats, false)
		add("企业微信群机器人（密钥已隐藏）", a.WorkRobots, true)
		rows = append(rows, r)
	}
	return q.Render(http.StatusOK, "audiences", "受众", rows)
}
