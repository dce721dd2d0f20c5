// Package admin is the signed-in console at /admin/: staff, reviewers and
// admins sign in with a password and work in Simplified Chinese pages
// (notices, review, delivery reports, the audit log, users and audiences).
//
// The package is a small framework and the pages built on it. The
// framework (this file, request.go, signin.go, render.go) does what every
// page needs: a server-side session per browser, the CSRF token every
// state-changing request must carry, the role check of every route, the
// shared layout and navigation, and one rendering of errors. A page is a
// Page registered in New (or by Console.Handle), a template in templates/
// and, if it needs them, assets in assets/; see docs/console.md.
package admin

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/clientip"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Prefix is where the console is mounted.
const Prefix = "/admin/"

// Notices is the notice workflow (*notice.Service).
type Notices interface {
	Create(actor notice.Actor, d notice.Draft) (notice.Notice, error)
	Update(actor notice.Actor, id string, p notice.Patch) (notice.Notice, error)
	Submit(actor notice.Actor, id string) (notice.Notice, error)
	Approve(ctx context.Context, actor notice.Actor, id, note string) (notice.Notice, error)
	Reject(actor notice.Actor, id, reason string) (notice.Notice, error)
	Cancel(actor notice.Actor, id, note string) (notice.Notice, error)
	Get(id string) (notice.Notice, error)
	List(f notice.ListFilter) ([]notice.Notice, error)
	Report(id string) (outbox.Report, error)
	Audiences() ([]notice.AudienceInfo, error)
	Check(d notice.Draft) notice.CheckResult
}

// AuditLog is the audit log (*audit.Log).
type AuditLog interface {
	Append(audit.Record) (audit.Record, error)
	List(audit.Filter) ([]audit.Record, error)
	Verify() (int, error)
}

// Options configure the console.
type Options struct {
	// Users are the configured users; those with a password_hash can
	// sign in. Roles are read from here on every request, so a changed
	// config takes effect at the next restart without signing anyone out.
	Users    []config.User
	Sessions *auth.Sessions
	Audit    AuditLog
	Notices  Notices
	// Audiences as configured, for the audiences page (admins).
	Audiences []config.Audience
	// Secure marks the session cookie Secure (public_base_url is https).
	Secure bool
	// TrustedProxies: as for the admin API.
	TrustedProxies []string
	// Sign-in limits (config admin.signin_*); defaults 5, 20, 15m.
	SignInMaxFailures        int
	SignInAddressMaxFailures int
	SignInWindow             time.Duration
	Clock                    clock.Clock
	Logger                   *slog.Logger
	// Version is shown in the page footer.
	Version string
	// OnSignIn, when set, is told each sign-in attempt's result: ok,
	// failed, limited or refused (the form's token was missing) (metrics).
	OnSignIn func(result string)
	// Content turns on the content pages (see content.go).
	Content ContentOptions
}

// Page is one route of the console.
type Page struct {
	// Pattern is a net/http pattern under /admin/ with a method, e.g.
	// "GET /admin/notices/{id}".
	Pattern string
	// Roles that may use the route, any one of them; nil: every
	// signed-in user. Admins may use every route.
	Roles []string
	// Serve answers the request; an error it returns is rendered by the
	// console (an *Error as it says, a notice error by its code, any
	// other as a 500 whose cause is logged, not shown).
	Serve func(*Request) error
}

// NavItem is a link in the navigation bar.
type NavItem struct {
	Label string
	Href  string
	// Roles that see the link (any one); nil: everyone signed in.
	Roles []string
	// Order sorts the links (lower first).
	Order int
}

// Console is the console's HTTP handler.
type Console struct {
	opts   Options
	log    *slog.Logger
	clock  clock.Clock
	mux    *http.ServeMux
	ips    clientip.Resolver
	users  map[string]config.User
	nav    []NavItem
	views  map[string]*template.Template
	userLi *auth.Limiter
	addrLi *auth.Limiter
	cop    *http.CrossOriginProtection
	// hashing bounds the password checks running at once (each argon2id
	// check takes about 19 MiB and 0.1 s).
	hashing chan struct{}
}

