package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/yingpu/govbot/index"
)

// Reply is the answer of POST /ask, as `govbot ask --json` prints it.
type Reply struct {
	Q string `json:"q"`
	// Kind is how the message was understood (an answer, a numbered
	// pick, a follow-up…; see bot.Turn).
	Kind       string      `json:"kind,omitempty"`
	Answered   bool        `json:"answered"`
	Confidence float64     `json:"confidence"`
	Text       string      `json:"text"`
	Hits       []index.Hit `json:"hits"`
	// Choices are the disclosures the reply numbers, in order.
	Choices []string `json:"choices"`
	// Skipped are the disclosures left out and why (`govbot ask
	// --explain`).
	Skipped []index.Skipped `json:"skipped,omitempty"`
}

// maxReplyBytes bounds a reply read by the Client.
const maxReplyBytes = 4 << 20

// Client asks a running server's console: what `govbot ask` does when the
// index is held by `govbot serve`.
type Client struct {
	// BaseURL is the server's root (http://127.0.0.1:8080); the console is
	// at BaseURL/console/.
	BaseURL string
	HTTP    *http.Client
}

// Ask posts the question to /console/ask.
func (c Client) Ask(ctx context.Context, q AskRequest) (Reply, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return Reply{}, err
	}
	url := strings.TrimRight(c.BaseURL, "/") + "/console/ask"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Reply{}, fmt.Errorf("server address %q: %w", c.BaseURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Reply{}, fmt.Errorf("cannot reach the server at %s: %w", c.BaseURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return Reply{}, fmt.Errorf("read the reply of %s: %w", url, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Reply{}, fmt.Errorf("%s answers 404: is the console off (console: false)?", url)
	case resp.StatusCode != http.StatusOK:
		var e struct{ Error string }
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return Reply{}, fmt.Errorf("%s: %s (HTTP %d)", url, e.Error, resp.StatusCode)
		}
		return Reply{}, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	var r Reply
	if err := json.Unmarshal(data, &r); err != nil {
		return Reply{}, fmt.Errorf("%s: the reply is not the expected JSON: %w", url, err)
	}
	return r, nil
}
