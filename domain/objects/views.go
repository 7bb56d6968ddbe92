package objects

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Saved views: named filter, sort and column presets of an object type.
// Their filters are the search filter language (filters.go), checked against
// the type's properties when the view is written. A property deleted later
// leaves the views that name it as they are: search reports the unknown
// property when such a view is applied.

// PrefixView is the id prefix of views.
const PrefixView = "view_"

// Caps of views.
const (
	// MaxViews per type: the bare list of a type's views holds them all.
	MaxViews        = 1000
	maxViewName     = 100
	maxColumnsCount = MaxProperties + 5 // every property and built-in field once
)

// View is a saved view of an object type.
type View struct {
	ID           string          `json:"id"`
	ObjectTypeID string          `json:"object_type_id"`
	Name         string          `json:"name"`
	Filters      json.RawMessage `json:"filters"`
	// Sort is {"property", "order"} or null.
	Sort      json.RawMessage `json:"sort"`
	Columns   []string        `json:"columns"`
	IsDefault bool            `json:"is_default"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// ViewSort is the sort of a view.
type ViewSort struct {
	Property string `json:"property"`
	Order    string `json:"order"`
}

func viewFromRow(r *db.ObjectView) View {
	v := View{ID: r.ID, ObjectTypeID: r.ObjectTypeID, Name: r.Name, Filters: r.Filters, Sort: r.Sort,
		IsDefault: r.IsDefault, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if len(v.Filters) == 0 {
		v.Filters = json.RawMessage("[]")
	}
	if len(v.Sort) == 0 {
		v.Sort = json.RawMessage("null")
	}
	v.Columns = []string{}
	_ = json.Unmarshal(r.Columns, &v.Columns) // written by us: always an array of strings
	return v
}

// ViewListInput names the type whose views to list.
type ViewListInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
}

// CreateViewInput is POST /v1/object-types/:object_type_id/views.
type CreateViewInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	Name         string `json:"name"`
	// Filters is an array of the filter language (absent: none).
	Filters json.RawMessage `json:"filters"`
	// Sort is {"property", "order": "asc"|"desc"} (absent, null or {}: none).
	Sort      json.RawMessage `json:"sort"`
	Columns   []string        `json:"columns"`
	IsDefault bool            `json:"is_default"`
}

// UpdateViewInput is PATCH .../views/:view_id: absent members keep their
// value; null filters empty them, a null sort removes it.
type UpdateViewInput struct {
	ObjectTypeID string          `path:"object_type_id" json:"-"`
	ViewID       string          `path:"view_id" json:"-"`
	Name         *string         `json:"name"`
	Filters      json.RawMessage `json:"filters"`
	Sort         json.RawMessage `json:"sort"`
	Columns      *[]string       `json:"columns"`
	IsDefault    *bool           `json:"is_default"`
}

// ViewRef names a view of a type.
type ViewRef struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	ViewID       string `path:"view_id" json:"-"`
}

// ListViews returns a type's views by name (a bare list: a type has at most
// MaxViews). Errors: NOT_FOUND (type), INSUFFICIENT_SCOPE.
func (s *Service) ListViews(ctx context.Context, in ViewListInput) ([]View, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return nil, err
	}
	byType, err := s.views(ctx, s.core.DB, p.TenantID, []string{t.ID})
	return byType[t.ID], err
}

// ViewsOfTypes returns the views of several types of the caller's tenant,
// by type id (every id present, with an empty list when it has none or is
// not the tenant's): GraphQL batches ObjectType.views through it.
func (s *Service) ViewsOfTypes(ctx context.Context, typeIDs []string) (map[string][]View, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, s.core.DB, p.TenantID, typeIDs)
}

func (s *Service) views(ctx context.Context, idb bun.IDB, tenantID string, typeIDs []string) (map[string][]View, error) {
	out := make(map[string][]View, len(typeIDs))
	for _, id := range typeIDs {
		out[id] = []View{}
	}
	if len(typeIDs) == 0 {
		return out, nil
	}
	rows, err := db.ObjectViewList(ctx, idb, tenantID, typeIDs, int64(MaxViews*len(typeIDs)))
	if err != nil {
		return nil, domain.Internal(err)
	}
	for i := range rows {
		out[rows[i].ObjectTypeID] = append(out[rows[i].ObjectTypeID], viewFromRow(&rows[i]))
	}
	return out, nil
}

// PropertiesOfTypes returns the properties of several types of the caller's
// tenant in their order, by type id (every id present): GraphQL batches
// ObjectType.properties through it.
func (s *Service) PropertiesOfTypes(ctx context.Context, typeIDs []string) (map[string][]Property, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Property, len(typeIDs))
	for _, id := range typeIDs {
		out[id] = []Property{}
	}
	if len(typeIDs) == 0 {
		return out, nil
	}
	rows, err := db.ObjectPropertyListForTypes(ctx, s.core.DB, p.TenantID, typeIDs, int64(MaxProperties*len(typeIDs)))
	if err != nil {
		return nil, domain.Internal(err)
	}
	for i := range rows {
		out[rows[i].ObjectTypeID] = append(out[rows[i].ObjectTypeID], propertyFromRow(&rows[i]))
	}
	return out, nil
}

// CreateView saves a view of a type; is_default makes it the type's only
// default. Errors: NOT_FOUND (type), VALIDATION_FAILED (name, filters, sort,
// columns, the view cap), CONFLICT (name taken), INSUFFICIENT_SCOPE.
func (s *Service) CreateView(ctx context.Context, in CreateViewInput) (View, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return View{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v domain.Validation
	domain.CheckText(&v, "name", in.Name, maxViewName, true)
	if err := v.Err(); err != nil {
		return View{}, err
	}
	var out View
	err = s.core.Write(ctx, func(w *domain.Write) error {
		// The type's row lock serializes its views' writes (name, cap and
		// the one default).
		t, err := s.objectType(ctx, w.Tx, p.TenantID, in.ObjectTypeID, true)
		if err != nil {
			return err
		}
		now := s.core.Clock.Now()
		row := &db.ObjectView{TenantID: p.TenantID, ID: domain.NewID(PrefixView), ObjectTypeID: t.ID, Name: in.Name,
			IsDefault: in.IsDefault, CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
		if err := s.checkViewBody(ctx, w.Tx, t, row, in.Filters, in.Sort, in.Columns); err != nil {
			return err
		}
		n, err := db.ObjectViewCount(ctx, w.Tx, p.TenantID, t.ID)
		if err != nil {
			return domain.Internal(err)
		}
		if n >= MaxViews {
			return domain.Invalid("name", "cannot be added: an object type has at most "+strconv.Itoa(MaxViews)+" views")
		}
		if err := s.takeDefault(ctx, w, row); err != nil {
			return err
		}
		if err := db.ObjectViewInsert(ctx, w.Tx, row); err != nil {
			return viewWriteError(err, t.Name, row.Name)
		}
		out = viewFromRow(row)
		return s.recordView(w, p.TenantID, "view.create", "view.created", nil, &out)
	})
	return out, err
}

// UpdateView changes a view; members absent keep their value. Errors:
// NOT_FOUND (type, view), VALIDATION_FAILED, CONFLICT (name taken).
func (s *Service) UpdateView(ctx context.Context, in UpdateViewInput) (View, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return View{}, err
	}
	var out View
	err = s.core.Write(ctx, func(w *domain.Write) error {
		t, row, err := s.view(ctx, w.Tx, p.TenantID, in.ObjectTypeID, in.ViewID)
		if err != nil {
			return err
		}
		before := viewFromRow(row)
		if err := s.applyViewUpdate(ctx, w.Tx, t, row, in); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := s.takeDefault(ctx, w, row); err != nil {
			return err
		}
		if err := db.ObjectViewUpdate(ctx, w.Tx, row); err != nil {
			return viewWriteError(err, t.Name, row.Name)
		}
		out = viewFromRow(row)
		return s.recordView(w, p.TenantID, "view.update", "view.updated", &before, &out)
	})
	return out, err
}

func (s *Service) applyViewUpdate(ctx context.Context, tx bun.IDB, t *db.ObjectType, row *db.ObjectView, in UpdateViewInput) error {
	var v domain.Validation
	if in.Name != nil {
		row.Name = strings.TrimSpace(*in.Name)
		domain.CheckText(&v, "name", row.Name, maxViewName, true)
	}
	if in.IsDefault != nil {
		row.IsDefault = *in.IsDefault
	}
	if err := v.Err(); err != nil || (len(in.Filters) == 0 && len(in.Sort) == 0 && in.Columns == nil) {
		return err
	}
	// Only the members sent are checked: a rename does not fail on a
	// property deleted since the view was saved.
	props, err := s.properties(ctx, tx, t.TenantID, t.ID)
	if err != nil {
		return err
	}
	if len(in.Filters) > 0 {
		if row.Filters, err = checkFilters(&v, props, in.Filters); err != nil {
			return err
		}
	}
	if len(in.Sort) > 0 {
		row.Sort = checkSort(&v, props, in.Sort)
	}
	if in.Columns != nil {
		row.Columns, _ = json.Marshal(checkColumns(&v, props, *in.Columns))
	}
	return v.Err()
}

// checkViewBody validates the filters, sort and columns of a new view
// against the type's properties and stores their canonical form in row.
func (s *Service) checkViewBody(ctx context.Context, tx bun.IDB, t *db.ObjectType, row *db.ObjectView,
	filters, sort json.RawMessage, columns []string) error {
	props, err := s.properties(ctx, tx, t.TenantID, t.ID)
	if err != nil {
		return err
	}
	var v domain.Validation
	if row.Filters, err = checkFilters(&v, props, filters); err != nil {
		return err
	}
	row.Sort = checkSort(&v, props, sort)
	row.Columns, _ = json.Marshal(checkColumns(&v, props, columns))
	return v.Err()
}

// checkFilters parses filters into their canonical JSON, adding field
// errors to v; a cap exceeded is returned alone, its message naming it.
func checkFilters(v *domain.Validation, props []Property, filters json.RawMessage) (json.RawMessage, error) {
	parsed, err := ParseFilters(props, filters)
	if isCapError(err) {
		return nil, err
	}
	if err != nil {
		mergeFields(v, err)
		return nil, nil
	}
	out, _ := json.Marshal(parsed)
	return out, nil
}

// mergeFields copies the field messages of a validation error into v.
func mergeFields(v *domain.Validation, err error) {
	e := domain.AsError(err)
	for field, msgs := range e.Fields {
		for _, m := range msgs {
			v.Add(field, m)
		}
	}
}

// checkSort validates a view's sort: null, absent or {} for none, else a
// sortable property or a built-in field and an order (asc by default).
func checkSort(v *domain.Validation, props []Property, raw json.RawMessage) json.RawMessage {
	if isNull(raw) || strings.TrimSpace(string(raw)) == "{}" {
		return nil
	}
	var in struct {
		Property *string `json:"property"`
		Order    *string `json:"order"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		v.Add("sort", `must be an object {"property": "...", "order": "asc" or "desc"}`)
		return nil
	}
	out := ViewSort{Order: "asc"}
	if in.Order != nil {
		out.Order = *in.Order
	}
	v.Check(out.Order != "asc" && out.Order != "desc", "sort.order", "must be asc or desc")
	if in.Property == nil || *in.Property == "" {
		v.Add("sort.property", "is required")
		return nil
	}
	name, def, ok := resolveField(props, *in.Property)
	switch {
	case !ok:
		v.Add("sort.property", "is not a property of this object type nor a built-in field: "+strconv.Quote(*in.Property))
		return nil
	case def != nil && !def.IsSortable:
		v.Add("sort.property", "is not sortable (set is_sortable on the property "+strconv.Quote(name)+")")
		return nil
	}
	out.Property = name
	b, _ := json.Marshal(out)
	return b
}

