package graph_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
)

// GraphQL tests of importObjects, startExport and dataExport: the domain
// methods of POST /v1/data/import, POST /v1/data/export and
// GET /v1/data/export/:export_id.

const dioExportFields = `id objectTypeId format status recordCount sizeBytes truncated error downloadPath createdAt completedAt expiresAt`

type dioGQLExport struct {
	ID           string  `json:"id"`
	ObjectTypeID string  `json:"objectTypeId"`
	Format       string  `json:"format"`
	Status       string  `json:"status"`
	RecordCount  int     `json:"recordCount"`
	SizeBytes    int     `json:"sizeBytes"`
	Truncated    bool    `json:"truncated"`
	Error        *string `json:"error"`
	DownloadPath string  `json:"downloadPath"`
	CompletedAt  *string `json:"completedAt"`
	ExpiresAt    *string `json:"expiresAt"`
}

func TestDataIOGraphQLImportAndExport(t *testing.T) {
	clock := domain.NewFakeClock(time.Now())
	env := apptest.New(t, apptest.Options{NoBackground: true, Clock: clock})
	tn := objTenant(t, env)
	ty := objDealsType(t, env, tn.Key, "dio_deals")

	var imported struct {
		ImportObjects struct {
			Imported int `json:"imported"`
			Total    int `json:"total"`
			Errors   []struct {
				Row    int               `json:"row"`
				Errors map[string]string `json:"errors"`
			} `json:"errors"`
		} `json:"importObjects"`
	}
	gql(t, env, tn.Key, `mutation($in: ImportObjectsInput!) { importObjects(input: $in) { imported total errors { row errors } } }`,
		map[string]any{"in": map[string]any{"objectType": "dio_deals", "data": []any{
			map[string]any{"title": "first", "amount": 12.5},
			map[string]any{"amount": "lots"},
			map[string]any{"title": "third"},
		}}}).decode(t, &imported)
	res := imported.ImportObjects
	require.Equal(t, 2, res.Imported)
	require.Equal(t, 3, res.Total)
	require.Len(t, res.Errors, 1)
	require.Equal(t, 2, res.Errors[0].Row)
	require.Equal(t, "is required", res.Errors[0].Errors["title"])
	require.Contains(t, res.Errors[0].Errors, "amount")

	gql(t, env, tn.Key, `mutation { importObjects(input: {objectType: "dio_deals", data: {title: "x"}}) { imported } }`, nil).
		requireCode(t, domain.CodeValidationFailed)
	gql(t, env, tn.Key, `mutation { importObjects(input: {objectType: "nope", data: [{}]}) { imported } }`, nil).
		requireCode(t, domain.CodeNotFound)

	var started struct{ StartExport dioGQLExport }
	gql(t, env, tn.Key, `mutation($in: StartExportInput!) { startExport(input: $in) { `+dioExportFields+` } }`,
		map[string]any{"in": map[string]any{"objectType": "dio_deals", "format": "ndjson",
			"filters": []any{map[string]any{"property": "title", "operator": "eq", "value": "first"}}}}).decode(t, &started)
	ex := started.StartExport
	require.Equal(t, "pending", ex.Status)
	require.Equal(t, ty.ID, ex.ObjectTypeID)
	require.Equal(t, "ndjson", ex.Format)
	require.Equal(t, "/v1/data/export/"+ex.ID, ex.DownloadPath)
	require.Nil(t, ex.CompletedAt)

	require.NoError(t, env.App.Objects.RunExport(context.Background(), tn.ID, ex.ID, true))
	const q = `query($id: ID!) { dataExport(id: $id) { ` + dioExportFields + ` } }`
	var got struct{ DataExport dioGQLExport }
	gql(t, env, tn.Key, q, map[string]any{"id": ex.ID}).decode(t, &got)
	require.Equal(t, "completed", got.DataExport.Status)
	require.Equal(t, 1, got.DataExport.RecordCount, "the filter keeps one object")
	require.False(t, got.DataExport.Truncated)
	require.NotNil(t, got.DataExport.ExpiresAt)

	// The file itself is served over REST.
	file := env.Do(t, apptest.Request{Path: got.DataExport.DownloadPath, Key: tn.Key})
	require.Equal(t, http.StatusOK, file.Status, "%s", file.Body)
	require.Equal(t, got.DataExport.SizeBytes, len(file.Body))
	require.Contains(t, string(file.Body), `"title":"first"`)

	other := objTenant(t, env)
	gql(t, env, other.Key, q, map[string]any{"id": ex.ID}).requireCode(t, domain.CodeNotFound)
	clock.Advance(25 * time.Hour)
	gql(t, env, tn.Key, q, map[string]any{"id": ex.ID}).requireCode(t, domain.CodeGone)
}
