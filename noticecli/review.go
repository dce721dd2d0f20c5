package noticecli

import (
	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/handlers/adminapi"
)

// transition is a subcommand that moves one notice along its workflow:
// POST /api/notices/{id}/{action} with an optional note (or, for reject,
// a required reason).
type transition struct {
	action   string // the API's action and the subcommand's name
	short    string
	done     string // the headline's verb: "已提交" …
	noteFlag string // "note", "reason" or "" (none)
	noteHelp string
}

func (t transition) command(g *globals) *cobra.Command {
	var note string
	use := t.action + " ID"
	if t.noteFlag != "" {
		use += " [--" + t.noteFlag + " TEXT]"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: t.short,
		Args:  needOne,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var body any
			switch {
			case t.noteFlag == "reason":
				body = adminapi.NoteInput{Reason: note}
			case note != "":
				body = adminapi.NoteInput{Note: note}
			}
			raw, err := c.call(cmd.Context(), "POST", noticePath(args[0], t.action), body)
			if err != nil {
				return err
			}
			return printChanged(cmd.OutOrStdout(), g, raw, t.done+"通知 %s，状态：%s")
		},
	}
	if t.noteFlag != "" {
		cmd.Flags().StringVar(&note, t.noteFlag, "", t.noteHelp)
	}
	return cmd
}

func submitCommand(g *globals) *cobra.Command {
	return transition{action: "submit", short: "Send a draft (or a rejected notice) for review", done: "已提交"}.command(g)
}

func approveCommand(g *globals) *cobra.Command {
	return transition{action: "approve", short: "Approve a submitted notice (reviewers; not your own notice)", done: "已批准",
		noteFlag: "note", noteHelp: "a note recorded with the approval"}.command(g)
}

func rejectCommand(g *globals) *cobra.Command {
	return transition{action: "reject", short: "Send a submitted notice back to its author", done: "已退回",
		noteFlag: "reason", noteHelp: "why the notice is sent back (required)"}.command(g)
}

func cancelCommand(g *globals) *cobra.Command {
	return transition{action: "cancel", short: "Withdraw a notice before it is sent", done: "已撤销",
		noteFlag: "note", noteHelp: "a note recorded with the cancellation"}.command(g)
}
