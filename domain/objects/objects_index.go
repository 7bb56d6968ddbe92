package objects

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// The typed index rows of the multitenant pivot design: for every property
// flagged is_indexed, is_sortable or is_unique, one object_index row holds
// the value in a typed column (v_text, v_num, v_time) so filters and sorts
// walk a btree; is_unique properties also claim their value in
// object_unique, whose primary key admits one object per value.

const (
	// maxIndexText caps the bytes of a v_text value (btree rows hold about
	// 2.7 kB); longer strings are indexed by their prefix.
	maxIndexText = 512
	// maxUniqueKey is the longest value_key kept as is; longer values are
	// keyed by their SHA-256.
	maxUniqueKey = 256
)

// flagged reports whether a property has index rows.
func flagged(p *Property) bool { return p.IsIndexed || p.IsSortable || p.IsUnique }

// indexColumn is the object_index column of a data type's values.
func indexColumn(dataType string) string {
	switch dataType {
	case TypeInteger, TypeNumber, TypeDecimal, TypePercent, TypeCurrency:
		return db.IndexNum
	case TypeDatetime:
		return db.IndexTime
	}
	return db.IndexText
}

// indexRow builds the index row of a normalized value (nil when the value
// has no index form).
func indexRow(p *Property, tenantID, typeID, objectID string, val any) *db.ObjectIndex {
	r := &db.ObjectIndex{TenantID: tenantID, ObjectTypeID: typeID, PropertyID: p.ID, ObjectID: objectID}
	switch indexColumn(p.DataType) {
	case db.IndexNum:
		if p.DataType == TypeCurrency {
			m, _ := val.(map[string]any)
			val = m["amount"]
		}
		n, ok := val.(json.Number)
		if !ok {
			return nil
		}
		s := n.String()
		r.VNum = &s
	case db.IndexTime:
		t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(val))
		if err != nil {
			return nil
		}
		r.VTime = &t
	default:
		s, ok := textValue(val)
		if !ok {
			return nil
		}
		s = truncateUTF8(s, maxIndexText)
		r.VText = &s
	}
	return r
}

// textValue is the text form of a text-indexed value (booleans as
// "true"/"false"; dates and times sort correctly as text).
func textValue(val any) (string, bool) {
	switch x := val.(type) {
	case string:
		return x, true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && (s[cut]&0xC0) == 0x80 { // do not split a rune
		cut--
	}
	return s[:cut]
}

// uniqueKey is the canonical form of a unique value: numbers by value (1.0
// and 1 are the same), datetimes in UTC, e-mail addresses case-folded;
// long values by their hash.
func uniqueKey(p *Property, val any) (string, bool) {
	var key string
	switch x := val.(type) {
	case json.Number:
		d, err := decimal.NewFromString(x.String())
		if err != nil {
			return "", false
		}
		key = d.String()
	case string:
		key = x
		switch p.DataType {
		case TypeEmail:
			key = strings.ToLower(x)
		case TypeDatetime:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				key = t.UTC().Format(time.RFC3339Nano)
			}
		}
	case bool:
		key, _ = textValue(x)
	default:
		return "", false
	}
	if len(key) > maxUniqueKey {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return key, true
}

// indexWrite collects the index rows and unique values of a write.
type indexWrite struct {
	objectIDs, propIDs []string
	rows               []*db.ObjectIndex
	claims             []*db.ObjectUnique
	// owner names the item and field of each claim, for the 409.
	owner map[*db.ObjectUnique]claimOwner
}

type claimOwner struct {
	item  int
	field string
	name  string
}

// add collects the rows of one object: every flagged property of doc on
// create (changed nil), or the flagged properties named in changed (an
// update's patch), whose old rows flush replaces.
func (ix *indexWrite) add(sc *schema, objectID string, item int, prefix string, doc, changed map[string]any) {
	ix.objectIDs = append(ix.objectIDs, objectID)
	for i := range sc.props {
		p := &sc.props[i]
		if !flagged(p) {
			continue
		}
		if changed != nil {
			if _, ok := changed[p.Name]; !ok {
				continue
			}
			ix.propIDs = append(ix.propIDs, p.ID)
		}
		val, ok := doc[p.Name]
		if !ok || val == nil {
			continue
		}
		if r := indexRow(p, sc.t.TenantID, sc.t.ID, objectID, val); r != nil {
			ix.rows = append(ix.rows, r)
		}
		if !p.IsUnique {
			continue
		}
		if key, ok := uniqueKey(p, val); ok {
			c := &db.ObjectUnique{TenantID: sc.t.TenantID, PropertyID: p.ID, ValueKey: key, ObjectID: objectID}
			ix.claims = append(ix.claims, c)
			if ix.owner == nil {
				ix.owner = map[*db.ObjectUnique]claimOwner{}
			}
			ix.owner[c] = claimOwner{item: item, field: prefix + p.Name, name: p.Name}
		}
	}
}

// flush writes the collected rows; replace first drops the old rows of the
// changed properties (an update of one object). A unique value taken (also
// by a concurrent write, or twice in one batch) is 409 CONFLICT naming the
// property.
func (ix *indexWrite) flush(ctx context.Context, tx bun.IDB, sc *schema, replace bool) error {
	var drop []string
	if replace {
		drop = ix.propIDs
		if err := db.ObjectUniqueRelease(ctx, tx, sc.t.TenantID, ix.objectIDs, drop); err != nil {
			return domain.Internal(err)
		}
	}
	if err := db.ObjectIndexReplace(ctx, tx, sc.t.TenantID, ix.objectIDs, drop, ix.rows); err != nil {
		return domain.Internal(err)
	}
	// Two items of one batch with the same value: the later one loses
	// (one INSERT ... ON CONFLICT DO NOTHING would silently keep the first).
	seen := make(map[[2]string]bool, len(ix.claims))
	for _, c := range ix.claims {
		k := [2]string{c.PropertyID, c.ValueKey}
		if seen[k] {
			return ix.conflict(c)
		}
		seen[k] = true
	}
	lost, err := db.ObjectUniqueClaim(ctx, tx, ix.claims)
	if err != nil {
		return domain.Internal(err)
	}
	if len(lost) == 0 {
		return nil
	}
	return ix.conflict(lost[0])
}

// conflict is the 409 of a unique value taken.
func (ix *indexWrite) conflict(c *db.ObjectUnique) error {
	o := ix.owner[c]
	e := domain.Errorf(domain.CodeConflict, "Another object of this type has the same %s.", o.name).
		With("property", o.name).With("field", o.field)
	if o.field != o.name {
		e = e.With("item", o.item)
	}
	return e
}
