package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

// Tests of recurring entries over HTTP: CRUD, validation of templates,
// execute (dates, day clamping, drafts, end dates, duplicates) and refusals.
// Schedules executed here are inactive (is_active: false) or dated far in
// the future, so the scheduler of any process sharing the package database
// never runs them behind the test's back.

const recurringPath = "/v1/accounting/recurring"

// recView is a schedule as the API shows it.
type recView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Template    json.RawMessage `json:"template"`
	Frequency   string          `json:"frequency"`
	NextRun     string          `json:"next_run"`
	EndDate     *string         `json:"end_date"`
	IsActive    bool            `json:"is_active"`
	LastRunAt   *string         `json:"last_run_at"`
	Occurrences int             `json:"occurrences"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

// recEntry is the journal entry an execute answers.
type recEntry struct {
	ID          string          `json:"id"`
	Date        string          `json:"date"`
	Description string          `json:"description"`
	Status      string          `json:"status"`
	TotalDebit  json.RawMessage `json:"total_debit"`
	Lines       []struct {
		AccountID string          `json:"account_id"`
		Debit     json.RawMessage `json:"debit"`
		Credit    json.RawMessage `json:"credit"`
	} `json:"lines"`
}

type recFixture struct {
	env          *apptest.Env
	key          string
	cash, rent   string
	otherTenant  string // a "*" key of another tenant
	readOnlyKey  string
	templateBody map[string]any
}

var recSeq atomic.Int64

func recDo(t *testing.T, env *apptest.Env, key, method, path string, body any) *apptest.Response {
	t.Helper()
	return env.Do(t, apptest.Request{Method: method, Path: path, Key: key, Body: body})
}

// recErr requires an error answer with status and code.
func recErr(t *testing.T, env *apptest.Env, key, method, path string, body any, status int, code string) *apptest.Response {
	t.Helper()
	res := recDo(t, env, key, method, path, body)
	require.Equal(t, status, res.Status, "%s %s: %s", method, path, res.Body)
	require.Equal(t, code, res.Error.Code, "%s %s: %s", method, path, res.Body)
	return res
}

// recInvalid requires 400 VALIDATION_FAILED naming each of fields.
func recInvalid(t *testing.T, env *apptest.Env, key, method, path string, body any, fields ...string) {
	t.Helper()
	res := recErr(t, env, key, method, path, body, http.StatusBadRequest, "VALIDATION_FAILED")
	for _, f := range fields {
		require.Contains(t, res.Error.Fields, f, "%s %s: %s", method, path, res.Body)
	}
}

func recKey(t *testing.T, env *apptest.Env, tn apptest.Tenant, scopes ...string) string {
	t.Helper()
	return issueKey(t, env, tn.Key, map[string]any{"label": "recurring", "scopes": scopes,
		"rate_limit": map[string]any{"per_minute": 100000, "per_hour": 1000000}}).Token
}

func recAccount(t *testing.T, env *apptest.Env, key, typ string) string {
	t.Helper()
	n := recSeq.Add(1)
	res := recDo(t, env, key, "POST", "/v1/accounting/accounts",
		map[string]any{"code": fmt.Sprintf("RC%d", n), "name": fmt.Sprintf("Recurring %d", n), "type": typ})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var a struct {
		ID string `json:"id"`
	}
	res.Decode(t, &a)
	return a.ID
}

func newRecFixture(t *testing.T) *recFixture {
	t.Helper()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	f := &recFixture{env: env, key: recKey(t, env, tn, "*")}
	f.readOnlyKey = recKey(t, env, tn, "read")
	f.otherTenant = recKey(t, env, env.NewTenant(t, "Other tenant"), "*")
	f.cash = recAccount(t, env, f.key, "asset")
	f.rent = recAccount(t, env, f.key, "expense")
	f.templateBody = f.entryTemplate("1200.00", nil)
	return f
}

// entryTemplate is a balanced rent entry; post, when set, is the template's
// "post" member.
func (f *recFixture) entryTemplate(amount string, post *bool) map[string]any {
	tmpl := map[string]any{"description": "Monthly rent", "reference": "RENT", "lines": []any{
		map[string]any{"account_id": f.rent, "debit": amount},
		map[string]any{"account_id": f.cash, "credit": amount},
	}}
	if post != nil {
		tmpl["post"] = *post
	}
	return tmpl
}

// create makes a schedule (inactive unless body says otherwise) and returns it.
func (f *recFixture) create(t *testing.T, body map[string]any) recView {
	t.Helper()
	b := map[string]any{"name": "Rent", "type": "journal_entry", "template": f.templateBody,
		"frequency": "monthly", "next_run": "2024-01-31", "is_active": false}
	for k, v := range body {
		b[k] = v
	}
	res := recDo(t, f.env, f.key, "POST", recurringPath, b)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var r recView
	res.Decode(t, &r)
	return r
}

func (f *recFixture) get(t *testing.T, id string) recView {
	t.Helper()
	res := recDo(t, f.env, f.key, "GET", recurringPath+"/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var r recView
	res.Decode(t, &r)
	return r
}

func (f *recFixture) execute(t *testing.T, id string) recEntry {
	t.Helper()
	res := recDo(t, f.env, f.key, "POST", recurringPath+"/"+id+"/execute", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var e recEntry
	res.Decode(t, &e)
	require.NotEmpty(t, e.ID, "%s", res.Body)
	return e
}

// executeDates executes id n times and returns the entries' dates and the
// schedule's next_run after each execution.
func (f *recFixture) executeDates(t *testing.T, id string, n int) (dates, next []string) {
	t.Helper()
	for range n {
		dates = append(dates, f.execute(t, id).Date)
		next = append(next, f.get(t, id).NextRun)
	}
	return dates, next
}

func TestRecurringCRUD(t *testing.T) {
	f := newRecFixture(t)
	env := f.env

	// An active schedule far in the future: no scheduler touches it.
	res := recDo(t, env, f.key, "POST", recurringPath, map[string]any{"name": "  Rent  ", "type": "journal_entry",
		"template": f.templateBody, "frequency": "monthly", "next_run": "2090-01-31"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var created recView
	res.Decode(t, &created)
	require.Regexp(t, `^rec_[0-9a-z]{26}$`, created.ID)
	require.Equal(t, "Rent", created.Name)
	require.Equal(t, "journal_entry", created.Type)
	require.Equal(t, "monthly", created.Frequency)
	require.Equal(t, "2090-01-31", created.NextRun)
	require.Nil(t, created.EndDate)
	require.True(t, created.IsActive)
	require.Nil(t, created.LastRunAt)
	require.Zero(t, created.Occurrences)
	require.NotEmpty(t, created.CreatedAt)
	require.NotEmpty(t, created.UpdatedAt)
	var tmpl map[string]any
	require.NoError(t, json.Unmarshal(created.Template, &tmpl))
	require.Equal(t, "Monthly rent", tmpl["description"])
	require.Len(t, tmpl["lines"], 2)
	// Every member of the contract's shape is present.
	var raw map[string]json.RawMessage
	res.Decode(t, &raw)
	for _, k := range []string{"id", "name", "type", "template", "frequency", "next_run", "end_date", "is_active",
		"last_run_at", "occurrences", "created_at", "updated_at"} {
		require.Contains(t, raw, k)
	}

	require.Equal(t, created, f.get(t, created.ID))

	// The list is a bare array of the tenant's schedules.
	second := f.create(t, map[string]any{"name": "Insurance", "frequency": "yearly", "next_run": "2024-06-30", "end_date": "2030-06-30"})
	require.Equal(t, "2030-06-30", *second.EndDate)
	require.False(t, second.IsActive)
	res = recDo(t, env, f.readOnlyKey, "GET", recurringPath, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var list []recView
	res.Decode(t, &list)
	require.Len(t, list, 2)
	require.Equal(t, second.ID, list[0].ID, "ordered by next_run")
	require.Equal(t, created.ID, list[1].ID)

	// Update every mutable member.
	res = recDo(t, env, f.key, "PATCH", recurringPath+"/"+created.ID, map[string]any{"name": "Office rent",
		"frequency": "quarterly", "next_run": "2090-02-28", "end_date": "2091-12-31", "is_active": false,
		"template": f.entryTemplate("1300.00", nil)})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var updated recView
	res.Decode(t, &updated)
	require.Equal(t, "Office rent", updated.Name)
	require.Equal(t, "quarterly", updated.Frequency)
	require.Equal(t, "2090-02-28", updated.NextRun)
	require.Equal(t, "2091-12-31", *updated.EndDate)
	require.False(t, updated.IsActive)
	require.Contains(t, string(updated.Template), "1300.00")
	require.Equal(t, "journal_entry", updated.Type)
	require.Equal(t, updated, f.get(t, created.ID))

	// end_date null removes the end; absent members stay.
	res = recDo(t, env, f.key, "PATCH", recurringPath+"/"+created.ID, map[string]any{"end_date": nil})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &updated)
	require.Nil(t, updated.EndDate)
	require.Equal(t, "Office rent", updated.Name)
	require.Equal(t, "2090-02-28", updated.NextRun)

	// Delete: the schedule goes, its occurrences stay.
	entry := f.execute(t, created.ID)
	require.Equal(t, "2090-02-28", entry.Date)
	res = recDo(t, env, f.key, "DELETE", recurringPath+"/"+created.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var deleted struct {
		ID      string `json:"id"`
		Deleted bool   `json:"deleted"`
	}
	res.Decode(t, &deleted)
	require.Equal(t, created.ID, deleted.ID)
	require.True(t, deleted.Deleted)
	recErr(t, env, f.key, "GET", recurringPath+"/"+created.ID, nil, http.StatusNotFound, "NOT_FOUND")
	recErr(t, env, f.key, "DELETE", recurringPath+"/"+created.ID, nil, http.StatusNotFound, "NOT_FOUND")
	res = recDo(t, env, f.key, "GET", "/v1/accounting/journal-entries/"+entry.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "the occurrence outlives its schedule: %s", res.Body)

	// An invoice schedule keeps its invoice template.
	inv := f.create(t, map[string]any{"name": "Retainer", "type": "invoice", "next_run": "2090-01-01",
		"template": map[string]any{"type": "sales", "contact_name": "Acme", "lines": []any{
			map[string]any{"description": "Retainer", "quantity": 1, "unit_price": "500.00", "account_id": f.rent}}}})
	require.Equal(t, "invoice", inv.Type)
	require.Contains(t, string(inv.Template), "Retainer")
}

func TestRecurringValidation(t *testing.T) {
	f := newRecFixture(t)
	env, key := f.env, f.key
	valid := func(overrides map[string]any) map[string]any {
		b := map[string]any{"name": "Rent", "type": "journal_entry", "template": f.templateBody,
			"frequency": "monthly", "next_run": "2090-01-31", "is_active": false}
		for k, v := range overrides {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}

	recInvalid(t, env, key, "POST", recurringPath, map[string]any{}, "name", "type", "template", "frequency", "next_run")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"name": ""}), "name")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"type": "payment"}), "type")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"frequency": "hourly"}), "frequency")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": "rent"}), "template")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": []any{1}}), "template")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"next_run": "2024-13-01"}), "next_run")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"next_run": nil}), "next_run")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"end_date": "2090-01-30"}), "end_date")
	recErr(t, env, key, "POST", recurringPath, `{"name": "Rent",`, http.StatusBadRequest, "BAD_REQUEST")

	// The template is checked as the journal entry's create would check it.
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": map[string]any{}}), "template.lines")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": map[string]any{"lines": "x"}}), "template.lines")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": map[string]any{"lines": []any{
		map[string]any{"account_id": f.rent, "debit": "100.00"},
		map[string]any{"account_id": f.cash, "credit": "99.99"},
	}}}), "template.lines")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": map[string]any{"lines": []any{
		map[string]any{"account_id": "acc_01hzzzzzzzzzzzzzzzzzzzzzzz", "debit": "100.00"},
		map[string]any{"account_id": f.cash, "credit": "100.00"},
	}}}), "template.lines[0].account_id")
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"template": map[string]any{"currency": "XXZ",
		"lines": f.templateBody["lines"]}}), "template.currency")
	// Another tenant's accounts are not this tenant's.
	res := recDo(t, env, f.otherTenant, "POST", recurringPath, valid(nil))
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Error.Fields, "template.lines[0].account_id")
	// An invoice template needs a type and lines.
	recInvalid(t, env, key, "POST", recurringPath, valid(map[string]any{"type": "invoice",
		"template": map[string]any{"type": "gift"}}), "template.type", "template.lines")
	// Nothing was created by the refusals (dry runs leave no entries).
	res = recDo(t, env, key, "GET", recurringPath, nil)
	var list []recView
	res.Decode(t, &list)
	require.Empty(t, list)
	res = recDo(t, env, key, "GET", "/v1/accounting/journal-entries", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var entries struct {
		Total int `json:"total"`
	}
	res.Decode(t, &entries)
	require.Zero(t, entries.Total, "a template's dry run leaves no entry")

	r := f.create(t, map[string]any{"next_run": "2024-01-01", "frequency": "daily"})
	path := recurringPath + "/" + r.ID
	recInvalid(t, env, key, "PATCH", path, map[string]any{"frequency": "fortnightly"}, "frequency")
	recInvalid(t, env, key, "PATCH", path, map[string]any{"name": ""}, "name")
	recInvalid(t, env, key, "PATCH", path, map[string]any{"next_run": "tomorrow"}, "next_run")
	recInvalid(t, env, key, "PATCH", path, map[string]any{"end_date": "2023-12-31"}, "end_date")
	recInvalid(t, env, key, "PATCH", path, map[string]any{"template": "x"}, "template")
	recInvalid(t, env, key, "PATCH", path, map[string]any{"template": map[string]any{"lines": []any{
		map[string]any{"account_id": f.rent, "debit": "1.00"},
		map[string]any{"account_id": f.cash, "credit": "2.00"},
	}}}, "template.lines")
	// next_run may not go back onto a date that ran already.
	f.execute(t, r.ID)
	recInvalid(t, env, key, "PATCH", path, map[string]any{"next_run": "2024-01-01"}, "next_run")
	got := f.get(t, r.ID)
	require.Equal(t, "2024-01-02", got.NextRun, "refused updates change nothing")
	require.Equal(t, "daily", got.Frequency)
	require.Equal(t, 1, got.Occurrences)
}

func TestRecurringRefusals(t *testing.T) {
	f := newRecFixture(t)
	env := f.env
	r := f.create(t, map[string]any{"next_run": "2090-01-01"})
	path := recurringPath + "/" + r.ID

	t.Run("unknown, malformed and foreign ids are 404", func(t *testing.T) {
		for _, id := range []string{"rec_01hzzzzzzzzzzzzzzzzzzzzzzz", "nope", "je_01hzzzzzzzzzzzzzzzzzzzzzzz"} {
			p := recurringPath + "/" + id
			recErr(t, env, f.key, "GET", p, nil, http.StatusNotFound, "NOT_FOUND")
			recErr(t, env, f.key, "PATCH", p, map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND")
			recErr(t, env, f.key, "DELETE", p, nil, http.StatusNotFound, "NOT_FOUND")
			recErr(t, env, f.key, "POST", p+"/execute", nil, http.StatusNotFound, "NOT_FOUND")
		}
		recErr(t, env, f.otherTenant, "GET", path, nil, http.StatusNotFound, "NOT_FOUND")
		recErr(t, env, f.otherTenant, "PATCH", path, map[string]any{"name": "Mine"}, http.StatusNotFound, "NOT_FOUND")
		recErr(t, env, f.otherTenant, "POST", path+"/execute", nil, http.StatusNotFound, "NOT_FOUND")
		recErr(t, env, f.otherTenant, "DELETE", path, nil, http.StatusNotFound, "NOT_FOUND")
		res := recDo(t, env, f.otherTenant, "GET", recurringPath, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.JSONEq(t, `[]`, string(res.Data))
		require.Equal(t, r, f.get(t, r.ID), "the other tenant changed nothing")
	})

	t.Run("a read key reads but never writes", func(t *testing.T) {
		ro := f.readOnlyKey
		res := recDo(t, env, ro, "GET", path, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		recErr(t, env, ro, "POST", recurringPath, map[string]any{"name": "x"}, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		recErr(t, env, ro, "PATCH", path, map[string]any{"name": "x"}, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		recErr(t, env, ro, "DELETE", path, nil, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		recErr(t, env, ro, "POST", path+"/execute", nil, http.StatusForbidden, "INSUFFICIENT_SCOPE")
		recErr(t, env, "", "GET", recurringPath, nil, http.StatusUnauthorized, "UNAUTHORIZED")
		require.Equal(t, 0, f.get(t, r.ID).Occurrences)
	})

	t.Run("execute past end_date is 409 INVALID_STATE", func(t *testing.T) {
		e := f.create(t, map[string]any{"next_run": "2024-01-01", "end_date": "2024-02-01"})
		dates, next := f.executeDates(t, e.ID, 2)
		require.Equal(t, []string{"2024-01-01", "2024-02-01"}, dates, "end_date itself still runs")
		require.Equal(t, []string{"2024-02-01", "2024-03-01"}, next)
		recErr(t, env, f.key, "POST", recurringPath+"/"+e.ID+"/execute", nil, http.StatusConflict, "INVALID_STATE")
		got := f.get(t, e.ID)
		require.Equal(t, 2, got.Occurrences)
		require.Equal(t, "2024-03-01", got.NextRun)
		// Moving the end on lets it run again.
		res := recDo(t, env, f.key, "PATCH", recurringPath+"/"+e.ID, map[string]any{"end_date": "2024-03-01"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "2024-03-01", f.execute(t, e.ID).Date)
	})

	t.Run("an occurrence that fails leaves the schedule as it was", func(t *testing.T) {
		acct := recAccount(t, env, f.key, "expense")
		e := f.create(t, map[string]any{"next_run": "2024-05-15", "template": map[string]any{"lines": []any{
			map[string]any{"account_id": acct, "debit": "10.00"},
			map[string]any{"account_id": f.cash, "credit": "10.00"},
		}}})
		res := recDo(t, env, f.key, "PATCH", "/v1/accounting/accounts/"+acct, map[string]any{"is_active": false})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		recInvalid(t, env, f.key, "POST", recurringPath+"/"+e.ID+"/execute", nil, "template.lines[0].account_id")
		require.Equal(t, e, f.get(t, e.ID))

		// A closed period refuses a posted occurrence.
		p := recDo(t, env, f.key, "POST", "/v1/accounting/periods",
			map[string]any{"name": "June 2024", "start_date": "2024-06-01", "end_date": "2024-06-30"})
		require.Equal(t, http.StatusCreated, p.Status, "%s", p.Body)
		var period struct {
			ID string `json:"id"`
		}
		p.Decode(t, &period)
		res = recDo(t, env, f.key, "POST", "/v1/accounting/periods/"+period.ID+"/close", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		c := f.create(t, map[string]any{"next_run": "2024-06-10"})
		recErr(t, env, f.key, "POST", recurringPath+"/"+c.ID+"/execute", nil, http.StatusConflict, "PERIOD_CLOSED")
		require.Equal(t, c, f.get(t, c.ID))
	})

	t.Run("an occurrence runs once: a date that ran is 409 CONFLICT", func(t *testing.T) {
		e := f.create(t, map[string]any{"next_run": "2024-01-10", "frequency": "daily"})
		first := f.execute(t, e.ID)
		// Weekly from Jan 3 lands on Jan 10 again, which ran already.
		res := recDo(t, env, f.key, "PATCH", recurringPath+"/"+e.ID, map[string]any{"next_run": "2024-01-03", "frequency": "weekly"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "2024-01-03", f.execute(t, e.ID).Date)
		res = recErr(t, env, f.key, "POST", recurringPath+"/"+e.ID+"/execute", nil, http.StatusConflict, "CONFLICT")
		require.Equal(t, first.ID, res.Error.Extra["document_id"], "%s", res.Body)
		require.Equal(t, "2024-01-10", res.Error.Extra["run_date"], "%s", res.Body)
		got := f.get(t, e.ID)
		require.Equal(t, "2024-01-10", got.NextRun)
		require.Equal(t, 2, got.Occurrences)
	})
}

func TestRecurringExecute(t *testing.T) {
	f := newRecFixture(t)
	env := f.env

	t.Run("creates the entry dated next_run, posted, and advances next_run", func(t *testing.T) {
		r := f.create(t, map[string]any{"next_run": "2024-03-15"})
		res := recDo(t, env, f.key, "POST", recurringPath+"/"+r.ID+"/execute", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var e recEntry
		res.Decode(t, &e)
		require.Regexp(t, `^je_`, e.ID)
		require.Equal(t, "2024-03-15", e.Date)
		require.Equal(t, "posted", e.Status)
		require.Equal(t, "Monthly rent", e.Description)
		require.Equal(t, "1200.00", string(e.TotalDebit))
		require.Len(t, e.Lines, 2)
		require.Equal(t, f.rent, e.Lines[0].AccountID)

		got := f.get(t, r.ID)
		require.Equal(t, "2024-04-15", got.NextRun)
		require.Equal(t, 1, got.Occurrences)
		require.NotNil(t, got.LastRunAt)
		require.Equal(t, r.Template, got.Template, "executing never changes the template")

		// The entry is in the books.
		res = recDo(t, env, f.key, "GET", "/v1/accounting/journal-entries/"+e.ID, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var stored recEntry
		res.Decode(t, &stored)
		require.Equal(t, e.Date, stored.Date)
		require.Equal(t, "posted", stored.Status)
	})

	t.Run("monthly keeps the day and clamps to the month's end", func(t *testing.T) {
		r := f.create(t, map[string]any{"next_run": "2024-01-31"})
		dates, next := f.executeDates(t, r.ID, 5)
		require.Equal(t, []string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"}, dates)
		require.Equal(t, []string{"2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"}, next)
		require.Equal(t, 5, f.get(t, r.ID).Occurrences)

		r = f.create(t, map[string]any{"next_run": "2025-01-30"})
		_, next = f.executeDates(t, r.ID, 3)
		require.Equal(t, []string{"2025-02-28", "2025-03-30", "2025-04-30"}, next)

		// A schedule starting on the 28th of February stays on the 28th.
		r = f.create(t, map[string]any{"next_run": "2025-02-28"})
		_, next = f.executeDates(t, r.ID, 2)
		require.Equal(t, []string{"2025-03-28", "2025-04-28"}, next)
	})

	t.Run("daily, weekly, quarterly and yearly", func(t *testing.T) {
		r := f.create(t, map[string]any{"next_run": "2024-12-31", "frequency": "daily"})
		_, next := f.executeDates(t, r.ID, 2)
		require.Equal(t, []string{"2025-01-01", "2025-01-02"}, next)

		r = f.create(t, map[string]any{"next_run": "2024-12-30", "frequency": "weekly"})
		dates, next := f.executeDates(t, r.ID, 2)
		require.Equal(t, []string{"2024-12-30", "2025-01-06"}, dates)
		require.Equal(t, []string{"2025-01-06", "2025-01-13"}, next)

		r = f.create(t, map[string]any{"next_run": "2024-08-31", "frequency": "quarterly"})
		dates, next = f.executeDates(t, r.ID, 4)
		require.Equal(t, []string{"2024-08-31", "2024-11-30", "2025-02-28", "2025-05-31"}, dates)
		require.Equal(t, "2025-08-31", next[3])

		r = f.create(t, map[string]any{"next_run": "2024-02-29", "frequency": "yearly"})
		dates, next = f.executeDates(t, r.ID, 5)
		require.Equal(t, []string{"2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"}, dates)
		require.Equal(t, "2029-02-28", next[4])

		r = f.create(t, map[string]any{"next_run": "2024-05-15", "frequency": "yearly"})
		_, next = f.executeDates(t, r.ID, 1)
		require.Equal(t, []string{"2025-05-15"}, next)
	})

	t.Run("a template with post false creates a draft", func(t *testing.T) {
		no, yes := false, true
		r := f.create(t, map[string]any{"next_run": "2024-07-01", "template": f.entryTemplate("50.00", &no)})
		e := f.execute(t, r.ID)
		require.Equal(t, "draft", e.Status)
		require.Equal(t, "2024-07-01", e.Date)
		require.Equal(t, "50.00", string(e.TotalDebit))
		// A draft may still be posted by hand.
		res := recDo(t, env, f.key, "POST", "/v1/accounting/journal-entries/"+e.ID+"/post", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

		r = f.create(t, map[string]any{"next_run": "2024-07-01", "template": f.entryTemplate("50.00", &yes)})
		require.Equal(t, "posted", f.execute(t, r.ID).Status)
	})

	t.Run("the template's own date is replaced by the occurrence's", func(t *testing.T) {
		tmpl := f.entryTemplate("75.00", nil)
		tmpl["date"] = "1999-01-01"
		delete(tmpl, "description")
		r := f.create(t, map[string]any{"name": "Cleaning", "next_run": "2024-09-09", "template": tmpl})
		e := f.execute(t, r.ID)
		require.Equal(t, "2024-09-09", e.Date)
		require.Equal(t, "Cleaning", e.Description, "the schedule's name describes an entry without one")
	})

	t.Run("an invoice template creates approved invoices, or drafts", func(t *testing.T) {
		income := recAccount(t, env, f.key, "income")
		// The receivable exists already (approval would otherwise create it).
		res := recDo(t, env, f.key, "POST", "/v1/accounting/accounts", map[string]any{"code": "RC-AR",
			"name": "Receivables", "type": "asset", "sub_type": "accounts_receivable"})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		tmpl := map[string]any{"type": "sales", "contact_name": "Acme", "number": "FIXED-1",
			"date": "2020-01-01", "due_date": "2020-01-15", "notes": "Monthly retainer", "lines": []any{
				map[string]any{"description": "Retainer", "quantity": 2, "unit_price": "250.00", "account_id": income}}}
		r := f.create(t, map[string]any{"name": "Retainer", "type": "invoice", "next_run": "2024-01-31", "template": tmpl})
		type invView struct {
			ID             string          `json:"id"`
			Number         string          `json:"number"`
			Date           string          `json:"date"`
			DueDate        string          `json:"due_date"`
			Status         string          `json:"status"`
			Total          json.RawMessage `json:"total"`
			RecurringID    *string         `json:"recurring_id"`
			JournalEntryID *string         `json:"journal_entry_id"`
		}
		var numbers []string
		for _, want := range []struct{ date, due, next string }{
			{"2024-01-31", "2024-02-14", "2024-02-29"},
			{"2024-02-29", "2024-03-14", "2024-03-31"},
		} {
			res := recDo(t, env, f.key, "POST", recurringPath+"/"+r.ID+"/execute", nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var inv invView
			res.Decode(t, &inv)
			require.Regexp(t, `^inv_`, inv.ID)
			require.Equal(t, want.date, inv.Date)
			require.Equal(t, want.due, inv.DueDate, "the template's 14 days to pay are kept")
			require.Equal(t, "approved", inv.Status)
			require.Equal(t, "500.00", string(inv.Total))
			require.NotNil(t, inv.RecurringID)
			require.Equal(t, r.ID, *inv.RecurringID)
			require.NotNil(t, inv.JournalEntryID, "an approved invoice is posted")
			require.NotEqual(t, "FIXED-1", inv.Number, "each occurrence is numbered afresh")
			numbers = append(numbers, inv.Number)
			require.Equal(t, want.next, f.get(t, r.ID).NextRun)
		}
		require.NotEqual(t, numbers[0], numbers[1])

		tmpl["post"] = false
		r = f.create(t, map[string]any{"type": "invoice", "next_run": "2024-05-01", "template": tmpl})
		res = recDo(t, env, f.key, "POST", recurringPath+"/"+r.ID+"/execute", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var draft invView
		res.Decode(t, &draft)
		require.Equal(t, "draft", draft.Status)
		require.Nil(t, draft.JournalEntryID)
		require.Equal(t, "2024-05-01", draft.Date)

		// The invoice template is checked like the invoice's create.
		recInvalid(t, env, f.key, "POST", recurringPath, map[string]any{"name": "Bad", "type": "invoice",
			"frequency": "monthly", "next_run": "2024-01-01", "is_active": false, "template": map[string]any{
				"type": "sales", "contact_name": "Acme", "lines": []any{map[string]any{
					"quantity": 1, "unit_price": "1.00", "account_id": "nope"}}}}, "template.lines[0].account_id")
	})

	t.Run("concurrent executes create distinct occurrences", func(t *testing.T) {
		r := f.create(t, map[string]any{"next_run": "2024-01-01", "frequency": "daily"})
		const n = 8
		dates := make(chan string, n)
		errs := make(chan string, n)
		for range n {
			go func() {
				res := env.Do(t, apptest.Request{Method: "POST", Path: recurringPath + "/" + r.ID + "/execute", Key: f.key})
				if res.Status != http.StatusOK {
					errs <- string(res.Body)
					dates <- ""
					return
				}
				var e recEntry
				_ = json.Unmarshal(res.Data, &e)
				errs <- ""
				dates <- e.Date
			}()
		}
		seen := map[string]bool{}
		for range n {
			require.Empty(t, <-errs)
			d := <-dates
			require.False(t, seen[d], "date %s twice", d)
			seen[d] = true
		}
		require.Len(t, seen, n)
		got := f.get(t, r.ID)
		require.Equal(t, n, got.Occurrences)
		require.Equal(t, "2024-01-09", got.NextRun)
	})
}
