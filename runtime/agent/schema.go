package agent

import (
	"encoding/json"
	"fmt"

	"github.com/invopop/jsonschema"
)

//go:generate go run ./internal/genschema -o ../../schema/agent.schema.json

// Schema returns the JSON Schema (draft 2020-12) of an agent file, generated
// from Spec, for editors and other tools. Checks it cannot express (duration
// ranges, min_speech shorter than max_turn, names unique across files) are
// left to the loader. The committed copy is schema/agent.schema.json.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true,
		ExpandedStruct:             true,
		Anonymous:                  true,
	}
	s := r.Reflect(&Spec{})
	s.Title = "Parley agent"
	s.Description = "One voice agent of parley, written as one YAML file in the agents directory."
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("agent schema: %w", err)
	}
	return append(b, '\n'), nil
}
