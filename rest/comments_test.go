package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of /v1/objects/:object_type_id/:object_id/comments. The cmt*
// helpers are this file's.

type cmtComment struct {
	ID           string    `json:"id"`
	ObjectTypeID string    `json:"object_type_id"`
	ObjectID     string    `json:"object_id"`
	AuthorID     string    `json:"author_id"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type cmtPage struct {
	Results    []cmtComment `json:"results"`
	NextCursor *string      `json:"next_cursor"`
	Total      int          `json:"total"`
}

// cmtEnv is a tenant with two "*" keys (two authors, high rate limits) and
// a schemaless type.
type cmtEnv struct {
	env            *apptest.Env
	tn             apptest.Tenant
	ty             otType
	alice, bob     string // keys
	aliceID, bobID string // their ids
}

func cmtSetup(t *testing.T, env *apptest.Env) cmtEnv {
	t.Helper()
	tn := env.NewTenant(t)
	high := map[string]any{"per_minute": 100000, "per_hour": 1000000}
	alice := issueKey(t, env, tn.Key, map[string]any{"label": "alice", "scopes": []string{"*"}, "rate_limit": high})
	bob := issueKey(t, env, tn.Key, map[string]any{"label": "bob", "scopes": []string{"*"}, "rate_limit": high})
	tn.Key = alice.Token
	return cmtEnv{env: env, tn: tn, ty: otCreate(t, env, alice.Token, map[string]any{"name": otName("tickets")}),
		alice: alice.Token, bob: bob.Token, aliceID: alice.Key.ID, bobID: bob.Key.ID}
}

func (c cmtEnv) object(t testing.TB) string {
	t.Helper()
	res := otDo(t, c.env, c.alice, "POST", "/v1/objects/"+c.ty.Name, map[string]any{"properties": map[string]any{}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var o objObject
	res.Decode(t, &o)
	return o.ID
}

func (c cmtEnv) path(id string) string { return "/v1/objects/" + c.ty.Name + "/" + id + "/comments" }

func (c cmtEnv) create(t testing.TB, key, objID, body string) cmtComment {
	t.Helper()
	res := otDo(t, c.env, key, "POST", c.path(objID), map[string]any{"body": body})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var cm cmtComment
	res.Decode(t, &cm)
	return cm
}

func (c cmtEnv) list(t testing.TB, objID, query string) cmtPage {
	t.Helper()
	res := otDo(t, c.env, c.alice, "GET", c.path(objID)+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg cmtPage
	res.Decode(t, &pg)
	return pg
}

func cmtIDs(pg cmtPage) []string {
	out := []string{}
	for _, r := range pg.Results {
		out = append(out, r.ID)
	}
	return out
}

func TestCommentsCreateAndAuthors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := cmtSetup(t, env)
	obj := c.object(t)

	cm := c.create(t, c.alice, obj, "  First!\n")
	require.True(t, strings.HasPrefix(cm.ID, "cmt_"), cm.ID)
	require.Equal(t, "First!", cm.Body, "trimmed")
	require.Equal(t, c.aliceID, cm.AuthorID)
	require.Equal(t, obj, cm.ObjectID)
	require.Equal(t, c.ty.ID, cm.ObjectTypeID)
	// The type by id works too.
	byID := otDo(t, env, c.bob, "POST", "/v1/objects/"+c.ty.ID+"/"+obj+"/comments", map[string]any{"body": "Second"})
	require.Equal(t, 201, byID.Status, "%s", byID.Body)
	var bobs cmtComment
	byID.Decode(t, &bobs)
	require.Equal(t, c.bobID, bobs.AuthorID)

	t.Run("only the author edits", func(t *testing.T) {
		res := otDo(t, env, c.bob, "PATCH", c.path(obj)+"/"+cm.ID, map[string]any{"body": "hijacked"})
		otRequireError(t, res, 403, "FORBIDDEN")
		res = otDo(t, env, c.alice, "PATCH", c.path(obj)+"/"+cm.ID, map[string]any{"body": " Edited "})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var edited cmtComment
		res.Decode(t, &edited)
		require.Equal(t, "Edited", edited.Body)
		require.Equal(t, cm.ID, edited.ID)
		require.True(t, cm.CreatedAt.Equal(edited.CreatedAt))
		require.False(t, edited.UpdatedAt.Before(cm.UpdatedAt))
		// PUT is an alias of PATCH.
		require.Equal(t, 200, otDo(t, env, c.alice, "PUT", c.path(obj)+"/"+cm.ID, map[string]any{"body": "Edited again"}).Status)
		pg := c.list(t, obj, "?order=asc")
		require.Equal(t, "Edited again", pg.Results[0].Body)
	})

	t.Run("only the author deletes", func(t *testing.T) {
		otRequireError(t, otDo(t, env, c.alice, "DELETE", c.path(obj)+"/"+bobs.ID, nil), 403, "FORBIDDEN")
		res := otDo(t, env, c.bob, "DELETE", c.path(obj)+"/"+bobs.ID, nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.JSONEq(t, `{"deleted": true}`, string(res.Data))
		otRequireError(t, otDo(t, env, c.bob, "DELETE", c.path(obj)+"/"+bobs.ID, nil), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, c.bob, "PATCH", c.path(obj)+"/"+bobs.ID, map[string]any{"body": "x"}), 404, "NOT_FOUND")
		require.Equal(t, []string{cm.ID}, cmtIDs(c.list(t, obj, "")))
	})

	t.Run("audit and events", func(t *testing.T) {
		ctx := context.Background()
		idb := env.App.Core.DB
		var actions []string
		require.NoError(t, idb.NewRaw(`SELECT action FROM audit_logs WHERE tenant_id = ? AND resource_type = 'comment'
			ORDER BY created_at, id`, c.tn.ID).Scan(ctx, &actions))
		require.Equal(t, []string{"comment.create", "comment.create", "comment.update", "comment.update", "comment.delete"}, actions)
		var rows []struct {
			Type    string          `bun:"type"`
			Payload json.RawMessage `bun:"payload"`
		}
		require.NoError(t, idb.NewRaw(`SELECT type, payload FROM outbox_events WHERE tenant_id = ? AND topic = 'objects'
			AND type LIKE 'comment.%' ORDER BY created_at, id`, c.tn.ID).Scan(ctx, &rows))
		var types []string
		for _, r := range rows {
			types = append(types, r.Type)
		}
		require.Equal(t, []string{"comment.created", "comment.created", "comment.updated", "comment.updated", "comment.deleted"}, types)
		var p cmtComment
		require.NoError(t, json.Unmarshal(rows[4].Payload, &p))
		require.Equal(t, bobs.ID, p.ID)
		require.Equal(t, obj, p.ObjectID)
	})
}

func TestCommentsErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := cmtSetup(t, env)
	obj := c.object(t)
	cm := c.create(t, c.alice, obj, "hello")

	t.Run("body limits", func(t *testing.T) {
		c.create(t, c.alice, obj, strings.Repeat("é", 10000)) // characters, not bytes
		c.create(t, c.alice, obj, "  "+strings.Repeat("x", 10000)+"\n\t ")
		cases := []struct {
			name string
			body any
		}{
			{"absent", map[string]any{}},
			{"null", map[string]any{"body": nil}},
			{"empty", map[string]any{"body": ""}},
			{"blank", map[string]any{"body": " \n\t "}},
			{"too long", map[string]any{"body": strings.Repeat("x", 10001)}},
			{"not a string", map[string]any{"body": 12}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				otRequireError(t, otDo(t, env, c.alice, "POST", c.path(obj), tc.body), 400, "VALIDATION_FAILED", "body")
				otRequireError(t, otDo(t, env, c.alice, "PATCH", c.path(obj)+"/"+cm.ID, tc.body), 400, "VALIDATION_FAILED", "body")
			})
		}
		otRequireError(t, otDo(t, env, c.alice, "POST", c.path(obj), `{"body": `), 400, "BAD_REQUEST")
	})

	t.Run("objects that are not there", func(t *testing.T) {
		other := cmtSetup(t, env)
		theirs := other.object(t)
		otherType := otCreate(t, env, c.alice, map[string]any{"name": otName("others")})
		paths := map[string]string{
			"unknown object":         c.path("obj_01JAAAAAAAAAAAAAAAAAAAAAAA"),
			"malformed object id":    c.path("nope"),
			"unknown type":           "/v1/objects/ghosts/" + obj + "/comments",
			"object of another type": "/v1/objects/" + otherType.Name + "/" + obj + "/comments",
			"another tenant's":       "/v1/objects/" + other.ty.ID + "/" + theirs + "/comments",
		}
		for name, p := range paths {
			t.Run(name, func(t *testing.T) {
				otRequireError(t, otDo(t, env, c.alice, "GET", p, nil), 404, "NOT_FOUND")
				otRequireError(t, otDo(t, env, c.alice, "POST", p, map[string]any{"body": "x"}), 404, "NOT_FOUND")
				otRequireError(t, otDo(t, env, c.alice, "PATCH", p+"/"+cm.ID, map[string]any{"body": "x"}), 404, "NOT_FOUND")
				otRequireError(t, otDo(t, env, c.alice, "DELETE", p+"/"+cm.ID, nil), 404, "NOT_FOUND")
			})
		}
		// Another tenant's key never reaches our comment (404, not 403).
		otRequireError(t, otDo(t, env, other.alice, "PATCH", c.path(obj)+"/"+cm.ID, map[string]any{"body": "x"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, other.alice, "DELETE", "/v1/objects/"+c.ty.ID+"/"+obj+"/comments/"+cm.ID, nil), 404, "NOT_FOUND")
		// A comment of another object of ours is not found under this one.
		second := c.object(t)
		otRequireError(t, otDo(t, env, c.alice, "PATCH", c.path(second)+"/"+cm.ID, map[string]any{"body": "x"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, c.alice, "DELETE", c.path(obj)+"/cmt_nope", nil), 404, "NOT_FOUND")
	})

	t.Run("a trashed object is 404, a restore brings its comments back, a force delete removes them", func(t *testing.T) {
		base := "/v1/objects/" + c.ty.Name + "/" + obj
		require.Equal(t, 200, otDo(t, env, c.alice, "DELETE", base, nil).Status)
		otRequireError(t, otDo(t, env, c.alice, "GET", c.path(obj), nil), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, c.alice, "POST", c.path(obj), map[string]any{"body": "x"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, c.alice, "PATCH", c.path(obj)+"/"+cm.ID, map[string]any{"body": "x"}), 404, "NOT_FOUND")
		otRequireError(t, otDo(t, env, c.alice, "DELETE", c.path(obj)+"/"+cm.ID, nil), 404, "NOT_FOUND")
		require.Equal(t, 200, otDo(t, env, c.alice, "POST", base+"/restore", nil).Status)
		require.Equal(t, 3, c.list(t, obj, "").Total)
		require.Equal(t, 200, otDo(t, env, c.alice, "DELETE", base+"?force=true", nil).Status)
		var n int
		require.NoError(t, env.App.Core.DB.NewRaw(`SELECT count(*) FROM object_comments WHERE tenant_id = ? AND object_id = ?`,
			c.tn.ID, obj).Scan(context.Background(), &n))
		require.Zero(t, n)
	})
}

func TestCommentsList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := cmtSetup(t, env)
	obj, quiet := c.object(t), c.object(t)
	var want []string // oldest first
	for i := range 25 {
		key := c.alice
		if i%3 == 0 {
			key = c.bob
		}
		want = append(want, c.create(t, key, obj, "comment").ID)
	}
	newest := make([]string, len(want))
	for i, id := range want {
		newest[len(want)-1-i] = id
	}
	collect := func(t *testing.T, query string) []string {
		var got []string
		cursor := ""
		for range 10 {
			q := "?limit=10" + query
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			pg := c.list(t, obj, q)
			require.Equal(t, 25, pg.Total)
			got = append(got, cmtIDs(pg)...)
			if pg.NextCursor == nil {
				return got
			}
			cursor = *pg.NextCursor
		}
		t.Fatal("too many pages")
		return nil
	}
	t.Run("newest first by default", func(t *testing.T) {
		require.Equal(t, newest, collect(t, ""))
		require.Equal(t, newest, collect(t, "&order=desc"))
	})
	t.Run("oldest first on request", func(t *testing.T) {
		require.Equal(t, want, collect(t, "&order=asc"))
	})
	t.Run("an object without comments", func(t *testing.T) {
		pg := c.list(t, quiet, "")
		require.Empty(t, pg.Results)
		require.NotNil(t, pg.Results)
		require.Nil(t, pg.NextCursor)
		require.Zero(t, pg.Total)
	})
	t.Run("bad parameters", func(t *testing.T) {
		pg := c.list(t, obj, "?limit=10")
		require.NotNil(t, pg.NextCursor)
		for name, q := range map[string]string{
			"forged cursor":           "?cursor=abc.def",
			"cursor of another order": "?order=asc&cursor=" + url.QueryEscape(*pg.NextCursor),
		} {
			t.Run(name, func(t *testing.T) {
				otRequireError(t, otDo(t, env, c.alice, "GET", c.path(obj)+q, nil), 400, "BAD_REQUEST")
			})
		}
		otRequireError(t, otDo(t, env, c.alice, "GET", c.path(quiet)+"?cursor="+url.QueryEscape(*pg.NextCursor), nil), 400, "BAD_REQUEST")
		otRequireError(t, otDo(t, env, c.alice, "GET", c.path(obj)+"?order=sideways", nil), 400, "VALIDATION_FAILED", "order")
		require.Len(t, c.list(t, obj, "?limit=1000").Results, 25, "limit clamps to 100")
	})
}

func TestCommentsScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := cmtSetup(t, env)
	obj := c.object(t)
	cm := c.create(t, c.alice, obj, "hello")
	readKey := scopedKey(t, env, c.alice, "read")
	writeKey := scopedKey(t, env, c.alice, "write")
	pubKey := scopedKey(t, env, c.alice)
	body := map[string]any{"body": "x"}
	cases := []struct {
		name, key, method, path string
		body                    any
		status                  int
		scope                   string
	}{
		{"read key lists", readKey, "GET", c.path(obj), nil, 200, ""},
		{"read key cannot create", readKey, "POST", c.path(obj), body, 403, "write"},
		{"read key cannot update", readKey, "PATCH", c.path(obj) + "/" + cm.ID, body, 403, "write"},
		{"read key cannot delete", readKey, "DELETE", c.path(obj) + "/" + cm.ID, nil, 403, "write"},
		{"write key creates", writeKey, "POST", c.path(obj), body, 201, ""},
		{"write key cannot list", writeKey, "GET", c.path(obj), nil, 403, "read"},
		{"publishable key cannot list", pubKey, "GET", c.path(obj), nil, 403, "read"},
		{"publishable key cannot create", pubKey, "POST", c.path(obj), body, 403, "write"},
		{"no key", "", "GET", c.path(obj), nil, 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := otDo(t, env, tc.key, tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, res.Status, "%s", res.Body)
			if tc.status == 403 {
				require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
				require.Equal(t, tc.scope, res.Error.Extra["required_scope"])
			}
		})
	}
	// A key with write scope that did not write the comment is not its author.
	otRequireError(t, otDo(t, env, writeKey, "DELETE", c.path(obj)+"/"+cm.ID, nil), 403, "FORBIDDEN")
}
