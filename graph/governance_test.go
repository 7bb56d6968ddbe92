package graph_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

const govSettingsFields = `ipAllowlist sessionDurationSecs passwordMinLength mfaRequiredRoles auditRetentionDays updatedAt updatedBy`

type govGQLSettings struct {
	IPAllowlist         []string `json:"ipAllowlist"`
	SessionDurationSecs int      `json:"sessionDurationSecs"`
	PasswordMinLength   int      `json:"passwordMinLength"`
	MFARequiredRoles    []string `json:"mfaRequiredRoles"`
	AuditRetentionDays  int      `json:"auditRetentionDays"`
	UpdatedAt           *string  `json:"updatedAt"`
	UpdatedBy           string   `json:"updatedBy"`
}

func TestGovernanceGraphQL(t *testing.T) {
	env := apptest.New(t)
	tn := env.NewTenant(t)

	var got struct {
		Governance govGQLSettings `json:"governance"`
	}
	gql(t, env, tn.Key, `{ governance { `+govSettingsFields+` } }`, nil).decode(t, &got)
	require.Equal(t, govGQLSettings{IPAllowlist: []string{}, MFARequiredRoles: []string{}}, got.Governance)

	var updated struct {
		UpdateGovernance govGQLSettings `json:"updateGovernance"`
	}
	gql(t, env, tn.Key, `mutation($in: UpdateGovernanceInput!) { updateGovernance(input: $in) { `+govSettingsFields+` } }`,
		map[string]any{"in": map[string]any{"sessionDurationSecs": 3600, "mfaRequiredRoles": []string{"admin"},
			"ipAllowlist": []string{"127.0.0.0/8"}, "auditRetentionDays": 7}}).decode(t, &updated)
	require.Equal(t, 3600, updated.UpdateGovernance.SessionDurationSecs)
	require.Equal(t, []string{"admin"}, updated.UpdateGovernance.MFARequiredRoles)
	require.Equal(t, []string{"127.0.0.0/8"}, updated.UpdateGovernance.IPAllowlist)
	require.Equal(t, 7, updated.UpdateGovernance.AuditRetentionDays)
	require.Regexp(t, `^key_`, updated.UpdateGovernance.UpdatedBy)
	require.NotNil(t, updated.UpdateGovernance.UpdatedAt)

	// The same validation as REST, with the field in the extensions; no
	// self lock-out (the test client is 127.0.0.1).
	res := gql(t, env, tn.Key, `mutation { updateGovernance(input: {passwordMinLength: 4}) { passwordMinLength } }`, nil)
	res.requireCode(t, "VALIDATION_FAILED")
	res = gql(t, env, tn.Key, `mutation { updateGovernance(input: {ipAllowlist: ["10.0.0.0/8"]}) { ipAllowlist } }`, nil)
	res.requireCode(t, "VALIDATION_FAILED")

	// The audit log lists the write, with filters.
	var logs struct {
		AuditLogs struct {
			Total int `json:"total"`
			Logs  []struct {
				ID           string         `json:"id"`
				ActorType    string         `json:"actorType"`
				ActorID      string         `json:"actorId"`
				Action       string         `json:"action"`
				ResourceType string         `json:"resourceType"`
				ResourceID   string         `json:"resourceId"`
				Changes      map[string]any `json:"changes"`
				IP           string         `json:"ip"`
				RequestID    string         `json:"requestId"`
				CreatedAt    string         `json:"createdAt"`
			} `json:"logs"`
		} `json:"auditLogs"`
	}
	gql(t, env, tn.Key, `query($t: String) { auditLogs(resourceType: $t, limit: 10) { total logs {
		id actorType actorId action resourceType resourceId changes ip requestId createdAt } } }`,
		map[string]any{"t": "governance"}).decode(t, &logs)
	require.Equal(t, 1, logs.AuditLogs.Total)
	l := logs.AuditLogs.Logs[0]
	require.Equal(t, "governance.update", l.Action)
	require.Equal(t, tn.ID, l.ResourceID)
	require.Equal(t, "key", l.ActorType)
	require.Equal(t, "127.0.0.1", l.IP)
	require.NotEmpty(t, l.RequestID)
	require.Contains(t, l.Changes, "after")

	var paged struct {
		AuditLogs struct {
			Total int `json:"total"`
			Logs  []struct {
				ID string `json:"id"`
			} `json:"logs"`
		} `json:"auditLogs"`
	}
	gql(t, env, tn.Key, `{ auditLogs(limit: 1, offset: 1) { total logs { id } } }`, nil).decode(t, &paged)
	require.Len(t, paged.AuditLogs.Logs, 1)
	require.GreaterOrEqual(t, paged.AuditLogs.Total, 3, "tenant creation, its key, the governance change")
	gql(t, env, tn.Key, `{ auditLogs(from: "yesterday") { total } }`, nil).requireCode(t, "VALIDATION_FAILED")

	// The auth scope gates all three fields.
	_, readKey := restKey(t, env, tn.Key, map[string]any{"label": "r", "scopes": []string{"read"}})
	for _, q := range []string{`{ governance { sessionDurationSecs } }`, `{ auditLogs { total } }`,
		`mutation { updateGovernance(input: {}) { sessionDurationSecs } }`} {
		res := gql(t, env, readKey, q, nil)
		require.Equal(t, http.StatusOK, res.Status)
		res.requireCode(t, "INSUFFICIENT_SCOPE")
	}
}
