package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of object versions, the trash, lists and batches (helpers in
// objects_test.go).

func TestObjectsVersions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	obj := o.create(t, map[string]any{"name": "v1", "score": 1})
	for i, name := range []string{"v2", "v3"} {
		res := o.do(t, "PATCH", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{"name": name}, "version": i + 1})
		require.Equal(t, 200, res.Status, "%s", res.Body)
	}
	res := o.do(t, "GET", o.path+"/"+obj.ID+"/versions", nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	var versions []struct {
		Version    int                        `json:"version"`
		Properties map[string]json.RawMessage `json:"properties"`
		UpdatedBy  string                     `json:"updated_by"`
	}
	res.Decode(t, &versions)
	require.Len(t, versions, 2, "previous states only")
	require.Equal(t, 2, versions[0].Version, "newest first")
	require.Equal(t, `"v2"`, string(versions[0].Properties["name"]))
	require.Equal(t, 1, versions[1].Version)
	require.Equal(t, `"v1"`, string(versions[1].Properties["name"]))
	require.Equal(t, `1`, string(versions[1].Properties["score"]))
	require.Equal(t, obj.CreatedBy, versions[1].UpdatedBy)

	t.Run("limit", func(t *testing.T) {
		res := o.do(t, "GET", o.path+"/"+obj.ID+"/versions?limit=1", nil)
		require.Equal(t, 200, res.Status)
		res.Decode(t, &versions)
		require.Len(t, versions, 1)
		require.Equal(t, 2, versions[0].Version)
	})
	t.Run("a fresh object has none", func(t *testing.T) {
		fresh := o.create(t, map[string]any{})
		res := o.do(t, "GET", o.path+"/"+fresh.ID+"/versions", nil)
		require.Equal(t, 200, res.Status)
		require.JSONEq(t, `[]`, string(res.Data))
	})
	t.Run("trashed or unknown object is 404", func(t *testing.T) {
		require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+obj.ID, nil).Status)
		otRequireError(t, o.do(t, "GET", o.path+"/"+obj.ID+"/versions", nil), 404, "NOT_FOUND")
		otRequireError(t, o.do(t, "GET", o.path+"/obj_01HZZZZZZZZZZZZZZZZZZZZZZZ/versions", nil), 404, "NOT_FOUND")
	})
}

