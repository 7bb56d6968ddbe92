package objects

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// ObjectType is a tenant-defined kind of object.
type ObjectType struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"tenant_id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	Description string    `json:"description"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Properties is set on the answer of a create that defined some.
	Properties []Property `json:"properties,omitempty"`
}

func typeFromRow(r *db.ObjectType) ObjectType {
	return ObjectType{ID: r.ID, TenantID: r.TenantID, Name: r.Name, DisplayName: r.DisplayName,
		Description: r.Description, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// TypeRef names an object type by id (ot_...) or name.
type TypeRef struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
}

// CreateTypeInput is the body of POST /v1/object-types.
type CreateTypeInput struct {
	Name string `json:"name"`
	// DisplayName defaults to the name in title case ("line_items" → "Line Items").
	DisplayName string `json:"display_name"`
	Description string `json:"description"`
	// Properties are created with the type, in the same transaction.
	Properties []PropertySpec `json:"properties"`
}

// UpdateTypeInput is the body of PATCH /v1/object-types/:object_type_id.
type UpdateTypeInput struct {
	ObjectTypeID string  `path:"object_type_id" json:"-"`
	Name         *string `json:"name"`
	DisplayName  *string `json:"display_name"`
	Description  *string `json:"description"`
}

// DeleteTypeInput is DELETE /v1/object-types/:object_type_id.
type DeleteTypeInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	// Force with ConfirmToken (from the 409 DEPENDENCY_EXISTS answer)
	// deletes a type that still has objects, with them.
	Force        bool   `query:"force" json:"-"`
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// ListTypes returns the tenant's object types by name (a bare list; a
// tenant has at most MaxTypes). Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListTypes(ctx context.Context) ([]ObjectType, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.ObjectTypeList(ctx, s.core.DB, p.TenantID, MaxTypes)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]ObjectType, len(rows))
	for i := range rows {
		out[i] = typeFromRow(&rows[i])
	}
	return out, nil
}

// GetType loads a type by id or name. Errors: NOT_FOUND.
func (s *Service) GetType(ctx context.Context, in TypeRef) (ObjectType, error) {
	p, err := reader(ctx)
	if err != nil {
		return ObjectType{}, err
	}
	row, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return ObjectType{}, err
	}
	return typeFromRow(row), nil
}

// CreateType defines a new object type, with its first properties when
// given. Errors: VALIDATION_FAILED (fields, properties[i].field, the type
// cap), CONFLICT (name taken), INSUFFICIENT_SCOPE.
func (s *Service) CreateType(ctx context.Context, in CreateTypeInput) (ObjectType, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return ObjectType{}, err
	}
	if err := checkCreateType(&in); err != nil {
		return ObjectType{}, err
	}
	var out ObjectType
	err = s.schemaWrite(ctx, p.TenantID, func(w *domain.Write) error {
		row, err := s.insertType(ctx, w, p, in)
		if err != nil {
			return err
		}
		out = typeFromRow(row)
		// The type is announced before its properties, as if created apart.
		if err := s.recordType(w, "object_type.create", "object_type.created", nil, &out); err != nil {
			return err
		}
		out.Properties, err = s.insertProperties(ctx, w, row, in.Properties)
		return err
	})
	return out, err
}

// checkCreateType validates the type's own fields and the shape of its
// properties (each named properties[i].field); defaults it fills in.
func checkCreateType(in *CreateTypeInput) error {
	var v domain.Validation
	in.Name = strings.TrimSpace(in.Name)
	checkName(&v, "name", in.Name, PrefixType, false)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" && namePattern.MatchString(in.Name) {
		in.DisplayName = displayName(in.Name)
	}
	domain.CheckText(&v, "display_name", in.DisplayName, maxDisplayName, false)
	domain.CheckText(&v, "description", in.Description, maxDescription, false)
	if len(in.Properties) > MaxProperties {
		v.Add("properties", "must hold at most "+strconv.Itoa(MaxProperties)+" properties (the cap per object type)")
		return v.Err()
	}
	seen := map[string]bool{}
	for i := range in.Properties {
		prefix := "properties[" + strconv.Itoa(i) + "]."
		checkPropertySpec(&v, prefix, &in.Properties[i])
		name := in.Properties[i].Name
		if seen[name] && name != "" {
			v.Add(prefix+"name", "is given twice")
		}
		seen[name] = true
	}
	return v.Err()
}

func (s *Service) insertType(ctx context.Context, w *domain.Write, p *domain.Principal, in CreateTypeInput) (*db.ObjectType, error) {
	if err := db.LockObjectTypes(ctx, w.Tx, p.TenantID); err != nil {
		return nil, domain.Internal(err)
	}
	n, err := db.ObjectTypeCount(ctx, w.Tx, p.TenantID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	if n >= MaxTypes {
		return nil, domain.Invalid("name", "cannot be added: a tenant has at most "+strconv.Itoa(MaxTypes)+" object types")
	}
	now := s.core.Clock.Now()
	row := &db.ObjectType{TenantID: p.TenantID, ID: domain.NewID(PrefixType), Name: in.Name, DisplayName: in.DisplayName,
		Description: in.Description, CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
	if err := db.ObjectTypeInsert(ctx, w.Tx, row); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, nameTaken(in.Name)
		}
		return nil, domain.Internal(err)
	}
	return row, nil
}

