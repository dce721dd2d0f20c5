// Package config holds govbot's one Config: every limit and setting, with
// defaults, YAML loading, environment overrides for secrets, and Validate.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration. The YAML keys are documented in
// config.example.yaml.
type Config struct {
	// DataDir holds the disclosures (*.jsonl, *.md), dict.txt and synonyms.txt.
	DataDir string `yaml:"data_dir"`
	// StateDir holds the index and the bbolt database.
	StateDir string `yaml:"state_dir"`
	// Listen is the HTTP listen address of `govbot serve`.
	Listen string `yaml:"listen"`
	// PublicBaseURL is where residents reach this server (behind its
	// HTTPS proxy); public notices are published at PublicBaseURL/notices/ID.
	PublicBaseURL string `yaml:"public_base_url"`
	// Area is the subdistrict govbot answers for.
	Area Area `yaml:"area"`
	// Search tunes answering.
	Search Search `yaml:"search"`
	// Conversation tunes follow-ups and clarifying questions (see
	// conversation.go).
	Conversation Conversation `yaml:"conversation"`
	// Console serves the question-trying page at /console/ (answers from
	// the published index only).
	Console bool `yaml:"console"`

	// WeChat side (webhooks, subscriptions, query log): see wechat.go.
	OfficialAccount OfficialAccount `yaml:"officialaccount"`
	Work            Work            `yaml:"work"`
	Webhook         Webhook         `yaml:"webhook"`
	QueryLog        QueryLog        `yaml:"query_log"`
	Topics          []string        `yaml:"topics"`
	Menu            []MenuItem      `yaml:"menu"`

	// Notices side (audiences, users, delivery): see notices.go.
	APIBaseURL string     `yaml:"api_base_url"`
	Audiences  []Audience `yaml:"audiences"`
	Users      []User     `yaml:"users"`
	Delivery   Delivery   `yaml:"delivery"`
	// TrustedProxies: reverse proxies (IPs or CIDR prefixes) whose
	// X-Forwarded-For header the admin API believes.
	TrustedProxies []string `yaml:"trusted_proxies"`

	// Operations (console, metrics, log, audit): see ops.go.
	Admin   Admin   `yaml:"admin"`
	Metrics Metrics `yaml:"metrics"`
	Log     Log     `yaml:"log"`
	Audit   Audit   `yaml:"audit"`
	// Sources are where disclosures are imported and synced from: see
	// sources.go.
	Sources []Source `yaml:"sources"`
}

// Area is the subdistrict govbot answers for: a question about another
// city, district or neighbouring town is declined with where to ask.
type Area struct {
	// Name of the subdistrict (盈浦街道).
	Name string `yaml:"name"`
	// District and City it belongs to (青浦区, 上海): questions naming
	// them are about this area too.
	District string `yaml:"district"`
	City     string `yaml:"city"`
	// Nearby are the neighbouring subdistricts and towns, whose own offices
	// answer for them.
	Nearby []string `yaml:"nearby"`
}

// Defaults shared by the configuration and the packages that take these
// values as options (bot, the answer renderer).
const (
	// DefaultHotline is named when govbot cannot answer (search.hotline).
	DefaultHotline = "12345"
	// MaxReplyBytes is WeChat's limit on a passive text reply, the default
	// and the most of search.max_reply_bytes.
	MaxReplyBytes = 2048
)

