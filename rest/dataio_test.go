package rest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/objects"
)

// HTTP tests of /v1/data/import and /v1/data/export (docs/objects_dataio.md).

// dioEnv is a tenant with a type covering the conversions of an import.
type dioEnv struct {
	env  *apptest.Env
	tn   apptest.Tenant
	ty   otType
	path string // /v1/objects/<type name>
}

// dioSetup provisions a tenant and a type: email (unique, required), name,
// score (integer), amount (decimal), active (boolean), tags (multi_enum),
// meta (json), ref (reference).
func dioSetup(t *testing.T, env *apptest.Env) dioEnv {
	t.Helper()
	tn := otTenant(t, env)
	return dioType(t, env, tn)
}

// dioType adds such a type to tn.
func dioType(t *testing.T, env *apptest.Env, tn apptest.Tenant) dioEnv {
	t.Helper()
	name := otName("dio_contacts")
	ty := otCreate(t, env, tn.Key, map[string]any{"name": name, "properties": []any{
		map[string]any{"name": "email", "data_type": "email", "is_unique": true, "is_required": true},
		map[string]any{"name": "name", "data_type": "string"},
		map[string]any{"name": "score", "data_type": "integer", "is_indexed": true},
		map[string]any{"name": "amount", "data_type": "decimal"},
		map[string]any{"name": "active", "data_type": "boolean"},
		map[string]any{"name": "tags", "data_type": "multi_enum", "enum_values": []string{"a", "b", "c"}},
		map[string]any{"name": "meta", "data_type": "json"},
		map[string]any{"name": "ref", "data_type": "reference"},
	}})
	return dioEnv{env: env, tn: tn, ty: ty, path: "/v1/objects/" + name}
}

func (d dioEnv) do(t testing.TB, method, path string, body any) *apptest.Response {
	t.Helper()
	return otDo(t, d.env, d.tn.Key, method, path, body)
}

// importJSON posts an inline JSON import of rows.
func (d dioEnv) importJSON(t testing.TB, rows []any) *apptest.Response {
	t.Helper()
	return d.do(t, "POST", "/v1/data/import", map[string]any{"object_type_id": d.ty.Name, "format": "json", "data": rows})
}

// dioImportResult is the answer of an import.
type dioImportResult struct {
	Imported int `json:"imported"`
	Total    int `json:"total"`
	Errors   []struct {
		Row    int               `json:"row"`
		Errors map[string]string `json:"errors"`
	} `json:"errors"`
}

// dioErrors maps row numbers to their errors.
func (r dioImportResult) dioErrors() map[int]map[string]string {
	out := map[int]map[string]string{}
	for _, e := range r.Errors {
		out[e.Row] = e.Errors
	}
	return out
}

func dioDecodeImport(t testing.TB, res *apptest.Response) dioImportResult {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "import: %s", res.Body)
	var out dioImportResult
	res.Decode(t, &out)
	return out
}

