package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Objects: instances of a tenant's types, each a JSONB document of property
// values with a version, audit stamps and a soft-delete flag. Reads need
// the "read" scope, writes the "write" scope. Every write runs in one unit
// of work with its version row, its typed index rows, its unique values,
// its audit rows and its events (topic "objects").

// TopicObjects is the event topic of object changes.
const TopicObjects = "objects"

// Object event types (payload: the object, which names its object_type_id).
const (
	EventObjectCreated  = "object.created"
	EventObjectUpdated  = "object.updated"
	EventObjectDeleted  = "object.deleted"
	EventObjectRestored = "object.restored"
)

// PrefixObject is the id prefix of objects.
const PrefixObject = "obj_"

// Object limits.
const (
	// MaxDocumentBytes caps an object's properties document (JSON bytes).
	MaxDocumentBytes = 1 << 20
	// MaxBatch caps the items of batch endpoints.
	MaxBatch = 100
	// maxUntypedName caps the names of untyped properties (characters).
	maxUntypedName = 255
)

// Object is an instance of an object type.
type Object struct {
	ID           string          `json:"id"`
	ObjectTypeID string          `json:"object_type_id"`
	TenantID     string          `json:"tenant_id"`
	Properties   json.RawMessage `json:"properties"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	CreatedBy    string          `json:"created_by"`
	UpdatedBy    string          `json:"updated_by"`
	Version      int             `json:"version"`
	IsDeleted    bool            `json:"is_deleted"`
	// DeletedAt is set on objects in the trash.
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
}

func objectFromRow(r *db.Object) Object {
	return Object{ID: r.ID, ObjectTypeID: r.ObjectTypeID, TenantID: r.TenantID, Properties: r.Properties,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy,
		Version: r.Version, IsDeleted: r.DeletedAt != nil, DeletedAt: r.DeletedAt}
}

// ObjectRef names an object of a type.
type ObjectRef struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	ObjectID     string `path:"object_id" json:"-"`
}

// CreateObjectInput is POST /v1/objects/:object_type_id.
type CreateObjectInput struct {
	ObjectTypeID string         `path:"object_type_id" json:"-"`
	Properties   map[string]any `json:"properties"`
}

// UpdateObjectInput is PATCH /v1/objects/:object_type_id/:object_id: the
// properties given are merged into the document (null removes one);
// Version, when given, must be the object's current version.
type UpdateObjectInput struct {
	ObjectTypeID string         `path:"object_type_id" json:"-"`
	ObjectID     string         `path:"object_id" json:"-"`
	Properties   map[string]any `json:"properties"`
	Version      *int           `json:"version"`
}

// DeleteObjectInput is DELETE /v1/objects/:object_type_id/:object_id:
// a soft delete to the trash, or a permanent one with force=true.
type DeleteObjectInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	ObjectID     string `path:"object_id" json:"-"`
	Force        bool   `query:"force" json:"-"`
	// ConfirmToken is accepted for the reference's shape; nothing depends
	// on an object yet, so a force delete needs none.
	ConfirmToken string `query:"confirm_token" json:"-"`
}

// DeletedObject answers a delete.
type DeletedObject struct {
	Deleted bool   `json:"deleted"`
	ID      string `json:"id"`
}

func writer(ctx context.Context) (*domain.Principal, error) {
	return domain.RequireScope(ctx, domain.ScopeWrite)
}

// schema is a type with its properties, as an object write sees them.
type schema struct {
	t      *db.ObjectType
	props  []Property
	byName map[string]*Property
}

func newSchema(t *db.ObjectType, props []Property) *schema {
	sc := &schema{t: t, props: props, byName: make(map[string]*Property, len(props))}
	for i := range props {
		sc.byName[props[i].Name] = &props[i]
	}
	return sc
}

// writeSchema loads a type for an object write, holding a KEY SHARE lock
// on it (schema changes wait for the write, and the write for them), and
// its properties. Errors: NOT_FOUND.
func (s *Service) writeSchema(ctx context.Context, tx bun.IDB, tenantID, ref string) (*schema, error) {
	byName := !domain.ValidID(PrefixType, ref)
	if byName && !namePattern.MatchString(ref) {
		return nil, domain.NotFound("Object type")
	}
	t, err := db.ObjectTypeKeyShare(ctx, tx, tenantID, ref, byName)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Object type")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	props, err := s.properties(ctx, tx, tenantID, t.ID)
	if err != nil {
		return nil, err
	}
	return newSchema(t, props), nil
}

// now is the write time, at the database's precision (microseconds), so
// the cursors built from it match the stored values exactly.
func (s *Service) now() time.Time {
	return s.core.Clock.Now().UTC().Truncate(time.Microsecond)
}

// checkValue validates one given value (not null) of name: against its
// property when the type defines one, else as untyped JSON.
func (sc *schema) checkValue(v *domain.Validation, field, name string, val any, refs *refCheck) (any, bool) {
	p := sc.byName[name]
	if p == nil {
		return checkUntyped(v, field, name, val)
	}
	norm, msg := ValidateValue(*p, val)
	if msg != "" {
		v.Add(field, msg)
		return nil, false
	}
	if p.DataType == TypeReference {
		refs.add(norm.(string), field)
	}
	return norm, true
}

// checkUntyped accepts a value of a name the type does not define: any JSON
// Postgres can store, under a name that is not a built-in field.
func checkUntyped(v *domain.Validation, field, name string, val any) (any, bool) {
	switch {
	case name == "":
		v.Add(field+"properties", "must not hold an empty property name")
		return nil, false
	case utf8.RuneCountInString(name) > maxUntypedName:
		v.Add(field, "must be a property name of 1 to "+strconv.Itoa(maxUntypedName)+" characters")
		return nil, false
	case slices.Contains(reservedNames, name):
		v.Add(field, "is a built-in field, not a property")
		return nil, false
	}
	if _, msg := checkJSON(name, 0); msg != "" {
		v.Add(field, "must be a name of valid UTF-8 without NUL characters")
		return nil, false
	}
	norm, msg := checkJSON(val, 0)
	if msg != "" {
		v.Add(field, msg)
		return nil, false
	}
	return norm, true
}

// checkCreate validates the properties of a new object and returns its
// document: defaults fill absent (or null) properties, required ones must
// then have a value. Fields are named prefix+property.
func (sc *schema) checkCreate(v *domain.Validation, prefix string, in map[string]any, refs *refCheck) map[string]any {
	doc := make(map[string]any, len(in)+len(sc.props))
	for name, val := range in {
		if val == nil {
			continue // null on create: no value
		}
		if norm, ok := sc.checkValue(v, prefix+name, name, val, refs); ok {
			doc[name] = norm
		}
	}
	for i := range sc.props {
		p := &sc.props[i]
		if _, ok := doc[p.Name]; ok || in[p.Name] != nil {
			continue
		}
		if len(p.DefaultValue) > 0 && string(p.DefaultValue) != "null" {
			doc[p.Name] = decodeJSON(p.DefaultValue)
		} else if p.IsRequired {
			v.Add(prefix+p.Name, "is required")
		}
	}
	return doc
}

// checkPatch validates the properties of an update: values are validated,
// null removes a property unless it is required. It returns the normalized
// patch (nil values meaning removal).
func (sc *schema) checkPatch(v *domain.Validation, prefix string, in map[string]any, refs *refCheck) map[string]any {
	out := make(map[string]any, len(in))
	for name, val := range in {
		if val == nil {
			if p := sc.byName[name]; p != nil && p.IsRequired {
				v.Add(prefix+name, "is required")
				continue
			}
			out[name] = nil
			continue
		}
		if norm, ok := sc.checkValue(v, prefix+name, name, val, refs); ok {
			out[name] = norm
		}
	}
	return out
}

// marshalDoc encodes a document, refusing one over MaxDocumentBytes.
func marshalDoc(v *domain.Validation, field string, doc map[string]any) json.RawMessage {
	raw, err := json.Marshal(doc)
	if err != nil {
		v.Add(field, "must be JSON values")
		return nil
	}
	if len(raw) > MaxDocumentBytes {
		v.Add(field, "must be at most 1 MB of JSON in all")
		return nil
	}
	return raw
}

// decodeJSON decodes a stored JSON value keeping numbers exact.
func decodeJSON(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	_ = dec.Decode(&v) // our own stored JSON
	return v
}

func decodeDoc(raw []byte) map[string]any {
	if m, ok := decodeJSON(raw).(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// refCheck collects the reference values of a write, to check at once that
// they name live objects of the tenant.
type refCheck struct {
	fields map[string][]string
}

func (r *refCheck) add(id, field string) {
	if r.fields == nil {
		r.fields = map[string][]string{}
	}
	r.fields[id] = append(r.fields[id], field)
}

// check fails naming every field whose reference names no live object.
func (r *refCheck) check(ctx context.Context, idb bun.IDB, tenantID string) error {
	if len(r.fields) == 0 {
		return nil
	}
	ids := make([]string, 0, len(r.fields))
	for id := range r.fields {
		ids = append(ids, id)
	}
	found, err := db.ObjectsExisting(ctx, idb, tenantID, ids)
	if err != nil {
		return domain.Internal(err)
	}
	var v domain.Validation
	for _, id := range ids {
		if slices.Contains(found, id) {
			continue
		}
		for _, f := range r.fields[id] {
			v.Add(f, "must be the id of an existing object")
		}
	}
	return v.Err()
}

// loadObject loads a type's object for reading; a trashed one is NOT_FOUND
// unless trashed is true, when only a trashed one is found.
func (s *Service) loadObject(ctx context.Context, idb bun.IDB, tenantID, typeID, id string, lock bool) (*db.Object, error) {
	if !domain.ValidID(PrefixObject, id) {
		return nil, domain.NotFound("Object")
	}
	row, err := db.ObjectGet(ctx, idb, tenantID, typeID, id, lock)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Object")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

// GetObject returns a live object. Errors: NOT_FOUND (also in the trash).
func (s *Service) GetObject(ctx context.Context, in ObjectRef) (Object, error) {
	p, t, r, err := s.readType(ctx, in.ObjectTypeID)
	if err != nil {
		return Object{}, err
	}
	row, err := s.loadObject(ctx, s.core.DB, p.TenantID, t.ID, in.ObjectID, false)
	if err != nil {
		return Object{}, err
	}
	if row.DeletedAt != nil {
		return Object{}, domain.NotFound("Object")
	}
	if err := s.visibleObject(ctx, s.core.DB, row, r); err != nil {
		return Object{}, err
	}
	return objectFromRow(row), nil
}

// CreateObject creates an object. Errors: NOT_FOUND (type),
// VALIDATION_FAILED (fields named by property), CONFLICT (a unique value
// taken).
func (s *Service) CreateObject(ctx context.Context, in CreateObjectInput) (Object, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Object{}, err
	}
	var out Object
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, in.ObjectTypeID)
		if err != nil {
			return err
		}
		objs, err := s.createObjects(ctx, w, p, sc, []map[string]any{in.Properties}, func(int) string { return "" })
		if err != nil {
			return err
		}
		out = objs[0]
		return nil
	})
	return out, err
}

// createObjects validates and inserts objects (all or none); prefix names
// the fields of item i ("" for a single object, "objects[i]." in batches).
func (s *Service) createObjects(ctx context.Context, w *domain.Write, p *domain.Principal, sc *schema,
	items []map[string]any, prefix func(int) string) ([]Object, error) {
	ws, err := s.writeAccess(ctx, w.Tx, p, sc, ActionInsert)
	if err != nil {
		return nil, err
	}
	var v domain.Validation
	var refs refCheck
	raws := make([]json.RawMessage, len(items))
	docs := make([]map[string]any, len(items))
	for i, props := range items {
		docs[i] = sc.checkCreate(&v, prefix(i), props, &refs)
		raws[i] = marshalDoc(&v, prefix(i)+"properties", docs[i])
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := refs.check(ctx, w.Tx, p.TenantID); err != nil {
		return nil, err
	}
	now := s.now()
	rows := make([]*db.Object, len(items))
	for i := range items {
		rows[i] = &db.Object{TenantID: p.TenantID, ID: domain.NewID(PrefixObject), ObjectTypeID: sc.t.ID,
			Properties: raws[i], Version: 1, CreatedBy: p.ActorID(), UpdatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
	}
	if err := db.ObjectInsert(ctx, w.Tx, rows); err != nil {
		return nil, domain.Internal(err)
	}
	var ix indexWrite
	for i, r := range rows {
		ix.add(sc, r.ID, i, prefix(i), docs[i], nil)
	}
	if err := ix.flush(ctx, w.Tx, sc, false); err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if err := s.checkWritten(ctx, w.Tx, p.TenantID, sc.t.ID, ids, ws, ActionInsert, prefix); err != nil {
		return nil, err
	}
	out := make([]Object, len(rows))
	for i, r := range rows {
		out[i] = objectFromRow(r)
		if err := s.recordObject(w, "object.create", EventObjectCreated, &out[i], nil, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateObject merges properties into an object, bumps its version and
// keeps the previous state in its history. Errors: NOT_FOUND,
// VALIDATION_FAILED, CONFLICT (stale version, with current_version; a
// unique value taken).
func (s *Service) UpdateObject(ctx context.Context, in UpdateObjectInput) (Object, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Object{}, err
	}
	var out Object
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, in.ObjectTypeID)
		if err != nil {
			return err
		}
		items := []patchItem{{id: in.ObjectID, props: in.Properties, version: in.Version}}
		objs, err := s.updateObjects(ctx, w, p, sc, items, func(int) string { return "" })
		if err != nil {
			return err
		}
		out = objs[0]
		return nil
	})
	return out, err
}

// patchItem is one update of a (batch) update.
type patchItem struct {
	id      string
	props   map[string]any
	version *int
	patch   map[string]any // validated
}

// updateObjects validates every patch, then locks the objects (in id
// order) and applies them; all or none.
func (s *Service) updateObjects(ctx context.Context, w *domain.Write, p *domain.Principal, sc *schema,
	items []patchItem, prefix func(int) string) ([]Object, error) {
	ws, err := s.writeAccess(ctx, w.Tx, p, sc, ActionUpdate)
	if err != nil {
		return nil, err
	}
	var v domain.Validation
	var refs refCheck
	for i := range items {
		items[i].patch = sc.checkPatch(&v, prefix(i), items[i].props, &refs)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := refs.check(ctx, w.Tx, p.TenantID); err != nil {
		return nil, err
	}
	rows, err := s.lockObjects(ctx, w.Tx, p.TenantID, sc.t.ID, items, prefix)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].id
	}
	// The row as it was must be visible and updatable, and as it is
	// written, still updatable (no handing a row outside one's policies).
	if err := s.checkExisting(ctx, w.Tx, p.TenantID, sc.t.ID, ids, false, ws, ActionUpdate, prefix); err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Object, len(items))
	for i := range items {
		o, err := s.applyPatch(ctx, w, p, sc, rows[items[i].id], &items[i], i, prefix(i), now)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	if err := s.checkWritten(ctx, w.Tx, p.TenantID, sc.t.ID, ids, ws, ActionUpdate, prefix); err != nil {
		return nil, err
	}
	return out, nil
}

// lockObjects loads and locks the live objects of items, by id.
func (s *Service) lockObjects(ctx context.Context, tx bun.IDB, tenantID, typeID string, items []patchItem,
	prefix func(int) string) (map[string]*db.Object, error) {
	ids := make([]string, 0, len(items))
	for _, it := range items {
		if domain.ValidID(PrefixObject, it.id) {
			ids = append(ids, it.id)
		}
	}
	rows, err := db.ObjectsByID(ctx, tx, tenantID, typeID, ids, true)
	if err != nil {
		return nil, domain.Internal(err)
	}
	byID := make(map[string]*db.Object, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	for i, it := range items {
		if byID[it.id] != nil {
			continue
		}
		if pre := prefix(i); pre != "" {
			return nil, domain.Errorf(domain.CodeNotFound, "Object not found: %s (%s).", it.id, pre[:len(pre)-1]).
				With("item", i)
		}
		return nil, domain.NotFound("Object")
	}
	return byID, nil
}

// applyPatch writes one validated patch to a locked object.
func (s *Service) applyPatch(ctx context.Context, w *domain.Write, p *domain.Principal, sc *schema, row *db.Object,
	it *patchItem, i int, prefix string, now time.Time) (Object, error) {
	if it.version != nil && *it.version != row.Version {
		e := domain.Errorf(domain.CodeConflict, "The object is at version %d, not %d.", row.Version, *it.version).
			With("current_version", row.Version)
		if prefix != "" {
			e = e.With("item", i)
		}
		return Object{}, e
	}
	before := objectFromRow(row)
	doc := decodeDoc(row.Properties)
	for name, val := range it.patch {
		if val == nil {
			delete(doc, name)
		} else {
			doc[name] = val
		}
	}
	var v domain.Validation
	raw := marshalDoc(&v, prefix+"properties", doc)
	if err := v.Err(); err != nil {
		return Object{}, err
	}
	prev := &db.ObjectVersion{TenantID: row.TenantID, ObjectID: row.ID, Version: row.Version,
		Properties: row.Properties, UpdatedBy: row.UpdatedBy, UpdatedAt: row.UpdatedAt}
	if err := db.ObjectVersionInsert(ctx, w.Tx, []*db.ObjectVersion{prev}); err != nil {
		return Object{}, domain.Internal(err)
	}
	row.Properties, row.Version, row.UpdatedBy, row.UpdatedAt = raw, row.Version+1, p.ActorID(), now
	if err := db.ObjectUpdate(ctx, w.Tx, row); err != nil {
		return Object{}, domain.Internal(err)
	}
	var ix indexWrite
	ix.add(sc, row.ID, i, prefix, doc, it.patch)
	if err := ix.flush(ctx, w.Tx, sc, true); err != nil {
		return Object{}, err
	}
	out := objectFromRow(row)
	changed := make([]string, 0, len(it.patch))
	for name := range it.patch {
		changed = append(changed, name)
	}
	slices.Sort(changed)
	return out, s.recordObject(w, "object.update", EventObjectUpdated, &out, &before, changed)
}

// DeleteObject moves an object to the trash, or with force=true deletes it
// for good (a trashed one too) with its versions, index rows and unique
// values. Errors: NOT_FOUND (a trashed object without force).
func (s *Service) DeleteObject(ctx context.Context, in DeleteObjectInput) (DeletedObject, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return DeletedObject{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, in.ObjectTypeID)
		if err != nil {
			return err
		}
		ws, err := s.writeAccess(ctx, w.Tx, p, sc, ActionDelete)
		if err != nil {
			return err
		}
		row, err := s.loadObject(ctx, w.Tx, p.TenantID, sc.t.ID, in.ObjectID, true)
		if err != nil {
			return err
		}
		if row.DeletedAt != nil && !in.Force {
			return domain.NotFound("Object")
		}
		if err := s.checkExisting(ctx, w.Tx, p.TenantID, sc.t.ID, []string{row.ID}, row.DeletedAt != nil, ws,
			ActionDelete, noPrefix); err != nil {
			return err
		}
		if in.Force {
			err = db.ObjectDelete(ctx, w.Tx, p.TenantID, row.ID)
		} else {
			now := s.now()
			row.DeletedAt = &now
			err = db.ObjectSetDeleted(ctx, w.Tx, p.TenantID, row.ID, &now)
		}
		if err != nil {
			return domain.Internal(err)
		}
		after := objectFromRow(row)
		after.IsDeleted = true
		if err := w.Audit(p.TenantID, "object.delete", "object", row.ID,
			map[string]any{"version": row.Version, "force": in.Force}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, TopicObjects, EventObjectDeleted, deletedEvent{Object: after, Permanent: in.Force})
	})
	if err != nil {
		return DeletedObject{}, err
	}
	return DeletedObject{Deleted: true, ID: in.ObjectID}, nil
}

// deletedEvent is the payload of object.deleted.
type deletedEvent struct {
	Object
	Permanent bool `json:"permanent"`
}

// RestoreObject brings a trashed object back. Errors: NOT_FOUND (no such
// object in the trash).
func (s *Service) RestoreObject(ctx context.Context, in ObjectRef) (Object, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Object{}, err
	}
	var out Object
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, in.ObjectTypeID)
		if err != nil {
			return err
		}
		// A restore undoes a delete: the delete policies govern it.
		ws, err := s.writeAccess(ctx, w.Tx, p, sc, ActionDelete)
		if err != nil {
			return err
		}
		row, err := s.loadObject(ctx, w.Tx, p.TenantID, sc.t.ID, in.ObjectID, true)
		if err != nil {
			return err
		}
		if row.DeletedAt == nil {
			return domain.Errorf(domain.CodeNotFound, "Object not found in the trash.")
		}
		if err := s.checkExisting(ctx, w.Tx, p.TenantID, sc.t.ID, []string{row.ID}, true, ws,
			ActionDelete, noPrefix); err != nil {
			return err
		}
		row.DeletedAt = nil
		if err := db.ObjectSetDeleted(ctx, w.Tx, p.TenantID, row.ID, nil); err != nil {
			return domain.Internal(err)
		}
		out = objectFromRow(row)
		if err := w.Audit(p.TenantID, "object.restore", "object", row.ID, map[string]any{"version": row.Version}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, TopicObjects, EventObjectRestored, out)
	})
	return out, err
}

// recordObject audits a create or update (the version and the names of the
// properties that changed, not the values: documents may be large) and
// emits its event with the object.
func (s *Service) recordObject(w *domain.Write, action, event string, after, before *Object, changed []string) error {
	changes := map[string]any{"version": after.Version}
	if before != nil {
		changes["from_version"] = before.Version
		changes["properties"] = changed
	}
	if err := w.Audit(after.TenantID, action, "object", after.ID, changes); err != nil {
		return err
	}
	return w.Emit(after.TenantID, TopicObjects, event, after)
}
