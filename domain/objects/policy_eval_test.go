package objects

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
)

// The in-memory evaluator (policy_eval.go) must agree with the SQL
// compiler: each condition runs in Postgres over stored documents and in
// memory over the same documents, and both must pick the same objects.

// evalProps are the properties of the test type, by data type.
var evalProps = []Property{
	{ID: "prop_s", Name: "s", DataType: TypeString}, {ID: "prop_n", Name: "n", DataType: TypeInteger},
	{ID: "prop_d", Name: "d", DataType: TypeDecimal}, {ID: "prop_t", Name: "t", DataType: TypeDatetime},
	{ID: "prop_b", Name: "b", DataType: TypeBoolean}, {ID: "prop_e", Name: "e", DataType: TypeEnum},
	{ID: "prop_m", Name: "m", DataType: TypeMultiEnum}, {ID: "prop_j", Name: "j", DataType: TypeJSON},
	{ID: "prop_c", Name: "c", DataType: TypeCurrency}, {ID: "prop_day", Name: "day", DataType: TypeDate},
}

// evalDocs hold typical values, values of the wrong JSON type, and none.
var evalDocs = []string{
	`{"s":"Alpha 50%_off","n":1,"d":1.50,"t":"2026-01-01T00:00:00Z","b":true,"e":"lead","m":["x","y"],"j":1,"c":{"amount":10.5,"currency":"EUR"},"day":"2026-01-05"}`,
	`{"s":"beta","n":2,"d":2.25,"t":"2026-02-01T12:00:00Z","b":false,"e":"customer","m":["y"],"j":"alpha","c":{"amount":20,"currency":"EUR"},"day":"2025-12-31"}`,
	`{"s":"Gamma","n":10,"d":-3,"t":"2025-12-31T23:59:59.5Z","e":"lead","m":[],"j":["alpha","q"]}`,
	`{"s":5,"n":"many","d":"x","t":"not a date","b":"yes","e":1,"m":"x","j":null,"c":"lots","day":7}`,
	`{"s":"usr_1","n":-7,"j":{"a":1},"b":null}`,
	`{}`,
}

