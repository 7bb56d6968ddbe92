package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Import (POST /v1/data/import): up to MaxImportRows rows of one type, as
// inline JSON, or as a CSV or JSON file. Every row is validated exactly as
// an object create is (same schema lock, validation, reference check and
// insert path, so index rows, unique claims, audit rows and events are
// kept); valid rows are imported, invalid ones reported by row number.
// Rows are inserted in chunks of importChunkRows, one transaction each: an
// import is not all-or-nothing, and a chunk committed stays committed even
// if a later one fails for a reason that is not a row's (the request then
// answers that error).

// Import and export formats.
const (
	FormatJSON   = "json"
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
)

const (
	// MaxImportRows caps the rows of one import.
	MaxImportRows = 10_000
	// importChunkRows is the rows inserted per transaction.
	importChunkRows = 500
	// rowField names an error of a whole row (not of one property).
	rowField = "_row"
)

// ImportInput is POST /v1/data/import with a JSON body: data holds one
// properties document per row.
type ImportInput struct {
	ObjectTypeID string `json:"object_type_id"`
	// Format is "json" (the default; csv needs a multipart file).
	Format string            `json:"format"`
	Data   []json.RawMessage `json:"data"`
}

// ImportFileInput is POST /v1/data/import as multipart/form-data: the
// fields object_type_id and format (csv or json; by default the file
// name's extension) and the file.
type ImportFileInput struct {
	ObjectTypeID string
	Format       string
	FileName     string
	Data         []byte
}

// ImportResult answers an import: how many rows were imported, the rows
// that were not (each with its errors) and the rows read.
type ImportResult struct {
	Imported int              `json:"imported"`
	Errors   []ImportRowError `json:"errors"`
	Total    int              `json:"total"`
}

// ImportRowError names a row (1-based; for CSV the data rows after the
// header) and its errors by property ("_row" for the row as a whole).
type ImportRowError struct {
	Row    int               `json:"row"`
	Errors map[string]string `json:"errors"`
}

// importRow is a row read from the input: its properties, or the errors
// that kept it from being read.
type importRow struct {
	props map[string]any
	errs  map[string]string
}

// ImportObjects imports inline JSON rows. Errors: VALIDATION_FAILED
// (object_type_id, format, data: none or more than 10,000 rows),
// NOT_FOUND (type); invalid rows are reported in the answer.
func (s *Service) ImportObjects(ctx context.Context, in ImportInput) (ImportResult, error) {
	return s.importRows(ctx, in.ObjectTypeID, func([]Property) ([]importRow, error) {
		if in.Format != "" && in.Format != FormatJSON {
			return nil, domain.Invalid("format", "must be json for inline data (send a csv file as multipart/form-data)")
		}
		if err := checkRowCount("data", len(in.Data)); err != nil {
			return nil, err
		}
		return decodeJSONRows(in.Data), nil
	})
}

// ImportObjectsFile imports a CSV or JSON file. Errors: as ImportObjects,
// and BAD_REQUEST for a file that cannot be read (CSV without a header or
// with ragged rows, JSON that is not an array of objects).
func (s *Service) ImportObjectsFile(ctx context.Context, in ImportFileInput) (ImportResult, error) {
	return s.importRows(ctx, in.ObjectTypeID, func(props []Property) ([]importRow, error) {
		format := in.Format
		if format == "" {
			format = strings.TrimPrefix(strings.ToLower(path.Ext(in.FileName)), ".")
		}
		switch format {
		case FormatCSV:
			return parseCSVRows(in.Data, props)
		case FormatJSON:
			return parseJSONFile(in.Data)
		case "":
			return nil, domain.Invalid("format", "is required (csv or json) when the file name has no such extension")
		}
		return nil, domain.Invalid("format", "must be csv or json")
	})
}

// importRows resolves and authorizes the type, reads the rows with parse
// and imports them chunk by chunk.
func (s *Service) importRows(ctx context.Context, typeRef string, parse func([]Property) ([]importRow, error)) (ImportResult, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	if typeRef == "" {
		return ImportResult{}, domain.Invalid("object_type_id", "is required (the type's id or name)")
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, typeRef, false)
	if err != nil {
		return ImportResult{}, err
	}
	if p, err = domain.Authorize(ctx, domain.ScopeWrite, "objects:"+t.Name+":write"); err != nil {
		return ImportResult{}, err
	}
	props, err := s.properties(ctx, s.core.DB, p.TenantID, t.ID)
	if err != nil {
		return ImportResult{}, err
	}
	rows, err := parse(props)
	if err != nil {
		return ImportResult{}, err
	}
	errs := make(map[int]map[string]string)
	out := ImportResult{Total: len(rows), Errors: []ImportRowError{}}
	for start := 0; start < len(rows); start += importChunkRows {
		end := min(start+importChunkRows, len(rows))
		n, err := s.importChunk(ctx, p, t.ID, rows, start, end, errs)
		if err != nil {
			return ImportResult{}, err
		}
		out.Imported += n
	}
	for i := range rows {
		if e := errs[i]; e != nil {
			out.Errors = append(out.Errors, ImportRowError{Row: i + 1, Errors: e})
		}
	}
	return out, nil
}

