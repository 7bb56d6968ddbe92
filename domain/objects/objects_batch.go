package objects

import (
	"context"
	"strconv"

	"github.com/platformhq/platform/domain"
)

// Batch endpoints take at most MaxBatch items. Batch create and batch
// update are all-or-nothing (one transaction); their errors name the item:
// "objects[3].email".

// ObjectSpec is one object of a batch create.
type ObjectSpec struct {
	Properties map[string]any `json:"properties"`
}

// BatchCreateInput is POST /v1/objects/:object_type_id/batch/create. The
// items may come as "objects" or as "inputs".
type BatchCreateInput struct {
	ObjectTypeID string       `path:"object_type_id" json:"-"`
	Objects      []ObjectSpec `json:"objects"`
	Inputs       []ObjectSpec `json:"inputs"`
}

// BatchCreated answers a batch create: the objects, in request order (and,
// for the reference's shape, their count and ids).
type BatchCreated struct {
	Results []Object `json:"results"`
	Created int      `json:"created"`
	IDs     []string `json:"ids"`
}

// BatchReadInput is POST /v1/objects/:object_type_id/batch/read; the ids
// may come as "ids" or "object_ids".
type BatchReadInput struct {
	ObjectTypeID string   `path:"object_type_id" json:"-"`
	IDs          []string `json:"ids"`
	ObjectIDs    []string `json:"object_ids"`
}

// BatchRead answers a batch read: the live objects found, in request
// order, and the ids not found.
type BatchRead struct {
	Results []Object `json:"results"`
	Missing []string `json:"missing"`
}

// ObjectPatch is one update of a batch update ("id" or "object_id").
type ObjectPatch struct {
	ID         string         `json:"id"`
	ObjectID   string         `json:"object_id"`
	Properties map[string]any `json:"properties"`
	Version    *int           `json:"version"`
}

// BatchUpdateInput is POST /v1/objects/:object_type_id/batch/update; the
// items may come as "objects" or "updates".
type BatchUpdateInput struct {
	ObjectTypeID string        `path:"object_type_id" json:"-"`
	Objects      []ObjectPatch `json:"objects"`
	Updates      []ObjectPatch `json:"updates"`
}

// BatchUpdated answers a batch update: each object with its new version.
type BatchUpdated struct {
	Results []Object `json:"results"`
}

// batchItems picks the member the items came in, checking the count.
func batchItems[T any](a []T, aName string, b []T, bName string) ([]T, string, error) {
	items, name := a, aName
	if len(a) == 0 && len(b) > 0 {
		items, name = b, bName
	}
	switch {
	case len(items) == 0:
		return nil, name, domain.Invalid(aName, "is required (1 to "+strconv.Itoa(MaxBatch)+" items)")
	case len(items) > MaxBatch:
		return nil, name, domain.Invalid(name, "must hold at most "+strconv.Itoa(MaxBatch)+" items")
	}
	return items, name, nil
}

func itemPrefix(member string) func(int) string {
	return func(i int) string { return member + "[" + strconv.Itoa(i) + "]." }
}

// BatchCreateObjects creates up to 100 objects, all or none. Errors:
// NOT_FOUND (type), VALIDATION_FAILED (count; fields named
// objects[i].property), CONFLICT (a unique value taken, with item).
func (s *Service) BatchCreateObjects(ctx context.Context, in BatchCreateInput) (BatchCreated, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return BatchCreated{}, err
	}
	items, member, err := batchItems(in.Objects, "objects", in.Inputs, "inputs")
	if err != nil {
		return BatchCreated{}, err
	}
	props := make([]map[string]any, len(items))
	for i, it := range items {
		props[i] = it.Properties
	}
	var out BatchCreated
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, in.ObjectTypeID)
		if err != nil {
			return err
		}
		out.Results, err = s.createObjects(ctx, w, p, sc, props, itemPrefix(member))
		return err
	})
	if err != nil {
		return BatchCreated{}, err
	}
	out.Created = len(out.Results)
	for _, o := range out.Results {
		out.IDs = append(out.IDs, o.ID)
	}
	return out, nil
}

// BatchReadObjects returns up to 100 live objects by id. Errors:
// NOT_FOUND (type), VALIDATION_FAILED (count).
func (s *Service) BatchReadObjects(ctx context.Context, in BatchReadInput) (BatchRead, error) {
	p, err := objectReader(ctx)
	if err != nil {
		return BatchRead{}, err
	}
	ids, _, err := batchItems(in.IDs, "ids", in.ObjectIDs, "object_ids")
	if err != nil {
		return BatchRead{}, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return BatchRead{}, err
	}
	r, err := s.rowAccess(ctx, s.core.DB, p, t, nil, ActionSelect)
	if err != nil {
		return BatchRead{}, err
	}
	var valid []string
	for _, id := range ids {
		if domain.ValidID(PrefixObject, id) {
			valid = append(valid, id)
		}
	}
	rows, err := dbObjectsByID(ctx, s, p.TenantID, t.ID, valid)
	if err != nil {
		return BatchRead{}, err
	}
	// Objects outside the caller's policies are missing, as absent ones.
	visible, err := s.matching(ctx, s.core.DB, p.TenantID, t.ID, valid, false, r)
	if err != nil {
		return BatchRead{}, err
	}
	for id := range rows {
		if !visible[id] {
			delete(rows, id)
		}
	}
	out := BatchRead{Results: []Object{}, Missing: []string{}}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue // an id asked twice answers once
		}
		seen[id] = true
		if o, ok := rows[id]; ok {
			out.Results = append(out.Results, o)
		} else {
			out.Missing = append(out.Missing, id)
		}
	}
	return out, nil
}

// BatchUpdateObjects updates up to 100 objects, all or none. Errors:
// NOT_FOUND (type, an object, with item), VALIDATION_FAILED, CONFLICT
// (stale version or unique value, with item).
func (s *Service) BatchUpdateObjects(ctx context.Context, in BatchUpdateInput) (BatchUpdated, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return BatchUpdated{}, err
	}
	items, member, err := batchItems(in.Objects, "objects", in.Updates, "updates")
	if err != nil {
		return BatchUpdated{}, err
	}
	patches := make([]patchItem, len(items))
	var v domain.Validation
	seen := map[string]bool{}
	for i, it := range items {
		id := it.ID
		if id == "" {
			id = it.ObjectID
		}
		field := itemPrefix(member)(i) + "id"
		v.Check(id == "", field, "is required")
		v.Check(id != "" && seen[id], field, "names an object given twice")
		seen[id] = true
		patches[i] = patchItem{id: id, props: it.Properties, version: it.Version}
	}
	if err := v.Err(); err != nil {
		return BatchUpdated{}, err
	}
	var out BatchUpdated
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sc, err := s.writeSchema(ctx, w.Tx, p.TenantID, in.ObjectTypeID)
		if err != nil {
			return err
		}
		out.Results, err = s.updateObjects(ctx, w, p, sc, patches, itemPrefix(member))
		return err
	})
	return out, err
}
