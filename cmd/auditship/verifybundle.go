package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/auditship/auditship/agent/chain"
)

// cmdCheckBundle checks a bundle written by `auditship export` offline:
// exit 0 with a summary, 1 listing every problem, 2 on a usage error. A
// public key is required, as for --proof: without a signature checked,
// a bundle proves nothing about who committed to its events.
func cmdCheckBundle(w io.Writer, dir, publicKey string, asJSON bool) int {
	if publicKey == "" {
		return usageError("verify", "--bundle needs --public-key FILE (the key the archive's checkpoints are signed with)")
	}
	v, err := readVerifier(publicKey)
	if err != nil {
		return usageError("verify", err.Error())
	}
	r, err := chain.CheckBundle(dir, v)
	if err != nil {
		return usageError("verify", "--bundle: "+err.Error())
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
	} else {
		for _, p := range r.Problems {
			fmt.Fprintln(w, p.String())
		}
		fmt.Fprintln(w, r.Summary())
	}
	if len(r.Problems) > 0 {
		return exitRuntime
	}
	return exitOK
}