// dioMultipart posts a multipart import: fields, and the file when name is
// not empty.
func dioMultipart(t testing.TB, env *apptest.Env, key string, fields map[string]string, name string, file []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(t, err)
		_, err = fw.Write(file)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/data/import", Key: key, Body: body.Bytes(),
		Header: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

// dioObjects lists the type's live objects (at most 100), keyed by email.
func (d dioEnv) dioObjects(t testing.TB) map[string]objObject {
	t.Helper()
	res := d.do(t, "GET", d.path+"/list?limit=100", nil)
	require.Equal(t, http.StatusOK, res.Status, "list: %s", res.Body)
	var pg objPage
	res.Decode(t, &pg)
	out := map[string]objObject{}
	for _, o := range pg.Results {
		var email string
		require.NoError(t, json.Unmarshal(o.Properties["email"], &email))
		out[email] = o
	}
	require.Len(t, out, pg.Total)
	return out
}

func dioRaw(o objObject) map[string]string {
	out := map[string]string{}
	for k, v := range o.Properties {
		out[k] = string(v)
	}
	return out
}

func TestDataIOImportInlineJSON(t *testing.T) {
	env := apptest.New(t)
	d := dioSetup(t, env)
	taken := d.do(t, "POST", d.path, map[string]any{"properties": map[string]any{"email": "taken@example.com"}})
	require.Equal(t, http.StatusCreated, taken.Status, "%s", taken.Body)
	var target objObject
	taken.Decode(t, &target)

	res := d.importJSON(t, []any{
		map[string]any{"email": "ann@example.com", "name": "Ann", "score": 1, "amount": json.Number("10.10"), "tags": []string{"a", "c"}},
		map[string]any{"name": "No email"},
		map[string]any{"email": "bob@example.com", "score": "abc", "active": "yes"},
		"not an object",
		map[string]any{"email": "ANN@example.com"},
		map[string]any{"email": "taken@example.com"},
		map[string]any{"email": "carl@example.com", "ref": domain.NewID("obj_")},
		map[string]any{"email": "dora@example.com", "ref": target.ID, "free_text": "kept untyped"},
		map[string]any{"email": "eve@example.com", "tags": []string{"z"}, "id": "obj_x"},
	})
	out := dioDecodeImport(t, res)
	require.Equal(t, 2, out.Imported)
	require.Equal(t, 9, out.Total)
	require.Equal(t, map[int]map[string]string{
		2: {"email": "is required"},
		3: {"score": "must be an integer between -9223372036854775808 and 9223372036854775807",
			"active": "must be true or false"},
		4: {"_row": "must be a JSON object of property values"},
		5: {"email": "must be unique: row 1 has the same value"},
		6: {"email": "must be unique: another object of this type has the same value"},
		7: {"ref": "must be the id of an existing object"},
		9: {"tags": `must be an array of distinct values from "a", "b", "c"`, "id": "is a built-in field, not a property"},
	}, out.dioErrors(), "%s", res.Body)
	require.Equal(t, []int{2, 3, 4, 5, 6, 7, 9}, func() []int {
		var rows []int
		for _, e := range out.Errors {
			rows = append(rows, e.Row)
		}
		return rows
	}(), "errors in row order")

	objs := d.dioObjects(t)
	require.Len(t, objs, 3, "the object before and the two valid rows")
	require.Equal(t, map[string]string{"email": `"ann@example.com"`, "name": `"Ann"`, "score": "1", "amount": "10.10",
		"tags": `["a","c"]`}, dioRaw(objs["ann@example.com"]), "decimals stay exact")
	require.Equal(t, `"kept untyped"`, dioRaw(objs["dora@example.com"])["free_text"])
	require.Equal(t, 1, objs["ann@example.com"].Version)

	// The imported rows went through the create path: their unique value
	// is claimed and they are searchable by their indexed property.
	again := dioDecodeImport(t, d.importJSON(t, []any{map[string]any{"email": "ann@example.com"}}))
	require.Equal(t, 0, again.Imported)
	require.Equal(t, "must be unique: another object of this type has the same value", again.dioErrors()[1]["email"])
	found := d.do(t, "POST", d.path+"/search", map[string]any{"filters": []any{srchF("score", "eq", 1)}})
	require.Equal(t, http.StatusOK, found.Status, "%s", found.Body)
	var pg objPage
	found.Decode(t, &pg)
	require.Equal(t, 1, pg.Total)
}

func TestDataIOImportCSVMultipart(t *testing.T) {
	env := apptest.New(t)
	d := dioSetup(t, env)
	file := "email,name,score,amount,active,tags,meta,notes,id\n" +
		`e1@example.com,Eve,5,1.250,true,a;b,"{""x"": 1.0}",hello,obj_ignored` + "\n" +
		"e2@example.com,Bob,1.5,,maybe,,,,\n" +
		`e3@example.com,,0,,0,"[""c""]",,,` + "\n"
	res := dioMultipart(t, env, d.tn.Key, map[string]string{"object_type_id": d.ty.ID, "format": "csv"}, "people.csv", []byte(file))
	out := dioDecodeImport(t, res)
	require.Equal(t, 2, out.Imported)
	require.Equal(t, 3, out.Total)
	require.Equal(t, map[int]map[string]string{
		2: {"score": "must be an integer between -9223372036854775808 and 9223372036854775807",
			"active": "must be true, false, 1 or 0"},
	}, out.dioErrors())

	objs := d.dioObjects(t)
	require.Equal(t, map[string]string{"email": `"e1@example.com"`, "name": `"Eve"`, "score": "5", "amount": "1.250",
		"active": "true", "tags": `["a","b"]`, "meta": `{"x":1.0}`, "notes": `"hello"`}, dioRaw(objs["e1@example.com"]))
	require.Equal(t, map[string]string{"email": `"e3@example.com"`, "score": "0", "active": "false", "tags": `["c"]`},
		dioRaw(objs["e3@example.com"]))
}

func TestDataIOImportJSONFile(t *testing.T) {
	env := apptest.New(t)
	d := dioSetup(t, env)
	file := []byte(`[{"email": "f1@example.com", "amount": 3.10}, {"email": "not an address"}]`)
	// No format field: the file name's extension says json.
	out := dioDecodeImport(t, dioMultipart(t, env, d.tn.Key, map[string]string{"object_type_id": d.ty.Name}, "rows.json", file))
	require.Equal(t, 1, out.Imported)
	require.Equal(t, 2, out.Total)
	require.Contains(t, out.dioErrors()[2], "email")
	require.Equal(t, "3.10", dioRaw(d.dioObjects(t)["f1@example.com"])["amount"])

	wrapped := []byte(`{"data": [{"email": "f2@example.com"}]}`)
	out = dioDecodeImport(t, dioMultipart(t, env, d.tn.Key, map[string]string{"object_type_id": d.ty.Name, "format": "json"}, "export.txt", wrapped))
	require.Equal(t, 1, out.Imported)
}

func TestDataIOImportErrors(t *testing.T) {
	env := apptest.New(t)
	d := dioSetup(t, env)
	tooMany := make([]any, objects.MaxImportRows+1)
	for i := range tooMany {
		tooMany[i] = map[string]any{"name": "x"}
	}
	res := d.importJSON(t, tooMany)
	otRequireError(t, res, http.StatusBadRequest, domain.CodeValidationFailed, "data")
	require.EqualValues(t, objects.MaxImportRows, res.Error.Extra["max_rows"])
	require.Contains(t, res.Error.Fields["data"][0], "10000")

	otRequireError(t, d.do(t, "POST", "/v1/data/import", map[string]any{"object_type_id": d.ty.Name, "format": "csv", "data": []any{map[string]any{}}}),
		http.StatusBadRequest, domain.CodeValidationFailed, "format")
	otRequireError(t, d.do(t, "POST", "/v1/data/import", map[string]any{"object_type_id": d.ty.Name, "data": []any{}}),
		http.StatusBadRequest, domain.CodeValidationFailed, "data")
	otRequireError(t, d.do(t, "POST", "/v1/data/import", map[string]any{"object_type_id": d.ty.Name, "data": map[string]any{}}),
		http.StatusBadRequest, domain.CodeValidationFailed, "data")
	otRequireError(t, d.do(t, "POST", "/v1/data/import", map[string]any{"data": []any{map[string]any{}}}),
		http.StatusBadRequest, domain.CodeValidationFailed, "object_type_id")
	otRequireError(t, d.do(t, "POST", "/v1/data/import", map[string]any{"object_type_id": "nope", "data": []any{map[string]any{}}}),
		http.StatusNotFound, domain.CodeNotFound)

	form := func(format, name, file string) *apptest.Response {
		fields := map[string]string{"object_type_id": d.ty.Name}
		if format != "" {
			fields["format"] = format
		}
		return dioMultipart(t, env, d.tn.Key, fields, name, []byte(file))
	}
	otRequireError(t, form("xml", "rows.xml", "<rows/>"), http.StatusBadRequest, domain.CodeValidationFailed, "format")
	otRequireError(t, form("", "rows.txt", "email\nx@example.com\n"), http.StatusBadRequest, domain.CodeValidationFailed, "format")
	otRequireError(t, form("csv", "", ""), http.StatusBadRequest, domain.CodeValidationFailed, "file")
	otRequireError(t, form("csv", "empty.csv", ""), http.StatusBadRequest, domain.CodeBadRequest)
	ragged := form("csv", "ragged.csv", "email,name\nr@example.com,R\nonly-one-field\n")
	otRequireError(t, ragged, http.StatusBadRequest, domain.CodeBadRequest)
	require.EqualValues(t, 3, ragged.Error.Extra["line"])
	otRequireError(t, form("json", "rows.json", `{"rows": []}`), http.StatusBadRequest, domain.CodeBadRequest)
	require.Empty(t, d.dioObjects(t), "a refused file imports nothing")

	plain := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/data/import", Key: d.tn.Key, Body: "email\n",
		Header: map[string]string{"Content-Type": "text/plain"}})
	otRequireError(t, plain, http.StatusBadRequest, domain.CodeBadRequest)

	readOnly := issueKey(t, env, d.tn.Key, map[string]any{"label": "ro", "scopes": []string{"read"}}).Token
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/data/import", Key: readOnly,
		Body: map[string]any{"object_type_id": d.ty.Name, "data": []any{map[string]any{"email": "ro@example.com"}}}})
	otRequireError(t, res, http.StatusForbidden, domain.CodeInsufficientScope)
}

