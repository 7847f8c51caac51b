package main

import (
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
	return printProblems(w, r, r.Problems, r.Summary(), asJSON)
}