func nameTaken(name string) error {
	return domain.Errorf(domain.CodeConflict, "An object type named %q exists already.", name)
}

// UpdateType renames a type or changes its display name or description.
// Errors: NOT_FOUND, VALIDATION_FAILED, CONFLICT (name taken).
func (s *Service) UpdateType(ctx context.Context, in UpdateTypeInput) (ObjectType, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return ObjectType{}, err
	}
	var out ObjectType
	err = s.schemaWrite(ctx, p.TenantID, func(w *domain.Write) error {
		row, err := s.objectType(ctx, w.Tx, p.TenantID, in.ObjectTypeID, true)
		if err != nil {
			return err
		}
		before := typeFromRow(row)
		if err := applyTypeUpdate(row, in); err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.ObjectTypeUpdate(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return nameTaken(row.Name)
			}
			return domain.Internal(err)
		}
		out = typeFromRow(row)
		return s.recordType(w, "object_type.update", "object_type.updated", &before, &out)
	})
	return out, err
}

func applyTypeUpdate(row *db.ObjectType, in UpdateTypeInput) error {
	var v domain.Validation
	if in.Name != nil {
		row.Name = strings.TrimSpace(*in.Name)
		checkName(&v, "name", row.Name, PrefixType, false)
	}
	if in.DisplayName != nil {
		row.DisplayName = strings.TrimSpace(*in.DisplayName)
		domain.CheckText(&v, "display_name", row.DisplayName, maxDisplayName, true)
	}
	if in.Description != nil {
		row.Description = *in.Description
		domain.CheckText(&v, "description", row.Description, maxDescription, false)
	}
	return v.Err()
}

// DeleteType deletes a type and its properties. A type that still has
// objects answers 409 DEPENDENCY_EXISTS with a confirm_token; the delete
// then goes through with ?force=true&confirm_token=..., cascading to the
// objects. force=true always needs a valid token. Errors: NOT_FOUND,
// DEPENDENCY_EXISTS, INVALID_CONFIRM_TOKEN.
func (s *Service) DeleteType(ctx context.Context, in DeleteTypeInput) (Deleted, error) {
	p, err := schemaWriter(ctx)
	if err != nil {
		return Deleted{}, err
	}
	err = s.schemaWrite(ctx, p.TenantID, func(w *domain.Write) error {
		row, err := s.objectType(ctx, w.Tx, p.TenantID, in.ObjectTypeID, true)
		if err != nil {
			return err
		}
		resource := "object_type:" + row.ID
		if in.Force {
			if err := s.core.ConsumeConfirmToken(ctx, p.TenantID, resource, in.ConfirmToken); err != nil {
				return err
			}
		} else {
			deps, err := typeDependencies(ctx, w.Tx, p.TenantID, row.ID)
			if err != nil {
				return domain.Internal(err)
			}
			if len(deps) > 0 {
				return s.core.DependencyError(ctx, p.TenantID, resource, deps, true)
			}
		}
		if err := db.ObjectTypeDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := typeFromRow(row)
		return s.recordType(w, "object_type.delete", "object_type.deleted", &before, nil)
	})
	if err != nil {
		return Deleted{}, err
	}
	return Deleted{Deleted: true}, nil
}

// typeDependencies lists what a type's deletion would take with it, for the
// 409 DEPENDENCY_EXISTS answer: its objects, live and trashed (a force
// delete cascades to them, their versions and index rows). Properties are
// part of the type and never block.
func typeDependencies(ctx context.Context, tx bun.IDB, tenantID, typeID string) ([]domain.Dependency, error) {
	var deps []domain.Dependency
	n, err := countObjects(ctx, tx, tenantID, typeID)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		deps = append(deps, domain.Dependency{Type: "objects", Count: n, Label: "Objects"})
	}
	return deps, nil
}

func (s *Service) recordType(w *domain.Write, action, event string, before, after *ObjectType) error {
	cur := after
	if cur == nil {
		cur = before
	}
	if err := w.Audit(cur.TenantID, action, "object_type", cur.ID, map[string]any{"before": before, "after": after}); err != nil {
		return err
	}
	return w.Emit(cur.TenantID, Topic, event, cur)
}

// objectType loads a type by id (ot_...) or name; lock takes a row lock
// for schema changes. Errors: NOT_FOUND (also for refs no type can have).
func (s *Service) objectType(ctx context.Context, idb bun.IDB, tenantID, ref string, lock bool) (*db.ObjectType, error) {
	byName := !domain.ValidID(PrefixType, ref)
	if byName && !namePattern.MatchString(ref) {
		return nil, domain.NotFound("Object type")
	}
	load := func() (*db.ObjectType, error) {
		row, err := db.ObjectTypeGet(ctx, idb, tenantID, ref, byName, lock)
		if db.IsNoRows(err) {
			return nil, domain.NotFound("Object type")
		}
		if err != nil {
			return nil, domain.Internal(err)
		}
		return row, nil
	}
	if s.cacheable(idb, lock) {
		return s.cachedType(tenantID, ref, load)
	}
	return load()
}

// displayName turns a name into words in title case: "line_items" →
// "Line Items".
func displayName(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '_' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	if len(words) == 0 {
		return name
	}
	return strings.Join(words, " ")
}