func TestDataIOImportIdempotent(t *testing.T) {
	env := apptest.New(t)
	d := dioSetup(t, env)
	req := apptest.Request{Method: "POST", Path: "/v1/data/import", Key: d.tn.Key,
		Body:   map[string]any{"object_type_id": d.ty.Name, "data": []any{map[string]any{"email": "idem@example.com"}}},
		Header: map[string]string{"Idempotency-Key": "dio-import-1"}}
	first := env.Do(t, req)
	second := env.Do(t, req)
	require.Equal(t, http.StatusOK, second.Status, "%s", second.Body)
	require.JSONEq(t, string(first.Data), string(second.Data), "the retry replays the first answer")
	require.Equal(t, 1, dioDecodeImport(t, second).Imported)
	require.Len(t, d.dioObjects(t), 1, "imported once")
}

// dioExportAnswer is the answer of POST /v1/data/export and of a status
// poll.
type dioExportAnswer struct {
	ExportID     string  `json:"export_id"`
	Format       string  `json:"format"`
	Status       string  `json:"status"`
	RecordCount  int     `json:"record_count"`
	Truncated    bool    `json:"truncated"`
	Error        *string `json:"error"`
	DownloadPath string  `json:"download_path"`
}

// startExport starts an export and checks the 202 answer.
func (d dioEnv) startExport(t testing.TB, body map[string]any) dioExportAnswer {
	t.Helper()
	body["object_type_id"] = d.ty.Name
	res := d.do(t, "POST", "/v1/data/export", body)
	require.Equal(t, http.StatusAccepted, res.Status, "start export: %s", res.Body)
	var ex dioExportAnswer
	res.Decode(t, &ex)
	require.Equal(t, objects.ExportPending, ex.Status)
	require.Equal(t, 0, ex.RecordCount)
	require.Equal(t, "/v1/data/export/"+ex.ExportID, ex.DownloadPath)
	return ex
}

