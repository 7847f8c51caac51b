package main

import "fmt"

func cmdValidate(args []string) int {
	fs := newFlagSet("validate")
	path := fs.String("c", "", "config file or directory")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	cfg, ok := load(*path)
	if !ok {
		return exitUsage
	}
	p, i, o := cfg.Counts()
	fmt.Printf("config OK: %d pipelines, %d inputs, %d outputs\n", p, i, o)
	return exitOK
}
