package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/auditship/auditship/agent/chain"
)

// cmdKeygen writes an Ed25519 key pair for signing checkpoints:
// PREFIX.key (private, mode 0600: the signing_key) and PREFIX.pub
// (public: verify --public-key). Existing files are never overwritten.
func cmdKeygen(args []string) int {
	fs := newFlagSet("keygen")
	out := fs.String("out", "", "path prefix of the key files (PREFIX.key, PREFIX.pub)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *out == "" {
		return usageError("keygen", "--out PREFIX is required")
	}
	priv, pub, err := chain.GenerateKey(keyName(filepath.Base(*out)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "auditship keygen: %v\n", err)
		return exitRuntime
	}
	if code := writeKeys(*out, priv, pub); code != exitOK {
		return code
	}
	fmt.Printf("wrote %s.key (private: the output's signing_key; keep it secret) and %s.pub (public: verify --public-key)\n",
		*out, *out)
	return exitOK
}

// writeKeys creates both files, or neither.
func writeKeys(prefix, priv, pub string) int {
	for _, p := range []string{prefix + ".key", prefix + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return usageError("keygen", p+" exists: refusing to overwrite it")
		}
	}
	if err := createFile(prefix+".key", priv+"\n", 0o600); err != nil {
		return keygenFailed(err)
	}
	if err := createFile(prefix+".pub", pub+"\n", 0o644); err != nil {
		os.Remove(prefix + ".key")
		return keygenFailed(err)
	}
	return exitOK
}

func keygenFailed(err error) int {
	if errors.Is(err, fs.ErrExist) {
		return usageError("keygen", err.Error()+": refusing to overwrite it")
	}
	fmt.Fprintf(os.Stderr, "auditship keygen: %v\n", err)
	return exitRuntime
}

// createFile writes a new file, failing if it exists.
func createFile(path, data string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.WriteString(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// keyName is the key's name in signatures: the prefix's base name with
// anything but letters, digits, '-', '_' and '.' dropped.
func keyName(base string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r) {
			return r
		}
		return -1
	}, base)
	if name == "" || name == "." || name == ".." {
		return "auditship"
	}
	return name
}
