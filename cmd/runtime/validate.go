package main

import (
	"fmt"
	"io"

	"github.com/parleyhq/parley/runtime/agent"
)

// validate checks every agent file in a directory and prints each problem.
func validate(args []string, stdout, stderr io.Writer) error {
	dir := "agents"
	switch len(args) {
	case 0:
	case 1:
		dir = args[0]
	default:
		fmt.Fprintln(stderr, "usage: parley validate [dir]")
		return exitCode(2)
	}
	lines, err := agent.ValidateDir(dir)
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if err != nil {
		fmt.Fprintln(stderr, "parley validate:", err)
		return exitCode(1)
	}
	return nil
}
