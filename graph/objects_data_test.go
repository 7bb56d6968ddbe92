package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// GraphQL tests of objects, associations, comments and the objectChanged
// subscription: the same domain methods as REST.

const objFields = `id objectTypeId properties version createdAt updatedAt createdBy`

type gqlObject struct {
	ID           string         `json:"id"`
	ObjectTypeID string         `json:"objectTypeId"`
	Properties   map[string]any `json:"properties"`
	Version      int            `json:"version"`
	CreatedBy    string         `json:"createdBy"`
}

func objDealsType(t *testing.T, env *apptest.Env, key, name string) gqlObjType {
	t.Helper()
	return objCreateType(t, env, key, map[string]any{"name": name, "properties": []map[string]any{
		{"name": "title", "dataType": "string", "isRequired": true},
		{"name": "amount", "dataType": "number", "isIndexed": true, "isSortable": true},
		{"name": "stage", "dataType": "string"},
	}})
}

func objCreate(t *testing.T, env *apptest.Env, key, typ string, props map[string]any) gqlObject {
	t.Helper()
	var out struct{ CreateObject gqlObject }
	gql(t, env, key, `mutation($t: String!, $p: JSON!) { createObject(type: $t, properties: $p) { `+objFields+` } }`,
		map[string]any{"t": typ, "p": props}).decode(t, &out)
	return out.CreateObject
}

func TestObjectsConnectionAndGet(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	tn := objTenant(t, env)
	ty := objDealsType(t, env, tn.Key, "deals")
	var ids []string
	for i := range 5 {
		o := objCreate(t, env, tn.Key, "deals", map[string]any{"title": fmt.Sprintf("deal %d", i), "amount": i * 10, "stage": map[bool]string{true: "won", false: "open"}[i%2 == 0]})
		require.Equal(t, ty.ID, o.ObjectTypeID)
		require.Equal(t, 1, o.Version)
		ids = append(ids, o.ID)
	}

	const q = `query($t: String!, $f: JSON, $first: Int, $after: String, $sort: String, $order: String) {
		objects(type: $t, filter: $f, first: $first, after: $after, sort: $sort, order: $order) {
			totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id property(name: "title") } } } }`
	type conn struct {
		Objects struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Cursor *string
				Node   struct {
					ID       string
					Property any
				}
			}
		}
	}
	var seen []string
	var after *string
	for page := 0; ; page++ {
		var got conn
		gql(t, env, tn.Key, q, map[string]any{"t": "deals", "first": 2, "after": after, "sort": "amount", "order": "asc"}).decode(t, &got)
		require.Equal(t, 5, got.Objects.TotalCount)
		for _, e := range got.Objects.Edges {
			seen = append(seen, e.Node.ID)
		}
		if !got.Objects.PageInfo.HasNextPage {
			require.Nil(t, got.Objects.PageInfo.EndCursor)
			break
		}
		require.Len(t, got.Objects.Edges, 2)
		require.Equal(t, got.Objects.PageInfo.EndCursor, got.Objects.Edges[1].Cursor)
		after = got.Objects.PageInfo.EndCursor
		require.Less(t, page, 3)
	}
	require.Equal(t, ids, seen)

	// A filter narrows the set and its total.
	var won conn
	gql(t, env, tn.Key, q, map[string]any{"t": "deals", "f": []map[string]any{{"property": "stage", "operator": "eq", "value": "won"}}}).decode(t, &won)
	require.Equal(t, 3, won.Objects.TotalCount)
	require.Len(t, won.Objects.Edges, 3)

	// A bad filter is the domain's VALIDATION_FAILED.
	gql(t, env, tn.Key, q, map[string]any{"t": "deals", "f": []map[string]any{{"property": "nope", "operator": "eq", "value": 1}}}).
		requireCode(t, "VALIDATION_FAILED")

	// object and property.
	var one struct {
		Object struct {
			gqlObject
			Title   any `json:"title"`
			Missing any `json:"missing"`
		}
	}
	gql(t, env, tn.Key, `query($t: String!, $id: ID!) { object(type: $t, id: $id) { `+objFields+` title: property(name: "title") missing: property(name: "missing") } }`,
		map[string]any{"t": "deals", "id": ids[1]}).decode(t, &one)
	require.Equal(t, ids[1], one.Object.ID)
	require.Equal(t, "deal 1", one.Object.Title)
	require.Nil(t, one.Object.Missing)
	require.EqualValues(t, 10, one.Object.Properties["amount"])
	gql(t, env, tn.Key, `{ object(type: "deals", id: "obj_nope") { id } }`, nil).requireCode(t, "NOT_FOUND")

	// aggregate.
	var agg struct{ Aggregate []map[string]any }
	gql(t, env, tn.Key, `query($a: JSON!) { aggregate(type: "deals", aggregations: $a, groupBy: ["stage"]) }`,
		map[string]any{"a": []map[string]any{{"function": "count"}, {"function": "sum", "property": "amount", "alias": "total"}}}).decode(t, &agg)
	byStage := map[string]map[string]any{}
	for _, r := range agg.Aggregate {
		byStage[fmt.Sprint(r["stage"])] = r
	}
	require.EqualValues(t, 3, byStage["won"]["count"], agg)
	require.EqualValues(t, 60, toFloat(byStage["won"]["total"]), agg)
	require.EqualValues(t, 2, byStage["open"]["count"], agg)
	gql(t, env, tn.Key, `{ aggregate(type: "deals", aggregations: [{function: "median"}]) }`, nil).requireCode(t, "VALIDATION_FAILED")
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case string:
		var f float64
		fmt.Sscan(n, &f)
		return f
	}
	return -1
}

