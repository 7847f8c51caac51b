package chain

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a tree head in the C2SP tlog-checkpoint format: origin,
// size and base64 root, then extension lines (time, the previous
// checkpoint's digest, the last manifest's digest). It is stored as a
// signed note, or as its bare text when no signing key is set.
type Checkpoint struct {
	Origin   string
	Size     uint64
	Root     []byte
	Time     time.Time
	Prev     string // Digest of the previous checkpoint's stored bytes
	Manifest string // Digest of the last manifest at this size
}

// Origin names an output's log: auditship/<pipeline>/<output>/<stream>.
func Origin(pipeline, output, stream string) string {
	return "auditship/" + url.PathEscape(pipeline) + "/" + url.PathEscape(output) + "/" + stream
}

// Text renders the checkpoint's note text.
func (c Checkpoint) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
	fmt.Fprintf(&b, "time %s\n", c.Time.UTC().Format(time.RFC3339Nano))
	if c.Prev != "" {
		fmt.Fprintf(&b, "prev sha256:%s\n", c.Prev)
	}
	if c.Manifest != "" {
		fmt.Fprintf(&b, "manifest sha256:%s\n", c.Manifest)
	}
	return b.String()
}

// Sign returns the checkpoint's stored bytes: a signed note, or the bare
// text when signer is nil.
func (c Checkpoint) Sign(signer note.Signer) ([]byte, error) {
	if signer == nil {
		return []byte(c.Text()), nil
	}
	return note.Sign(&note.Note{Text: c.Text()}, signer)
}

// ErrUnsigned means a checkpoint carries no signature.
var ErrUnsigned = errors.New("checkpoint is not signed")

// OpenCheckpoint parses stored checkpoint bytes. With a verifier, the
// note must carry a valid signature by its key (ErrUnsigned when it has
// none); without one, signatures are not checked.
func OpenCheckpoint(b []byte, v note.Verifier) (Checkpoint, bool, error) {
	signed := bytes.Contains(b, []byte("\n\n"))
	text := string(b)
	if signed {
		if v != nil {
			n, err := note.Open(b, note.VerifierList(v))
			if err != nil {
				return Checkpoint{}, true, fmt.Errorf("signature: %w", err)
			}
			text = n.Text
		} else {
			text = text[:strings.Index(text, "\n\n")+1]
		}
	} else if v != nil {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return c, false, err
		}
		return c, false, ErrUnsigned
	}
	c, err := ParseCheckpoint(text)
	return c, signed, err
}

// ParseCheckpoint parses a checkpoint's note text.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || !strings.HasSuffix(text, "\n") {
		return c, errors.New("checkpoint: want origin, size and root lines")
	}
	c.Origin = lines[0]
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return c, fmt.Errorf("checkpoint size %q: %w", lines[1], err)
	}
	c.Size = size
	if c.Root, err = base64.StdEncoding.DecodeString(lines[2]); err != nil || len(c.Root) != 32 {
		return c, fmt.Errorf("checkpoint root %q: not a base64 SHA-256", lines[2])
	}
	for _, l := range lines[3:] {
		if err := c.extension(l); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c *Checkpoint) extension(line string) error {
	k, v, _ := strings.Cut(line, " ")
	var err error
	switch k {
	case "time":
		c.Time, err = time.Parse(time.RFC3339Nano, v)
	case "prev":
		c.Prev, err = digestValue(v)
	case "manifest":
		c.Manifest, err = digestValue(v)
	}
	if err != nil {
		return fmt.Errorf("checkpoint line %q: %w", line, err)
	}
	return nil
}

func digestValue(v string) (string, error) {
	d, ok := strings.CutPrefix(v, "sha256:")
	if !ok || len(d) != 64 {
		return "", errors.New("want sha256:<64 hex digits>")
	}
	return d, nil
}

// CheckpointDir is where an output's checkpoints of one pipeline and
// stream live in a store; names sort by time.
func CheckpointDir(pipeline, output, stream string) string {
	return streamDir("_auditship/checkpoints/", pipeline, output, stream)
}

// CheckpointName is the name of a checkpoint written at t.
func CheckpointName(pipeline, output, stream string, t time.Time) string {
	return fmt.Sprintf("%s%020d.txt", CheckpointDir(pipeline, output, stream), t.UnixNano())
}

// GenerateKey returns a new Ed25519 key pair in the signed-note formats:
// the private key for signing_key and the public key for verify.
func GenerateKey(name string) (private, public string, err error) {
	return note.GenerateKey(nil, name)
}