// Search tunes the answering of questions.
type Search struct {
	// MinScore is the confidence (0..1) below which govbot declines to
	// answer rather than guess.
	MinScore float64 `yaml:"min_score"`
	// DistinctShare: an answer must share with the question a word that
	// at most this share of the disclosures hold (0..1); one that shares
	// only words like 报名 or 申请 is no answer.
	DistinctShare float64 `yaml:"distinct_share"`
	// Related is how many related titles an answer lists (0..5).
	Related int `yaml:"related"`
	// Hotline is the number named when govbot has no answer.
	Hotline string `yaml:"hotline"`
	// MaxReplyBytes caps a text reply (WeChat's limit is 2048 bytes).
	MaxReplyBytes int `yaml:"max_reply_bytes"`
	// GeoRadiusKm limits "nearest place" answers to this distance.
	GeoRadiusKm float64 `yaml:"geo_radius_km"`
	// Datum of the disclosures' coordinates: "gcj02" (as read from Chinese
	// web maps, and as WeChat's location messages are) or "wgs84" (GPS).
	Datum string `yaml:"datum"`
	// AnswerCache is how many answers to recent questions the index keeps
	// (about 13 KB each); a reindex or an added disclosure empties it. 0:
	// none, every question is answered anew.
	AnswerCache int `yaml:"answer_cache"`
	// DisclosureCache is how many decoded disclosures the index keeps, with
	// what ranking and passages derive from them (about 7 KB each); one not
	// kept is read from disk and decoded again when a question needs it. 0:
	// none.
	DisclosureCache int `yaml:"disclosure_cache"`
}

// Default sizes of the index's caches (search.answer_cache,
// search.disclosure_cache).
const (
	DefaultAnswerCache     = 1024
	DefaultDisclosureCache = 8192
	// maxCache bounds either: a million entries is more than a server's
	// memory holds.
	maxCache = 1_000_000
)

// Default returns the configuration used when no file is given: the sample
// data in ./data and state in ./state.
func Default() Config {
	return Config{
		DataDir:       "data",
		StateDir:      "state",
		Listen:        "127.0.0.1:8080",
		PublicBaseURL: "http://127.0.0.1:8080",
		Console:       true,
		Area: Area{
			Name:     "盈浦街道",
			District: "青浦区",
			City:     "上海",
			Nearby:   []string{"夏阳街道", "香花桥街道", "赵巷镇", "徐泾镇", "华新镇", "重固镇", "白鹤镇", "朱家角镇", "练塘镇", "金泽镇"},
		},
		Search: Search{
			MinScore:        0.25,
			DistinctShare:   0.2,
			Related:         2,
			Hotline:         DefaultHotline,
			MaxReplyBytes:   MaxReplyBytes,
			GeoRadiusKm:     10,
			Datum:           "gcj02",
			AnswerCache:     DefaultAnswerCache,
			DisclosureCache: DefaultDisclosureCache,
		},
		Conversation:    defaultConversation(),
		OfficialAccount: defaultOfficialAccount(),
		Work:            defaultWork(),
		Webhook:         defaultWebhook(),
		QueryLog:        defaultQueryLog(),
		Delivery:        DefaultDelivery(),
		Admin:           defaultAdmin(),
		Log:             defaultLog(),
		Audit:           defaultAudit(),
	}
}

// Load reads a YAML file over the defaults, then applies the environment
// (GOVBOT_<SECTION>_<KEY>: see EnvVars). path "" means defaults plus
// environment only. Unknown keys (so that a typo does not silently fall
// back to a default), values of the wrong type and environment values that
// do not parse are all reported at once, with their key and line, as
// *Problems; the Config returned then holds what did parse. A file that
// cannot be read or is not YAML is an error of its own.
func Load(path string) (Config, error) {
	cfg, p, err := load(path)
	if err != nil {
		return cfg, err
	}
	return cfg, p.orNil()
}

// LoadValid is Load, then adjust (command-line flags overriding the file;
// nil for none), then Validate and the further checks given (such as
// CheckPaths): the problems of all at once, as *Problems.
func LoadValid(path string, adjust func(*Config), checks ...func(*Config) error) (Config, error) {
	cfg, p, err := load(path)
	if err != nil {
		return cfg, err
	}
	if adjust != nil {
		adjust(&cfg)
	}
	p.add(cfg.Validate())
	for _, check := range checks {
		p.add(check(&cfg))
	}
	return cfg, p.orNil()
}

