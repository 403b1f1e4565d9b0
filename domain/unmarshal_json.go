//go:build !goexperiment.jsonv2

package domain

import "encoding/json"

// unmarshal decodes an event's payload.
func unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