func TestObjectsTrash(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	a := o.create(t, map[string]any{})
	b := o.create(t, map[string]any{})
	keep := o.create(t, map[string]any{})

	res := o.do(t, "DELETE", o.path+"/"+a.ID, nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"deleted": true, "id": "`+a.ID+`"}`, string(res.Data))
	require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+b.ID, nil).Status)

	t.Run("soft-deleted is 404 and out of the list", func(t *testing.T) {
		otRequireError(t, o.do(t, "GET", o.path+"/"+a.ID, nil), 404, "NOT_FOUND")
		otRequireError(t, o.do(t, "PATCH", o.path+"/"+a.ID, map[string]any{"properties": map[string]any{}}), 404, "NOT_FOUND")
		pg := o.list(t, "")
		require.Equal(t, 1, pg.Total)
		require.Equal(t, keep.ID, pg.Results[0].ID)
	})
	t.Run("trash lists newest deletion first", func(t *testing.T) {
		res := o.do(t, "GET", o.path+"/trash", nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var pg objPage
		res.Decode(t, &pg)
		require.Equal(t, 2, pg.Total)
		require.Equal(t, []string{b.ID, a.ID}, []string{pg.Results[0].ID, pg.Results[1].ID})
		require.True(t, pg.Results[0].IsDeleted)
		require.Nil(t, pg.NextCursor)
	})
	t.Run("trash pages", func(t *testing.T) {
		res := o.do(t, "GET", o.path+"/trash?limit=1", nil)
		var pg objPage
		res.Decode(t, &pg)
		require.Len(t, pg.Results, 1)
		require.NotNil(t, pg.NextCursor)
		res = o.do(t, "GET", o.path+"/trash?limit=1&cursor="+url.QueryEscape(*pg.NextCursor), nil)
		var pg2 objPage
		res.Decode(t, &pg2)
		require.Equal(t, a.ID, pg2.Results[0].ID)
		require.Nil(t, pg2.NextCursor)
		otRequireError(t, o.do(t, "GET", o.path+"/trash?cursor=forged.x", nil), 400, "BAD_REQUEST")
	})
	t.Run("deleting a trashed object again without force is 404", func(t *testing.T) {
		otRequireError(t, o.do(t, "DELETE", o.path+"/"+a.ID, nil), 404, "NOT_FOUND")
	})
	t.Run("restore brings it back", func(t *testing.T) {
		res := o.do(t, "POST", o.path+"/"+a.ID+"/restore", nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var got objObject
		res.Decode(t, &got)
		require.False(t, got.IsDeleted)
		r, _ := o.get(t, a.ID)
		require.Equal(t, 200, r.Status)
		require.Equal(t, 2, o.list(t, "").Total)
	})
	t.Run("restoring a live or unknown object is 404", func(t *testing.T) {
		otRequireError(t, o.do(t, "POST", o.path+"/"+a.ID+"/restore", nil), 404, "NOT_FOUND")
		otRequireError(t, o.do(t, "POST", o.path+"/obj_01HZZZZZZZZZZZZZZZZZZZZZZZ/restore", nil), 404, "NOT_FOUND")
	})
	t.Run("force deletes a trashed object for good", func(t *testing.T) {
		res := o.do(t, "DELETE", o.path+"/"+b.ID+"?force=true", nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		otRequireError(t, o.do(t, "POST", o.path+"/"+b.ID+"/restore", nil), 404, "NOT_FOUND")
		var pg objPage
		o.do(t, "GET", o.path+"/trash", nil).Decode(t, &pg)
		require.Equal(t, 0, pg.Total)
	})
	t.Run("force deletes a live object with its versions", func(t *testing.T) {
		require.Equal(t, 200, o.do(t, "PATCH", o.path+"/"+keep.ID, map[string]any{"properties": map[string]any{"name": "x"}}).Status)
		require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+keep.ID+"?force=true", nil).Status)
		otRequireError(t, o.do(t, "GET", o.path+"/"+keep.ID, nil), 404, "NOT_FOUND")
		otRequireError(t, o.do(t, "DELETE", o.path+"/"+keep.ID+"?force=true", nil), 404, "NOT_FOUND")
	})
}

// objCollect walks every page of a list and returns the ids in order.
func objCollect(t *testing.T, o objEnv, query string, between func(page int)) ([]string, int) {
	t.Helper()
	var ids []string
	cursor, total := "", 0
	for page := 0; ; page++ {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		pg := o.list(t, q)
		for _, r := range pg.Results {
			ids = append(ids, r.ID)
		}
		total = pg.Total
		if pg.NextCursor == nil {
			return ids, total
		}
		require.Less(t, page, 50, "too many pages")
		cursor = *pg.NextCursor
		if between != nil {
			between(page)
		}
	}
}

func TestObjectsList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	var created []string
	for i := 0; i < 45; i++ {
		created = append(created, o.create(t, map[string]any{}).ID)
	}

	t.Run("45 in pages of 20: no duplicates, no gaps, total 45", func(t *testing.T) {
		pg := o.list(t, "?limit=20")
		require.Len(t, pg.Results, 20)
		require.Equal(t, 45, pg.Total)
		ids, total := objCollect(t, o, "?limit=20", nil)
		require.Equal(t, 45, total)
		require.Len(t, ids, 45)
		// Newest first by default.
		for i, id := range ids {
			require.Equal(t, created[44-i], id)
		}
	})
	t.Run("ascending by created_at and by id", func(t *testing.T) {
		ids, _ := objCollect(t, o, "?limit=20&order=asc", nil)
		require.Equal(t, created, ids)
		ids, _ = objCollect(t, o, "?limit=7&sort=id", nil)
		require.Len(t, ids, 45)
		for i := 1; i < len(ids); i++ {
			require.Less(t, ids[i-1], ids[i])
		}
	})
	t.Run("updated_at", func(t *testing.T) {
		require.Equal(t, 200, o.do(t, "PATCH", o.path+"/"+created[0], map[string]any{"properties": map[string]any{"name": "touched"}}).Status)
		pg := o.list(t, "?sort=updated_at&limit=1")
		require.Equal(t, created[0], pg.Results[0].ID, "most recently updated first")
	})
	t.Run("inserts between pages cause no duplicates or gaps", func(t *testing.T) {
		var added []string
		ids, _ := objCollect(t, o, "?limit=20", func(page int) {
			for i := 0; i < 3; i++ {
				added = append(added, o.create(t, map[string]any{}).ID)
			}
		})
		seen := map[string]bool{}
		for _, id := range ids {
			require.False(t, seen[id], "duplicate %s", id)
			seen[id] = true
		}
		for _, id := range created {
			require.True(t, seen[id], "gap: %s missing", id)
		}
		require.Len(t, added, 6)
		require.Equal(t, 51, o.list(t, "").Total)
	})
	t.Run("concurrent inserts while paging both ways", func(t *testing.T) {
		before, _ := objCollect(t, o, "?limit=100&sort=id", nil)
		stop := make(chan struct{})
		done := make(chan int)
		go func() {
			n := 0
			for {
				select {
				case <-stop:
					done <- n
					return
				default:
				}
				res := o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"email": objEmail()}})
				if res.Status == http.StatusCreated {
					n++
				}
			}
		}()
		for _, order := range []string{"asc", "desc"} {
			ids, _ := objCollect(t, o, "?limit=7&order="+order, nil)
			seen := map[string]bool{}
			for _, id := range ids {
				require.False(t, seen[id], "duplicate %s", id)
				seen[id] = true
			}
			for _, id := range before {
				require.True(t, seen[id], "gap: %s missing (%s)", id, order)
			}
		}
		close(stop)
		n := <-done
		require.Equal(t, len(before)+n, o.list(t, "").Total)
		// Back to a known count for the next subtests.
		for len(o.list(t, "?limit=100&order=asc").Results) > 51 {
			pg := o.list(t, "?limit=1")
			require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+pg.Results[0].ID+"?force=true", nil).Status)
		}
	})
	t.Run("limit is clamped", func(t *testing.T) {
		require.Len(t, o.list(t, "?limit=1000").Results, 51)
		require.Len(t, o.list(t, "").Results, 20)
	})
	bad := []struct{ name, query, code, field string }{
		{"forged cursor", "?cursor=eyJpZCI6Im9ial8xIn0.forged", "BAD_REQUEST", ""},
		{"garbage cursor", "?cursor=!!!", "BAD_REQUEST", ""},
		{"unknown sort", "?sort=nope", "VALIDATION_FAILED", "sort"},
		{"unsortable property", "?sort=email", "VALIDATION_FAILED", "sort"},
		{"bad order", "?order=sideways", "VALIDATION_FAILED", "order"},
		{"limit not a number", "?limit=x", "VALIDATION_FAILED", "limit"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			res := o.do(t, "GET", o.path+"/list"+c.query, nil)
			otRequireError(t, res, 400, c.code)
			if c.field != "" {
				require.Contains(t, res.Error.Fields, c.field)
			}
		})
	}
	t.Run("a cursor of another sort or type is refused", func(t *testing.T) {
		pg := o.list(t, "?limit=5")
		res := o.do(t, "GET", o.path+"/list?order=asc&cursor="+url.QueryEscape(*pg.NextCursor), nil)
		otRequireError(t, res, 400, "BAD_REQUEST")
		other := objSetup(t, env)
		res = otDo(t, env, other.tn.Key, "GET", other.path+"/list?cursor="+url.QueryEscape(*pg.NextCursor), nil)
		otRequireError(t, res, 400, "BAD_REQUEST")
	})
	t.Run("unknown type", func(t *testing.T) {
		otRequireError(t, o.do(t, "GET", "/v1/objects/nope/list", nil), 404, "NOT_FOUND")
	})
}

func TestObjectsListSortByProperty(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	scores := []any{5, -2, nil, 40, 5, nil, 7, 1000, 0}
	byScore := map[string]any{}
	for _, s := range scores {
		props := map[string]any{}
		if s != nil {
			props["score"] = s
		}
		byScore[o.create(t, props).ID] = s
	}
	// One trashed object never shows.
	gone := o.create(t, map[string]any{"score": 1})
	require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+gone.ID, nil).Status)

	check := func(t *testing.T, order string, want []any) {
		ids, total := objCollect(t, o, "?sort=score&limit=2&order="+order, nil)
		require.Equal(t, len(scores), total)
		var got []any
		for _, id := range ids {
			got = append(got, byScore[id])
		}
		require.Equal(t, want, got)
	}
	t.Run("ascending, valueless last", func(t *testing.T) {
		check(t, "asc", []any{-2, 0, 5, 5, 7, 40, 1000, nil, nil})
	})
	t.Run("descending, valueless last", func(t *testing.T) {
		check(t, "desc", []any{1000, 40, 7, 5, 5, 0, -2, nil, nil})
	})
	t.Run("follows updates", func(t *testing.T) {
		pg := o.list(t, "?sort=score&order=asc&limit=1")
		low := pg.Results[0].ID
		require.Equal(t, 200, o.do(t, "PATCH", o.path+"/"+low, map[string]any{"properties": map[string]any{"score": 5000}}).Status)
		pg = o.list(t, "?sort=score&order=desc&limit=1")
		require.Equal(t, low, pg.Results[0].ID)
	})
	t.Run("by a string property", func(t *testing.T) {
		o2 := objSetup(t, env)
		for _, n := range []string{"carol", "alice", "bob"} {
			o2.create(t, map[string]any{"name": n})
		}
		pg := o2.list(t, "?sort=name&order=asc")
		var names []string
		for _, r := range pg.Results {
			names = append(names, strings.Trim(string(r.Properties["name"]), `"`))
		}
		require.Equal(t, []string{"alice", "bob", "carol"}, names)
	})
}

