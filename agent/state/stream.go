package state

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/auditship/auditship/internal/fsutil"
)

// Stream returns the pipeline's stream id stored in dir, creating a random
// one when there is none: a lost data_dir gives a new stream, so a new run
// never reuses an archived key.
func Stream(dir string) (id string, created bool, err error) {
	name := filepath.Join(dir, "stream")
	b, err := os.ReadFile(name)
	if err == nil {
		return strings.TrimSpace(string(b)), false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", false, err
	}
	id = hex.EncodeToString(r[:])
	return id, true, fsutil.WriteFile(name, []byte(id+"\n"), 0o600)
}
