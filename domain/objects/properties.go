package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Property is a typed field of an object type.
type Property struct {
	ID           string `json:"id"`
	ObjectTypeID string `json:"object_type_id"`
	Name         string `json:"name"`
	DataType     string `json:"data_type"`
	IsIndexed    bool   `json:"is_indexed"`
	IsSortable   bool   `json:"is_sortable"`
	IsUnique     bool   `json:"is_unique"`
	IsRequired   bool   `json:"is_required"`
	// DefaultValue fills the property on create when absent (null: none).
	DefaultValue json.RawMessage `json:"default_value"`
	// EnumValues are the allowed values of enum and multi_enum (else null).
	EnumValues  []string  `json:"enum_values"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func propertyFromRow(r *db.ObjectProperty) Property {
	p := Property{ID: r.ID, ObjectTypeID: r.ObjectTypeID, Name: r.Name, DataType: r.DataType,
		IsIndexed: r.IsIndexed, IsSortable: r.IsSortable, IsUnique: r.IsUnique, IsRequired: r.IsRequired,
		DefaultValue: r.DefaultValue, Description: r.Description, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if len(r.EnumValues) > 0 {
		_ = json.Unmarshal(r.EnumValues, &p.EnumValues) // written by us: always an array of strings
	}
	return p
}

// PropertySpec defines a property (POST .../properties, and each item of a
// type's "properties" on create).
type PropertySpec struct {
	Name         string          `json:"name"`
	DataType     string          `json:"data_type"`
	IsIndexed    bool            `json:"is_indexed"`
	IsSortable   bool            `json:"is_sortable"`
	IsUnique     bool            `json:"is_unique"`
	IsRequired   bool            `json:"is_required"`
	DefaultValue json.RawMessage `json:"default_value"`
	EnumValues   []any           `json:"enum_values"`
	Description  string          `json:"description"`

	// Filled by checkPropertySpec.
	enum     []string
	defaults json.RawMessage
}

// CreatePropertyInput is POST /v1/object-types/:object_type_id/properties:
// a PropertySpec and the type (fields repeated rather than embedded, so a
// wrong JSON type names the member alone).
type CreatePropertyInput struct {
	ObjectTypeID string          `path:"object_type_id" json:"-"`
	Name         string          `json:"name"`
	DataType     string          `json:"data_type"`
	IsIndexed    bool            `json:"is_indexed"`
	IsSortable   bool            `json:"is_sortable"`
	IsUnique     bool            `json:"is_unique"`
	IsRequired   bool            `json:"is_required"`
	DefaultValue json.RawMessage `json:"default_value"`
	EnumValues   []any           `json:"enum_values"`
	Description  string          `json:"description"`
}

func (in CreatePropertyInput) spec() PropertySpec {
	return PropertySpec{Name: in.Name, DataType: in.DataType, IsIndexed: in.IsIndexed, IsSortable: in.IsSortable,
		IsUnique: in.IsUnique, IsRequired: in.IsRequired, DefaultValue: in.DefaultValue, EnumValues: in.EnumValues,
		Description: in.Description}
}

// PropertyListInput names the type whose properties to list.
type PropertyListInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
}

// PropertyRef names a property (prop_... or its name) of a type.
type PropertyRef struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	PropertyID   string `path:"property_id" json:"-"`
}

// UpdatePropertyInput is PATCH .../properties/:property_id. name and
// data_type cannot change: sending them different is 400.
type UpdatePropertyInput struct {
	ObjectTypeID string  `path:"object_type_id" json:"-"`
	PropertyID   string  `path:"property_id" json:"-"`
	Name         *string `json:"name"`
	DataType     *string `json:"data_type"`
	IsIndexed    *bool   `json:"is_indexed"`
	IsSortable   *bool   `json:"is_sortable"`
	IsUnique     *bool   `json:"is_unique"`
	IsRequired   *bool   `json:"is_required"`
	// DefaultValue: absent keeps it, null removes it.
	DefaultValue json.RawMessage        `json:"default_value"`
	EnumValues   domain.Optional[[]any] `json:"enum_values"`
	Description  *string                `json:"description"`
}

// ListProperties returns a type's properties in their order. Errors:
// NOT_FOUND (type), INSUFFICIENT_SCOPE.
func (s *Service) ListProperties(ctx context.Context, in PropertyListInput) ([]Property, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return nil, err
	}
	return s.properties(ctx, s.core.DB, p.TenantID, t.ID)
}

// properties returns the properties of a type by id, in order (objects
// validate against them inside their own transaction).
func (s *Service) properties(ctx context.Context, idb bun.IDB, tenantID, typeID string) ([]Property, error) {
	load := func() ([]Property, error) {
		rows, err := db.ObjectPropertyList(ctx, idb, tenantID, typeID, MaxProperties)
		if err != nil {
			return nil, domain.Internal(err)
		}
		out := make([]Property, len(rows))
		for i := range rows {
			out[i] = propertyFromRow(&rows[i])
		}
		return out, nil
	}
	if s.cacheable(idb, false) {
		return s.cachedProperties(tenantID, typeID, load)
	}
	return load()
}

// CreateProperty adds a property to a type; when flagged, the index rows
// and unique values of the values documents already hold under its name
// are built. Errors: NOT_FOUND (type), VALIDATION_FAILED (fields, the
// 500-property cap), CONFLICT (name taken, is_unique over shared values).
func (s *Service) CreateProperty(ctx context.Context, in CreatePropertyInput) (Property, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return Property{}, err
	}
	var v domain.Validation
	spec := in.spec()
	checkPropertySpec(&v, "", &spec)
	if err := v.Err(); err != nil {
		return Property{}, err
	}
	var out Property
	err = s.schemaWrite(ctx, p.TenantID, func(w *domain.Write) error {
		t, err := s.objectType(ctx, w.Tx, p.TenantID, in.ObjectTypeID, true)
		if err != nil {
			return err
		}
		props, err := s.insertProperties(ctx, w, t, []PropertySpec{spec})
		if err != nil {
			return err
		}
		out = props[0]
		// Documents may hold values under the new name already (untyped).
		return reindexProperty(ctx, w.Tx, t, nil, &out)
	})
	return out, err
}

// insertProperties appends checked specs to a type (whose row the caller
// has locked or just created), enforcing the per-type cap. Field errors
// name properties[i].field when there are several specs.
func (s *Service) insertProperties(ctx context.Context, w *domain.Write, t *db.ObjectType, specs []PropertySpec) ([]Property, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	count, next, err := db.ObjectPropertyStats(ctx, w.Tx, t.TenantID, t.ID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if count+len(specs) > MaxProperties {
		field := "properties"
		if len(specs) == 1 {
			field = "name"
		}
		return nil, domain.Invalid(field, "cannot be added: an object type has at most "+strconv.Itoa(MaxProperties)+" properties")
	}
	now := s.core.Clock.Now()
	out := make([]Property, 0, len(specs))
	for i, sp := range specs {
		row := &db.ObjectProperty{TenantID: t.TenantID, ID: domain.NewID(PrefixProperty), ObjectTypeID: t.ID,
			Name: sp.Name, DataType: sp.DataType, IsIndexed: sp.IsIndexed, IsSortable: sp.IsSortable,
			IsUnique: sp.IsUnique, IsRequired: sp.IsRequired, DefaultValue: sp.defaults,
			EnumValues: marshalEnum(sp.enum), Description: sp.Description, Position: next + i,
			CreatedAt: now, UpdatedAt: now}
		if err := db.ObjectPropertyInsert(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return nil, domain.Errorf(domain.CodeConflict, "The object type %q has a property named %q already.", t.Name, sp.Name)
			}
			return nil, domain.Internal(err)
		}
		prop := propertyFromRow(row)
		if err := s.recordProperty(w, t.TenantID, "property.create", "property.created", nil, &prop); err != nil {
			return nil, err
		}
		out = append(out, prop)
	}
	return out, nil
}

// checkPropertySpec validates a new property; errors name prefix+field.
func checkPropertySpec(v *domain.Validation, prefix string, sp *PropertySpec) {
	sp.Name = strings.TrimSpace(sp.Name)
	checkName(v, prefix+"name", sp.Name, PrefixProperty, true)
	domain.CheckText(v, prefix+"description", sp.Description, maxDescription, false)
	if !ValidDataType(sp.DataType) {
		v.Add(prefix+"data_type", "must be one of "+strings.Join(DataTypes, ", "))
		return
	}
	checkFlags(v, prefix, sp.DataType, sp.IsIndexed, sp.IsSortable, sp.IsUnique)
	enum, ok := checkEnumValues(v, prefix, sp.DataType, sp.EnumValues, sp.EnumValues != nil)
	if !ok {
		return
	}
	sp.enum = enum
	sp.defaults = checkDefault(v, prefix, Property{DataType: sp.DataType, EnumValues: enum}, sp.DefaultValue)
}

// checkFlags refuses index flags on types whose values no index row holds.
func checkFlags(v *domain.Validation, prefix, dataType string, indexed, sortable, unique bool) {
	v.Check(indexed && !indexable(dataType), prefix+"is_indexed", "is not available for "+dataType+" properties")
	v.Check(sortable && !indexable(dataType), prefix+"is_sortable", "is not available for "+dataType+" properties")
	v.Check(unique && !uniqueable(dataType), prefix+"is_unique", "is not available for "+dataType+" properties")
}

// checkEnumValues checks enum_values against the data type: enum and
// multi_enum need 1 to 500 distinct non-empty strings; other types none.
// ok is false when the values are unusable (defaults are then not checked).
func checkEnumValues(v *domain.Validation, prefix, dataType string, values []any, given bool) ([]string, bool) {
	field := prefix + "enum_values"
	if !hasEnumValues(dataType) {
		if given {
			v.Add(field, "applies only to enum and multi_enum properties")
			return nil, false
		}
		return nil, true
	}
	if len(values) == 0 {
		v.Add(field, "is required for "+dataType+" properties (a non-empty array of strings)")
		return nil, false
	}
	if len(values) > MaxEnumValues {
		v.Add(field, "must hold at most "+strconv.Itoa(MaxEnumValues)+" values")
		return nil, false
	}
	out := make([]string, 0, len(values))
	seen := map[string]bool{}
	for _, it := range values {
		s, ok := it.(string)
		if !ok {
			v.Add(field, "must hold only strings")
			return nil, false
		}
		var tv domain.Validation
		domain.CheckText(&tv, field, s, maxEnumValueChars, true)
		if tv.Err() != nil {
			v.Add(field, "must hold non-empty strings of at most "+strconv.Itoa(maxEnumValueChars)+" characters without control characters")
			return nil, false
		}
		if seen[s] {
			v.Add(field, "must not repeat a value ("+strconv.Quote(s)+")")
			return nil, false
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, true
}

// checkDefault validates a default value against the property and returns
// its normalized JSON (nil for none: absent or null).
func checkDefault(v *domain.Validation, prefix string, p Property, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		v.Add(prefix+"default_value", "must be a JSON value")
		return nil
	}
	norm, msg := ValidateValue(p, val)
	if msg != "" {
		v.Add(prefix+"default_value", msg)
		return nil
	}
	out, err := json.Marshal(norm)
	if err != nil {
		v.Add(prefix+"default_value", "must be a JSON value")
		return nil
	}
	return out
}

func marshalEnum(values []string) json.RawMessage {
	if values == nil {
		return nil
	}
	raw, _ := json.Marshal(values)
	return raw
}

// UpdateProperty changes a property's flags, default, enum values or
// description; flagging it builds its index rows and unique values from
// the existing objects, unflagging drops them. Errors: NOT_FOUND,
// VALIDATION_FAILED (also name or data_type changed: delete the property
// and create another), CONFLICT (is_unique over values objects share).
func (s *Service) UpdateProperty(ctx context.Context, in UpdatePropertyInput) (Property, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return Property{}, err
	}
	var out Property
	err = s.schemaWrite(ctx, p.TenantID, func(w *domain.Write) error {
		t, row, err := s.property(ctx, w.Tx, p.TenantID, in.ObjectTypeID, in.PropertyID)
		if err != nil {
			return err
		}
		before := propertyFromRow(row)
		if err := applyPropertyUpdate(row, before, in); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.ObjectPropertyUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = propertyFromRow(row)
		if err := reindexProperty(ctx, w.Tx, t, &before, &out); err != nil {
			return err
		}
		return s.recordProperty(w, p.TenantID, "property.update", "property.updated", &before, &out)
	})
	return out, err
}

func applyPropertyUpdate(row *db.ObjectProperty, cur Property, in UpdatePropertyInput) error {
	var v domain.Validation
	v.Check(in.Name != nil && *in.Name != row.Name, "name", "cannot be changed (delete the property and create another)")
	v.Check(in.DataType != nil && *in.DataType != row.DataType, "data_type", "cannot be changed (delete the property and create another)")
	if in.IsIndexed != nil {
		row.IsIndexed = *in.IsIndexed
	}
	if in.IsSortable != nil {
		row.IsSortable = *in.IsSortable
	}
	if in.IsUnique != nil {
		row.IsUnique = *in.IsUnique
	}
	if in.IsRequired != nil {
		row.IsRequired = *in.IsRequired
	}
	checkFlags(&v, "", row.DataType, row.IsIndexed, row.IsSortable, row.IsUnique)
	if in.Description != nil {
		row.Description = *in.Description
		domain.CheckText(&v, "description", row.Description, maxDescription, false)
	}
	enum := cur.EnumValues
	if in.EnumValues.Set {
		var values []any
		if in.EnumValues.Value != nil {
			values = *in.EnumValues.Value
		}
		var ok bool
		if enum, ok = checkEnumValues(&v, "", row.DataType, values, true); !ok {
			return v.Err()
		}
		row.EnumValues = marshalEnum(enum)
	}
	// The default is checked again when the enum values change under it.
	def := json.RawMessage(row.DefaultValue)
	if in.DefaultValue != nil {
		def = in.DefaultValue
	}
	row.DefaultValue = checkDefault(&v, "", Property{DataType: row.DataType, EnumValues: enum}, def)
	return v.Err()
}

// DeleteProperty removes a property from its type. Values already stored in
// objects stay there, untyped. Errors: NOT_FOUND.
func (s *Service) DeleteProperty(ctx context.Context, in PropertyRef) (Deleted, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return Deleted{}, err
	}
	err = s.schemaWrite(ctx, p.TenantID, func(w *domain.Write) error {
		_, row, err := s.property(ctx, w.Tx, p.TenantID, in.ObjectTypeID, in.PropertyID)
		if err != nil {
			return err
		}
		if err := db.ObjectPropertyDelete(ctx, w.Tx, p.TenantID, row.ObjectTypeID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := propertyFromRow(row)
		return s.recordProperty(w, p.TenantID, "property.delete", "property.deleted", &before, nil)
	})
	if err != nil {
		return Deleted{}, err
	}
	return Deleted{Deleted: true}, nil
}

// property loads a property by id or name within a type, locking the type
// (schema changes of one type run one at a time). Errors: NOT_FOUND.
func (s *Service) property(ctx context.Context, tx bun.IDB, tenantID, typeRef, ref string) (*db.ObjectType, *db.ObjectProperty, error) {
	t, err := s.objectType(ctx, tx, tenantID, typeRef, true)
	if err != nil {
		return nil, nil, err
	}
	byName := !domain.ValidID(PrefixProperty, ref)
	if byName && !namePattern.MatchString(ref) {
		return nil, nil, domain.NotFound("Property")
	}
	row, err := db.ObjectPropertyGet(ctx, tx, tenantID, t.ID, ref, byName)
	if db.IsNoRows(err) {
		return nil, nil, domain.NotFound("Property")
	}
	if err != nil {
		return nil, nil, domain.Internal(err)
	}
	return t, row, nil
}

func (s *Service) recordProperty(w *domain.Write, tenantID, action, event string, before, after *Property) error {
	cur := after
	if cur == nil {
		cur = before
	}
	if err := w.Audit(tenantID, action, "property", cur.ID, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, cur)
}