// CheckPaths checks what Validate cannot without the file system: data_dir
// is a directory, and state_dir, when it exists, is one (it is created
// when missing).
func (c *Config) CheckPaths() error {
	var errs []error
	if c.DataDir != "" {
		if st, err := os.Stat(c.DataDir); err != nil {
			errs = append(errs, fmt.Errorf("data_dir %s: %v", c.DataDir, errors.Unwrap(err)))
		} else if !st.IsDir() {
			errs = append(errs, fmt.Errorf("data_dir %s is not a directory", c.DataDir))
		}
	}
	if c.StateDir != "" {
		if st, err := os.Stat(c.StateDir); err == nil && !st.IsDir() {
			errs = append(errs, fmt.Errorf("state_dir %s is not a directory", c.StateDir))
		}
	}
	return errors.Join(errs...)
}

func load(path string) (Config, *Problems, error) {
	cfg := Default()
	p := &Problems{File: path}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, nil, fmt.Errorf("config: %w", err)
		}
		var values map[int]string
		p.lines, values = keyLines(b)
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			var te *yaml.TypeError
			if !errors.As(err, &te) {
				return cfg, nil, fmt.Errorf("config %s: %w", path, err)
			}
			p.List = append(p.List, typeProblems(te, values)...)
		}
		// Relative directories in a config file are relative to the file.
		base := filepath.Dir(path)
		cfg.DataDir = resolve(base, cfg.DataDir)
		cfg.StateDir = resolve(base, cfg.StateDir)
	}
	for _, e := range cfg.applyEnv(os.LookupEnv) {
		p.List = append(p.List, Problem{Msg: e.Error()})
	}
	return cfg, p, nil
}

// checkListen checks a listen address: host:port (the host may be empty
// for every interface) with a port of 0..65535.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port, such as 127.0.0.1:8080 or :8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number 0..65535", port)
	}
	return nil
}

func resolve(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir is empty"))
	}
	if c.StateDir == "" {
		errs = append(errs, errors.New("state_dir is empty"))
	}
	if err := checkListen(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: %v", c.Listen, err))
	}
	if c.Search.MinScore < 0 || c.Search.MinScore > 1 {
		errs = append(errs, fmt.Errorf("search.min_score %v is outside 0..1", c.Search.MinScore))
	}
	if c.Search.DistinctShare <= 0 || c.Search.DistinctShare > 1 {
		errs = append(errs, fmt.Errorf("search.distinct_share %v is outside (0, 1]", c.Search.DistinctShare))
	}
	if c.Search.Related < 0 || c.Search.Related > 5 {
		errs = append(errs, fmt.Errorf("search.related %d is outside 0..5", c.Search.Related))
	}
	if c.Search.MaxReplyBytes < 200 || c.Search.MaxReplyBytes > MaxReplyBytes {
		errs = append(errs, fmt.Errorf("search.max_reply_bytes %d is outside 200..%d", c.Search.MaxReplyBytes, MaxReplyBytes))
	}
	if c.Search.Hotline == "" {
		errs = append(errs, errors.New("search.hotline is empty"))
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("public_base_url %q is not an absolute http(s) URL", c.PublicBaseURL))
	}
	if c.Search.Datum != "gcj02" && c.Search.Datum != "wgs84" {
		errs = append(errs, fmt.Errorf("search.datum %q: want gcj02 or wgs84", c.Search.Datum))
	}
	if c.Search.AnswerCache < 0 || c.Search.AnswerCache > maxCache {
		errs = append(errs, fmt.Errorf("search.answer_cache %d is outside 0..%d", c.Search.AnswerCache, maxCache))
	}
	if c.Search.DisclosureCache < 0 || c.Search.DisclosureCache > maxCache {
		errs = append(errs, fmt.Errorf("search.disclosure_cache %d is outside 0..%d", c.Search.DisclosureCache, maxCache))
	}
	if c.Search.GeoRadiusKm <= 0 {
		errs = append(errs, errors.New("search.geo_radius_km must be positive"))
	}
	errs = append(errs, c.validateWechat()...)
	errs = append(errs, c.validateNotices()...)
	errs = append(errs, c.validateBot()...)
	errs = append(errs, c.validateConversation()...)
	errs = append(errs, c.validateOps()...)
	errs = append(errs, c.validateSources()...)
	return errors.Join(errs...)
}
