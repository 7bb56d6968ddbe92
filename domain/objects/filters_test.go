package objects

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/domain"
)

var filterProps = []Property{
	{ID: "prop_01J0000000000000000000000A", Name: "email", DataType: "email", IsSortable: true},
	{ID: "prop_01J0000000000000000000000B", Name: "stage", DataType: "enum", EnumValues: []string{"a", "b"}},
}

func nestFilter(n int) string {
	s := `{"property": "email", "operator": "exists"}`
	for range n {
		s = `{"or": [` + s + `]}`
	}
	return "[" + s + "]"
}

func TestValidateFiltersAccepts(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, `[]`},
		{`null`, `[]`},
		{`[]`, `[]`},
		{`[{"property": "email", "operator": "eq", "value": "a@b.co"}]`, `[{"property":"email","operator":"eq","value":"a@b.co"}]`},
		{`[{"property": "prop_01J0000000000000000000000B", "operator": "nin", "value": ["a"]}]`,
			`[{"property":"stage","operator":"not_in","value":["a"]}]`},
		{`[{"property": "version", "operator": "between", "value": [1, 12345678901234567890]}]`,
			`[{"property":"version","operator":"between","value":[1,12345678901234567890]}]`},
		{`[{"property": "created_at", "operator": "exists", "value": 3}]`, `[{"property":"created_at","operator":"exists"}]`},
		{`[{"property": "id", "operator": "eq", "value": null}]`, `[{"property":"id","operator":"eq","value":null}]`},
		{`[{"and": [{"property": "email", "operator": "contains", "value": "x"}, {"or": [{"property": "stage", "operator": "in", "value": []}]}]}]`,
			`[{"and":[{"property":"email","operator":"contains","value":"x"},{"or":[{"property":"stage","operator":"in","value":[]}]}]}]`},
		{nestFilter(MaxFilterDepth - 1), ""},
	}
	for _, c := range cases {
		got, err := ParseFilters(filterProps, json.RawMessage(c.in))
		require.NoError(t, err, c.in)
		require.NoError(t, ValidateFilters(filterProps, json.RawMessage(c.in)), c.in)
		if c.want != "" {
			b, err := json.Marshal(got)
			require.NoError(t, err)
			require.JSONEq(t, c.want, string(b), c.in)
		}
	}
	got, err := ParseFilters(filterProps, json.RawMessage(`[{"property": "stage", "operator": "eq", "value": "a"}]`))
	require.NoError(t, err)
	require.Equal(t, "enum", got[0].Def.DataType)
	require.False(t, got[0].Builtin)
}

func TestValidateFiltersRefuses(t *testing.T) {
	big := `[{"property": "stage", "operator": "in", "value": [` + strings.Repeat(`"a",`, MaxInValues) + `"a"]}]`
	cases := []struct{ in, field string }{
		{`{}`, "filters"},
		{`"x"`, "filters"},
		{`[1]`, "filters[0]"},
		{`[null]`, "filters[0]"},
		{`[{"property": "ghost", "operator": "eq", "value": 1}]`, "filters[0].property"},
		{`[{"property": "is_deleted", "operator": "eq", "value": true}]`, "filters[0].property"},
		{`[{"operator": "eq", "value": 1, "property": 3}]`, "filters[0].property"},
		{`[{"property": "email", "operator": "like", "value": 1}]`, "filters[0].operator"},
		{`[{"property": "email"}]`, "filters[0].operator"},
		{`[{"property": "email", "operator": "eq"}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "eq", "value": [1]}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "in", "value": "a"}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "in", "value": [{}]}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "between", "value": [1]}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "between", "value": [1, null]}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "starts_with", "value": 1}]`, "filters[0].value"},
		{`[{"property": "email", "operator": "lt", "value": true}]`, "filters[0].value"},
		{`[{"and": []}]`, "filters[0].and"},
		{`[{"or": {}}]`, "filters[0].or"},
		{`[{"and": [], "or": []}]`, "filters[0]"},
		{`[{"and": [], "property": "email"}]`, "filters[0]"},
		{`[{"and": [{"or": [{"property": "x", "operator": "eq", "value": 1}]}]}]`, "filters[0].and[0].or[0].property"},
		{nestFilter(MaxFilterDepth), "filters[0].or[0].or[0].or[0].or[0].or[0].or[0].or[0].or[0].or[0].or"},
		{big, "filters[0].value"},
	}
	for _, c := range cases {
		err := ValidateFilters(filterProps, json.RawMessage(c.in))
		require.Error(t, err, c.in)
		e := domain.AsError(err)
		require.Equal(t, domain.CodeValidationFailed, e.Code, c.in)
		require.Contains(t, e.Fields, c.field, "%s: %v", c.in, e.Fields)
	}
	e := domain.AsError(ValidateFilters(filterProps, json.RawMessage(big)))
	require.Equal(t, "in_list", e.Details["cap"])
	require.Contains(t, e.Message, "1000")
	e = domain.AsError(ValidateFilters(filterProps, json.RawMessage(nestFilter(MaxFilterDepth))))
	require.Equal(t, "filter_depth", e.Details["cap"])
}

// Every field error is reported at once.
func TestValidateFiltersNamesEveryItem(t *testing.T) {
	err := ValidateFilters(filterProps, json.RawMessage(`[{"property": "ghost", "operator": "nope"},
		{"property": "email", "operator": "eq", "value": 1}, {"property": "stage", "operator": "gt", "value": {}}]`))
	e := domain.AsError(err)
	require.Contains(t, e.Fields, "filters[0].property")
	require.Contains(t, e.Fields, "filters[0].operator")
	require.Contains(t, e.Fields, "filters[2].value")
	require.NotContains(t, e.Fields, "filters[1].value")
}