func TestObjectsMutations(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	tn := objTenant(t, env)
	objDealsType(t, env, tn.Key, "deals")

	// Validation: a required property missing.
	gql(t, env, tn.Key, `mutation { createObject(type: "deals", properties: {amount: 1}) { id } }`, nil).requireCode(t, "VALIDATION_FAILED")
	gql(t, env, tn.Key, `mutation { createObject(type: "nope", properties: {title: "x"}) { id } }`, nil).requireCode(t, "NOT_FOUND")

	o := objCreate(t, env, tn.Key, "deals", map[string]any{"title": "a", "amount": 1})
	const upd = `mutation($id: ID!, $p: JSON!, $v: Int) { updateObject(type: "deals", id: $id, properties: $p, version: $v) { ` + objFields + ` } }`
	var u struct{ UpdateObject gqlObject }
	gql(t, env, tn.Key, upd, map[string]any{"id": o.ID, "p": map[string]any{"amount": 2}, "v": 1}).decode(t, &u)
	require.Equal(t, 2, u.UpdateObject.Version)
	require.EqualValues(t, 2, u.UpdateObject.Properties["amount"])
	require.Equal(t, "a", u.UpdateObject.Properties["title"])
	// A stale version is CONFLICT; no version always applies.
	gql(t, env, tn.Key, upd, map[string]any{"id": o.ID, "p": map[string]any{"amount": 3}, "v": 1}).requireCode(t, "CONFLICT")
	gql(t, env, tn.Key, upd, map[string]any{"id": o.ID, "p": map[string]any{"amount": 3}}).decode(t, &u)
	require.Equal(t, 3, u.UpdateObject.Version)

	// versions.
	var vs struct {
		Object struct{ Versions []struct{ Version int } }
	}
	gql(t, env, tn.Key, `query($id: ID!) { object(type: "deals", id: $id) { versions { version properties updatedAt updatedBy } } }`,
		map[string]any{"id": o.ID}).decode(t, &vs)
	require.NotEmpty(t, vs.Object.Versions)

	// Comments.
	var c struct {
		CreateComment struct{ ID, Body, ObjectID string }
	}
	gql(t, env, tn.Key, `mutation($id: ID!) { createComment(type: "deals", objectId: $id, body: "hello") { id body objectId authorId createdAt } }`,
		map[string]any{"id": o.ID}).decode(t, &c)
	require.Equal(t, "hello", c.CreateComment.Body)
	gql(t, env, tn.Key, `mutation($id: ID!) { createComment(type: "deals", objectId: $id, body: "") { id } }`,
		map[string]any{"id": o.ID}).requireCode(t, "VALIDATION_FAILED")
	var cu struct{ UpdateComment struct{ Body string } }
	gql(t, env, tn.Key, `mutation($o: ID!, $id: ID!) { updateComment(type: "deals", objectId: $o, id: $id, body: "edited") { body } }`,
		map[string]any{"o": o.ID, "id": c.CreateComment.ID}).decode(t, &cu)
	require.Equal(t, "edited", cu.UpdateComment.Body)
	var cl struct {
		Object struct{ Comments []struct{ Body string } }
	}
	gql(t, env, tn.Key, `query($id: ID!) { object(type: "deals", id: $id) { comments { body } } }`, map[string]any{"id": o.ID}).decode(t, &cl)
	require.Equal(t, "edited", cl.Object.Comments[0].Body)
	var cd struct{ DeleteComment struct{ Deleted bool } }
	gql(t, env, tn.Key, `mutation($o: ID!, $id: ID!) { deleteComment(type: "deals", objectId: $o, id: $id) { deleted } }`,
		map[string]any{"o": o.ID, "id": c.CreateComment.ID}).decode(t, &cd)
	require.True(t, cd.DeleteComment.Deleted)

	// Batch create: all or none.
	var bc struct{ BatchCreateObjects []gqlObject }
	gql(t, env, tn.Key, `mutation { batchCreateObjects(type: "deals", inputs: [{title: "b1"}, {title: "b2"}]) { `+objFields+` } }`, nil).decode(t, &bc)
	require.Len(t, bc.BatchCreateObjects, 2)
	gql(t, env, tn.Key, `mutation { batchCreateObjects(type: "deals", inputs: [{title: "b3"}, {amount: 1}]) { id } }`, nil).requireCode(t, "VALIDATION_FAILED")
	const bupd = `mutation($u: [JSON!]!) { batchUpdateObjects(type: "deals", updates: $u) { id version properties } }`
	var bu struct{ BatchUpdateObjects []gqlObject }
	gql(t, env, tn.Key, bupd, map[string]any{"u": []map[string]any{
		{"id": bc.BatchCreateObjects[0].ID, "properties": map[string]any{"amount": 5}, "version": 1},
		{"id": bc.BatchCreateObjects[1].ID, "properties": map[string]any{"amount": 6}}}}).decode(t, &bu)
	require.Len(t, bu.BatchUpdateObjects, 2)
	require.Equal(t, 2, bu.BatchUpdateObjects[0].Version)
	require.EqualValues(t, 6, bu.BatchUpdateObjects[1].Properties["amount"])
	gql(t, env, tn.Key, bupd, map[string]any{"u": []map[string]any{
		{"id": bc.BatchCreateObjects[0].ID, "properties": map[string]any{"amount": 7}, "version": 1}}}).requireCode(t, "CONFLICT")

	// Associations.
	const put = `mutation($f: ID!, $to: ID!) { putAssociation(fromType: "deals", fromId: $f, associationType: "related", toType: "deals", toId: $to, meta: {w: 1}) {
		id associationType meta createdAt object { id } } }`
	var pa struct {
		PutAssociation struct {
			ID, AssociationType string
			Meta                map[string]any
			Object              struct{ ID string }
		}
	}
	gql(t, env, tn.Key, put, map[string]any{"f": o.ID, "to": bc.BatchCreateObjects[0].ID}).decode(t, &pa)
	require.Equal(t, "related", pa.PutAssociation.AssociationType)
	require.Equal(t, bc.BatchCreateObjects[0].ID, pa.PutAssociation.Object.ID)
	require.EqualValues(t, 1, pa.PutAssociation.Meta["w"])
	gql(t, env, tn.Key, put, map[string]any{"f": o.ID, "to": "obj_nope"}).requireCode(t, "NOT_FOUND")

	var as struct {
		Object struct {
			Associations struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Direction string
						Object    struct{ ID string }
					}
				}
			}
		}
	}
	gql(t, env, tn.Key, `query($id: ID!) { object(type: "deals", id: $id) { associations(direction: "incoming") { totalCount edges { node { direction object { id } } } } } }`,
		map[string]any{"id": bc.BatchCreateObjects[0].ID}).decode(t, &as)
	require.Equal(t, 1, as.Object.Associations.TotalCount)
	require.Equal(t, "incoming", as.Object.Associations.Edges[0].Node.Direction)
	require.Equal(t, o.ID, as.Object.Associations.Edges[0].Node.Object.ID)

	var da struct{ DeleteAssociation struct{ Deleted bool } }
	gql(t, env, tn.Key, `mutation($f: ID!, $to: ID!) { deleteAssociation(fromType: "deals", fromId: $f, associationType: "related", toType: "deals", toId: $to) { deleted } }`,
		map[string]any{"f": o.ID, "to": bc.BatchCreateObjects[0].ID}).decode(t, &da)
	require.True(t, da.DeleteAssociation.Deleted)

	// Delete (to the trash), restore.
	var del struct {
		DeleteObject struct {
			Deleted bool
			ID      string
		}
	}
	gql(t, env, tn.Key, `mutation($id: ID!) { deleteObject(type: "deals", id: $id) { deleted id } }`, map[string]any{"id": o.ID}).decode(t, &del)
	require.True(t, del.DeleteObject.Deleted)
	gql(t, env, tn.Key, `query($id: ID!) { object(type: "deals", id: $id) { id } }`, map[string]any{"id": o.ID}).requireCode(t, "NOT_FOUND")
	var rs struct{ RestoreObject gqlObject }
	gql(t, env, tn.Key, `mutation($id: ID!) { restoreObject(type: "deals", id: $id) { `+objFields+` } }`, map[string]any{"id": o.ID}).decode(t, &rs)
	require.Equal(t, o.ID, rs.RestoreObject.ID)

	// Another tenant sees none of it: not the object, not an association to it.
	tb := objTenant(t, env)
	objDealsType(t, env, tb.Key, "deals")
	gql(t, env, tb.Key, `query($id: ID!) { object(type: "deals", id: $id) { id } }`, map[string]any{"id": o.ID}).requireCode(t, "NOT_FOUND")
	bo := objCreate(t, env, tb.Key, "deals", map[string]any{"title": "b"})
	gql(t, env, tb.Key, `mutation($f: ID!, $to: ID!) { putAssociation(fromType: "deals", fromId: $f, associationType: "x", toType: "deals", toId: $to) { id } }`,
		map[string]any{"f": bo.ID, "to": o.ID}).requireCode(t, "NOT_FOUND")
	var bl struct{ Objects struct{ TotalCount int } }
	gql(t, env, tb.Key, `{ objects(type: "deals") { totalCount } }`, nil).decode(t, &bl)
	require.Equal(t, 1, bl.Objects.TotalCount)

	// A read-only key cannot write: the domain's code.
	_, ro := restKey(t, env, tn.Key, map[string]any{"label": "ro", "scopes": []string{"read"}})
	res := gql(t, env, ro, `mutation { createObject(type: "deals", properties: {title: "x"}) { id } }`, nil)
	require.Len(t, res.Errors, 1, string(res.Body))
	require.Contains(t, []any{"FORBIDDEN", "INSUFFICIENT_SCOPE"}, res.Errors[0].Extensions["code"], string(res.Body))
}