// awaitExport polls an export until it is no longer pending or running
// (the background job writes it) and returns the last answer.
func (d dioEnv) awaitExport(t testing.TB, ex dioExportAnswer) *apptest.Response {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := d.do(t, "GET", ex.DownloadPath, nil)
		if res.Status != http.StatusAccepted {
			return res
		}
		require.True(t, time.Now().Before(deadline), "export %s still %s", ex.ExportID, res.Body)
		time.Sleep(100 * time.Millisecond)
	}
}

// runExport writes an export's file now, as the job would (for tests
// without background work).
func dioRunExport(t testing.TB, env *apptest.Env, tenantID, exportID string) {
	t.Helper()
	require.NoError(t, env.App.Objects.RunExport(context.Background(), tenantID, exportID, true))
}

func TestDataIOExportRoundTrip(t *testing.T) {
	env := apptest.New(t)
	d := dioSetup(t, env)
	out := dioDecodeImport(t, d.importJSON(t, []any{
		map[string]any{"email": "x1@example.com", "name": "Comma, Quote \"", "score": 1, "amount": json.Number("1.10"), "tags": []string{"a", "b"}, "meta": map[string]any{"k": []int{1}}},
		map[string]any{"email": "x2@example.com", "score": 2, "active": false},
		map[string]any{"email": "x3@example.com", "score": 3, "untyped": "not in the csv"},
	}))
	require.Equal(t, 3, out.Imported)
	live := d.dioObjects(t)
	byID := map[string]objObject{}
	for _, o := range live {
		byID[o.ID] = o
	}

	// JSON: one array of objects shaped as GET object.
	res := d.awaitExport(t, d.startExport(t, map[string]any{"format": "json"}))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "application/json", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Disposition"), `attachment; filename=`+d.ty.Name+`-exp_`)
	require.Equal(t, fmt.Sprint(len(res.Body)), res.Header.Get("Content-Length"))
	var arr []objObject
	require.NoError(t, json.Unmarshal(res.Body, &arr), "%s", res.Body)
	require.Len(t, arr, 3)
	for i, o := range arr {
		require.Equal(t, byID[o.ID], o, "object %d as GET shows it", i)
		if i > 0 {
			require.Less(t, arr[i-1].ID, o.ID, "in id order")
		}
	}

	// NDJSON: one object a line.
	res = d.awaitExport(t, d.startExport(t, map[string]any{"format": "ndjson"}))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "application/x-ndjson", res.Header.Get("Content-Type"))
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	lines := 0
	for sc.Scan() {
		var o objObject
		require.NoError(t, json.Unmarshal(sc.Bytes(), &o))
		require.Equal(t, byID[o.ID], o)
		lines++
	}
	require.Equal(t, 3, lines)

	// Filters narrow the export.
	res = d.awaitExport(t, d.startExport(t, map[string]any{"format": "ndjson",
		"filters": []any{srchF("score", "gte", 2)}}))
	require.Equal(t, 2, strings.Count(string(res.Body), "\n"), "%s", res.Body)

	// CSV: built-ins, then the defined properties; values as text.
	res = d.awaitExport(t, d.startExport(t, map[string]any{"format": "csv"}))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"id", "created_at", "updated_at", "created_by", "version",
		"email", "name", "score", "amount", "active", "tags", "meta", "ref"}, recs[0])
	require.Len(t, recs, 4)
	x1 := live["x1@example.com"]
	require.Equal(t, []string{x1.ID, x1.CreatedAt.UTC().Format(time.RFC3339Nano), x1.UpdatedAt.UTC().Format(time.RFC3339Nano),
		x1.CreatedBy, "1", "x1@example.com", `Comma, Quote "`, "1", "1.10", "", `["a","b"]`, `{"k":[1]}`, ""}, recs[1])
	require.Equal(t, "false", recs[2][9])

	// The CSV imports back (into a twin type): built-in columns are
	// ignored, values convert by data type.
	twin := dioType(t, env, d.tn)
	back := dioDecodeImport(t, dioMultipart(t, env, d.tn.Key, map[string]string{"object_type_id": twin.ty.Name}, "export.csv", res.Body))
	require.Equal(t, 3, back.Imported, "%+v", back.Errors)
	copied := twin.dioObjects(t)
	for email, o := range live {
		want := dioRaw(o)
		delete(want, "untyped") // not a CSV column
		require.Equal(t, want, dioRaw(copied[email]))
	}
}