func TestObjectsBatch(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	items := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"properties": map[string]any{"email": objEmail()}}
		}
		return out
	}

	var made []objObject
	t.Run("create", func(t *testing.T) {
		res := o.do(t, "POST", o.path+"/batch/create", map[string]any{"objects": items(3)})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var out struct {
			Results []objObject `json:"results"`
			Created int         `json:"created"`
			IDs     []string    `json:"ids"`
		}
		res.Decode(t, &out)
		require.Len(t, out.Results, 3)
		require.Equal(t, 3, out.Created)
		require.Equal(t, out.Results[1].ID, out.IDs[1])
		require.Equal(t, `"lead"`, string(out.Results[0].Properties["stage"]))
		made = out.Results
	})
	t.Run("create from inputs", func(t *testing.T) {
		res := o.do(t, "POST", o.path+"/batch/create", map[string]any{"inputs": items(2)})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	})
	t.Run("all or nothing", func(t *testing.T) {
		before := o.list(t, "").Total
		body := items(5)
		body[3] = map[string]any{"properties": map[string]any{"email": "broken", "score": "x"}}
		res := o.do(t, "POST", o.path+"/batch/create", map[string]any{"objects": body})
		otRequireError(t, res, 400, "VALIDATION_FAILED", "objects[3].email", "objects[3].score")
		require.Equal(t, before, o.list(t, "").Total)

		dup := items(3)
		dup[2] = dup[0]
		res = o.do(t, "POST", o.path+"/batch/create", map[string]any{"objects": dup})
		otRequireError(t, res, 409, "CONFLICT")
		require.Equal(t, "objects[2].email", res.Error.Extra["field"])
		require.Equal(t, before, o.list(t, "").Total)
	})
	t.Run("limits", func(t *testing.T) {
		otRequireError(t, o.do(t, "POST", o.path+"/batch/create", map[string]any{"objects": items(101)}), 400, "VALIDATION_FAILED", "objects")
		otRequireError(t, o.do(t, "POST", o.path+"/batch/create", map[string]any{"objects": []any{}}), 400, "VALIDATION_FAILED", "objects")
		ids := make([]string, 101)
		for i := range ids {
			ids[i] = made[0].ID
		}
		otRequireError(t, o.do(t, "POST", o.path+"/batch/read", map[string]any{"ids": ids}), 400, "VALIDATION_FAILED", "ids")
		ups := make([]any, 101)
		for i := range ups {
			ups[i] = map[string]any{"id": made[0].ID, "properties": map[string]any{}}
		}
		otRequireError(t, o.do(t, "POST", o.path+"/batch/update", map[string]any{"objects": ups}), 400, "VALIDATION_FAILED", "objects")
	})
	t.Run("read in request order with missing ids", func(t *testing.T) {
		require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+made[2].ID, nil).Status)
		res := o.do(t, "POST", o.path+"/batch/read", map[string]any{"ids": []string{made[1].ID, "obj_01HZZZZZZZZZZZZZZZZZZZZZZZ", made[0].ID, made[2].ID, "junk"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var out struct {
			Results []objObject `json:"results"`
			Missing []string    `json:"missing"`
		}
		res.Decode(t, &out)
		require.Len(t, out.Results, 2)
		require.Equal(t, made[1].ID, out.Results[0].ID)
		require.Equal(t, made[0].ID, out.Results[1].ID)
		require.Equal(t, []string{"obj_01HZZZZZZZZZZZZZZZZZZZZZZZ", made[2].ID, "junk"}, out.Missing)
		res = o.do(t, "POST", o.path+"/batch/read", map[string]any{"object_ids": []string{made[0].ID}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
	})
	t.Run("update", func(t *testing.T) {
		res := o.do(t, "POST", o.path+"/batch/update", map[string]any{"objects": []any{
			map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 1}, "version": 1},
			map[string]any{"object_id": made[1].ID, "properties": map[string]any{"score": 2}},
		}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var out struct {
			Results []objObject `json:"results"`
		}
		res.Decode(t, &out)
		require.Len(t, out.Results, 2)
		require.Equal(t, made[0].ID, out.Results[0].ID)
		require.Equal(t, 2, out.Results[0].Version)
		require.Equal(t, `2`, string(out.Results[1].Properties["score"]))
	})
	t.Run("update is all or nothing", func(t *testing.T) {
		cases := []struct {
			name   string
			items  []any
			status int
			code   string
		}{
			{"stale version", []any{
				map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 9}},
				map[string]any{"id": made[1].ID, "properties": map[string]any{"score": 9}, "version": 1},
			}, 409, "CONFLICT"},
			{"unknown object", []any{
				map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 9}},
				map[string]any{"id": "obj_01HZZZZZZZZZZZZZZZZZZZZZZZ", "properties": map[string]any{}},
			}, 404, "NOT_FOUND"},
			{"trashed object", []any{
				map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 9}},
				map[string]any{"id": made[2].ID, "properties": map[string]any{}},
			}, 404, "NOT_FOUND"},
			{"bad value", []any{
				map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 9}},
				map[string]any{"id": made[1].ID, "properties": map[string]any{"score": "nine"}},
			}, 400, "VALIDATION_FAILED"},
			{"same object twice", []any{
				map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 9}},
				map[string]any{"id": made[0].ID, "properties": map[string]any{"score": 8}},
			}, 400, "VALIDATION_FAILED"},
			{"missing id", []any{map[string]any{"properties": map[string]any{}}}, 400, "VALIDATION_FAILED"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := o.do(t, "POST", o.path+"/batch/update", map[string]any{"objects": c.items})
				otRequireError(t, res, c.status, c.code)
				_, got := o.get(t, made[0].ID)
				require.Equal(t, `1`, string(got.Properties["score"]), "nothing applied")
				require.Equal(t, 2, got.Version)
			})
		}
		res := o.do(t, "POST", o.path+"/batch/update", map[string]any{"objects": []any{
			map[string]any{"id": made[1].ID, "properties": map[string]any{"score": "nine"}}}})
		require.Contains(t, res.Error.Fields, "objects[0].score")
	})
}

