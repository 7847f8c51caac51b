package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auditship/auditship/internal/fsutil"
)

const doneFile = "done.json"

// markDone records that the replay in dir completed, with its summary.
func markDone(dir string, s Summary) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	return fsutil.WriteFile(filepath.Join(dir, doneFile), append(b, '\n'), 0o600)
}

// Done returns the summary of the replay in dir if it completed.
func Done(dir string) (Summary, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, doneFile))
	if errors.Is(err, os.ErrNotExist) {
		return Summary{}, false, nil
	}
	if err != nil {
		return Summary{}, false, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return Summary{}, false, fmt.Errorf("%s: %w", doneFile, err)
	}
	return s, true, nil
}
