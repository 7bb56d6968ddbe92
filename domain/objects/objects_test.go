package objects

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

func TestIndexRowColumns(t *testing.T) {
	cases := []struct {
		dt   string
		val  any
		col  string
		want string
	}{
		{TypeString, "abc", db.IndexText, "abc"},
		{TypeDate, "2026-01-02", db.IndexText, "2026-01-02"},
		{TypeTime, "09:30:00", db.IndexText, "09:30:00"},
		{TypeBoolean, true, db.IndexText, "true"},
		{TypeBoolean, false, db.IndexText, "false"},
		{TypeInteger, json.Number("42"), db.IndexNum, "42"},
		{TypeDecimal, json.Number("12.50"), db.IndexNum, "12.50"},
		{TypePercent, json.Number("1.5e2"), db.IndexNum, "1.5e2"},
		{TypeCurrency, map[string]any{"amount": json.Number("9.99"), "currency": "EUR"}, db.IndexNum, "9.99"},
		{TypeDatetime, "2026-01-15T12:30:00Z", db.IndexTime, "2026-01-15T12:30:00Z"},
	}
	for _, c := range cases {
		p := &Property{ID: "prop_x", DataType: c.dt}
		r := indexRow(p, "tn", "ot", "obj", c.val)
		require.NotNil(t, r, c.dt)
		require.Equal(t, c.col, indexColumn(c.dt), c.dt)
		switch c.col {
		case db.IndexText:
			require.Equal(t, c.want, *r.VText, c.dt)
		case db.IndexNum:
			require.Equal(t, c.want, *r.VNum, c.dt)
		case db.IndexTime:
			require.Equal(t, c.want, r.VTime.UTC().Format("2006-01-02T15:04:05Z"), c.dt)
		}
	}
}

func TestIndexTextIsTruncatedOnRuneBoundary(t *testing.T) {
	s := strings.Repeat("é", 1000) // 2 bytes each
	r := indexRow(&Property{DataType: TypeText}, "tn", "ot", "obj", s)
	require.LessOrEqual(t, len(*r.VText), maxIndexText)
	require.True(t, utf8.ValidString(*r.VText))
}

func TestUniqueKeyCanonical(t *testing.T) {
	key := func(dt string, v any) string {
		k, ok := uniqueKey(&Property{DataType: dt}, v)
		require.True(t, ok)
		return k
	}
	require.Equal(t, key(TypeNumber, json.Number("1")), key(TypeNumber, json.Number("1.0")))
	require.Equal(t, key(TypeDecimal, json.Number("1e3")), key(TypeDecimal, json.Number("1000")))
	require.Equal(t, key(TypeEmail, "A@B.co"), key(TypeEmail, "a@b.co"))
	require.NotEqual(t, key(TypeString, "A"), key(TypeString, "a"))
	long := key(TypeString, strings.Repeat("x", 5000))
	require.True(t, strings.HasPrefix(long, "sha256:"))
	require.NotEqual(t, long, key(TypeString, strings.Repeat("x", 5001)))
}

func testSchema() *schema {
	return newSchema(&db.ObjectType{ID: "ot_1", TenantID: "tn_1"}, []Property{
		{ID: "prop_1", Name: "email", DataType: TypeEmail, IsRequired: true},
		{ID: "prop_2", Name: "stage", DataType: TypeEnum, EnumValues: []string{"a", "b"}, DefaultValue: json.RawMessage(`"a"`)},
		{ID: "prop_3", Name: "n", DataType: TypeInteger},
	})
}

func TestCheckCreate(t *testing.T) {
	sc := testSchema()
	var v domain.Validation
	var refs refCheck
	doc := sc.checkCreate(&v, "", map[string]any{"email": "x@y.io", "n": json.Number("2.0"), "free": "text"}, &refs)
	require.NoError(t, v.Err())
	require.Equal(t, map[string]any{"email": "x@y.io", "stage": "a", "n": json.Number("2"), "free": "text"}, doc)

	v = domain.Validation{}
	sc.checkCreate(&v, "objects[1].", map[string]any{"stage": "z", "id": 1}, &refs)
	err := domain.AsError(v.Err())
	require.Equal(t, domain.CodeValidationFailed, err.Code)
	require.Contains(t, err.Fields, "objects[1].email")
	require.Contains(t, err.Fields, "objects[1].stage")
	require.Contains(t, err.Fields, "objects[1].id")
}

func TestCheckPatch(t *testing.T) {
	sc := testSchema()
	var v domain.Validation
	var refs refCheck
	patch := sc.checkPatch(&v, "", map[string]any{"stage": nil, "n": json.Number("3")}, &refs)
	require.NoError(t, v.Err())
	require.Equal(t, map[string]any{"stage": nil, "n": json.Number("3")}, patch)
	sc.checkPatch(&v, "", map[string]any{"email": nil}, &refs)
	require.Contains(t, domain.AsError(v.Err()).Fields, "email")
}
