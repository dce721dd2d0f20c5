package bot

import "github.com/yingpu/govbot/clock"

// NewDialogueAskingAll is NewDialogue, but the dialogue asks the index
// every query a decision may use before deciding, as it did before it
// learnt to skip those that cannot change the reply: the reference the
// shortcuts are held to.
func NewDialogueAskingAll(lib Answerer, r *Renderer, c clock.Clock, o ConversationOptions) *Dialogue {
	d := NewDialogue(lib, r, c, o)
	d.askAll = true
	return d
}
