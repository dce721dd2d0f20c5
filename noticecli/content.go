package noticecli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

// maxBodyFileBytes bounds a body read from a file or standard input.
const maxBodyFileBytes = 1 << 20

// contentFlags are the flags of create and edit: what a notice says and
// to whom.
type contentFlags struct {
	title, body, bodyFile, expires, sendAt string
	audiences                              []string
	urgent, public, markdown               bool
}

func (f *contentFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.title, "title", "", "title")
	fs.StringVar(&f.body, "body", "", "body text")
	fs.StringVar(&f.bodyFile, "body-file", "", "read the body from `file` (- for standard input)")
	fs.StringArrayVar(&f.audiences, "audience", nil, "audience `name` (repeat for several)")
	fs.BoolVar(&f.urgent, "urgent", false, "urgent: ahead of other notices in the delivery queues")
	fs.BoolVar(&f.public, "public", false, "also publish as a disclosure (needs --expires)")
	fs.BoolVar(&f.markdown, "markdown", false, "markdown body (WeCom robots and app messages)")
	fs.StringVar(&f.expires, "expires", "", "last day the public notice is in force, `YYYY-MM-DD`")
	fs.StringVar(&f.sendAt, "send-at", "", "scheduled send `time`, RFC 3339 (2024-06-01T08:00:00+08:00)")
}

// input is the API body of the flags: every field for create (all), only
// the flags given for edit.
func (f *contentFlags) input(cmd *cobra.Command, all bool) (adminapi.NoticeInput, error) {
	var in adminapi.NoticeInput
	fs := cmd.Flags()
	if fs.Changed("body") && fs.Changed("body-file") {
		return in, cli.Usagef("give --body or --body-file, not both")
	}
	if fs.Changed("body-file") {
		b, err := readBody(f.bodyFile, cmd.InOrStdin())
		if err != nil {
			return in, err
		}
		f.body = b
	}
	set := func(name string) bool { return all || fs.Changed(name) }
	if set("title") {
		in.Title = &f.title
	}
	if set("body") || fs.Changed("body-file") {
		in.Body = &f.body
	}
	if set("audience") {
		a := append([]string{}, f.audiences...)
		in.Audiences = &a
	}
	if set("urgent") {
		in.Urgent = &f.urgent
	}
	if set("public") {
		in.Public = &f.public
	}
	if set("markdown") {
		in.Markdown = &f.markdown
	}
	if set("expires") {
		in.Expires = &f.expires
	}
	if set("send-at") {
		in.SendAt = &f.sendAt
	}
	return in, nil
}

func readBody(path string, stdin io.Reader) (string, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, maxBodyFileBytes))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read body: %w", err)
	}
	return string(data), nil
}

// needOne is the Args of a command on one notice.
var needOne = cli.ExactArgs(1, "one notice ID")