func TestObjectsAuditEventsAndIndexRows(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	o := objSetup(t, env)
	ctx := context.Background()
	idb := env.App.Core.DB
	obj := o.create(t, map[string]any{"name": "Ada", "score": 7})
	require.Equal(t, 200, o.do(t, "PATCH", o.path+"/"+obj.ID, map[string]any{"properties": map[string]any{"score": 8}}).Status)
	require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+obj.ID, nil).Status)
	require.Equal(t, 200, o.do(t, "POST", o.path+"/"+obj.ID+"/restore", nil).Status)
	// A failed write is never announced.
	require.Equal(t, 409, o.do(t, "POST", o.path, map[string]any{"properties": map[string]any{"email": objRawString(obj, "email")}}).Status)

	t.Run("index rows follow the values", func(t *testing.T) {
		var num string
		require.NoError(t, idb.NewRaw(`SELECT i.v_num::text FROM object_index i JOIN object_properties p
			ON p.tenant_id = i.tenant_id AND p.id = i.property_id WHERE i.tenant_id = ? AND i.object_id = ? AND p.name = 'score'`,
			o.tn.ID, obj.ID).Scan(ctx, &num))
		require.Equal(t, "8", num)
		var text string
		require.NoError(t, idb.NewRaw(`SELECT i.v_text FROM object_index i JOIN object_properties p
			ON p.tenant_id = i.tenant_id AND p.id = i.property_id WHERE i.tenant_id = ? AND i.object_id = ? AND p.name = 'name'`,
			o.tn.ID, obj.ID).Scan(ctx, &text))
		require.Equal(t, "Ada", text)
	})

	require.Equal(t, 200, o.do(t, "DELETE", o.path+"/"+obj.ID+"?force=true", nil).Status)

	t.Run("audit", func(t *testing.T) {
		var actions []string
		require.NoError(t, idb.NewRaw(`SELECT action FROM audit_logs WHERE tenant_id = ? AND resource_type = 'object' AND resource_id = ?
			ORDER BY created_at, id`, o.tn.ID, obj.ID).Scan(ctx, &actions))
		require.Equal(t, []string{"object.create", "object.update", "object.delete", "object.restore", "object.delete"}, actions)
	})
	t.Run("events on topic objects", func(t *testing.T) {
		var rows []struct {
			Type    string          `bun:"type"`
			Payload json.RawMessage `bun:"payload"`
		}
		require.NoError(t, idb.NewRaw(`SELECT type, payload FROM outbox_events WHERE tenant_id = ? AND topic = 'objects'
			ORDER BY created_at, id`, o.tn.ID).Scan(ctx, &rows))
		var types []string
		for _, r := range rows {
			types = append(types, r.Type)
			var p struct {
				ID           string `json:"id"`
				ObjectTypeID string `json:"object_type_id"`
			}
			require.NoError(t, json.Unmarshal(r.Payload, &p))
			require.Equal(t, obj.ID, p.ID)
			require.Equal(t, o.ty.ID, p.ObjectTypeID)
		}
		require.Equal(t, []string{"object.created", "object.updated", "object.deleted", "object.restored", "object.deleted"}, types)
	})
	t.Run("a force delete leaves no rows behind", func(t *testing.T) {
		for _, table := range []string{"object_index", "object_unique", "object_versions"} {
			var n int
			require.NoError(t, idb.NewRaw("SELECT count(*) FROM "+table+" WHERE tenant_id = ? AND object_id = ?", o.tn.ID, obj.ID).Scan(ctx, &n))
			require.Zero(t, n, table)
		}
	})
}

func objRawString(obj objObject, name string) string {
	var s string
	_ = json.Unmarshal(obj.Properties[name], &s)
	return s
}
