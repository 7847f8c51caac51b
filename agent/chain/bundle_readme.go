package chain

import (
	"fmt"
	"strings"
	"time"
)

// readmeText is the bundle's README.txt: what it holds, how to check it,
// what it proves and what it does not.
func readmeText(info *BundleInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, `AUDITSHIP EXPORT BUNDLE

This directory is a self-contained extract of an audit-trail archive kept
by auditship. It holds %d event(s) of output %q%s, selected by:
%s
Files
  events.ndjson   the events, one per line, byte for byte as the archive
                  stored them, in _seq (storage) order per stream
  proofs.ndjson   line N is the RFC 6962 inclusion proof of line N of
                  events.ndjson: leaf index, tree size, audit path (base64
                  SHA-256 hashes, leaf to root) and the checkpoint file
  checkpoints/    the checkpoints (C2SP tlog-checkpoint signed notes) the
                  proofs are against, as the archive stored them
  ids.txt         the _id of every event of the bundle, one per line
  bundle.json     what was asked, the counts, and the SHA-256 of each file

How to check it
  auditship verify --bundle DIR --public-key FILE
checks every event offline (no access to the archive): each event line
hashes to its leaf (SHA-256 of 0x00 followed by the line, without its
newline), its audit path leads to the root of the checkpoint, the
checkpoint is signed by the key in FILE (the archive owner's public key,
written by auditship keygen), and events.ndjson, proofs.ndjson and
ids.txt agree. It exits 0 when all holds, 1 listing every problem.
Any RFC 6962 / RFC 9162 verifier can check a path as well: leaf hash,
leaf_index, tree_size and audit_path against the root on the third line
of the checkpoint (base64); any signed-note verifier checks the signature.

What it proves
  Each event line is authentic: it is, byte for byte, leaf leaf_index of
  the archive's log, which the holder of the signing key committed to in
  the checkpoint (tree size and time on its lines). Nothing in the bundle
  can be altered, and no event can be added, without the check failing.

What it does not prove
  That no other event matching the selection exists. The bundle holds the
  events found in the batches whose index records could match; the index
  is covered by the archive's manifests, but completeness of a selection
  is not something an inclusion proof can show. Removing an event from
  every file of the bundle leaves a valid, smaller bundle: compare ids.txt
  and the counts with what you were promised (bundle.json), or ask for
  a fresh export.
`, info.Events, info.Output, pipelineText(info.Pipeline), selectionText(info))
	if !info.Signed {
		b.WriteString(`
WARNING: the archive's checkpoints are not signed (no signing_key), so
this bundle shows consistency with its checkpoints only, not who wrote
them: verify --bundle with a public key reports them as unsigned.
`)
	}
	return b.String()
}

func pipelineText(p string) string {
	if p == "" {
		return ""
	}
	return fmt.Sprintf(" (pipeline %q)", p)
}

func selectionText(info *BundleInfo) string {
	var b strings.Builder
	where := info.Where
	if where == "" {
		where = "(every event)"
	}
	fmt.Fprintf(&b, "  where  %s\n", where)
	if info.Since != nil {
		fmt.Fprintf(&b, "  since  %s\n", info.Since.UTC().Format(time.RFC3339Nano))
	}
	if info.Until != nil {
		fmt.Fprintf(&b, "  until  %s (excluded)\n", info.Until.UTC().Format(time.RFC3339Nano))
	}
	return b.String()
}