// evalConditions are filter lists of every operator over every kind.
var evalConditions = []string{
	`[]`,
	`[{"property":"s","operator":"eq","value":"beta"}]`,
	`[{"property":"s","operator":"neq","value":"beta"}]`,
	`[{"property":"s","operator":"eq","value":null}]`,
	`[{"property":"s","operator":"neq","value":null}]`,
	`[{"property":"s","operator":"contains","value":"50%"}]`,
	`[{"property":"s","operator":"starts_with","value":"al"}]`,
	`[{"property":"s","operator":"ends_with","value":"MA"}]`,
	`[{"property":"s","operator":"gt","value":"B"}]`,
	`[{"property":"s","operator":"between","value":["a","c"]}]`,
	`[{"property":"s","operator":"in","value":["beta","Gamma","zz"]}]`,
	`[{"property":"s","operator":"not_in","value":["beta"]}]`,
	`[{"property":"s","operator":"in","value":[]}]`,
	`[{"property":"s","operator":"exists"}]`,
	`[{"property":"s","operator":"not_exists"}]`,
	`[{"property":"n","operator":"gt","value":1}]`,
	`[{"property":"n","operator":"lte","value":"2"}]`,
	`[{"property":"n","operator":"between","value":[-10,2]}]`,
	`[{"property":"n","operator":"in","value":[1,10]}]`,
	`[{"property":"n","operator":"neq","value":1}]`,
	`[{"property":"d","operator":"gte","value":"1.5"}]`,
	`[{"property":"d","operator":"eq","value":1.50}]`,
	`[{"property":"t","operator":"gt","value":"2026-01-01"}]`,
	`[{"property":"t","operator":"between","value":["2025-12-31T00:00:00Z","2026-01-01T00:00:00Z"]}]`,
	`[{"property":"t","operator":"exists"}]`,
	`[{"property":"b","operator":"eq","value":true}]`,
	`[{"property":"b","operator":"neq","value":true}]`,
	`[{"property":"b","operator":"in","value":[false]}]`,
	`[{"property":"b","operator":"not_exists"}]`,
	`[{"property":"e","operator":"eq","value":"lead"}]`,
	`[{"property":"m","operator":"eq","value":"y"}]`,
	`[{"property":"m","operator":"contains","value":"x"}]`,
	`[{"property":"m","operator":"in","value":["x","z"]}]`,
	`[{"property":"m","operator":"not_in","value":["y"]}]`,
	`[{"property":"m","operator":"exists"}]`,
	`[{"property":"j","operator":"eq","value":1}]`,
	`[{"property":"j","operator":"eq","value":"alpha"}]`,
	`[{"property":"j","operator":"contains","value":"alpha"}]`,
	`[{"property":"j","operator":"exists"}]`,
	`[{"property":"j","operator":"gt","value":0}]`,
	`[{"property":"c","operator":"gt","value":15}]`,
	`[{"property":"c","operator":"exists"}]`,
	`[{"property":"day","operator":"gte","value":"2026-01-01"}]`,
	`[{"property":"id","operator":"eq","value":"obj_eval_1"}]`,
	`[{"property":"created_by","operator":"eq","value":"usr_1"}]`,
	`[{"property":"created_at","operator":"gt","value":"2026-03-01T02:00:00Z"}]`,
	`[{"property":"version","operator":"lte","value":2}]`,
	`[{"property":"version","operator":"exists"}]`,
	`[{"property":"version","operator":"not_exists"}]`,
	`[{"or":[{"property":"s","operator":"eq","value":"beta"},{"property":"n","operator":"gt","value":5}]}]`,
	`[{"and":[{"property":"e","operator":"eq","value":"lead"},{"property":"b","operator":"neq","value":true}]}]`,
	`[{"property":"e","operator":"eq","value":"lead"},{"or":[{"property":"m","operator":"not_exists"},{"property":"n","operator":"eq","value":10}]}]`,
}

func TestPolicyEvaluatorAgreesWithSQL(t *testing.T) {
	idb := dbtest.DB(t)
	ctx := context.Background()
	tenantID := fmt.Sprintf("tn_eval%d", time.Now().UnixNano())
	exec := func(q string, args ...any) {
		_, err := idb.ExecContext(ctx, q, args...)
		require.NoError(t, err, q)
	}
	exec("INSERT INTO tenants (id, name) VALUES (?, 'eval')", tenantID)
	exec("INSERT INTO object_types (tenant_id, id, name, display_name) VALUES (?, 'ot_eval', 'things', 'Things')", tenantID)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]map[string]any, len(evalDocs))
	for i, doc := range evalDocs {
		id := fmt.Sprintf("obj_eval_%d", i)
		at := now.Add(time.Duration(i) * time.Hour)
		by := fmt.Sprintf("usr_%d", i%2)
		exec(`INSERT INTO objects (tenant_id, id, object_type_id, properties, version, created_at, updated_at, created_by)
			VALUES (?, ?, 'ot_eval', ?::jsonb, ?, ?, ?, ?)`, tenantID, id, doc, i+1, at, at, by)
		// The row as the API answers it (what subscriptions evaluate).
		obj, _ := json.Marshal(Object{ID: id, Properties: json.RawMessage(doc), Version: i + 1, CreatedAt: at, UpdatedAt: at, CreatedBy: by})
		rows[i] = decodeJSON(obj).(map[string]any)
	}
	for _, raw := range evalConditions {
		filters, err := ParseFilters(evalProps, json.RawMessage(raw))
		require.NoError(t, err, raw)
		cond, err := db.CompileFilters(filterNodes(filters, "filters"))
		require.NoError(t, err, raw)
		inSQL, err := db.ObjectsMatching(ctx, idb, tenantID, "ot_eval", evalIDs(), false, cond)
		require.NoError(t, err, raw)
		inMemory := []string{}
		for i, row := range rows {
			ok, err := EvalFilters(filters, row)
			require.NoError(t, err, raw)
			if ok {
				inMemory = append(inMemory, fmt.Sprintf("obj_eval_%d", i))
			}
		}
		slices.Sort(inSQL)
		require.Equal(t, inSQL, inMemory, "condition %s", raw)
	}
}

