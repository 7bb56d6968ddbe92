package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Object is a row of objects: one instance of a tenant-defined type, its
// values in a JSONB document.
type Object struct {
	bun.BaseModel `bun:"table:objects,alias:o"`
	TenantID      string          `bun:"tenant_id,pk"`
	ID            string          `bun:"id,pk"`
	ObjectTypeID  string          `bun:"object_type_id"`
	Properties    json.RawMessage `bun:"properties,type:jsonb"`
	Version       int             `bun:"version"`
	CreatedBy     string          `bun:"created_by"`
	UpdatedBy     string          `bun:"updated_by"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
	DeletedAt     *time.Time      `bun:"deleted_at"`
}

// ObjectVersion is a previous state of an object.
type ObjectVersion struct {
	bun.BaseModel `bun:"table:object_versions"`
	TenantID      string          `bun:"tenant_id,pk"`
	ObjectID      string          `bun:"object_id,pk"`
	Version       int             `bun:"version,pk"`
	Properties    json.RawMessage `bun:"properties,type:jsonb"`
	UpdatedBy     string          `bun:"updated_by"`
	UpdatedAt     time.Time       `bun:"updated_at"`
}

// ObjectIndex is a typed index row of one property of one object; exactly
// one of the values is set (VNum holds an exact numeric literal).
type ObjectIndex struct {
	bun.BaseModel `bun:"table:object_index"`
	TenantID      string     `bun:"tenant_id,pk"`
	ObjectTypeID  string     `bun:"object_type_id"`
	PropertyID    string     `bun:"property_id,pk"`
	ObjectID      string     `bun:"object_id,pk"`
	VText         *string    `bun:"v_text"`
	VNum          *string    `bun:"v_num,type:numeric"`
	VTime         *time.Time `bun:"v_time"`
}

// ObjectUnique claims a value of an is_unique property for one object.
type ObjectUnique struct {
	bun.BaseModel `bun:"table:object_unique"`
	TenantID      string `bun:"tenant_id,pk"`
	PropertyID    string `bun:"property_id,pk"`
	ValueKey      string `bun:"value_key,pk"`
	ObjectID      string `bun:"object_id"`
}

// Index value columns of object_index (a fixed set: never user input).
const (
	IndexText = "v_text"
	IndexNum  = "v_num"
	IndexTime = "v_time"
)

// ObjectTypeKeyShare loads a type by id (or name when byName) and takes a
// KEY SHARE lock on it: object writes do not block each other, but a schema
// change of the type (which locks it FOR UPDATE) waits for them, and they
// for it, so the properties an object write validates against stay put.
func ObjectTypeKeyShare(ctx context.Context, idb bun.IDB, tenantID, ref string, byName bool) (*ObjectType, error) {
	row := new(ObjectType)
	col := "id"
	if byName {
		col = "name"
	}
	err := idb.NewSelect().Model(row).Where("tenant_id = ?", tenantID).Where("? = ?", bun.Ident(col), ref).
		For("KEY SHARE").Scan(ctx)
	return row, err
}

// ObjectInsert inserts rows (one statement) and reads back their
// documents as stored (jsonb writes numbers in its own notation: 1.5e2 is
// 150), so answers match later reads.
func ObjectInsert(ctx context.Context, idb bun.IDB, rows []*Object) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Returning("properties").Exec(ctx)
	return err
}

// ObjectGet loads an object of a type, live or trashed; lock takes a row
// lock (FOR UPDATE) for writes.
func ObjectGet(ctx context.Context, idb bun.IDB, tenantID, typeID, id string, lock bool) (*Object, error) {
	row := new(Object)
	q := idb.NewSelect().Model(row).Where("tenant_id = ? AND object_type_id = ? AND id = ?", tenantID, typeID, id)
	if lock {
		q = q.For("UPDATE")
	}
	return row, q.Scan(ctx)
}

// ObjectsByID loads the live objects of a type among ids, in id order;
// lock takes their row locks in that order (so concurrent batches cannot
// deadlock).
func ObjectsByID(ctx context.Context, idb bun.IDB, tenantID, typeID string, ids []string, lock bool) ([]Object, error) {
	rows := []Object{}
	if len(ids) == 0 {
		return rows, nil
	}
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).
		Where("id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").OrderExpr("id")
	if lock {
		q = q.For("UPDATE")
	}
	return rows, q.Scan(ctx)
}

// ObjectsExisting returns which of ids are live objects of the tenant.
func ObjectsExisting(ctx context.Context, idb bun.IDB, tenantID string, ids []string) ([]string, error) {
	found := []string{}
	if len(ids) == 0 {
		return found, nil
	}
	err := idb.NewSelect().Model((*Object)(nil)).Column("id").Where("tenant_id = ?", tenantID).
		Where("id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").Scan(ctx, &found)
	return found, err
}

// ObjectUpdate writes the document, version and update stamp of row, and
// reads the document back as stored.
func ObjectUpdate(ctx context.Context, idb bun.IDB, row *Object) error {
	_, err := idb.NewUpdate().Model(row).Column("properties", "version", "updated_by", "updated_at").
		Where("tenant_id = ? AND id = ?", row.TenantID, row.ID).Returning("properties").Exec(ctx)
	return err
}

// ObjectSetDeleted moves an object to the trash (at set) or out of it (nil).
func ObjectSetDeleted(ctx context.Context, idb bun.IDB, tenantID, id string, at *time.Time) error {
	_, err := idb.NewUpdate().Model((*Object)(nil)).Set("deleted_at = ?", at).
		Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// ObjectDelete deletes an object for good; its versions, index rows and
// unique values go with it (cascade).
func ObjectDelete(ctx context.Context, idb bun.IDB, tenantID, id string) error {
	_, err := idb.NewDelete().Model((*Object)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	return err
}

// ObjectCount counts a type's live objects, or its trashed ones when
// trash (each an index-only scan of a partial index).
func ObjectCount(ctx context.Context, idb bun.IDB, tenantID, typeID string, trash bool) (int, error) {
	q := idb.NewSelect().Model((*Object)(nil)).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID)
	if trash {
		q = q.Where("deleted_at IS NOT NULL")
	} else {
		q = q.Where("deleted_at IS NULL")
	}
	n, err := q.Count(ctx)
	return int(n), err
}

// ObjectCountAll counts a type's objects, live and trashed.
func ObjectCountAll(ctx context.Context, idb bun.IDB, tenantID, typeID string) (int, error) {
	n, err := idb.NewSelect().Model((*Object)(nil)).Where("tenant_id = ? AND object_type_id = ?", tenantID, typeID).Count(ctx)
	return int(n), err
}

// ObjectVersionInsert stores previous states.
func ObjectVersionInsert(ctx context.Context, idb bun.IDB, rows []*ObjectVersion) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// ObjectVersionList returns an object's previous states, newest first.
func ObjectVersionList(ctx context.Context, idb bun.IDB, tenantID, objectID string, limit int) ([]ObjectVersion, error) {
	rows := []ObjectVersion{}
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND object_id = ?", tenantID, objectID).
		OrderExpr("version DESC").Limit(int64(limit)).Scan(ctx)
	return rows, err
}

// ObjectIndexReplace deletes the index rows of the given objects and
// properties, then inserts rows (the new values of those properties).
func ObjectIndexReplace(ctx context.Context, idb bun.IDB, tenantID string, objectIDs, propertyIDs []string, rows []*ObjectIndex) error {
	if len(objectIDs) > 0 && len(propertyIDs) > 0 {
		_, err := idb.NewDelete().Model((*ObjectIndex)(nil)).Where("tenant_id = ?", tenantID).
			Where("object_id IN (?)", bun.In(objectIDs)).Where("property_id IN (?)", bun.In(propertyIDs)).Exec(ctx)
		if err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// ObjectUniqueRelease deletes the unique values of the given objects and
// properties.
func ObjectUniqueRelease(ctx context.Context, idb bun.IDB, tenantID string, objectIDs, propertyIDs []string) error {
	if len(objectIDs) == 0 || len(propertyIDs) == 0 {
		return nil
	}
	_, err := idb.NewDelete().Model((*ObjectUnique)(nil)).Where("tenant_id = ?", tenantID).
		Where("object_id IN (?)", bun.In(objectIDs)).Where("property_id IN (?)", bun.In(propertyIDs)).Exec(ctx)
	return err
}

// ObjectUniqueClaim inserts unique values and returns the rows it could
// not insert because the value is taken. ON CONFLICT DO NOTHING waits for
// a concurrent transaction holding the same value and then yields to it if
// it commits, so of concurrent claims exactly one wins; the transaction is
// not aborted, so the caller can name the property.
func ObjectUniqueClaim(ctx context.Context, idb bun.IDB, rows []*ObjectUnique) ([]*ObjectUnique, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var won []ObjectUnique
	err := idb.NewInsert().Model(&rows).On("CONFLICT (tenant_id, property_id, value_key) DO NOTHING").
		Returning("property_id, value_key").Scan(ctx, &won)
	if err != nil {
		return nil, err
	}
	got := make(map[[2]string]bool, len(won))
	for _, w := range won {
		got[[2]string{w.PropertyID, w.ValueKey}] = true
	}
	var lost []*ObjectUnique
	for _, r := range rows {
		if !got[[2]string{r.PropertyID, r.ValueKey}] {
			lost = append(lost, r)
		}
	}
	return lost, nil
}

// ObjectPage is one keyset page request over a type's objects.
type ObjectPage struct {
	TenantID, TypeID string
	// Trash lists soft-deleted objects instead of live ones.
	Trash bool
	// Column is the built-in sort column: created_at, updated_at, id or
	// deleted_at (a fixed set, never user input).
	Column string
	Desc   bool
	Limit  int
	// AfterTime and AfterID are the position of the last row of the
	// previous page (AfterTime unused when Column is id).
	AfterTime *time.Time
	AfterID   string
}

// ObjectSorted is an object with its value of the sort property.
type ObjectSorted struct {
	Object `bun:",extend"`
	VText  *string    `bun:"v_text"`
	VNum   *string    `bun:"v_num"`
	VTime  *time.Time `bun:"v_time"`
}

// PropertyPage is one keyset page request over a type's live objects
// sorted by an indexed property.
type PropertyPage struct {
	TenantID, TypeID, PropertyID string
	// Column is IndexText, IndexNum or IndexTime.
	Column string
	Desc   bool
	Limit  int
	// After is the last row's value (as text; nil: start) and AfterID its
	// object id.
	After   *string
	AfterID string
}

// ObjectVersionsOfObjects returns the newest limit previous states of each
// live object among ids, by object, newest first (one query: a window over
// the versions' primary key).
func ObjectVersionsOfObjects(ctx context.Context, idb bun.IDB, tenantID string, ids []string, limit int) ([]ObjectVersion, error) {
	rows := []ObjectVersion{}
	err := idb.NewRaw(`SELECT tenant_id, object_id, version, properties, updated_by, updated_at FROM (
		SELECT v.*, row_number() OVER (PARTITION BY v.object_id ORDER BY v.version DESC) AS rn
		FROM object_versions v JOIN objects o ON o.tenant_id = v.tenant_id AND o.id = v.object_id AND o.deleted_at IS NULL
		WHERE v.tenant_id = ? AND v.object_id IN (?)) x
		WHERE rn <= ? ORDER BY object_id, version DESC`, tenantID, bun.In(ids), limit).Scan(ctx, &rows)
	return rows, err
}

// ObjectCommentOf is a comment with its object's type.
type ObjectCommentOf struct {
	ObjectComment `bun:",extend"`
	ObjectTypeID  string `bun:"object_type_id"`
}

// ObjectCommentsOfObjects returns the first limit comments of each live
// object among ids, by object, newest first unless asc (one query).
func ObjectCommentsOfObjects(ctx context.Context, idb bun.IDB, tenantID string, ids []string, asc bool, limit int) ([]ObjectCommentOf, error) {
	order := "c.created_at DESC, c.id DESC"
	outer := "created_at DESC, id DESC"
	if asc {
		order, outer = "c.created_at, c.id", "created_at, id"
	}
	rows := []ObjectCommentOf{}
	err := idb.NewRaw(`SELECT tenant_id, id, object_id, author_id, body, created_at, updated_at, object_type_id FROM (
		SELECT c.*, o.object_type_id, row_number() OVER (PARTITION BY c.object_id ORDER BY `+order+`) AS rn
		FROM object_comments c JOIN objects o ON o.tenant_id = c.tenant_id AND o.id = c.object_id AND o.deleted_at IS NULL
		WHERE c.tenant_id = ? AND c.object_id IN (?)) x
		WHERE rn <= ? ORDER BY object_id, `+outer, tenantID, bun.In(ids), limit).Scan(ctx, &rows)
	return rows, err
}

// PropertyRows says how a property's index rows and unique values derive
// from the objects' documents (the SQL twin of the domain's indexRow and
// uniqueKey, for backfills; names and kinds come from the schema, never
// from a request).
type PropertyRows struct {
	TenantID, TypeID, PropertyID string
	// Name is the document member holding the value.
	Name string
	// Column is IndexText, IndexNum or IndexTime.
	Column string
	// Amount reads the value's "amount" member (currency).
	Amount bool
	// Email case-folds unique keys; Datetime writes them in UTC.
	Email, Datetime bool
	// MaxText and MaxKey are the byte caps of v_text and of a value_key
	// kept as is.
	MaxText, MaxKey int
}

// rfc3339 matches the timestamps the domain parses (time.RFC3339Nano);
// normalUTC those already written in UTC as the domain writes them.
const (
	// (No question marks: bun would read them as placeholders.)
	rfc3339   = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+){0,1}(Z|[+-][0-9]{2}:[0-9]{2})$`
	normalUTC = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9]){0,1}Z$`
)

// valueSource is the FROM of a backfill: every object of the type, live
// and trashed (their rows stay, so a restore has nothing to rebuild), with
// j.v its value of the property and j.s that value as text; more joins
// the caller's laterals before the WHERE.
func (pr PropertyRows) valueSource(more string) (string, []any) {
	v := "o.properties -> ?"
	if pr.Amount {
		v = "(o.properties -> ?) -> 'amount'"
	}
	return "FROM objects o CROSS JOIN LATERAL (SELECT " + v + " AS v, (" + v + ") #>> '{}' AS s) j" + more +
		" WHERE o.tenant_id = ? AND o.object_type_id = ?", []any{pr.Name, pr.Name, pr.TenantID, pr.TypeID}
}

// indexValue is the typed index value of j.v, NULL when it has none.
func (pr PropertyRows) indexValue() string {
	switch pr.Column {
	case IndexNum:
		return "CASE WHEN jsonb_typeof(j.v) = 'number' THEN (j.v)::numeric END"
	case IndexTime:
		return "CASE WHEN jsonb_typeof(j.v) = 'string' AND j.s ~ '" + rfc3339 + "' THEN platform_try_timestamptz(j.s) END"
	}
	// Strings by their first MaxText bytes, never splitting a character
	// (a continuation byte is 10xxxxxx); booleans as true/false.
	n := strconv.Itoa(pr.MaxText)
	b := "convert_to(j.s, 'UTF8')"
	cut := "CASE"
	for back := 0; back < 3; back++ {
		at := strconv.Itoa(pr.MaxText - back)
		cut += " WHEN get_byte(" + b + ", " + at + ") & 192 <> 128 THEN " + at
	}
	cut += " ELSE " + strconv.Itoa(pr.MaxText-3) + " END"
	return "CASE jsonb_typeof(j.v) WHEN 'boolean' THEN j.s WHEN 'string' THEN CASE WHEN octet_length(j.s) <= " + n +
		" THEN j.s ELSE convert_from(substring(" + b + " FROM 1 FOR " + cut + "), 'UTF8') END END"
}

// uniqueValue is the value_key of j.v (NULL when it has none): numbers by
// value, e-mails case-folded, datetimes in UTC, long keys by their hash.
func (pr PropertyRows) uniqueValue() string {
	str := "j.s"
	switch {
	case pr.Email:
		str = "lower(j.s)"
	case pr.Datetime:
		str = "CASE WHEN j.s ~ '" + normalUTC + "' THEN j.s WHEN j.s ~ '" + rfc3339 + "' THEN" +
			" to_char(platform_try_timestamptz(j.s) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') ||" +
			" rtrim(rtrim(to_char(platform_try_timestamptz(j.s) AT TIME ZONE 'UTC', '.US'), '0'), '.') || 'Z'" +
			" ELSE j.s END"
	}
	key := "CASE jsonb_typeof(j.v) WHEN 'number' THEN trim_scale((j.v)::numeric)::text" +
		" WHEN 'boolean' THEN j.s WHEN 'string' THEN " + str + " END"
	return "(SELECT CASE WHEN octet_length(k) > " + strconv.Itoa(pr.MaxKey) +
		" THEN 'sha256:' || encode(sha256(convert_to(k, 'UTF8')), 'hex') ELSE k END FROM (SELECT " + key + " AS k) kk)"
}

// PropertyIndexBackfill inserts the missing index rows of a property from
// the documents of its type's objects (one statement) and answers how many.
func PropertyIndexBackfill(ctx context.Context, idb bun.IDB, pr PropertyRows) (int64, error) {
	from, args := pr.valueSource(" CROSS JOIN LATERAL (SELECT " + pr.indexValue() + " AS val) x")
	q := "INSERT INTO object_index (tenant_id, object_type_id, property_id, object_id, " + pr.Column + ")" +
		" SELECT o.tenant_id, o.object_type_id, ?, o.id, x.val " + from + " AND x.val IS NOT NULL ON CONFLICT (tenant_id, property_id, object_id) DO NOTHING"
	res, err := idb.NewRaw(q, append([]any{pr.PropertyID}, args...)...).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// PropertyUniqueDuplicate returns a value (as the documents hold it) that
// two or more of the type's objects share under the property's unique key,
// or "" and false when the values are distinct.
func PropertyUniqueDuplicate(ctx context.Context, idb bun.IDB, pr PropertyRows) (string, bool, error) {
	from, args := pr.valueSource("")
	q := "SELECT min(j.s) FROM (SELECT j.s, " + pr.uniqueValue() + " AS k " + from + ") j" +
		" WHERE j.k IS NOT NULL GROUP BY j.k HAVING count(*) > 1 ORDER BY j.k LIMIT 1"
	var dup []string
	if err := idb.NewRaw(q, args...).Scan(ctx, &dup); err != nil {
		return "", false, err
	}
	if len(dup) == 0 {
		return "", false, nil
	}
	return dup[0], true, nil
}

// PropertyUniqueBackfill claims the unique values of a property's objects
// from their documents (one statement); the caller has checked with
// PropertyUniqueDuplicate that they are distinct.
func PropertyUniqueBackfill(ctx context.Context, idb bun.IDB, pr PropertyRows) (int64, error) {
	from, args := pr.valueSource("")
	q := "INSERT INTO object_unique (tenant_id, property_id, value_key, object_id)" +
		" SELECT ?, ?, j.k, j.id FROM (SELECT o.id, " + pr.uniqueValue() + " AS k " + from + ") j" +
		" WHERE j.k IS NOT NULL ON CONFLICT (tenant_id, property_id, value_key) DO NOTHING"
	res, err := idb.NewRaw(q, append([]any{pr.TenantID, pr.PropertyID}, args...)...).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// PropertyIndexDrop deletes a property's index rows.
func PropertyIndexDrop(ctx context.Context, idb bun.IDB, tenantID, propertyID string) error {
	_, err := idb.NewDelete().Model((*ObjectIndex)(nil)).Where("tenant_id = ? AND property_id = ?", tenantID, propertyID).Exec(ctx)
	return err
}

// PropertyUniqueDrop deletes a property's unique values.
func PropertyUniqueDrop(ctx context.Context, idb bun.IDB, tenantID, propertyID string) error {
	_, err := idb.NewDelete().Model((*ObjectUnique)(nil)).Where("tenant_id = ? AND property_id = ?", tenantID, propertyID).Exec(ctx)
	return err
}

// IsStatementTimeout reports whether err is a statement cancelled by
// statement_timeout.
func IsStatementTimeout(err error) bool { return pgCode(err) == "57014" }

// liveObjects selects a type's live objects matching cond (the count
// queries' common part; o is the objects alias the filters use).
func liveObjects(idb bun.IDB, tenantID, typeID string, cond Condition) *bun.SelectQuery {
	q := idb.NewSelect().Model((*Object)(nil)).ColumnExpr("1").
		Where("o.tenant_id = ? AND o.object_type_id = ? AND o.deleted_at IS NULL", tenantID, typeID)
	return where(q, cond)
}

// ObjectCountUpTo counts a type's live objects matching cond, stopping at
// limit (an index-only scan of the live index when cond is none).
func ObjectCountUpTo(ctx context.Context, idb bun.IDB, tenantID, typeID string, cond Condition, limit int) (int, error) {
	var n int
	err := idb.NewRaw("SELECT count(*) FROM (?) AS capped", liveObjects(idb, tenantID, typeID, cond).Limit(int64(limit))).Scan(ctx, &n)
	return n, err
}

// ObjectCountWithin counts a type's live objects exactly, unless that
// takes longer than budget (then a statement timeout error).
func ObjectCountWithin(ctx context.Context, idb bun.IDB, tenantID, typeID string, budget time.Duration) (int, error) {
	var n int
	err := idb.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = "+strconv.FormatInt(budget.Milliseconds(), 10)); err != nil {
			return err
		}
		return tx.NewRaw("SELECT count(*) FROM (?) AS live", liveObjects(tx, tenantID, typeID, Condition{})).Scan(ctx, &n)
	})
	return n, err
}

// planRows is the planner's row estimate of q (EXPLAIN: statistics only,
// no row is read).
func planRows(ctx context.Context, idb bun.IDB, q *bun.SelectQuery) (float64, error) {
	var raw []byte
	if err := idb.NewRaw("EXPLAIN (FORMAT JSON) ?", q).Scan(ctx, &raw); err != nil {
		return 0, err
	}
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil || len(plan) == 0 {
		return 0, fmt.Errorf("explain: unreadable plan: %v", err)
	}
	return plan[0].Plan.Rows, nil
}

// ObjectCountEstimate is the planner's estimate of a type's live objects
// matching cond. The planner multiplies the selectivities of tenant_id and
// object_type_id as if independent (a type belongs to one tenant: at 1% of
// the table that underestimates a hundredfold), so the type's live count
// is estimated on object_type_id alone (type ids are unique; EXPLAIN reads
// statistics, not the tenant's rows), and cond's selectivity as the ratio
// of the tenant-scoped estimates with and without it.
func ObjectCountEstimate(ctx context.Context, idb bun.IDB, tenantID, typeID string, cond Condition) (int, error) {
	live, err := planRows(ctx, idb, idb.NewSelect().Model((*Object)(nil)).ColumnExpr("1").
		Where("o.object_type_id = ? AND o.deleted_at IS NULL", typeID))
	if err != nil || cond.SQL == "" || cond.SQL == "TRUE" {
		return int(live), err
	}
	all, err := planRows(ctx, idb, liveObjects(idb, tenantID, typeID, Condition{}))
	if err != nil {
		return 0, err
	}
	matching, err := planRows(ctx, idb, liveObjects(idb, tenantID, typeID, cond))
	if err != nil || all <= 0 {
		return 0, err
	}
	return int(live * min(matching/all, 1)), nil
}

// ObjectFilterSample tests cond on a type's newest n live objects (a walk
// of the live index by created_at, then their rows) and answers how many
// it read and how many matched.
func ObjectFilterSample(ctx context.Context, idb bun.IDB, tenantID, typeID string, cond Condition, n int) (read, matched int, err error) {
	sample := idb.NewSelect().Model((*Object)(nil)).ColumnExpr("o.*").
		Where("o.tenant_id = ? AND o.object_type_id = ? AND o.deleted_at IS NULL", tenantID, typeID).
		OrderExpr("o.created_at DESC, o.id DESC").Limit(int64(n))
	match := "TRUE"
	var args []any
	if cond.SQL != "" {
		match, args = cond.SQL, cond.Args
	}
	// cond's placeholders come first in the statement.
	err = idb.NewRaw("SELECT count(*), count(*) FILTER (WHERE "+match+") FROM (?) AS o",
		append(append([]any{}, args...), sample)...).Scan(ctx, &read, &matched)
	return read, matched, err
}
