package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// onlyOption returns a validator for a mode whose options are exactly the
// given keys: every other key is reported as unknown.
func onlyOption(known ...string) func(provider.Options) []provider.OptionProblem {
	return func(opts provider.Options) []provider.OptionProblem {
		var problems []provider.OptionProblem
		for _, k := range slices.Sorted(maps.Keys(opts)) {
			if !slices.Contains(known, k) {
				problems = append(problems, provider.OptionProblem{
					Option:  k,
					Message: fmt.Sprintf("unknown option (known: %s)", strings.Join(known, ", ")),
				})
			}
		}
		return problems
	}
}