// checkColumns validates a view's columns: property names or ids (stored as
// names) and built-in fields, each once.
func checkColumns(v *domain.Validation, props []Property, columns []string) []string {
	out := make([]string, 0, len(columns))
	if len(columns) > maxColumnsCount {
		v.Add("columns", "must hold at most "+strconv.Itoa(maxColumnsCount)+" columns")
		return out
	}
	for i, c := range columns {
		field := "columns[" + strconv.Itoa(i) + "]"
		name, _, ok := resolveField(props, c)
		switch {
		case !ok:
			v.Add(field, "is not a property of this object type nor a built-in field: "+strconv.Quote(c))
		case slices.Contains(out, name):
			v.Add(field, "is given twice ("+strconv.Quote(name)+")")
		default:
			out = append(out, name)
		}
	}
	return out
}

// takeDefault unsets the type's other default view when row becomes the
// default, announcing the change of each.
func (s *Service) takeDefault(ctx context.Context, w *domain.Write, row *db.ObjectView) error {
	if !row.IsDefault {
		return nil
	}
	ids, err := db.ObjectViewClearDefault(ctx, w.Tx, row.TenantID, row.ObjectTypeID, row.ID, row.UpdatedAt)
	if err != nil {
		return domain.Internal(err)
	}
	for _, id := range ids {
		changes := map[string]any{"is_default": map[string]any{"before": true, "after": false}}
		if err := w.Audit(row.TenantID, "view.update", "view", id, changes); err != nil {
			return err
		}
		if err := w.Emit(row.TenantID, Topic, "view.updated", map[string]any{"id": id, "object_type_id": row.ObjectTypeID, "is_default": false}); err != nil {
			return err
		}
	}
	return nil
}

