package config

// Audience is a named set of notice targets.
type Audience struct {
	Name       string   `yaml:"name"`
	Followers  bool     `yaml:"followers"`
	OATags     []int    `yaml:"oa_tags"`
	WorkUsers  []string `yaml:"work_users"`
	WorkDepts  []string `yaml:"work_depts"`
	WorkTags   []string `yaml:"work_tags"`
	WorkChats  []string `yaml:"work_chats"`
	WorkRobots []string `yaml:"work_robots"`
}

// User of the admin API.
type User struct {
	Name  string   `yaml:"name"`
	Roles []string `yaml:"roles"`
	Token string   `yaml:"token"`
}

// Delivery limits of the notice outbox.
type Delivery struct {
	RobotPerMinute int `yaml:"robot_per_minute"`
}

func defaultDelivery() Delivery { return Delivery{RobotPerMinute: 20} }

func (c *Config) applyNoticesEnv(set func(*string, string)) {
	set(&c.APIBaseURL, "GOVBOT_API_BASE_URL")
}

func (c *Config) validateNotices() []error { return nil }
