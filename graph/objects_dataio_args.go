package graph

import (
	"encoding/json"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/objects"
	"github.com/platformhq/platform/graph/model"
)

// importRowsIn turns the data JSON scalar into the rows REST decodes from
// the body's data member: anything but an array is VALIDATION_FAILED; a
// row that is not an object is that row's error (the domain's).
func importRowsIn(data any) ([]json.RawMessage, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, domain.Invalid("data", "must be an array of objects")
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil || rows == nil {
		return nil, domain.Invalid("data", "must be an array of objects")
	}
	return rows, nil
}

func importResultOut(res objects.ImportResult) model.ObjectImportResult {
	out := model.ObjectImportResult{Imported: res.Imported, Total: res.Total,
		Errors: make([]model.ObjectImportRowError, len(res.Errors))}
	for i, e := range res.Errors {
		out.Errors[i] = model.ObjectImportRowError{Row: e.Row, Errors: e.Errors}
	}
	return out
}

func dataExportOut(e objects.Export) model.DataExport {
	return model.DataExport{ID: e.ExportID, ObjectTypeID: e.ObjectTypeID, Format: e.Format, Status: e.Status,
		RecordCount: e.RecordCount, SizeBytes: int(e.SizeBytes), Truncated: e.Truncated, Error: e.Error,
		DownloadPath: e.DownloadPath, CreatedAt: e.CreatedAt, CompletedAt: e.CompletedAt, ExpiresAt: e.ExpiresAt}
}
