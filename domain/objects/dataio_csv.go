package objects

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/platformhq/platform/domain"
)

// CSV import: the header row names the properties; each data row is one
// object. A cell is converted by its property's data type (see csvValue);
// columns the type does not define are stored untyped, as strings; the
// built-in columns of an export (id, created_at, ...) are ignored, so an
// exported CSV imports as new objects. An empty cell is no value.

var utf8BOM = []byte("\xef\xbb\xbf")

// parseCSVRows reads a CSV import file against the type's properties.
// A file without a header, with a blank or repeated column name, or with
// a row whose field count differs from the header's is BAD_REQUEST naming
// the line.
func parseCSVRows(data []byte, props []Property) ([]importRow, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	r.FieldsPerRecord = 0 // every row as long as the header
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, domain.Errorf(domain.CodeBadRequest, "The CSV file is empty: it needs a header row of property names.")
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols, err := csvColumns(header, props)
	if err != nil {
		return nil, err
	}
	var rows []importRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if len(rows) == MaxImportRows {
			return nil, checkRowCount("file", MaxImportRows+1)
		}
		rows = append(rows, csvRow(cols, rec))
	}
	if err := checkRowCount("file", len(rows)); err != nil {
		return nil, err
	}
	return rows, nil
}

// csvColumn is a header cell: its name and the property it names (nil for
// an untyped column); skip marks a built-in column.
type csvColumn struct {
	name string
	prop *Property
	skip bool
}

func csvColumns(header []string, props []Property) ([]csvColumn, error) {
	byName := make(map[string]*Property, len(props))
	for i := range props {
		byName[props[i].Name] = &props[i]
	}
	cols := make([]csvColumn, len(header))
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		name := strings.TrimSpace(h)
		switch {
		case name == "":
			return nil, domain.Errorf(domain.CodeBadRequest, "Column %d of the CSV header has no name.", i+1).
				With("line", 1)
		case seen[name]:
			return nil, domain.Errorf(domain.CodeBadRequest, "The CSV header names %q twice.", name).With("line", 1)
		}
		seen[name] = true
		cols[i] = csvColumn{name: name, prop: byName[name], skip: slices.Contains(reservedNames, name)}
	}
	return cols, nil
}

// csvError turns a CSV syntax error into BAD_REQUEST naming the line.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return domain.Errorf(domain.CodeBadRequest, "The CSV file cannot be read.")
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return domain.Errorf(domain.CodeBadRequest, "Line %d of the CSV file does not have as many fields as the header.",
			pe.StartLine).With("line", pe.StartLine)
	}
	return domain.Errorf(domain.CodeBadRequest, "Line %d of the CSV file is malformed: %s.", pe.StartLine, pe.Err).
		With("line", pe.StartLine)
}

// csvRow converts one data row; a cell that cannot be converted is that
// row's error (named by its property), the others are still checked when
// the row is validated.
func csvRow(cols []csvColumn, rec []string) importRow {
	row := importRow{props: make(map[string]any, len(rec))}
	for i, cell := range rec {
		c := cols[i]
		if c.skip || cell == "" {
			continue
		}
		if c.prop == nil {
			row.props[c.name] = cell
			continue
		}
		val, msg := csvValue(c.prop, cell)
		if msg != "" {
			if row.errs == nil {
				row.errs = map[string]string{}
			}
			row.errs[c.name] = msg
			continue
		}
		row.props[c.name] = val
	}
	return row
}

// csvValue converts a cell to the JSON value of its property's data type:
// numbers as exact literals, booleans from true/false/1/0, multi_enum from
// "a;b" or a JSON array, composite types (json, array, currency,
// geo_point) from JSON text, everything else as the string. Validation
// (ValidateValue, through the object create path) comes after.
func csvValue(p *Property, cell string) (any, string) {
	switch p.DataType {
	case TypeInteger, TypeNumber, TypeDecimal, TypePercent:
		return json.Number(strings.TrimSpace(cell)), ""
	case TypeBoolean:
		switch strings.ToLower(strings.TrimSpace(cell)) {
		case "true", "1":
			return true, ""
		case "false", "0":
			return false, ""
		}
		return nil, "must be true, false, 1 or 0"
	case TypeMultiEnum:
		if t := strings.TrimSpace(cell); strings.HasPrefix(t, "[") {
			return jsonCell(t)
		}
		var out []any
		for _, part := range strings.Split(cell, ";") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
		return out, ""
	case TypeJSON, TypeArray, TypeCurrency, TypeGeoPoint:
		return jsonCell(cell)
	}
	return cell, ""
}

// jsonCell decodes a cell holding JSON text, keeping numbers exact.
func jsonCell(cell string) (any, string) {
	dec := json.NewDecoder(strings.NewReader(cell))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, "must be JSON text"
	}
	return v, ""
}

// csvText is the text of a value in an exported CSV cell: strings as they
// are, numbers as their exact literal, booleans as true/false, composite
// values as compact JSON, no value as an empty cell.
func csvText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(raw)
}
