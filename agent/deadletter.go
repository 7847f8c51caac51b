package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/state"
)

// deadLetter keeps a batch the store refused for its content: its spooled
// bytes move to the output's deadletter/ directory and a line describing it
// (journal entry, error, time) is appended to deadletter/index.jsonl. The
// events behind it are not held up; operators replay or inspect it there.
func (s *sender) deadLetter(e *batchEntry, cause error) error {
	dir := filepath.Join(filepath.Dir(s.spoolDir), "deadletter")
	if err := state.MkdirAll(dir); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(s.spoolDir, e.Spool), filepath.Join(dir, e.Spool)); err != nil {
		return err
	}
	line, _ := json.Marshal(struct {
		*batchEntry
		Error string    `json:"error"`
		At    time.Time `json:"at"`
	}{e, cause.Error(), time.Now().UTC()})
	f, err := os.OpenFile(filepath.Join(dir, "index.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("dead-letter index: %w", err)
	}
	s.m.deadLettered.Add(float64(e.Count))
	s.log.Error("the store rejected a batch; moved to the dead-letter directory",
		zap.String("batch", e.ID), zap.String("key", e.Key), zap.Int("events", e.Count), zap.Error(cause),
		zap.String("dir", dir))
	return state.SyncDir(dir)
}
