package graph

import (
	"encoding/json"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/objects"
)

// updatePolicyInput turns the members given in UpdateObjectPolicyInput (a
// map, so that role: null differs from an absent role) into the domain's
// input, as REST's PATCH body would carry them.
func updatePolicyInput(input map[string]any) (objects.UpdatePolicyInput, error) {
	body := make(map[string]any, len(input))
	for k, v := range input {
		if k == "conditionJson" {
			k = "condition_json"
		}
		body[k] = v
	}
	var in objects.UpdatePolicyInput
	raw, err := json.Marshal(body)
	if err == nil {
		err = json.Unmarshal(raw, &in)
	}
	if err != nil {
		return in, domain.Invalid("input", "must be {name, action, role, conditionJson, enabled}")
	}
	return in, nil
}
