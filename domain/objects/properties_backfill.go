package objects

import (
	"context"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Backfills: an object write keeps the index rows and unique values of the
// properties flagged at that moment, so flagging a property of a type that
// already has objects (PATCH is_indexed/is_sortable/is_unique, or a new
// flagged property over documents that hold its name) derives the missing
// rows from the documents, set-based, in the schema change's own
// transaction. The type's row lock (FOR UPDATE, taken by every schema
// change) waits for the object writes in flight (KEY SHARE) and holds the
// next ones until the commit, so no object is written under the old flags
// after the backfill read it. Unflagging drops the rows no longer needed.

// maxDuplicateShown caps the duplicate value a 409 quotes.
const maxDuplicateShown = 200

// propertyRows describes p's rows for the db's backfill statements, with
// the caps and normalizations of indexRow and uniqueKey.
func propertyRows(t *db.ObjectType, p *Property) db.PropertyRows {
	return db.PropertyRows{TenantID: t.TenantID, TypeID: t.ID, PropertyID: p.ID, Name: p.Name,
		Column: indexColumn(p.DataType), Amount: p.DataType == TypeCurrency,
		Email: p.DataType == TypeEmail, Datetime: p.DataType == TypeDatetime,
		MaxText: maxIndexText, MaxKey: maxUniqueKey}
}

// reindexProperty brings p's index rows and unique values from the flags
// of before (nil: a new property) to those of after. A unique flag over
// values two objects share is 409 CONFLICT naming the property and one of
// the values; the caller's transaction then rolls back.
func reindexProperty(ctx context.Context, tx bun.IDB, t *db.ObjectType, before *Property, after *Property) error {
	var was Property
	if before != nil {
		was = *before
	}
	pr := propertyRows(t, after)
	if after.IsUnique && !was.IsUnique {
		dup, found, err := db.PropertyUniqueDuplicate(ctx, tx, pr)
		if err != nil {
			return domain.Internal(err)
		}
		if found {
			return domain.Errorf(domain.CodeConflict, "Objects of this type share the value %q of %s: it cannot be unique.",
				shorten(dup, maxDuplicateShown), after.Name).With("property", after.Name).With("value", shorten(dup, maxDuplicateShown))
		}
		if _, err := db.PropertyUniqueBackfill(ctx, tx, pr); err != nil {
			return domain.Internal(err)
		}
	}
	if was.IsUnique && !after.IsUnique {
		if err := db.PropertyUniqueDrop(ctx, tx, t.TenantID, after.ID); err != nil {
			return domain.Internal(err)
		}
	}
	switch {
	case flagged(after) && !flagged(&was):
		if _, err := db.PropertyIndexBackfill(ctx, tx, pr); err != nil {
			return domain.Internal(err)
		}
	case flagged(&was) && !flagged(after):
		if err := db.PropertyIndexDrop(ctx, tx, t.TenantID, after.ID); err != nil {
			return domain.Internal(err)
		}
	}
	return nil
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
