package noticecli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/yingpu/govbot/handlers/adminapi"
)

// maxAnswerBytes bounds an answer read from the server.
const maxAnswerBytes = 32 << 20

// client talks to the admin API.
type client struct {
	server, token string
	http          *http.Client
}

func newClient(server, token string, timeout time.Duration) *client {
	return &client{server: server, token: token, http: &http.Client{Timeout: timeout}}
}

// apiError is an error answer of the API, as the API renders it.
type apiError adminapi.Error

func (e *apiError) Error() string {
	return fmt.Sprintf("%s（错误码 %d，HTTP %d）", e.Message, e.Code, e.HTTP)
}

// call sends body (nil: none) as JSON and returns the answer's raw JSON.
func (c *client) call(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.server, "/")+path, rd)
	if err != nil {
		return nil, fmt.Errorf("server address %q: %w", c.server, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("无法连接服务器 %s：%w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, fmt.Errorf("读取服务器应答失败：%w", err)
	}
	if resp.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Code != 0 {
			return nil, &e
		}
		return nil, fmt.Errorf("服务器应答 HTTP %d：%s", resp.StatusCode, strings.TrimSpace(string(data)))
	}
	return data, nil
}

// do calls the API and decodes its answer into out; it returns the raw
// answer too (for --json).
func (c *client) do(ctx context.Context, method, path string, body, out any) (json.RawMessage, error) {
	raw, err := c.call(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	if err := decode(raw, out); err != nil {
		return nil, err
	}
	return raw, nil
}

func decode(raw json.RawMessage, out any) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("服务器应答不是预期的 JSON：%w", err)
	}
	return nil
}

func noticePath(id string, action ...string) string {
	p := "/api/notices/" + url.PathEscape(id)
	for _, a := range action {
		p += "/" + a
	}
	return p
}

// params is a query string of the non-empty values (a zero-value filter is
// left out, so the server applies its default).
func params(kv map[string]string) string {
	q := url.Values{}
	for k, v := range kv {
		if v != "" {
			q.Set(k, v)
		}
	}
	return query(q)
}

// positive is n as a query value, or "" (left out) when n is not positive.
func positive(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func query(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