// checkRowCount applies the row cap.
func checkRowCount(field string, n int) error {
	switch {
	case n == 0:
		return domain.Invalid(field, "must hold at least one row")
	case n > MaxImportRows:
		return domain.Invalid(field, "must hold at most "+strconv.Itoa(MaxImportRows)+" rows").
			With("max_rows", MaxImportRows)
	}
	return nil
}

// decodeJSONRows reads each raw row as a properties document, keeping
// numbers exact; anything but an object is that row's error.
func decodeJSONRows(raws []json.RawMessage) []importRow {
	rows := make([]importRow, len(raws))
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var props map[string]any
		if err := dec.Decode(&props); err != nil || props == nil {
			rows[i].errs = map[string]string{rowField: "must be a JSON object of property values"}
			continue
		}
		rows[i].props = props
	}
	return rows
}

// parseJSONFile reads a JSON import file: an array of row objects, or an
// object whose "data" member is one.
func parseJSONFile(data []byte) ([]importRow, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		var wrapped struct {
			Data []json.RawMessage `json:"data"`
		}
		if json.Unmarshal(data, &wrapped) != nil || wrapped.Data == nil {
			return nil, domain.Errorf(domain.CodeBadRequest,
				"The JSON file must hold an array of objects (or an object whose data member is one).")
		}
		raws = wrapped.Data
	}
	if err := checkRowCount("file", len(raws)); err != nil {
		return nil, err
	}
	return decodeJSONRows(raws), nil
}

// importChunk imports rows[start:end] in one transaction and returns how
// many it imported. Rows are screened first (validation, references,
// unique values against each other and the stored ones), so a bad row is
// that row's error; should the insert still fail on one row (a unique
// value claimed meanwhile by a concurrent write), the transaction is
// retried without that row.
func (s *Service) importChunk(ctx context.Context, p *domain.Principal, typeID string, rows []importRow,
	start, end int, errs map[int]map[string]string) (int, error) {
	pending := make([]int, 0, end-start)
	for i := start; i < end; i++ {
		pending = append(pending, i)
	}
	n, err := s.importBatch(ctx, p, typeID, rows, pending, errs)
	var refused *rowRefused
	if !errors.As(err, &refused) {
		return n, err
	}
	// Row-level insert policies are checked on the rows as written, after
	// the insert: rather than retry the chunk once per refused row, import
	// its other rows one at a time.
	imported := 0
	for _, i := range refused.rest {
		n, err := s.importBatch(ctx, p, typeID, rows, []int{i}, errs)
		if err != nil && !errors.As(err, &refused) {
			return imported, err
		}
		imported += n
	}
	return imported, nil
}

// rowRefused is importBatch's signal that a row-level policy refused a row
// (recorded as its error); rest are the batch's rows still to import.
type rowRefused struct{ rest []int }

func (*rowRefused) Error() string { return "a row-level policy refused a row" }

// importBatch imports the rows named by pending in one transaction,
// retrying without a row whose insert failed on its own account.
func (s *Service) importBatch(ctx context.Context, p *domain.Principal, typeID string, rows []importRow,
	pending []int, errs map[int]map[string]string) (int, error) {
	for len(pending) > 0 {
		var ok []int
		err := s.core.Write(ctx, func(w *domain.Write) error {
			sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, typeID)
			if err != nil {
				return err
			}
			if ok, err = s.screenRows(ctx, w, sc, rows, pending, errs); err != nil {
				return err
			}
			if len(ok) == 0 {
				w.SkipAudit("no valid row: nothing written but the type's KEY SHARE lock")
				return nil
			}
			items := make([]map[string]any, len(ok))
			for j, i := range ok {
				items[j] = rows[i].props
			}
			_, err = s.createObjects(ctx, w, p, sc, items, itemPrefix("rows"))
			return err
		})
		if err == nil {
			return len(ok), nil
		}
		j, rowErrs := rowOfError(err, len(ok))
		if j < 0 {
			return 0, err
		}
		errs[ok[j]] = rowErrs
		pending = slices.Delete(slices.Clone(ok), j, j+1)
		if domain.ErrorCode(err) == domain.CodeForbidden {
			return 0, &rowRefused{rest: pending}
		}
	}
	return 0, nil
}

// screenRows validates the rows named by idx as a create would, checks
// their references and unique values, records the errors of the bad ones
// and returns the good ones.
func (s *Service) screenRows(ctx context.Context, w *domain.Write, sc *schema, rows []importRow, idx []int,
	errs map[int]map[string]string) ([]int, error) {
	docs := make(map[int]map[string]any, len(idx))
	refs := make(map[int]*refCheck, len(idx))
	for _, i := range idx {
		refs[i] = &refCheck{}
		if rows[i].props == nil { // not read: nothing to validate
			errs[i] = rows[i].errs
			continue
		}
		var v domain.Validation
		docs[i] = sc.checkCreate(&v, "", rows[i].props, refs[i])
		marshalDoc(&v, "properties", docs[i])
		mergeRowErrors(errs, i, rows[i].errs, fieldErrors(v.Err()))
	}
	if err := s.screenReferences(ctx, w, sc.t.TenantID, idx, refs, errs); err != nil {
		return nil, err
	}
	if err := screenUnique(ctx, w, sc, idx, docs, errs); err != nil {
		return nil, err
	}
	var ok []int
	for _, i := range idx {
		if errs[i] == nil {
			ok = append(ok, i)
		}
	}
	return ok, nil
}

