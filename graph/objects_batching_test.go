package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// batchingListed is one listed object with its versions and comments.
type batchingListed struct {
	ID       string
	Versions []struct {
		Version    int
		Properties map[string]any
	}
	Comments []struct {
		ObjectID     string
		ObjectTypeID string
		Body         string
	}
}

// batchingSeed creates n deals, updates each once (one previous state) and
// comments on each twice; it answers the ids in creation order.
func batchingSeed(t *testing.T, env *apptest.Env, key string, n int) []string {
	t.Helper()
	objDealsType(t, env, key, "deals")
	in := make([]any, n)
	for i := range in {
		in[i] = map[string]any{"title": fmt.Sprintf("deal %d", i)}
	}
	var bc struct{ BatchCreateObjects []gqlObject }
	gql(t, env, key, `mutation($in: [JSON!]!) { batchCreateObjects(type: "deals", inputs: $in) { id } }`,
		map[string]any{"in": in}).decode(t, &bc)
	ids := make([]string, n)
	ups := make([]any, n)
	for i, o := range bc.BatchCreateObjects {
		ids[i] = o.ID
		ups[i] = map[string]any{"id": o.ID, "properties": map[string]any{"stage": "won"}}
	}
	var bu struct{ BatchUpdateObjects []gqlObject }
	gql(t, env, key, `mutation($up: [JSON!]!) { batchUpdateObjects(type: "deals", updates: $up) { id version } }`,
		map[string]any{"up": ups}).decode(t, &bu)
	for _, id := range ids {
		for j := range 2 {
			var c struct{ CreateComment struct{ ID string } }
			gql(t, env, key, `mutation($id: ID!, $b: String!) { createComment(type: "deals", objectId: $id, body: $b) { id } }`,
				map[string]any{"id": id, "b": fmt.Sprintf("note %d on %s", j, id)}).decode(t, &c)
		}
	}
	return ids
}

// Listing 1 or 30 objects with their versions and comments costs the same
// number of SQL statements: each field is one batched query
// (VersionsOfObjects, CommentsOfObjects) whatever the number of objects,
// and each object gets its own answers.
func TestObjectsVersionsCommentsBatched(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	log := &queryLog{}
	env.App.Core.DB.AddQueryHook(log)
	tn := objTenant(t, env)
	batchingSeed(t, env, tn.Key, 30)

	const q = `query($n: Int, $order: String) { objects(type: "deals", first: $n, sort: "id") { edges { node { id
		versions { version properties } comments(first: 5, order: $order) { objectId objectTypeId body } } } } }`
	run := func(n int, order string) ([]batchingListed, []string) {
		log.take()
		var got struct {
			Objects struct {
				Edges []struct{ Node batchingListed }
			}
		}
		gql(t, env, tn.Key, q, map[string]any{"n": n, "order": order}).decode(t, &got)
		require.Len(t, got.Objects.Edges, n)
		out := make([]batchingListed, n)
		for i, e := range got.Objects.Edges {
			out[i] = e.Node
		}
		return out, log.take()
	}
	run(30, "asc") // warm
	one, sqlOne := run(1, "asc")
	thirty, sqlThirty := run(30, "asc")
	t.Logf("SQL per operation: %d for 1 object, %d for 30", len(sqlOne), len(sqlThirty))
	require.Equal(t, len(sqlOne), len(sqlThirty), "SQL for 1:\n%s\nfor 30:\n%s",
		strings.Join(sqlOne, "\n"), strings.Join(sqlThirty, "\n"))
	batchingCheckListed(t, one)
	batchingCheckListed(t, thirty)
	for _, f := range []string{"object_versions", "object_comments"} {
		n := 0
		for _, s := range sqlThirty {
			if strings.Contains(s, f) {
				n++
			}
		}
		require.Equal(t, 1, n, "%s read once for 30 objects:\n%s", f, strings.Join(sqlThirty, "\n"))
	}

	// The default order is newest first.
	desc, _ := run(3, "")
	for _, o := range desc {
		require.Equal(t, "note 1 on "+o.ID, o.Comments[0].Body)
	}
}

// batchingCheckListed checks each object got its own version and comments.
func batchingCheckListed(t *testing.T, listed []batchingListed) {
	t.Helper()
	for _, o := range listed {
		require.Len(t, o.Versions, 1, o.ID)
		require.Equal(t, 1, o.Versions[0].Version)
		require.NotContains(t, o.Versions[0].Properties, "stage", "version 1 predates the update")
		require.Len(t, o.Comments, 2, o.ID)
		for j, c := range o.Comments {
			require.Equal(t, o.ID, c.ObjectID)
			require.NotEmpty(t, c.ObjectTypeID)
			require.Equal(t, fmt.Sprintf("note %d on %s", j, o.ID), c.Body)
		}
	}
}

// Two arguments sets in one operation are two batches, each answering its
// own arguments; a bad order is a field error, not a failure of the others.
func TestObjectsVersionsCommentsBatchArguments(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{NoBackground: true})
	tn := objTenant(t, env)
	ids := batchingSeed(t, env, tn.Key, 3)
	var got struct {
		Objects struct {
			Edges []struct {
				Node struct {
					ID    string
					First []struct{ Body string }
					Asc   []struct{ Body string }
					None  []struct{ Version int }
				}
			}
		}
	}
	gql(t, env, tn.Key, `{ objects(type: "deals", sort: "id") { edges { node { id
		first: comments(first: 1) { body } asc: comments(order: "asc") { body } none: versions(first: 0) { version } } } } }`,
		nil).decode(t, &got)
	require.Len(t, got.Objects.Edges, len(ids))
	for _, e := range got.Objects.Edges {
		require.Len(t, e.Node.First, 1)
		require.Equal(t, "note 1 on "+e.Node.ID, e.Node.First[0].Body)
		require.Len(t, e.Node.Asc, 2)
		require.Equal(t, "note 0 on "+e.Node.ID, e.Node.Asc[0].Body)
		require.Len(t, e.Node.None, 1, "first: 0 is the default limit, as REST's limit")
	}

	res := gql(t, env, tn.Key, `{ objects(type: "deals") { edges { node { id comments(order: "sideways") { body } } } } }`, nil)
	require.NotEmpty(t, res.Errors, string(res.Body))
	require.Equal(t, "VALIDATION_FAILED", res.Errors[0].Extensions["code"], string(res.Body))
}
