package notice

import "fmt"

// AudienceInfo describes a configured audience for staff choosing one.
type AudienceInfo struct {
	Name string `json:"name"`
	// Channels the audience's targets are reached on (outbox.Channel*).
	Channels []string `json:"channels"`
	// Counts of targets by kind: followers (subscribed now), oa_tags,
	// work_users, work_depts, work_tags, work_chats, work_robots. Kinds the
	// audience does not use are left out.
	Counts map[string]int `json:"counts"`
	// Unavailable, when set, says why notices cannot be sent to it (a
	// channel is not configured).
	Unavailable string `json:"unavailable,omitempty"`
}

// Audiences lists the configured audiences in config order.
func (s *Service) Audiences() ([]AudienceInfo, error) {
	out := make([]AudienceInfo, 0, len(s.audiences))
	for _, a := range s.audiences {
		info := AudienceInfo{Name: a.Name, Channels: channelsOf(a), Counts: map[string]int{}, Unavailable: s.unavailable(a)}
		if info.Channels == nil {
			info.Channels = []string{}
		}
		if a.Followers {
			n := 0
			if s.opts.Subscribers != nil {
				ids, err := s.opts.Subscribers.Subscribers(a.Name)
				if err != nil {
					return nil, fmt.Errorf("notice: subscribers of %s: %w", a.Name, err)
				}
				n = len(ids)
			}
			info.Counts["followers"] = n
		}
		for kind, n := range map[string]int{
			"oa_tags":     len(a.OATags),
			"work_users":  len(a.WorkUsers),
			"work_depts":  len(a.WorkDepts),
			"work_tags":   len(a.WorkTags),
			"work_chats":  len(a.WorkChats),
			"work_robots": len(a.WorkRobots),
		} {
			if n > 0 {
				info.Counts[kind] = n
			}
		}
		out = append(out, info)
	}
	return out, nil
}
