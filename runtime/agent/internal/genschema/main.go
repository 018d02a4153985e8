// Command genschema writes the JSON Schema of agent files
// (schema/agent.schema.json). Run it with go generate ./runtime/agent.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/agent"
)

func main() {
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	b, err := agent.Schema()
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