// screenReferences checks the reference values of the still valid rows
// with one query.
func (s *Service) screenReferences(ctx context.Context, w *domain.Write, tenantID string, idx []int,
	refs map[int]*refCheck, errs map[int]map[string]string) error {
	var ids []string
	for _, i := range idx {
		if errs[i] != nil {
			continue
		}
		for id := range refs[i].fields {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := db.ObjectsExisting(ctx, w.Tx, tenantID, ids)
	if err != nil {
		return domain.Internal(err)
	}
	for _, i := range idx {
		if errs[i] != nil {
			continue
		}
		for id, fields := range refs[i].fields {
			if slices.Contains(found, id) {
				continue
			}
			for _, f := range fields {
				addRowError(errs, i, f, "must be the id of an existing object")
			}
		}
	}
	return nil
}

// screenUnique fails a row whose unique value another row of the chunk
// (an earlier one wins) or a stored object already holds.
func screenUnique(ctx context.Context, w *domain.Write, sc *schema, idx []int, docs map[int]map[string]any,
	errs map[int]map[string]string) error {
	var ix indexWrite
	for _, i := range idx {
		if errs[i] == nil {
			ix.add(sc, "", i, "", docs[i], nil)
		}
	}
	first := map[[2]string]claimOwner{}
	var propIDs, keys []string
	for _, c := range ix.claims {
		o := ix.owner[c]
		k := [2]string{c.PropertyID, c.ValueKey}
		if earlier, seen := first[k]; seen {
			addRowError(errs, o.item, o.name, "must be unique: row "+strconv.Itoa(earlier.item+1)+" has the same value")
			continue
		}
		first[k] = o
		propIDs, keys = append(propIDs, c.PropertyID), append(keys, c.ValueKey)
	}
	taken, err := db.ObjectUniqueTaken(ctx, w.Tx, sc.t.TenantID, propIDs, keys)
	if err != nil {
		return domain.Internal(err)
	}
	for _, t := range taken {
		o := first[[2]string{t.PropertyID, t.ValueKey}]
		addRowError(errs, o.item, o.name, "must be unique: another object of this type has the same value")
	}
	return nil
}

// mergeRowErrors records a row's conversion errors (a CSV cell that is
// not of its column's type) and its validation errors; a property with a
// conversion error was left out of the row, so its validation error (such
// as "is required") is dropped.
func mergeRowErrors(errs map[int]map[string]string, row int, read, valid map[string]string) {
	for f, msg := range read {
		addRowError(errs, row, f, msg)
	}
	for f, msg := range valid {
		if _, ok := read[f]; !ok {
			addRowError(errs, row, f, msg)
		}
	}
}

func addRowError(errs map[int]map[string]string, row int, field, msg string) {
	if errs[row] == nil {
		errs[row] = map[string]string{}
	}
	if prev, ok := errs[row][field]; ok {
		msg = prev + "; " + msg
	}
	errs[row][field] = msg
}

// fieldErrors flattens a VALIDATION_FAILED error into one message per
// field (nil for no error).
func fieldErrors(err error) map[string]string {
	if err == nil {
		return nil
	}
	de := domain.AsError(err)
	out := make(map[string]string, len(de.Fields))
	for f, msgs := range de.Fields {
		out[f] = strings.Join(msgs, "; ")
	}
	if len(out) == 0 {
		out[rowField] = de.Message
	}
	return out
}

// rowOfError finds the item of a failed insert of n items (named
// rows[j].property, or by an "item" detail) and that row's errors; j is
// -1 when the error is not one row's.
func rowOfError(err error, n int) (int, map[string]string) {
	de := domain.AsError(err)
	if item, ok := de.Details["item"].(int); ok && item >= 0 && item < n {
		field := rowField
		if prop, ok := de.Details["property"].(string); ok {
			field = prop
		}
		msg := de.Message
		if de.Code == domain.CodeConflict {
			msg = "must be unique: another object of this type has the same value"
		}
		return item, map[string]string{field: msg}
	}
	j, out := -1, map[string]string{}
	for f, msgs := range de.Fields {
		item, prop, ok := splitItemField(f)
		if !ok || item >= n || (j >= 0 && item != j) {
			continue
		}
		j = item
		out[prop] = strings.Join(msgs, "; ")
	}
	if j < 0 {
		return -1, nil
	}
	return j, out
}

// splitItemField reads "rows[3].email" as 3 and "email".
func splitItemField(f string) (int, string, bool) {
	rest, ok := strings.CutPrefix(f, "rows[")
	if !ok {
		return 0, "", false
	}
	num, prop, ok := strings.Cut(rest, "].")
	if !ok {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	return n, prop, err == nil && n >= 0
}
