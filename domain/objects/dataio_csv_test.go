package objects

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/domain"
)

func dioProps() []Property {
	return []Property{
		{Name: "score", DataType: TypeInteger},
		{Name: "amount", DataType: TypeDecimal},
		{Name: "active", DataType: TypeBoolean},
		{Name: "tags", DataType: TypeMultiEnum},
		{Name: "meta", DataType: TypeJSON},
		{Name: "where", DataType: TypeGeoPoint},
		{Name: "label", DataType: TypeString},
	}
}

func TestCSVImportConvertsCellsByDataType(t *testing.T) {
	file := "\xef\xbb\xbfid,score,amount,active,tags,meta,where,label,extra\n" +
		`obj_ignored,42,10.10,TRUE,a; b,"{""k"": 1.50}","{""lat"": 1, ""lng"": 2}",hello,free` + "\n" +
		`,,,0,"[""x""]",,,,` + "\n" +
		`,7,,maybe,,{oops,,,` + "\n"
	rows, err := parseCSVRows([]byte(file), dioProps())
	require.NoError(t, err)
	require.Len(t, rows, 3)

	first := rows[0]
	require.Nil(t, first.errs)
	require.Equal(t, map[string]any{
		"score": json.Number("42"), "amount": json.Number("10.10"), "active": true, "tags": []any{"a", "b"},
		"meta": map[string]any{"k": json.Number("1.50")}, "where": map[string]any{"lat": json.Number("1"), "lng": json.Number("2")},
		"label": "hello", "extra": "free",
	}, first.props, "the built-in id column is ignored; untyped columns are strings")

	require.Equal(t, map[string]any{"active": false, "tags": []any{"x"}}, rows[1].props, "empty cells are absent")
	require.Equal(t, map[string]string{"active": "must be true, false, 1 or 0", "meta": "must be JSON text"}, rows[2].errs)
}

func TestCSVImportRefusesBadFiles(t *testing.T) {
	for name, tc := range map[string]struct {
		file string
		line any
	}{
		"empty":            {file: ""},
		"ragged row":       {file: "a,b\n1,2\n3\n", line: 3},
		"blank column":     {file: "a,,b\n1,2,3\n", line: 1},
		"repeated column":  {file: "a,a\n1,2\n", line: 1},
		"bare quote":       {file: "a,b\n1,x\"y\n", line: 2},
		"header, no rows":  {file: "a,b\n"},
		"malformed header": {file: "\"a\n"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseCSVRows([]byte(tc.file), dioProps())
			require.Error(t, err)
			de := domain.AsError(err)
			if name == "header, no rows" {
				require.Equal(t, domain.CodeValidationFailed, de.Code)
				require.Contains(t, de.Fields, "file")
				return
			}
			require.Equal(t, domain.CodeBadRequest, de.Code, de.Message)
			if tc.line != nil {
				require.Equal(t, tc.line, de.Details["line"], de.Message)
			}
		})
	}
}

func TestCSVImportCapsRows(t *testing.T) {
	file := []byte("label\n")
	for range MaxImportRows + 1 {
		file = append(file, "x\n"...)
	}
	_, err := parseCSVRows(file, dioProps())
	de := domain.AsError(err)
	require.Equal(t, domain.CodeValidationFailed, de.Code)
	require.Equal(t, MaxImportRows, de.Details["max_rows"])
}

func TestCSVExportText(t *testing.T) {
	require.Equal(t, "", csvText(nil))
	require.Equal(t, "a,b", csvText("a,b"))
	require.Equal(t, "10.10", csvText(json.Number("10.10")))
	require.Equal(t, "true", csvText(true))
	require.Equal(t, `["a","b"]`, csvText([]any{"a", "b"}))
	require.Equal(t, `{"amount":1.5,"currency":"EUR"}`, csvText(map[string]any{"amount": json.Number("1.5"), "currency": "EUR"}))
}
