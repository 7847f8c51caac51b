package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/auditship/auditship/internal/fsutil"
)

// Request is a replay as the command line asked for it. Its ID names the
// replay's state directory, so the same command run again finds the state
// of the first run and continues it.
type Request struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Pipeline string `json:"pipeline,omitempty"`
	Where    string `json:"where,omitempty"`
	Since    string `json:"since,omitempty"` // as given: "36h" is resolved once, at the first run
	Until    string `json:"until,omitempty"`
}

// ID is a hash of the request's arguments.
func (r Request) ID() string {
	h := sha256.New()
	for _, s := range []string{r.From, r.To, r.Pipeline, r.Where, r.Since, r.Until} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Dir is the request's state directory under data_dir.
func (r Request) Dir(dataDir string) string { return filepath.Join(dataDir, "replay", r.ID()) }

// saved is the request's file in its state directory: the arguments and
// the time window they resolved to at the first run.
type saved struct {
	Request
	SinceTime time.Time `json:"since_time"`
	UntilTime time.Time `json:"until_time"`
}

const requestFile = "request.json"

// Window returns the time window of the request kept in dir, or, at the
// first run, resolves it and keeps it: "--since 36h" means the same
// instant when an interrupted replay is continued a day later.
func Window(dir string, r Request, resolve func() (since, until time.Time, err error)) (since, until time.Time, err error) {
	name := filepath.Join(dir, requestFile)
	b, err := os.ReadFile(name)
	if err == nil {
		var s saved
		if err := json.Unmarshal(b, &s); err != nil {
			return since, until, fmt.Errorf("%s: %w", name, err)
		}
		return s.SinceTime, s.UntilTime, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return since, until, err
	}
	if since, until, err = resolve(); err != nil {
		return since, until, err
	}
	b, _ = json.MarshalIndent(saved{Request: r, SinceTime: since, UntilTime: until}, "", "  ")
	return since, until, fsutil.WriteFile(name, append(b, '\n'), 0o600)
}
