// Package agent loads voice agents from YAML files, one agent per file in a
// directory, and keeps them current while the runtime runs.
//
// Loading is strict and reports every problem at once, each with its file,
// line and key path ("agents/x.yaml:12: history.max_turns: must be between 0
// and 1000"). A Registry serves the agents of a directory by name, reloads
// them when files change (Run), keeps the previous version of a file in
// service while an edit leaves it invalid, and never modifies a *Spec it has
// handed out. Schema returns the JSON Schema that editors use to complete and
// check agent files.
package agent