// Listing 50 objects with their associations' other ends reads the ends in
// one batched query: the SQL for the ends does not grow with the objects.
// Each object's first page of associations is batched too.
func TestObjectsAssociationEndsBatched(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	log := &queryLog{}
	env.App.Core.DB.AddQueryHook(log)
	tn := objTenant(t, env)
	objDealsType(t, env, tn.Key, "deals")
	objDealsType(t, env, tn.Key, "companies")
	companies := make([]any, 5)
	for i := range companies {
		companies[i] = map[string]any{"title": fmt.Sprintf("co %d", i)}
	}
	var bc struct{ BatchCreateObjects []gqlObject }
	gql(t, env, tn.Key, `mutation($in: [JSON!]!) { batchCreateObjects(type: "companies", inputs: $in) { id } }`, map[string]any{"in": companies}).decode(t, &bc)
	deals := make([]any, 50)
	for i := range deals {
		deals[i] = map[string]any{"title": fmt.Sprintf("deal %d", i)}
	}
	var bd struct{ BatchCreateObjects []gqlObject }
	gql(t, env, tn.Key, `mutation($in: [JSON!]!) { batchCreateObjects(type: "deals", inputs: $in) { id } }`, map[string]any{"in": deals}).decode(t, &bd)
	for i, d := range bd.BatchCreateObjects {
		for j := range 2 {
			var out struct{ PutAssociation struct{ ID string } }
			gql(t, env, tn.Key, `mutation($f: ID!, $to: ID!) { putAssociation(fromType: "deals", fromId: $f, associationType: "customer", toType: "companies", toId: $to) { id } }`,
				map[string]any{"f": d.ID, "to": bc.BatchCreateObjects[(i+j)%5].ID}).decode(t, &out)
		}
	}

	const q = `query($n: Int) { objects(type: "deals", first: $n) { totalCount edges { node { id
		associations { totalCount edges { node { associationType object { id property(name: "title") } } } } } } } }`
	run := func(n int) []string {
		log.take()
		var got struct {
			Objects struct {
				Edges []struct {
					Node struct {
						Associations struct {
							Edges []struct {
								Node struct {
									Object struct {
										ID       string
										Property string
									}
								}
							}
						}
					}
				}
			}
		}
		gql(t, env, tn.Key, q, map[string]any{"n": n}).decode(t, &got)
		require.Len(t, got.Objects.Edges, n)
		for _, e := range got.Objects.Edges {
			require.Len(t, e.Node.Associations.Edges, 2)
			for _, a := range e.Node.Associations.Edges {
				require.True(t, strings.HasPrefix(a.Node.Object.Property, "co "), a.Node.Object)
			}
		}
		return log.take()
	}
	ends := func(qs []string) int {
		n := 0
		for _, s := range qs {
			if strings.Contains(s, `FROM "objects"`) && strings.Contains(s, "(id IN (") {
				n++
			}
		}
		return n
	}
	// The batched first page's cursor continues in ListAssociations.
	const pageQ = `query($id: ID!, $after: String) { object(type: "deals", id: $id) {
		associations(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }`
	type assocPage struct {
		Object struct {
			Associations struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   *string
				}
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	var p1, p2 assocPage
	gql(t, env, tn.Key, pageQ, map[string]any{"id": bd.BatchCreateObjects[0].ID}).decode(t, &p1)
	require.Equal(t, 2, p1.Object.Associations.TotalCount)
	require.True(t, p1.Object.Associations.PageInfo.HasNextPage)
	require.Len(t, p1.Object.Associations.Edges, 1)
	gql(t, env, tn.Key, pageQ, map[string]any{"id": bd.BatchCreateObjects[0].ID, "after": p1.Object.Associations.PageInfo.EndCursor}).decode(t, &p2)
	require.False(t, p2.Object.Associations.PageInfo.HasNextPage)
	require.Len(t, p2.Object.Associations.Edges, 1)
	require.NotEqual(t, p1.Object.Associations.Edges[0].Node.ID, p2.Object.Associations.Edges[0].Node.ID)

	run(50) // warm
	one := run(1)
	fifty := run(50)
	t.Logf("SQL per operation: %d for 1 object, %d for 50", len(one), len(fifty))
	require.Equal(t, 1, ends(one), strings.Join(one, "\n"))
	require.Equal(t, 1, ends(fifty), strings.Join(fifty, "\n"))
	// Everything but the per-object associations list (a list and a count)
	// is constant.
	perObject := func(qs []string) int {
		n := 0
		for _, s := range qs {
			if strings.Contains(s, "object_associations") || strings.Contains(s, "AND id = ") || strings.Contains(s, `AND ("id" = `) {
				n++
			}
		}
		return n
	}
	require.Equal(t, len(one), len(fifty), "SQL for 1:\n%s\nfor 50:\n%s", strings.Join(one, "\n"), strings.Join(fifty, "\n"))
	require.Equal(t, 1, perObject(fifty), strings.Join(fifty, "\n"))
}

type objEvent struct {
	ID, Type, At string
	Permanent    bool
	Object       gqlObject
}

func (c *wsClient) nextObjectEvent(id string) objEvent {
	c.t.Helper()
	m := c.expect("next")
	require.Equal(c.t, id, m.ID)
	var payload struct {
		Data   struct{ ObjectChanged objEvent } `json:"data"`
		Errors []gqlError                       `json:"errors"`
	}
	require.NoError(c.t, json.Unmarshal(m.Payload, &payload))
	require.Empty(c.t, payload.Errors, string(m.Payload))
	return payload.Data.ObjectChanged
}

func TestObjectChangedSubscription(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := objTenant(t, env)
	objDealsType(t, env, tn.Key, "deals")
	objDealsType(t, env, tn.Key, "companies")

	ws := dialWS(t, env, nil)
	ws.init(map[string]any{"Authorization": "Bearer " + tn.Key})
	ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { objectChanged(type: "deals") { id type at permanent object { ` + objFields + ` } } }`}})
	waitSubscribers(t, env, tn.ID, 1)

	// Another type's object is not delivered (it is published first).
	objCreate(t, env, tn.Key, "companies", map[string]any{"title": "co"})
	o := objCreate(t, env, tn.Key, "deals", map[string]any{"title": "d"})
	ev := ws.nextObjectEvent("1")
	require.Equal(t, "CREATED", ev.Type)
	require.Equal(t, o.ID, ev.Object.ID)
	require.Equal(t, "d", ev.Object.Properties["title"])
	require.Regexp(t, `^evt_`, ev.ID)

	gql(t, env, tn.Key, `mutation($id: ID!) { updateObject(type: "deals", id: $id, properties: {title: "e"}) { id } }`, map[string]any{"id": o.ID}).decode(t, &struct{}{})
	ev = ws.nextObjectEvent("1")
	require.Equal(t, "UPDATED", ev.Type)
	require.Equal(t, "e", ev.Object.Properties["title"])

	gql(t, env, tn.Key, `mutation($id: ID!) { deleteObject(type: "deals", id: $id) { id } }`, map[string]any{"id": o.ID}).decode(t, &struct{}{})
	ev = ws.nextObjectEvent("1")
	require.Equal(t, "DELETED", ev.Type)
	require.Equal(t, o.ID, ev.Object.ID)
	require.False(t, ev.Permanent)

	gql(t, env, tn.Key, `mutation($id: ID!) { restoreObject(type: "deals", id: $id) { id } }`, map[string]any{"id": o.ID}).decode(t, &struct{}{})
	ev = ws.nextObjectEvent("1")
	require.Equal(t, "RESTORED", ev.Type)

	ws.send(map[string]any{"id": "1", "type": "complete"})
	waitSubscribers(t, env, tn.ID, 0)

	// An unknown type is refused at subscribe time.
	ws.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": `subscription { objectChanged(type: "nope") { id } }`}})
	for {
		m, err := ws.next()
		require.NoError(t, err)
		if m.ID == "2" {
			require.Contains(t, string(m.Payload), "NOT_FOUND")
			break
		}
	}
}
