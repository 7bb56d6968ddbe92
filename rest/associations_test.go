package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// HTTP tests of associations: PUT/DELETE /v1/objects/:from_type/:from_id/
// associations/:association_type/:to_type/:to_id and GET
// /v1/objects/:type/:id/associations. The asc* helpers are this file's.

type ascAssoc struct {
	ID              string          `json:"id"`
	AssociationType string          `json:"association_type"`
	FromTypeID      string          `json:"from_type_id"`
	FromID          string          `json:"from_id"`
	ToTypeID        string          `json:"to_type_id"`
	ToID            string          `json:"to_id"`
	Direction       string          `json:"direction"`
	Meta            json.RawMessage `json:"meta"`
	CreatedBy       string          `json:"created_by"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	Created         bool            `json:"created"`
}

type ascPage struct {
	Results    []ascAssoc `json:"results"`
	NextCursor *string    `json:"next_cursor"`
	Total      int        `json:"total"`
}

// ascEnv is a tenant (high-rate key) with two schemaless types.
type ascEnv struct {
	env             *apptest.Env
	tn              apptest.Tenant
	people, company otType
}

func ascSetup(t *testing.T, env *apptest.Env) ascEnv {
	t.Helper()
	tn := otTenant(t, env)
	return ascEnv{env: env, tn: tn,
		people:  otCreate(t, env, tn.Key, map[string]any{"name": otName("people")}),
		company: otCreate(t, env, tn.Key, map[string]any{"name": otName("companies")})}
}

func (a ascEnv) do(t testing.TB, method, path string, body any) *apptest.Response {
	t.Helper()
	return otDo(t, a.env, a.tn.Key, method, path, body)
}

// object creates an object of ty and returns its id.
func (a ascEnv) object(t testing.TB, ty otType) string {
	t.Helper()
	res := a.do(t, "POST", "/v1/objects/"+ty.Name, map[string]any{"properties": map[string]any{"n": 1}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var o objObject
	res.Decode(t, &o)
	return o.ID
}

func ascPath(fromType, fromID, assocType, toType, toID string) string {
	return "/v1/objects/" + fromType + "/" + fromID + "/associations/" + assocType + "/" + toType + "/" + toID
}

func (a ascEnv) put(t testing.TB, fromType, fromID, assocType, toType, toID string, body any) ascAssoc {
	t.Helper()
	res := a.do(t, "PUT", ascPath(fromType, fromID, assocType, toType, toID), body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var as ascAssoc
	res.Decode(t, &as)
	return as
}

func (a ascEnv) list(t testing.TB, ty otType, id, query string) ascPage {
	t.Helper()
	res := a.do(t, "GET", "/v1/objects/"+ty.Name+"/"+id+"/associations"+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var pg ascPage
	res.Decode(t, &pg)
	return pg
}

func ascIDs(pg ascPage) []string {
	out := []string{}
	for _, r := range pg.Results {
		out = append(out, r.ID)
	}
	return out
}

func TestAssociationsPut(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := ascSetup(t, env)
	ada, bob := a.object(t, a.people), a.object(t, a.people)
	acme := a.object(t, a.company)

	first := a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, map[string]any{"meta": map[string]any{"role": "cto"}})
	require.True(t, first.Created)
	require.True(t, strings.HasPrefix(first.ID, "assoc_"), first.ID)
	require.Equal(t, "works_at", first.AssociationType)
	require.Equal(t, a.people.ID, first.FromTypeID)
	require.Equal(t, ada, first.FromID)
	require.Equal(t, a.company.ID, first.ToTypeID)
	require.Equal(t, acme, first.ToID)
	require.JSONEq(t, `{"role": "cto"}`, string(first.Meta))
	require.True(t, strings.HasPrefix(first.CreatedBy, "key_"), first.CreatedBy)

	t.Run("upsert keeps id and created_at, replaces meta", func(t *testing.T) {
		// Types by id work as well as by name.
		again := a.put(t, a.people.ID, ada, "works_at", a.company.ID, acme, map[string]any{"meta": map[string]any{"role": "ceo"}})
		require.False(t, again.Created)
		require.Equal(t, first.ID, again.ID)
		require.True(t, first.CreatedAt.Equal(again.CreatedAt))
		require.False(t, again.UpdatedAt.Before(first.UpdatedAt))
		require.JSONEq(t, `{"role": "ceo"}`, string(again.Meta))
		// No body: meta becomes {} (PUT replaces).
		bare := a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, nil)
		require.Equal(t, first.ID, bare.ID)
		require.JSONEq(t, `{}`, string(bare.Meta))
		pg := a.list(t, a.people, ada, "")
		require.Equal(t, 1, pg.Total)
	})

	t.Run("another type or direction is another association", func(t *testing.T) {
		other := a.put(t, a.people.Name, ada, "invested_in", a.company.Name, acme, nil)
		require.True(t, other.Created)
		require.NotEqual(t, first.ID, other.ID)
		back := a.put(t, a.company.Name, acme, "works_at", a.people.Name, ada, nil)
		require.True(t, back.Created)
		self := a.put(t, a.people.Name, bob, "knows", a.people.Name, bob, nil)
		require.True(t, self.Created)
	})

	t.Run("concurrent PUTs of a new association create it once", func(t *testing.T) {
		from, to := a.object(t, a.people), a.object(t, a.company)
		const n = 8
		got := make(chan ascAssoc, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got <- a.put(t, a.people.Name, from, "races", a.company.Name, to, nil)
			}()
		}
		wg.Wait()
		close(got)
		created, ids := 0, map[string]bool{}
		for as := range got {
			ids[as.ID] = true
			if as.Created {
				created++
			}
		}
		require.Equal(t, 1, created)
		require.Len(t, ids, 1)
	})

	t.Run("meta limits", func(t *testing.T) {
		// {"k":"xxx..."} compact: 8 bytes + the string.
		exact := map[string]any{"meta": map[string]any{"k": strings.Repeat("x", 10240-8)}}
		as := a.put(t, a.people.Name, bob, "big", a.company.Name, acme, exact)
		require.Equal(t, 10240, len(as.Meta), "answered compact")
		over := map[string]any{"meta": map[string]any{"k": strings.Repeat("x", 10240-7)}}
		res := a.do(t, "PUT", ascPath(a.people.Name, bob, "big", a.company.Name, acme), over)
		otRequireError(t, res, 413, "PAYLOAD_TOO_LARGE")
		require.Equal(t, "meta", res.Error.Extra["field"])
		require.EqualValues(t, 10240, res.Error.Extra["limit"])
		// Whitespace does not count: the compact form is measured.
		spaced := `{"meta": {"k":    "` + strings.Repeat("x", 10240-8) + `"   }}`
		require.Equal(t, 200, a.do(t, "PUT", ascPath(a.people.Name, bob, "big", a.company.Name, acme), spaced).Status)
		for _, bad := range []string{`{"meta": "x"}`, `{"meta": [1]}`, `{"meta": 3}`, `{"meta": true}`} {
			otRequireError(t, a.do(t, "PUT", ascPath(a.people.Name, bob, "big", a.company.Name, acme), bad), 400, "VALIDATION_FAILED", "meta")
		}
		otRequireError(t, a.do(t, "PUT", ascPath(a.people.Name, bob, "big", a.company.Name, acme), `{"meta": `), 400, "BAD_REQUEST")
	})

	t.Run("bad association types", func(t *testing.T) {
		for _, bad := range []string{"Works_At", "1st", "_x", "works-at", strings.Repeat("a", 64)} {
			otRequireError(t, a.do(t, "PUT", ascPath(a.people.Name, ada, bad, a.company.Name, acme), nil), 400, "VALIDATION_FAILED", "association_type")
			otRequireError(t, a.do(t, "DELETE", ascPath(a.people.Name, ada, bad, a.company.Name, acme), nil), 400, "VALIDATION_FAILED", "association_type")
		}
		a.put(t, a.people.Name, ada, strings.Repeat("a", 63), a.company.Name, acme, nil)
	})

	t.Run("missing and mistyped ends are 404 naming the end", func(t *testing.T) {
		foreign := ascSetup(t, env)
		theirs := foreign.object(t, foreign.company)
		trashed := a.object(t, a.company)
		require.Equal(t, 200, a.do(t, "DELETE", "/v1/objects/"+a.company.Name+"/"+trashed, nil).Status)
		cases := []struct {
			name, path, msg string
		}{
			{"from of the wrong type", ascPath(a.company.Name, ada, "x", a.company.Name, acme), "From object not found"},
			{"to of the wrong type", ascPath(a.people.Name, ada, "x", a.people.Name, acme), "To object not found"},
			{"unknown from", ascPath(a.people.Name, "obj_01JAAAAAAAAAAAAAAAAAAAAAAA", "x", a.company.Name, acme), "From object not found"},
			{"malformed to", ascPath(a.people.Name, ada, "x", a.company.Name, "nope"), "To object not found"},
			{"unknown from type", ascPath("ghosts", ada, "x", a.company.Name, acme), "From object type not found"},
			{"unknown to type", ascPath(a.people.Name, ada, "x", "ot_01JAAAAAAAAAAAAAAAAAAAAAAA", acme), "To object type not found"},
			{"another tenant's object", ascPath(a.people.Name, ada, "x", a.company.Name, theirs), "To object not found"},
			{"another tenant's type", ascPath(a.people.Name, ada, "x", foreign.company.ID, theirs), "To object type not found"},
			{"a trashed end", ascPath(a.people.Name, ada, "x", a.company.Name, trashed), "To object not found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := a.do(t, "PUT", c.path, nil)
				otRequireError(t, res, 404, "NOT_FOUND")
				require.Equal(t, c.msg, res.Error.Message)
			})
		}
		// The other tenant cannot see or link ours either.
		res := foreign.do(t, "PUT", ascPath(foreign.company.Name, theirs, "x", a.company.ID, acme), nil)
		otRequireError(t, res, 404, "NOT_FOUND")
		otRequireError(t, foreign.do(t, "GET", "/v1/objects/"+a.people.ID+"/"+ada+"/associations", nil), 404, "NOT_FOUND")
		otRequireError(t, foreign.do(t, "DELETE", ascPath(a.people.ID, ada, "works_at", a.company.ID, acme), nil), 404, "NOT_FOUND")
	})
}

func TestAssociationsDelete(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := ascSetup(t, env)
	ada, acme := a.object(t, a.people), a.object(t, a.company)
	as := a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, map[string]any{"meta": map[string]any{"n": 1}})

	// The types must match the ends.
	otRequireError(t, a.do(t, "DELETE", ascPath(a.company.Name, ada, "works_at", a.company.Name, acme), nil), 404, "NOT_FOUND")
	otRequireError(t, a.do(t, "DELETE", ascPath(a.people.Name, ada, "other", a.company.Name, acme), nil), 404, "NOT_FOUND")
	otRequireError(t, a.do(t, "DELETE", ascPath(a.company.Name, acme, "works_at", a.people.Name, ada), nil), 404, "NOT_FOUND")
	otRequireError(t, a.do(t, "DELETE", ascPath("ghosts", ada, "works_at", a.company.Name, acme), nil), 404, "NOT_FOUND")

	res := a.do(t, "DELETE", ascPath(a.people.ID, ada, "works_at", a.company.Name, acme), nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	require.JSONEq(t, `{"deleted": true}`, string(res.Data))
	otRequireError(t, a.do(t, "DELETE", ascPath(a.people.Name, ada, "works_at", a.company.Name, acme), nil), 404, "NOT_FOUND")
	require.Equal(t, 0, a.list(t, a.people, ada, "").Total)

	// Created again: a new id.
	again := a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, nil)
	require.True(t, again.Created)
	require.NotEqual(t, as.ID, again.ID)

	t.Run("audit and events", func(t *testing.T) {
		ctx := context.Background()
		idb := env.App.Core.DB
		var actions []string
		require.NoError(t, idb.NewRaw(`SELECT action FROM audit_logs WHERE tenant_id = ? AND resource_type = 'association'
			ORDER BY created_at, id`, a.tn.ID).Scan(ctx, &actions))
		require.Equal(t, []string{"association.create", "association.delete", "association.create"}, actions)
		var rows []struct {
			Type    string          `bun:"type"`
			Payload json.RawMessage `bun:"payload"`
		}
		require.NoError(t, idb.NewRaw(`SELECT type, payload FROM outbox_events WHERE tenant_id = ? AND topic = 'objects'
			AND type LIKE 'association.%' ORDER BY created_at, id`, a.tn.ID).Scan(ctx, &rows))
		require.Len(t, rows, 3)
		require.Equal(t, "association.created", rows[0].Type)
		require.Equal(t, "association.deleted", rows[1].Type)
		var p ascAssoc
		require.NoError(t, json.Unmarshal(rows[1].Payload, &p))
		require.Equal(t, as.ID, p.ID)
		require.Equal(t, ada, p.FromID)
		require.JSONEq(t, `{"n": 1}`, string(p.Meta))
	})

	t.Run("an update is announced as such", func(t *testing.T) {
		a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, map[string]any{"meta": map[string]any{"n": 2}})
		var typ string
		require.NoError(t, env.App.Core.DB.NewRaw(`SELECT type FROM outbox_events WHERE tenant_id = ? AND topic = 'objects'
			AND type LIKE 'association.%' ORDER BY created_at DESC, id DESC LIMIT 1`, a.tn.ID).Scan(context.Background(), &typ))
		require.Equal(t, "association.updated", typ)
	})
}

func TestAssociationsList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := ascSetup(t, env)
	ada, bob, cy := a.object(t, a.people), a.object(t, a.people), a.object(t, a.people)
	acme, globex := a.object(t, a.company), a.object(t, a.company)

	out1 := a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, nil)
	out2 := a.put(t, a.people.Name, ada, "knows", a.people.Name, bob, nil)
	out3 := a.put(t, a.people.Name, ada, "invested_in", a.company.Name, globex, nil)
	in1 := a.put(t, a.people.Name, cy, "knows", a.people.Name, ada, nil)
	in2 := a.put(t, a.company.Name, acme, "employs", a.people.Name, ada, nil)
	self := a.put(t, a.people.Name, ada, "likes", a.people.Name, ada, nil)

	t.Run("directions", func(t *testing.T) {
		both := a.list(t, a.people, ada, "")
		require.Equal(t, []string{out1.ID, out2.ID, out3.ID, in1.ID, in2.ID, self.ID}, ascIDs(both))
		require.Equal(t, 6, both.Total)
		require.Nil(t, both.NextCursor)
		dirs := map[string]string{}
		for _, r := range both.Results {
			dirs[r.ID] = r.Direction
		}
		require.Equal(t, map[string]string{out1.ID: "outgoing", out2.ID: "outgoing", out3.ID: "outgoing",
			in1.ID: "incoming", in2.ID: "incoming", self.ID: "outgoing"}, dirs)
		require.Equal(t, both.Results, a.list(t, a.people, ada, "?direction=both").Results)

		out := a.list(t, a.people, ada, "?direction=outgoing")
		require.Equal(t, []string{out1.ID, out2.ID, out3.ID, self.ID}, ascIDs(out))
		require.Equal(t, 4, out.Total)
		in := a.list(t, a.people, ada, "?direction=incoming")
		require.Equal(t, []string{in1.ID, in2.ID, self.ID}, ascIDs(in))
		require.Equal(t, 3, in.Total)
		require.Equal(t, "incoming", in.Results[2].Direction)

		// Seen from the other end.
		acmeView := a.list(t, a.company, acme, "")
		require.Equal(t, []string{out1.ID, in2.ID}, ascIDs(acmeView))
		require.Equal(t, "incoming", acmeView.Results[0].Direction)
		require.Equal(t, "outgoing", acmeView.Results[1].Direction)
	})

	t.Run("filters", func(t *testing.T) {
		knows := a.list(t, a.people, ada, "?association_type=knows")
		require.Equal(t, []string{out2.ID, in1.ID}, ascIDs(knows))
		require.Equal(t, 2, knows.Total)
		require.Equal(t, []string{out2.ID}, ascIDs(a.list(t, a.people, ada, "?association_type=knows&direction=outgoing")))
		// to_type: the type of the other end.
		companies := a.list(t, a.people, ada, "?to_type="+a.company.Name)
		require.Equal(t, []string{out1.ID, out3.ID, in2.ID}, ascIDs(companies))
		require.Equal(t, 3, companies.Total)
		require.Equal(t, []string{out1.ID, out3.ID}, ascIDs(a.list(t, a.people, ada, "?to_type="+a.company.ID+"&direction=outgoing")))
		require.Empty(t, ascIDs(a.list(t, a.people, ada, "?association_type=nothing")))
	})

	t.Run("bad parameters", func(t *testing.T) {
		base := "/v1/objects/" + a.people.Name + "/" + ada + "/associations"
		otRequireError(t, a.do(t, "GET", base+"?direction=sideways", nil), 400, "VALIDATION_FAILED", "direction")
		otRequireError(t, a.do(t, "GET", base+"?association_type=Bad", nil), 400, "VALIDATION_FAILED", "association_type")
		otRequireError(t, a.do(t, "GET", base+"?to_type=ghosts", nil), 400, "VALIDATION_FAILED", "to_type")
		otRequireError(t, a.do(t, "GET", base+"?cursor=forged.cursor", nil), 400, "BAD_REQUEST")
		otRequireError(t, a.do(t, "GET", "/v1/objects/"+a.company.Name+"/"+ada+"/associations", nil), 404, "NOT_FOUND")
		otRequireError(t, a.do(t, "GET", "/v1/objects/ghosts/"+ada+"/associations", nil), 404, "NOT_FOUND")
		otRequireError(t, a.do(t, "GET", "/v1/objects/"+a.people.Name+"/obj_nope/associations", nil), 404, "NOT_FOUND")
	})

	t.Run("soft delete hides, restore shows, force delete removes", func(t *testing.T) {
		require.Equal(t, 200, a.do(t, "DELETE", "/v1/objects/"+a.company.Name+"/"+acme, nil).Status)
		pg := a.list(t, a.people, ada, "")
		require.Equal(t, []string{out2.ID, out3.ID, in1.ID, self.ID}, ascIDs(pg))
		require.Equal(t, 4, pg.Total)
		// The trashed object's own list is 404, and its associations
		// cannot be changed.
		otRequireError(t, a.do(t, "GET", "/v1/objects/"+a.company.Name+"/"+acme+"/associations", nil), 404, "NOT_FOUND")
		otRequireError(t, a.do(t, "DELETE", ascPath(a.people.Name, ada, "works_at", a.company.Name, acme), nil), 404, "NOT_FOUND")

		require.Equal(t, 200, a.do(t, "POST", "/v1/objects/"+a.company.Name+"/"+acme+"/restore", nil).Status)
		pg = a.list(t, a.people, ada, "")
		require.Equal(t, []string{out1.ID, out2.ID, out3.ID, in1.ID, in2.ID, self.ID}, ascIDs(pg))
		require.Equal(t, 6, pg.Total)

		require.Equal(t, 200, a.do(t, "DELETE", "/v1/objects/"+a.company.Name+"/"+acme+"?force=true", nil).Status)
		pg = a.list(t, a.people, ada, "")
		require.Equal(t, []string{out2.ID, out3.ID, in1.ID, self.ID}, ascIDs(pg))
		var n int
		require.NoError(t, env.App.Core.DB.NewRaw(`SELECT count(*) FROM object_associations WHERE tenant_id = ?
			AND (from_id = ? OR to_id = ?)`, a.tn.ID, acme, acme).Scan(context.Background(), &n))
		require.Zero(t, n)
	})
}

func TestAssociationsPaging(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := ascSetup(t, env)
	hub := a.object(t, a.people)
	var want []string
	for i := range 30 {
		other := a.object(t, a.company)
		var as ascAssoc
		if i%2 == 0 {
			as = a.put(t, a.people.Name, hub, "links", a.company.Name, other, nil)
		} else {
			as = a.put(t, a.company.Name, other, "links", a.people.Name, hub, nil)
		}
		want = append(want, as.ID)
	}
	collect := func(t *testing.T, query string, between func(page int)) ([]string, int) {
		var got []string
		cursor := ""
		for page := 0; page < 10; page++ {
			q := "?limit=10" + query
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			pg := a.list(t, a.people, hub, q)
			require.LessOrEqual(t, len(pg.Results), 10)
			got = append(got, ascIDs(pg)...)
			if pg.NextCursor == nil {
				return got, page + 1
			}
			cursor = *pg.NextCursor
			if between != nil {
				between(page)
			}
		}
		t.Fatal("too many pages")
		return nil, 0
	}
	t.Run("both directions", func(t *testing.T) {
		got, pages := collect(t, "", nil)
		require.Equal(t, want, got)
		require.Equal(t, 3, pages)
		require.Equal(t, 30, a.list(t, a.people, hub, "?limit=10").Total)
	})
	t.Run("one direction", func(t *testing.T) {
		got, _ := collect(t, "&direction=outgoing", nil)
		var outgoing []string
		for i, id := range want {
			if i%2 == 0 {
				outgoing = append(outgoing, id)
			}
		}
		require.Equal(t, outgoing, got)
	})
	t.Run("a cursor belongs to its list", func(t *testing.T) {
		pg := a.list(t, a.people, hub, "?limit=10")
		require.NotNil(t, pg.NextCursor)
		res := a.do(t, "GET", "/v1/objects/"+a.people.Name+"/"+hub+"/associations?direction=outgoing&cursor="+url.QueryEscape(*pg.NextCursor), nil)
		otRequireError(t, res, 400, "BAD_REQUEST")
		tampered := strings.Replace(*pg.NextCursor, ".", "x.", 1)
		otRequireError(t, a.do(t, "GET", "/v1/objects/"+a.people.Name+"/"+hub+"/associations?cursor="+url.QueryEscape(tampered), nil), 400, "BAD_REQUEST")
	})
	t.Run("inserts between pages: no duplicates, no gaps", func(t *testing.T) {
		var added []string
		got, _ := collect(t, "", func(page int) {
			other := a.object(t, a.company)
			added = append(added, a.put(t, a.people.Name, hub, "late", a.company.Name, other, nil).ID)
		})
		require.Equal(t, append(append([]string{}, want...), added...), got)
	})
}

func TestAssociationsScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := ascSetup(t, env)
	ada, acme := a.object(t, a.people), a.object(t, a.company)
	a.put(t, a.people.Name, ada, "works_at", a.company.Name, acme, nil)
	readKey := scopedKey(t, env, a.tn.Key, "read")
	writeKey := scopedKey(t, env, a.tn.Key, "write")
	pubKey := scopedKey(t, env, a.tn.Key)
	put := ascPath(a.people.Name, ada, "knows", a.company.Name, acme)
	list := "/v1/objects/" + a.people.Name + "/" + ada + "/associations"
	cases := []struct {
		name, key, method, path string
		status                  int
		scope                   string
	}{
		{"read key lists", readKey, "GET", list, 200, ""},
		{"read key cannot put", readKey, "PUT", put, 403, "write"},
		{"read key cannot delete", readKey, "DELETE", put, 403, "write"},
		{"write key puts", writeKey, "PUT", put, 200, ""},
		{"write key deletes", writeKey, "DELETE", put, 200, ""},
		{"write key cannot list", writeKey, "GET", list, 403, "read"},
		{"publishable key cannot list", pubKey, "GET", list, 403, "read"},
		{"publishable key cannot put", pubKey, "PUT", put, 403, "write"},
		{"no key", "", "GET", list, 401, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := otDo(t, env, c.key, c.method, c.path, nil)
			require.Equal(t, c.status, res.Status, "%s", res.Body)
			if c.status == 403 {
				require.Equal(t, "INSUFFICIENT_SCOPE", res.Error.Code)
				require.Equal(t, c.scope, res.Error.Extra["required_scope"])
			}
		})
	}
}