func viewWriteError(err error, typeName, name string) error {
	if db.IsUniqueViolation(err) {
		return domain.Errorf(domain.CodeConflict, "The object type %q has a view named %q already.", typeName, name)
	}
	return domain.Internal(err)
}

// DeleteView deletes a view. Errors: NOT_FOUND (type, view).
func (s *Service) DeleteView(ctx context.Context, in ViewRef) (Deleted, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return Deleted{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		_, row, err := s.view(ctx, w.Tx, p.TenantID, in.ObjectTypeID, in.ViewID)
		if err != nil {
			return err
		}
		if err := db.ObjectViewDelete(ctx, w.Tx, p.TenantID, row.ObjectTypeID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := viewFromRow(row)
		return s.recordView(w, p.TenantID, "view.delete", "view.deleted", &before, nil)
	})
	if err != nil {
		return Deleted{}, err
	}
	return Deleted{Deleted: true}, nil
}

// view loads a view of a type by id, locking the type. Errors: NOT_FOUND.
func (s *Service) view(ctx context.Context, tx bun.IDB, tenantID, typeRef, id string) (*db.ObjectType, *db.ObjectView, error) {
	return typeChild(ctx, s, tx, tenantID, typeRef, id, PrefixView, "View", db.ObjectViewGet)
}

// typeChild loads a resource that belongs to a type (a view, a policy) by
// id with get, locking the type. Errors: NOT_FOUND (type or resource).
func typeChild[T any](ctx context.Context, s *Service, tx bun.IDB, tenantID, typeRef, id, prefix, what string,
	get func(context.Context, bun.IDB, string, string, string) (*T, error)) (*db.ObjectType, *T, error) {
	t, err := s.objectType(ctx, tx, tenantID, typeRef, true)
	if err != nil {
		return nil, nil, err
	}
	if !domain.ValidID(prefix, id) {
		return nil, nil, domain.NotFound(what)
	}
	row, err := get(ctx, tx, tenantID, t.ID, id)
	if db.IsNoRows(err) {
		return nil, nil, domain.NotFound(what)
	}
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	return t, row, nil
}

func (s *Service) recordView(w *domain.Write, tenantID, action, event string, before, after *View) error {
	cur := after
	if cur == nil {
		cur = before
	}
	if err := w.Audit(tenantID, action, "view", cur.ID, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, cur)
}
