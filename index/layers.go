package index

import (
	"os"
	"path/filepath"
)

// loadLexiconLayered reads the lexicon of dataDir with each file that
// overDir holds read from overDir instead (the lexicon as edited in the
// console; files never edited stay data_dir's).
func loadLexiconLayered(dataDir, overDir string) (Lexicon, error) {
	if overDir == "" {
		return LoadLexicon(dataDir)
	}
	over, err := filepath.Glob(filepath.Join(overDir, "*.txt"))
	if err != nil || len(over) == 0 {
		return LoadLexicon(dataDir)
	}
	tmp, err := os.MkdirTemp("", "govbot-lexicon-")
	if err != nil {
		return Lexicon{}, err
	}
	defer os.RemoveAll(tmp)
	base, _ := filepath.Glob(filepath.Join(dataDir, "*.txt"))
	for _, f := range append(base, over...) {
		b, err := os.ReadFile(f)
		if err != nil {
			return Lexicon{}, err
		}
		if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), b, 0o644); err != nil {
			return Lexicon{}, err
		}
	}
	return LoadLexicon(tmp)
}
