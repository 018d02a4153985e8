package provider

import (
	"encoding/json"
	"fmt"
)

// marshalOptions encodes options for the wire; nil stays empty.
func marshalOptions(o Options) ([]byte, error) {
	if len(o) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot encode options: %w", ErrInvalidOptions, err)
	}
	return b, nil
}

// unmarshalOptions decodes options from the wire.
func unmarshalOptions(b []byte) (Options, error) {
	if len(b) == 0 {
		return Options{}, nil
	}
	var o Options
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%w: options are not a JSON object: %w", ErrInvalidOptions, err)
	}
	return o, nil
}