func evalIDs() []string {
	ids := make([]string, len(evalDocs))
	for i := range ids {
		ids[i] = fmt.Sprintf("obj_eval_%d", i)
	}
	return ids
}

func TestPolicyConditionVariables(t *testing.T) {
	props := []Property{{ID: "prop_o", Name: "owner_id", DataType: TypeString}, {ID: "prop_n", Name: "n", DataType: TypeInteger}}
	a := AuthContext{UserID: "usr_a", Role: "member", Roles: []string{"editor"}}
	filters, cond, err := resolveCondition(props, json.RawMessage(
		`{"or":[{"property":"owner_id","operator":"eq","value":"{{user.id}}"},{"property":"owner_id","operator":"in","value":["{{ user.role }}"]}]}`), a)
	require.NoError(t, err)
	require.Contains(t, cond.Args, "usr_a")
	ok, _ := EvalFilters(filters, map[string]any{"owner_id": "usr_a"})
	require.True(t, ok)
	ok, _ = EvalFilters(filters, map[string]any{"owner_id": "member"})
	require.True(t, ok)
	ok, _ = EvalFilters(filters, map[string]any{"owner_id": "usr_b"})
	require.False(t, ok)

	role := "editor"
	require.True(t, a.appliesTo(nil))
	require.True(t, a.appliesTo(&role), "an RBAC role name matches")
	other := "admin"
	require.False(t, a.appliesTo(&other))

	_, _, err = resolveCondition(props, json.RawMessage(`{"property":"owner_id","operator":"eq","value":"{{user.name}}"}`), a)
	require.ErrorContains(t, err, "VALIDATION_FAILED")
	_, err = ValidateCondition(props, json.RawMessage(`{"property":"n","operator":"eq","value":"{{user.id}}"}`))
	require.Error(t, err, "a user id is not a number")
}

// An empty in-list ANDed before a policy's condition must not shift the
// policy's arguments (the compiler once dropped a placeholder there).
func TestPolicyConditionAfterEmptyIn(t *testing.T) {
	idb := dbtest.DB(t)
	ctx := context.Background()
	tenantID := fmt.Sprintf("tn_evin%d", time.Now().UnixNano())
	for _, q := range []string{"INSERT INTO tenants (id, name) VALUES (?, 'evin')",
		"INSERT INTO object_types (tenant_id, id, name, display_name) VALUES (?, 'ot_evin', 'things', 'Things')",
		`INSERT INTO objects (tenant_id, id, object_type_id, properties, version, created_by, created_at, updated_at)
			VALUES (?, 'obj_evin_1', 'ot_evin', '{"s":"owner","owner":"usr_b"}', 1, 'key_1', now(), now())`} {
		_, err := idb.ExecContext(ctx, q, tenantID)
		require.NoError(t, err)
	}
	props := []Property{{ID: "prop_s", Name: "s", DataType: TypeString}, {ID: "prop_o", Name: "owner", DataType: TypeString}}
	user, err := ParseFilters(props, json.RawMessage(`[{"property":"s","operator":"not_in","value":[]}]`))
	require.NoError(t, err)
	userCond, err := db.CompileFilters(filterNodes(user, "filters"))
	require.NoError(t, err)
	_, policy, err := resolveCondition(props, json.RawMessage(`{"property":"owner","operator":"eq","value":"{{user.id}}"}`),
		AuthContext{UserID: "usr_a"})
	require.NoError(t, err)
	got, err := db.ObjectsMatching(ctx, idb, tenantID, "ot_evin", []string{"obj_evin_1"}, false, db.And(userCond, policy))
	require.NoError(t, err)
	require.Empty(t, got, "B's row stays hidden from A")
}
