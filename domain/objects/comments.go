package objects

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Comments: notes on a live object (its activity feed), each carrying its
// author, the principal's id (key_... or usr_...). Only the author edits
// or deletes a comment. A trashed object's comments are out of reach
// until a restore (the object is 404); a permanent delete removes them
// (foreign key with cascade). Events on topic "objects".

// Comment event types (payload: the comment).
const (
	EventCommentCreated = "comment.created"
	EventCommentUpdated = "comment.updated"
	EventCommentDeleted = "comment.deleted"
)

// PrefixComment is the id prefix of comments.
const PrefixComment = "cmt_"

// MaxCommentChars caps a comment's body (characters, after trimming).
const MaxCommentChars = 10000

// Comment is a note on an object.
type Comment struct {
	ID           string    `json:"id"`
	ObjectTypeID string    `json:"object_type_id"`
	ObjectID     string    `json:"object_id"`
	AuthorID     string    `json:"author_id"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func commentFromRow(typeID string, r *db.ObjectComment) Comment {
	return Comment{ID: r.ID, ObjectTypeID: typeID, ObjectID: r.ObjectID, AuthorID: r.AuthorID, Body: r.Body,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// ListCommentsInput is GET /v1/objects/:object_type_id/:object_id/comments.
type ListCommentsInput struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	ObjectID     string `path:"object_id" json:"-"`
	Limit        int    `query:"limit" json:"-"`
	Cursor       string `query:"cursor" json:"-"`
	// Order is desc (default: newest first, as the reference says) or asc.
	Order string `query:"order" json:"-"`
}

// CreateCommentInput is POST /v1/objects/:object_type_id/:object_id/comments.
type CreateCommentInput struct {
	ObjectTypeID string  `path:"object_type_id" json:"-"`
	ObjectID     string  `path:"object_id" json:"-"`
	Body         *string `json:"body"`
}

// UpdateCommentInput is PATCH .../comments/:comment_id.
type UpdateCommentInput struct {
	ObjectTypeID string  `path:"object_type_id" json:"-"`
	ObjectID     string  `path:"object_id" json:"-"`
	CommentID    string  `path:"comment_id" json:"-"`
	Body         *string `json:"body"`
}

// CommentRef is DELETE .../comments/:comment_id.
type CommentRef struct {
	ObjectTypeID string `path:"object_type_id" json:"-"`
	ObjectID     string `path:"object_id" json:"-"`
	CommentID    string `path:"comment_id" json:"-"`
}

// checkBody returns the trimmed body: 1 to MaxCommentChars characters of
// valid UTF-8 without NUL.
func checkBody(body *string) (string, error) {
	if body == nil {
		return "", domain.Invalid("body", "is required")
	}
	b := strings.TrimSpace(*body)
	switch {
	case b == "":
		return "", domain.Invalid("body", "must not be empty")
	case !utf8.ValidString(b) || strings.ContainsRune(b, 0):
		return "", domain.Invalid("body", "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(b) > MaxCommentChars:
		return "", domain.Invalid("body", "must be at most 10,000 characters")
	}
	return b, nil
}

// ListComments returns a page of a live object's comments, newest first
// (order=asc: oldest first), with their total. Errors: NOT_FOUND,
// VALIDATION_FAILED (order), BAD_REQUEST (cursor).
func (s *Service) ListComments(ctx context.Context, in ListCommentsInput) (domain.Page[Comment], error) {
	p, err := objectReader(ctx)
	if err != nil {
		return domain.Page[Comment]{}, err
	}
	if err := requirePermission(p, "comments:read"); err != nil {
		return domain.Page[Comment]{}, err
	}
	pg := db.CommentPage{TenantID: p.TenantID}
	switch in.Order {
	case "", "desc":
		in.Order = "desc"
	case "asc":
		pg.Asc = true
	default:
		return domain.Page[Comment]{}, domain.Invalid("order", "must be asc or desc")
	}
	t, obj, err := s.accessibleObject(ctx, s.core.DB, p, in.ObjectTypeID, in.ObjectID, "Object", ActionSelect)
	if err != nil {
		return domain.Page[Comment]{}, err
	}
	pg.ObjectID = obj.ID
	scope := "comments:" + p.TenantID + ":" + obj.ID + ":" + in.Order
	pos, err := s.decodePosition(scope, in.Cursor)
	if err != nil {
		return domain.Page[Comment]{}, err
	}
	if pos != nil {
		at, err := cursorTime(pos)
		if err != nil {
			return domain.Page[Comment]{}, err
		}
		pg.AfterTime, pg.AfterID = &at, pos.ID
	}
	limit := domain.ClampLimit(in.Limit)
	pg.Limit = limit + 1
	rows, err := db.ObjectCommentList(ctx, s.core.DB, pg)
	if err != nil {
		return domain.Page[Comment]{}, domain.Internal(err)
	}
	total, err := db.ObjectCommentCount(ctx, s.core.DB, p.TenantID, obj.ID)
	if err != nil {
		return domain.Page[Comment]{}, domain.Internal(err)
	}
	out := domain.Page[Comment]{Results: make([]Comment, 0, len(rows)), Total: total}
	for i := range rows {
		if i == limit {
			last := rows[limit-1]
			v := last.CreatedAt.UTC().Format(time.RFC3339Nano)
			out.NextCursor = s.encodePosition(scope, position{V: &v, ID: last.ID})
			break
		}
		out.Results = append(out.Results, commentFromRow(t.ID, &rows[i]))
	}
	return out, nil
}

// CreateComment adds a comment by the caller to a live object. Errors:
// NOT_FOUND, VALIDATION_FAILED (body).
func (s *Service) CreateComment(ctx context.Context, in CreateCommentInput) (Comment, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Comment{}, err
	}
	if err := requirePermission(p, "comments:write"); err != nil {
		return Comment{}, err
	}
	body, err := checkBody(in.Body)
	if err != nil {
		return Comment{}, err
	}
	var out Comment
	err = s.core.Write(ctx, func(w *domain.Write) error {
		t, obj, err := s.accessibleObject(ctx, w.Tx, p, in.ObjectTypeID, in.ObjectID, "Object", ActionSelect)
		if err != nil {
			return err
		}
		now := s.now()
		row := &db.ObjectComment{TenantID: p.TenantID, ID: domain.NewID(PrefixComment), ObjectID: obj.ID,
			AuthorID: p.ActorID(), Body: body, CreatedAt: now, UpdatedAt: now}
		if err := db.ObjectCommentInsert(ctx, w.Tx, row); err != nil {
			if db.IsForeignKeyViolation(err) { // the object deleted for good meanwhile
				return domain.NotFound("Object")
			}
			return domain.Internal(err)
		}
		out = commentFromRow(t.ID, row)
		return s.recordComment(w, p.TenantID, "comment.create", EventCommentCreated, &out)
	})
	return out, err
}

// authoredComment loads (and locks) a comment of a live object for a
// change by its author. Errors: NOT_FOUND, FORBIDDEN (another principal).
func (s *Service) authoredComment(ctx context.Context, w *domain.Write, p *domain.Principal, typeRef, objectID, id string) (string, *db.ObjectComment, error) {
	t, obj, err := s.accessibleObject(ctx, w.Tx, p, typeRef, objectID, "Object", ActionSelect)
	if err != nil {
		return "", nil, err
	}
	if !domain.ValidID(PrefixComment, id) {
		return "", nil, domain.NotFound("Comment")
	}
	row, err := db.ObjectCommentGet(ctx, w.Tx, p.TenantID, obj.ID, id, true)
	if db.IsNoRows(err) {
		return "", nil, domain.NotFound("Comment")
	}
	if err != nil {
		return "", nil, domain.Internal(err)
	}
	if row.AuthorID != p.ActorID() {
		return "", nil, domain.Errorf(domain.CodeForbidden, "Only the author of a comment may change or delete it.")
	}
	return t.ID, row, nil
}

// UpdateComment replaces the body of the caller's comment. Errors:
// NOT_FOUND, FORBIDDEN (not the author), VALIDATION_FAILED (body).
func (s *Service) UpdateComment(ctx context.Context, in UpdateCommentInput) (Comment, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Comment{}, err
	}
	if err := requirePermission(p, "comments:write"); err != nil {
		return Comment{}, err
	}
	body, err := checkBody(in.Body)
	if err != nil {
		return Comment{}, err
	}
	var out Comment
	err = s.core.Write(ctx, func(w *domain.Write) error {
		typeID, row, err := s.authoredComment(ctx, w, p, in.ObjectTypeID, in.ObjectID, in.CommentID)
		if err != nil {
			return err
		}
		row.Body, row.UpdatedAt = body, s.now()
		if err := db.ObjectCommentUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		out = commentFromRow(typeID, row)
		return s.recordComment(w, p.TenantID, "comment.update", EventCommentUpdated, &out)
	})
	return out, err
}

// DeleteComment deletes the caller's comment. Errors: NOT_FOUND,
// FORBIDDEN (not the author).
func (s *Service) DeleteComment(ctx context.Context, in CommentRef) (Deleted, error) {
	p, err := objectWriter(ctx)
	if err != nil {
		return Deleted{}, err
	}
	if err := requirePermission(p, "comments:write"); err != nil {
		return Deleted{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		typeID, row, err := s.authoredComment(ctx, w, p, in.ObjectTypeID, in.ObjectID, in.CommentID)
		if err != nil {
			return err
		}
		if err := db.ObjectCommentDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		c := commentFromRow(typeID, row)
		return s.recordComment(w, p.TenantID, "comment.delete", EventCommentDeleted, &c)
	})
	if err != nil {
		return Deleted{}, err
	}
	return Deleted{Deleted: true}, nil
}

// recordComment audits a comment change (its object and length, not the
// text) and emits its event with the comment.
func (s *Service) recordComment(w *domain.Write, tenantID, action, event string, c *Comment) error {
	if err := w.Audit(tenantID, action, "comment", c.ID, map[string]any{"object_id": c.ObjectID,
		"length": utf8.RuneCountInString(c.Body)}); err != nil {
		return err
	}
	return w.Emit(tenantID, TopicObjects, event, c)
}