func TestDataIOExportLifecycle(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{Clock: clock, NoBackground: true})
	d := dioSetup(t, env)
	dioDecodeImport(t, d.importJSON(t, []any{map[string]any{"email": "l1@example.com", "name": "L"}}))

	ex := d.startExport(t, map[string]any{"format": "json"})
	res := d.do(t, "GET", ex.DownloadPath, nil)
	require.Equal(t, http.StatusAccepted, res.Status, "pending: %s", res.Body)
	var st dioExportAnswer
	res.Decode(t, &st)
	require.Equal(t, objects.ExportPending, st.Status)

	other := otTenant(t, env)
	otRequireError(t, otDo(t, env, other.Key, "GET", ex.DownloadPath, nil), http.StatusNotFound, domain.CodeNotFound)
	otRequireError(t, d.do(t, "GET", "/v1/data/export/exp_nope", nil), http.StatusNotFound, domain.CodeNotFound)

	dioRunExport(t, env, d.tn.ID, ex.ExportID)
	res = d.do(t, "GET", ex.DownloadPath, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "l1@example.com")
	otRequireError(t, otDo(t, env, other.Key, "GET", ex.DownloadPath, nil), http.StatusNotFound, domain.CodeNotFound)

	clock.Advance(objects.ExportRetention - time.Second)
	require.Equal(t, http.StatusOK, d.do(t, "GET", ex.DownloadPath, nil).Status, "still there just before 24 hours")
	clock.Advance(time.Second)
	otRequireError(t, d.do(t, "GET", ex.DownloadPath, nil), http.StatusGone, domain.CodeGone)

	purged, err := env.App.Objects.PurgeExports(context.Background())
	require.NoError(t, err)
	require.GreaterOrEqual(t, purged, 1)
	require.Zero(t, dioChunkCount(t, env, d.tn.ID, ex.ExportID), "the file is deleted")
	otRequireError(t, d.do(t, "GET", ex.DownloadPath, nil), http.StatusGone, domain.CodeGone)

	// A filter the type no longer supports when the job runs: the export
	// fails with a client-safe reason, answered 200.
	failing := d.startExport(t, map[string]any{"format": "csv", "filters": []any{srchF("name", "eq", "L")}})
	prop := otListProps(t, env, d.tn.Key, d.ty.Name)
	for _, p := range prop {
		if p.Name == "name" {
			del := d.do(t, "DELETE", otPropsPath(d.ty.Name)+"/"+p.ID, nil)
			require.Equal(t, http.StatusOK, del.Status, "%s", del.Body)
		}
	}
	dioRunExport(t, env, d.tn.ID, failing.ExportID)
	res = d.do(t, "GET", failing.DownloadPath, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.Decode(t, &st)
	require.Equal(t, objects.ExportFailed, st.Status)
	require.NotNil(t, st.Error)
	require.Contains(t, *st.Error, `filters[0].property is not a property of this object type`)
}

