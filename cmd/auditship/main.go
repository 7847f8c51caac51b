// Command auditship ships audit trails to long-term stores.
package main

import (
	"fmt"
	"os"
)

// Exit codes (SPEC §1).
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

// Set at build time by -ldflags "-X main.version=... -X main.commit=...
// -X main.buildDate=..." (Makefile, scripts/package.sh).
var (
	version   = "dev"
	commit    = "dev"
	buildDate = "dev"
)

const usage = `usage:
  auditship run      [-c PATH] [--data-dir DIR] [--log-level debug|info|warn|error] [--discard-state NAME]
  auditship validate [-c PATH]
  auditship ddl      [-c PATH] [--output NAME]
  auditship verify   [-c PATH] --output NAME [--pipeline NAME] [--json] [--public-key FILE] [--max-age DURATION]
  auditship verify   --proof FILE --public-key FILE
  auditship verify   --bundle DIR --public-key FILE
  auditship prove    [-c PATH] --output NAME --id EVENT_ID [--pipeline NAME] > proof.json
  auditship export   [-c PATH] --from OUTPUT [--pipeline NAME] [--where EXPR] [--since T] [--until T] --to-dir DIR
  auditship keygen   --out PREFIX
  auditship replay   [-c PATH] --from OUTPUT --to OUTPUT [--pipeline NAME] [--where EXPR] [--since T] [--until T] [--data-dir DIR] [--again]
  auditship version
Without -c, the embedded default config (config.hcl.example) is used.
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:])
	case "validate":
		return cmdValidate(args[1:])
	case "ddl":
		return cmdDDL(args[1:])
	case "verify":
		return cmdVerify(args[1:])
	case "prove":
		return cmdProve(args[1:])
	case "export":
		return cmdExport(args[1:])
	case "keygen":
		return cmdKeygen(args[1:])
	case "replay":
		return cmdReplay(args[1:])
	case "version", "--version", "-v":
		fmt.Printf("auditship %s (commit %s, built %s)\n", version, commit, buildDate)
		return exitOK
	case "help", "-h", "--help":
		fmt.Print(usage)
		return exitOK
	default:
		fmt.Fprintf(os.Stderr, "auditship: unknown command %q\n%s", args[0], usage)
		return exitUsage
	}
}
