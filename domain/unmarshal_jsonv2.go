//go:build goexperiment.jsonv2

package domain

import (
	"encoding/json"
	jsonv2 "encoding/json/v2"
)

// eventJSON are encoding/json's semantics but for errors: reporting them
// the legacy way means checking the whole payload before decoding it, a
// fifth of the time an event takes to decode. A payload that does not
// decode is an error either way; only the error's wording differs.
var eventJSON = jsonv2.JoinOptions(json.DefaultOptionsV1(), json.ReportErrorsWithLegacySemantics(false))

// unmarshal decodes an event's payload.
func unmarshal(data []byte, v any) error { return jsonv2.Unmarshal(data, v, eventJSON) }