// dioChunkCount counts the stored chunks of an export.
func dioChunkCount(t testing.TB, env *apptest.Env, tenantID, exportID string) int {
	t.Helper()
	n, err := env.App.Core.DB.NewSelect().Table("object_export_chunks").
		Where("tenant_id = ? AND export_id = ?", tenantID, exportID).Count(context.Background())
	require.NoError(t, err)
	return int(n)
}

func TestDataIOExportChunksAndTruncation(t *testing.T) {
	t.Cleanup(objects.SetExportLimits(100, 4))
	env := apptest.New(t, apptest.Options{NoBackground: true})
	d := dioSetup(t, env)
	rows := make([]any, 6)
	for i := range rows {
		rows[i] = map[string]any{"email": fmt.Sprintf("c%d@example.com", i), "name": strings.Repeat("n", 50)}
	}
	dioDecodeImport(t, d.importJSON(t, rows))

	ex := d.startExport(t, map[string]any{"format": "ndjson"})
	dioRunExport(t, env, d.tn.ID, ex.ExportID)
	res := d.do(t, "GET", ex.DownloadPath, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, fmt.Sprint(len(res.Body)), res.Header.Get("Content-Length"))
	chunks := dioChunkCount(t, env, d.tn.ID, ex.ExportID)
	require.Equal(t, (len(res.Body)+99)/100, chunks, "100-byte chunks")
	require.Greater(t, chunks, 4)

	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		var o objObject
		require.NoError(t, json.Unmarshal(sc.Bytes(), &o), "line %q", sc.Text())
		ids = append(ids, o.ID)
	}
	require.Len(t, ids, 4, "the record cap")
	live := d.dioObjects(t)
	var all []string
	for _, o := range live {
		all = append(all, o.ID)
	}
	require.Equal(t, dioSorted(all)[:4], ids, "the first objects by id")
	var truncated bool
	var count int
	require.NoError(t, env.App.Core.DB.NewSelect().Table("object_exports").Column("truncated", "record_count").
		Where("tenant_id = ? AND id = ?", d.tn.ID, ex.ExportID).Scan(context.Background(), &truncated, &count))
	require.True(t, truncated)
	require.Equal(t, 4, count)
}

func dioSorted(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestDataIOExportErrors(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoBackground: true})
	d := dioSetup(t, env)
	otRequireError(t, d.do(t, "POST", "/v1/data/export", map[string]any{"object_type_id": "nope"}), http.StatusNotFound, domain.CodeNotFound)
	otRequireError(t, d.do(t, "POST", "/v1/data/export", map[string]any{}), http.StatusBadRequest, domain.CodeValidationFailed, "object_type_id")
	otRequireError(t, d.do(t, "POST", "/v1/data/export", map[string]any{"object_type_id": d.ty.Name, "format": "xlsx"}),
		http.StatusBadRequest, domain.CodeValidationFailed, "format")
	otRequireError(t, d.do(t, "POST", "/v1/data/export", map[string]any{"object_type_id": d.ty.Name,
		"filters": []any{srchF("nope", "eq", 1)}}), http.StatusBadRequest, domain.CodeValidationFailed)

	// Exporting is a read: a read-only key may, a write-only key may not.
	readOnly := issueKey(t, env, d.tn.Key, map[string]any{"label": "ro", "scopes": []string{"read"}}).Token
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/data/export", Key: readOnly, Body: map[string]any{"object_type_id": d.ty.Name}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var ex dioExportAnswer
	res.Decode(t, &ex)
	require.Equal(t, "json", ex.Format, "json by default")
	writeOnly := issueKey(t, env, d.tn.Key, map[string]any{"label": "wo", "scopes": []string{"write"}}).Token
	res = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/data/export", Key: writeOnly, Body: map[string]any{"object_type_id": d.ty.Name}})
	otRequireError(t, res, http.StatusForbidden, domain.CodeInsufficientScope)
	res = env.Do(t, apptest.Request{Method: "GET", Path: ex.DownloadPath, Key: writeOnly})
	otRequireError(t, res, http.StatusForbidden, domain.CodeInsufficientScope)
}
