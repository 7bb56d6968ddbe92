package objects

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Search: the list of a type's live objects narrowed by the filter
// language and a full-text query, in any sort the list offers, as keyset
// pages with the total of the matching set. The filters are compiled to
// SQL in one place, db.CompileFilters.

// maxQueryChars caps the full-text query.
const maxQueryChars = 500

// SearchInput is POST /v1/objects/:object_type_id/search.
type SearchInput struct {
	ObjectTypeID string          `path:"object_type_id" json:"-"`
	Filters      json.RawMessage `json:"filters"`
	// Query is full text over the string values (web search syntax).
	Query string `json:"query"`
	// Sort is a field name (with Order), {"property", "order"}, or an array
	// of one such object.
	Sort   json.RawMessage `json:"sort"`
	Order  string          `json:"order"`
	Limit  int             `json:"limit"`
	Cursor string          `json:"cursor"`
	// Properties, when given, projects each object's document onto these
	// names.
	Properties []string `json:"properties"`
	// Total is auto (default: exact up to a cap, then an estimate flagged
	// total_is_estimate) or exact.
	Total string `json:"total"`
}

// Search returns a page of the type's live objects matching the filters
// and query. Errors: NOT_FOUND (type), VALIDATION_FAILED (filters, query,
// sort, order, properties), BAD_REQUEST (a forged or foreign cursor).
func (s *Service) Search(ctx context.Context, in SearchInput) (domain.Page[Object], error) {
	p, err := objectReader(ctx)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	props, err := s.properties(ctx, s.core.DB, p.TenantID, t.ID)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	r, err := s.rowAccess(ctx, s.core.DB, p, t, props, ActionSelect)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	cond, canon, err := compileFilters(props, in.Filters)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	// The caller's row-level policies narrow the search (and its total).
	cond = db.And(cond, r.where())
	query := strings.TrimSpace(in.Query)
	if utf8.RuneCountInString(query) > maxQueryChars || strings.ContainsRune(query, 0) {
		return domain.Page[Object]{}, domain.Invalid("query", "must be at most "+strconv.Itoa(maxQueryChars)+" characters")
	}
	if query != "" {
		cond = db.And(cond, db.FullText(query))
	}
	if err := checkProjection(in.Properties); err != nil {
		return domain.Page[Object]{}, err
	}
	sort, order, err := parseSearchSort(in.Sort, in.Order)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	ls, err := s.resolveSort(ctx, p.TenantID, t.ID, sort, order)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	exact, err := parseTotalMode(in.Total)
	if err != nil {
		return domain.Page[Object]{}, err
	}
	dir := "asc"
	if ls.desc {
		dir = "desc"
	}
	// The cursor is bound to the search too: a cursor of another search
	// would skip or repeat rows of this one.
	sum := sha256.Sum256(append(canon, []byte("\x00"+query)...))
	scope := "objects-search:" + p.TenantID + ":" + t.ID + ":" + ls.name + ":" + dir + ":" + hex.EncodeToString(sum[:16])
	if cond.SQL == "TRUE" {
		cond = db.Condition{}
	}
	pg, err := s.runPage(ctx, p.TenantID, t.ID, ls, scope, in.Cursor, in.Limit, cond, exact)
	if err != nil {
		return pg, err
	}
	if in.Properties != nil {
		for i := range pg.Results {
			pg.Results[i].Properties = project(pg.Results[i].Properties, in.Properties)
		}
	}
	return pg, nil
}

// compileFilters parses raw filters against props and compiles them;
// canon is their canonical JSON (for the cursor's scope).
func compileFilters(props []Property, raw json.RawMessage) (db.Condition, []byte, error) {
	filters, err := ParseFilters(props, raw)
	if err != nil {
		return db.Condition{}, nil, err
	}
	cond, err := db.CompileFilters(filterNodes(filters, "filters"))
	var fe *db.FilterError
	if errors.As(err, &fe) {
		return db.Condition{}, nil, domain.Invalid(fe.Field, fe.Message)
	}
	if err != nil {
		return db.Condition{}, nil, domain.Internal(err)
	}
	canon, _ := json.Marshal(filters)
	return cond, canon, nil
}

// filterNodes turns the checked tree into the compiler's input, naming
// each item as the request does.
func filterNodes(filters []Filter, field string) []db.FilterNode {
	out := make([]db.FilterNode, len(filters))
	for i, f := range filters {
		n := db.FilterNode{Field: field + "[" + strconv.Itoa(i) + "]", Property: f.Property, Builtin: f.Builtin,
			Operator: f.Operator, Value: f.Value}
		switch {
		case f.And != nil:
			n.And = filterNodes(f.And, n.Field+".and")
		case f.Or != nil:
			n.Or = filterNodes(f.Or, n.Field+".or")
		case f.Def != nil:
			n.PropertyID, n.DataType, n.Indexed = f.Def.ID, f.Def.DataType, flagged(f.Def)
		}
		out[i] = n
	}
	return out
}

// parseSearchSort reads sort as a name, {"property", "order"} or
// [{"property", "order"}] (one key); order is the top-level order.
func parseSearchSort(raw json.RawMessage, order string) (string, string, error) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return "", order, nil
	}
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return name, order, nil
	}
	type key struct {
		Property string `json:"property"`
		Field    string `json:"field"`
		Order    string `json:"order"`
	}
	var keys []key
	if raw[0] != '[' {
		var k key
		if json.Unmarshal(raw, &k) != nil {
			return "", "", domain.Invalid("sort", "must be a field name, {\"property\", \"order\"} or an array of one")
		}
		keys = []key{k}
	} else if json.Unmarshal(raw, &keys) != nil {
		return "", "", domain.Invalid("sort", "must be a field name, {\"property\", \"order\"} or an array of one")
	}
	switch len(keys) {
	case 0:
		return "", order, nil
	case 1:
	default:
		return "", "", domain.Invalid("sort", "takes one sort key")
	}
	k := keys[0]
	if k.Property == "" {
		k.Property = k.Field
	}
	if k.Order != "" {
		order = k.Order
	}
	return k.Property, order, nil
}

// checkProjection checks the names of a projection.
func checkProjection(names []string) error {
	if len(names) > MaxProperties+len(BuiltinFields) {
		return domain.Invalid("properties", "names at most "+strconv.Itoa(MaxProperties)+" properties")
	}
	for i, n := range names {
		if n == "" || utf8.RuneCountInString(n) > maxUntypedName {
			return domain.Invalid("properties["+strconv.Itoa(i)+"]", "must be a property name")
		}
	}
	return nil
}

// project keeps the named members of a document.
func project(doc json.RawMessage, names []string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return doc
	}
	out := make(map[string]json.RawMessage, len(names))
	for _, n := range names {
		if v, ok := m[n]; ok {
			out[n] = v
		}
	}
	b, _ := json.Marshal(out)
	return b
}
