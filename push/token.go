package push

import (
	"context"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
)

// tokenMargin is taken off expires_in so that a token is renewed before
// WeChat retires it.
const tokenMargin = 5 * time.Minute

// tokenSource gets an access token from the cache or, when absent, from the
// token API; concurrent callers share one fetch. It implements silenceper's
// credential.AccessTokenContextHandle.
type tokenSource struct {
	c     *caller
	api   string // name in errors: "gettoken" or "token"
	url   string // token URL with credentials
	key   string // cache key
	cache cache.Cache
	sem   chan struct{} // one fetch at a time; a context-aware mutex
}

var _ credential.AccessTokenContextHandle = (*tokenSource)(nil)

func newTokenSource(c *caller, api, url, key string, cc cache.Cache) *tokenSource {
	if cc == nil {
		cc = NewTokenCache(c.clock)
	}
	return &tokenSource{c: c, api: api, url: url, key: key, cache: cc, sem: make(chan struct{}, 1)}
}

func (s *tokenSource) cached() string {
	v, _ := s.cache.Get(s.key).(string)
	return v
}

// GetAccessToken is GetAccessTokenContext without a deadline.
func (s *tokenSource) GetAccessToken() (string, error) {
	return s.GetAccessTokenContext(context.Background())
}

// GetAccessTokenContext returns the cached token or fetches a new one.
func (s *tokenSource) GetAccessTokenContext(ctx context.Context) (string, error) {
	if tok := s.cached(); tok != "" {
		return tok, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return "", transportError(s.api, ctx.Err())
	}
	defer func() { <-s.sem }()
	// Another caller may have fetched it while this one waited.
	if tok := s.cached(); tok != "" {
		return tok, nil
	}
	var res credential.ResAccessToken
	if err := s.c.call(ctx, s.api, s.url, nil, &res); err != nil {
		return "", err
	}
	if res.AccessToken == "" {
		return "", &Error{Msg: s.api + ": answer has no access_token", Transient: true}
	}
	ttl := time.Duration(res.ExpiresIn)*time.Second - tokenMargin
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_ = s.cache.Set(s.key, res.AccessToken, ttl)
	return res.AccessToken, nil
}

// invalidate drops stale from the cache unless a newer token has replaced
// it already, so that concurrent callers that all saw stale rejected cause
// one fetch, not one each.
func (s *tokenSource) invalidate(stale string) {
	if s.cached() == stale {
		_ = s.cache.Delete(s.key)
	}
}

// withToken runs call with an access token. When the answer says the token
// is invalid or expired (40001, 40014, 42001), it drops the token, gets a
// fresh one and runs call once more; a second token error is returned as
// the permanent error it is.
func (s *tokenSource) withToken(ctx context.Context, call func(token string) error) error {
	tok, err := s.GetAccessTokenContext(ctx)
	if err != nil {
		return err
	}
	err = call(tok)
	if !isTokenError(err) {
		return err
	}
	s.invalidate(tok)
	if tok, err = s.GetAccessTokenContext(ctx); err != nil {
		return err
	}
	return call(tok)
}
