package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auditship/auditship/internal/fsutil"
)

// cursor is an output's position in its pipeline's buffer: every record
// with Seq < next has been delivered, journaled, or does not concern the
// output. It moves only after a Write succeeded (ack 2) or a batch was
// journaled with its bytes spooled.
type cursor struct {
	path   string
	next   uint64
	saved  uint64
	exists bool // a cursor was stored: resume there, not at the head
	writes int  // files written (for tests)
}

type cursorState struct {
	Next uint64 `json:"next"`
}

func loadCursor(dir string) (*cursor, error) {
	c := &cursor{path: filepath.Join(dir, "cursor.json")}
	b, err := os.ReadFile(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	var s cursorState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	c.next, c.saved, c.exists = s.Next, s.Next, true
	return c, nil
}

// save stores the position if it moved.
func (c *cursor) save() error {
	if c.exists && c.next == c.saved {
		return nil
	}
	b, _ := json.Marshal(cursorState{Next: c.next})
	if err := fsutil.WriteFile(c.path, b, 0o600); err != nil {
		return err
	}
	c.saved, c.exists = c.next, true
	c.writes++
	return nil
}

// removeCursor forgets a disabled output's position, so it stops pinning
// the buffer and starts at the head when it is enabled again.
func removeCursor(dir string) error {
	err := os.Remove(filepath.Join(dir, "cursor.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