// maxConcurrentHashing is how many password checks run at once.
const maxConcurrentHashing = 4

// New returns the console. It fails if a template does not parse.
func New(opts Options) (*Console, error) {
	if opts.Sessions == nil {
		return nil, errors.New("admin: no session store")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.SignInMaxFailures <= 0 {
		opts.SignInMaxFailures = 5
	}
	if opts.SignInAddressMaxFailures <= 0 {
		opts.SignInAddressMaxFailures = 20
	}
	if opts.SignInWindow <= 0 {
		opts.SignInWindow = 15 * time.Minute
	}
	c := &Console{
		opts:   opts,
		log:    opts.Logger,
		clock:  opts.Clock,
		mux:    http.NewServeMux(),
		users:  map[string]config.User{},
		userLi: auth.NewLimiter(opts.SignInMaxFailures, opts.SignInWindow, opts.Clock),
		addrLi: auth.NewLimiter(opts.SignInAddressMaxFailures, opts.SignInWindow, opts.Clock),
		cop:    http.NewCrossOriginProtection(),

		hashing: make(chan struct{}, maxConcurrentHashing),
	}
	c.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.renderError(w, r, nil, ErrCrossOrigin)
	}))
	var bad []string
	c.ips, bad = clientip.New(opts.TrustedProxies)
	for _, p := range bad {
		c.log.Error("admin: ignoring trusted proxy", "proxy", p)
	}
	for _, u := range opts.Users {
		if u.PasswordHash == "" {
			continue
		}
		if err := auth.CheckHash(u.PasswordHash); err != nil {
			c.log.Error("admin: user cannot sign in: bad password_hash", "user", u.Name, "err", err)
			continue
		}
		c.users[u.Name] = u
	}
	if err := c.parseTemplates(); err != nil {
		return nil, err
	}

	// The framework's own routes.
	c.mux.Handle("GET /admin/assets/", http.StripPrefix("/admin/", http.FileServerFS(assetFS)))
	c.mux.HandleFunc("GET /admin/signin", c.signInPage)
	c.mux.HandleFunc("POST /admin/signin", c.signIn)
	c.Handle(Page{Pattern: "POST /admin/signout", Serve: c.signOut})
	c.Handle(Page{Pattern: "GET /admin/{$}", Serve: c.home})
	c.Handle(Page{Pattern: "/admin/", Serve: func(*Request) error { return ErrNotFound }})

	// The pages.
	c.registerMe()
	c.registerNotices()
	c.registerAudit()
	c.registerPeople()
	c.registerContent()
	return c, nil
}

// Handle registers a page.
func (c *Console) Handle(p Page) {
	c.mux.Handle(p.Pattern, c.guard(p))
}

// AddNav adds a link to the navigation bar.
func (c *Console) AddNav(n NavItem) {
	c.nav = append(c.nav, n)
	sort.SliceStable(c.nav, func(i, j int) bool { return c.nav[i].Order < c.nav[j].Order })
}

// ServeHTTP serves the console. Every request not safe by its method
// (GET, HEAD, OPTIONS) from another origin is refused before anything
// else (http.CrossOriginProtection); pages then check the CSRF token too.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	c.cop.Handler(c.mux).ServeHTTP(w, r)
}

// User is a signed-in user.
type User struct {
	Name       string
	Roles      []string
	Department string
}

// Has reports whether u has role (admins have every role).
func (u User) Has(role string) bool {
	return slices.Contains(u.Roles, role) || slices.Contains(u.Roles, config.RoleAdmin)
}

// Any reports whether u has any of roles (true for none).
func (u User) Any(roles []string) bool {
	if len(roles) == 0 {
		return true
	}
	for _, r := range roles {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// Actor is u as the notice workflow sees it.
func (u User) Actor() notice.Actor { return notice.Actor{Name: u.Name, Roles: u.Roles} }

func (c *Console) parseTemplates() error {
	layout, err := template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	c.views = map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimPrefix(f, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return err
		}
		c.views[strings.TrimSuffix(name, ".html")] = t
	}
	return nil
}

func (c *Console) home(q *Request) error {
	q.Redirect("/admin/notices")
	return nil
}
