package objects

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Associations: typed links from one object to another of the same tenant
// (contract "Objects"). PUT creates or replaces one (an upsert on from,
// type and to), DELETE removes it, and an object's list shows its outgoing
// and incoming associations whose other end is live: soft-deleting an end
// hides them until a restore, a permanent delete removes them (foreign keys
// with cascade). Events on topic "objects".

// Association event types (payload: the association).
const (
	EventAssociationCreated = "association.created"
	EventAssociationUpdated = "association.updated"
	EventAssociationDeleted = "association.deleted"
)

// PrefixAssociation is the id prefix of associations.
const PrefixAssociation = "assoc_"

// MaxMetaBytes caps an association's meta (compact JSON bytes).
const MaxMetaBytes = 10 << 10

// Association is a typed link between two objects.
type Association struct {
	ID              string `json:"id"`
	AssociationType string `json:"association_type"`
	FromTypeID      string `json:"from_type_id"`
	FromID          string `json:"from_id"`
	ToTypeID        string `json:"to_type_id"`
	ToID            string `json:"to_id"`
	// Direction is set in lists: outgoing or incoming, seen from the
	// listed object.
	Direction string          `json:"direction,omitempty"`
	Meta      json.RawMessage `json:"meta"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func associationFromRow(r *db.ObjectAssociation) Association {
	return Association{ID: r.ID, AssociationType: r.AssociationType, FromTypeID: r.FromTypeID, FromID: r.FromID,
		ToTypeID: r.ToTypeID, ToID: r.ToID, Direction: r.Direction, Meta: r.Meta, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// AssociationRef names an association by its two ends and its type.
type AssociationRef struct {
	FromType        string `path:"from_type" json:"-"`
	FromID          string `path:"from_id" json:"-"`
	AssociationType string `path:"association_type" json:"-"`
	ToType          string `path:"to_type" json:"-"`
	ToID            string `path:"to_id" json:"-"`
}

// PutAssociationInput is PUT /v1/objects/:from_type/:from_id/associations/
// :association_type/:to_type/:to_id. Meta, when given, must be a JSON
// object of at most 10 KB; it replaces the stored one (absent: {}).
type PutAssociationInput struct {
	AssociationRef
	Meta json.RawMessage `json:"meta"`
}

// PutAssociation answers a PUT: the association and whether it was created
// (the route table has one success status, 200; "created" tells a create
// from a replace).
type PutAssociation struct {
	Association
	Created bool `json:"created"`
}

// ListAssociationsInput is GET /v1/objects/:type/:id/associations.
type ListAssociationsInput struct {
	Type string `path:"type" json:"-"`
	ID   string `path:"id" json:"-"`
	// Direction is outgoing, incoming or both (default).
	Direction       string `query:"direction" json:"-"`
	AssociationType string `query:"association_type" json:"-"`
	// ToType (id or name) filters by the type of the other end.
	ToType string `query:"to_type" json:"-"`
	Limit  int    `query:"limit" json:"-"`
	Cursor string `query:"cursor" json:"-"`
}

// liveObject resolves a type (id or name) and a live object of it; what
// names the end in the NOT_FOUND message ("Object", "From object", ...).
func (s *Service) liveObject(ctx context.Context, idb bun.IDB, tenantID, typeRef, id, what string) (*db.ObjectType, *db.Object, error) {
	t, err := s.endType(ctx, idb, tenantID, typeRef, what)
	if err != nil {
		return nil, nil, err
	}
	row, err := s.loadObject(ctx, idb, tenantID, t.ID, id, false)
	if err != nil {
		if domain.AsError(err).Code == domain.CodeNotFound {
			return nil, nil, domain.NotFound(what)
		}
		return nil, nil, err
	}
	if row.DeletedAt != nil {
		return nil, nil, domain.NotFound(what)
	}
	return t, row, nil
}

// endType resolves the type of an end, its NOT_FOUND naming the end.
func (s *Service) endType(ctx context.Context, idb bun.IDB, tenantID, typeRef, what string) (*db.ObjectType, error) {
	t, err := s.objectType(ctx, idb, tenantID, typeRef, false)
	if err != nil && domain.AsError(err).Code == domain.CodeNotFound {
		return nil, domain.NotFound(what + " type")
	}
	return t, err
}

// checkAssociationType applies the name rule to an association type.
func checkAssociationType(field, name string) error {
	if !namePattern.MatchString(name) {
		return domain.Invalid(field, "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)")
	}
	return nil
}

// checkMeta returns the compact meta to store: a JSON object of at most
// MaxMetaBytes ({} when absent or null). Errors: PAYLOAD_TOO_LARGE,
// VALIDATION_FAILED.
func checkMeta(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}"), nil
	}
	if raw[0] != '{' {
		return nil, domain.Invalid("meta", "must be a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, domain.Invalid("meta", "must be a JSON object")
	}
	if buf.Len() > MaxMetaBytes {
		return nil, domain.Errorf(domain.CodePayloadTooLarge, "meta is %d bytes; at most %d are allowed.", buf.Len(), MaxMetaBytes).
			With("field", "meta").With("limit", MaxMetaBytes)
	}
	if _, msg := checkJSON(decodeJSON(buf.Bytes()), 0); msg != "" {
		return nil, domain.Invalid("meta", msg)
	}
	return buf.Bytes(), nil
}

// PutAssociation creates or replaces the association of a type from one
// live object to another. Errors: NOT_FOUND (naming the end),
// VALIDATION_FAILED (association_type, meta), PAYLOAD_TOO_LARGE (meta).
func (s *Service) PutAssociation(ctx context.Context, in PutAssociationInput) (PutAssociation, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return PutAssociation{}, err
	}
	if err := checkAssociationType("association_type", in.AssociationType); err != nil {
		return PutAssociation{}, err
	}
	meta, err := checkMeta(in.Meta)
	if err != nil {
		return PutAssociation{}, err
	}
	var out PutAssociation
	err = s.core.Write(ctx, func(w *domain.Write) error {
		// End users: write on the from type, both ends within their
		// select policies.
		fromType, from, err := s.accessibleObject(ctx, w.Tx, p, in.FromType, in.FromID, "From object", ActionUpdate)
		if err != nil {
			return err
		}
		toType, to, err := s.accessibleObject(ctx, w.Tx, p, in.ToType, in.ToID, "To object", ActionSelect)
		if err != nil {
			return err
		}
		now := s.now()
		row := &db.ObjectAssociation{TenantID: p.TenantID, ID: domain.NewID(PrefixAssociation),
			AssociationType: in.AssociationType, FromTypeID: fromType.ID, FromID: from.ID, ToTypeID: toType.ID,
			ToID: to.ID, Meta: meta, CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
		if err := db.ObjectAssociationUpsert(ctx, w.Tx, row); err != nil {
			if db.IsForeignKeyViolation(err) { // an end deleted for good meanwhile
				return domain.NotFound("Object")
			}
			return domain.Internal(err)
		}
		out = PutAssociation{Association: associationFromRow(row), Created: row.Inserted}
		action, event := "association.update", EventAssociationUpdated
		if row.Inserted {
			action, event = "association.create", EventAssociationCreated
		}
		if err := w.Audit(p.TenantID, action, "association", row.ID, map[string]any{"association_type": row.AssociationType,
			"from_id": row.FromID, "to_id": row.ToID}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, TopicObjects, event, out.Association)
	})
	return out, err
}

// DeleteAssociation removes an association. Errors: NOT_FOUND (a type, or
// no such association between live objects), VALIDATION_FAILED
// (association_type).
func (s *Service) DeleteAssociation(ctx context.Context, in AssociationRef) (Deleted, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Deleted{}, err
	}
	if err := checkAssociationType("association_type", in.AssociationType); err != nil {
		return Deleted{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		fromType, err := s.endType(ctx, w.Tx, p.TenantID, in.FromType, "From object")
		if err != nil {
			return err
		}
		toType, err := s.endType(ctx, w.Tx, p.TenantID, in.ToType, "To object")
		if err != nil {
			return err
		}
		if p.Kind == domain.PrincipalUser { // as PutAssociation
			if _, _, err := s.accessibleObject(ctx, w.Tx, p, fromType.ID, in.FromID, "From object", ActionUpdate); err != nil {
				return err
			}
			if _, _, err := s.accessibleObject(ctx, w.Tx, p, toType.ID, in.ToID, "To object", ActionSelect); err != nil {
				return err
			}
		}
		row, err := db.ObjectAssociationDelete(ctx, w.Tx, p.TenantID, fromType.ID, in.FromID, in.AssociationType, toType.ID, in.ToID)
		if db.IsNoRows(err) {
			return domain.NotFound("Association")
		}
		if err != nil {
			return domain.Internal(err)
		}
		if err := w.Audit(p.TenantID, "association.delete", "association", row.ID, map[string]any{
			"association_type": row.AssociationType, "from_id": row.FromID, "to_id": row.ToID}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, TopicObjects, EventAssociationDeleted, associationFromRow(row))
	})
	if err != nil {
		return Deleted{}, err
	}
	return Deleted{Deleted: true}, nil
}

// ListAssociations returns a page of a live object's associations whose
// other end is live, oldest first, with their total. Errors: NOT_FOUND
// (type, object), VALIDATION_FAILED (direction, association_type,
// to_type), BAD_REQUEST (cursor).
func (s *Service) ListAssociations(ctx context.Context, in ListAssociationsInput) (domain.Page[Association], error) {
	p, err := objectReader(ctx)
	if err != nil {
		return domain.Page[Association]{}, err
	}
	pg, err := s.associationPage(ctx, p, &in)
	if err != nil {
		return domain.Page[Association]{}, err
	}
	scope := "associations:" + p.TenantID + ":" + pg.ObjectID + ":" + in.Direction + ":" + pg.AssociationType + ":" + pg.OtherTypeID
	pos, err := s.decodePosition(scope, in.Cursor)
	if err != nil {
		return domain.Page[Association]{}, err
	}
	if pos != nil {
		at, err := cursorTime(pos)
		if err != nil {
			return domain.Page[Association]{}, err
		}
		pg.AfterTime, pg.AfterID = &at, pos.ID
	}
	limit := domain.ClampLimit(in.Limit)
	pg.Limit = limit + 1
	rows, err := db.ObjectAssociationList(ctx, s.core.DB, pg)
	if err != nil {
		return domain.Page[Association]{}, domain.Internal(err)
	}
	total, err := db.ObjectAssociationCount(ctx, s.core.DB, pg)
	if err != nil {
		return domain.Page[Association]{}, domain.Internal(err)
	}
	out := domain.Page[Association]{Results: make([]Association, 0, len(rows)), Total: total}
	for i := range rows {
		if i == limit {
			last := rows[limit-1]
			v := last.CreatedAt.UTC().Format(time.RFC3339Nano)
			out.NextCursor = s.encodePosition(scope, position{V: &v, ID: last.ID})
			break
		}
		out.Results = append(out.Results, associationFromRow(&rows[i]))
	}
	return out, nil
}

// associationPage validates a list's parameters into a page request.
func (s *Service) associationPage(ctx context.Context, p *domain.Principal, in *ListAssociationsInput) (db.AssociationPage, error) {
	tenantID := p.TenantID
	pg := db.AssociationPage{TenantID: tenantID}
	switch in.Direction {
	case "", "both":
		in.Direction = "both"
		pg.Outgoing, pg.Incoming = true, true
	case "outgoing":
		pg.Outgoing = true
	case "incoming":
		pg.Incoming = true
	default:
		return pg, domain.Invalid("direction", "must be outgoing, incoming or both")
	}
	if in.AssociationType != "" {
		if err := checkAssociationType("association_type", in.AssociationType); err != nil {
			return pg, err
		}
		pg.AssociationType = in.AssociationType
	}
	_, obj, err := s.accessibleObject(ctx, s.core.DB, p, in.Type, in.ID, "Object", ActionSelect)
	if err != nil {
		return pg, err
	}
	pg.ObjectID = obj.ID
	if pg.VisibleEnds, err = s.visibleEnds(ctx, p, []string{obj.ID}); err != nil {
		return pg, err
	}
	if in.ToType != "" {
		t, err := s.objectType(ctx, s.core.DB, tenantID, in.ToType, false)
		if err != nil && domain.AsError(err).Code != domain.CodeNotFound {
			return pg, err
		}
		if err != nil {
			return pg, domain.Invalid("to_type", "must name an object type (id or name)")
		}
		pg.OtherTypeID = t.ID
	}
	return pg, nil
}

// cursorTime reads the created_at of a keyset position.
func cursorTime(pos *position) (time.Time, error) {
	if pos.V == nil {
		return time.Time{}, domain.Errorf(domain.CodeBadRequest, "Invalid cursor.")
	}
	t, err := time.Parse(time.RFC3339Nano, *pos.V)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.CodeBadRequest, "Invalid cursor.")
	}
	return t, nil
}
