package rest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/objects"
)

// Import / Export of objects (docs/objects_dataio.md).
//
// POST /v1/data/import takes inline JSON ({"object_type_id", "format":
// "json", "data": [...]}) or multipart/form-data with the fields
// object_type_id, format (csv or json) and file; the typed adapter binds
// JSON only, so the route hands over the raw body (Operation.WithRequest)
// after the body limit, content-type check and Idempotency-Key handling.
//
// POST /v1/data/export starts an asynchronous export (a read: scope
// "read") and answers 202. GET /v1/data/export/:export_id answers the
// status with 202 while the export is pending or running, 200 with the
// status when it failed, the file itself (streamed chunk by chunk) when it
// is completed, and 410 GONE 24 hours after completion.

// importBodyLimit caps an import body: 10,000 rows of a few kB each.
const importBodyLimit int64 = 32 << 20

// importAccepts are the content types of an import.
var importAccepts = []string{JSON, "multipart/form-data"}

func (a *API) dataioRoutes() []Route {
	o := a.cfg.Objects
	return []Route{
		// No request deadline: a large file takes a slow client a while.
		{Section: "Import / Export", Method: "GET", Path: "/v1/data/export/:export_id", Summary: "Download export", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Status: http.StatusAccepted, Stream: true, Op: Op(o.GetExport).WithRequest(a.downloadExport)},
		// No request deadline either: 10,000 rows, each audited and evented
		// as a create, may take longer than one (a client that disconnects
		// still cancels the chunk in progress).
		{Section: "Import / Export", Method: "POST", Path: "/v1/data/import", Summary: "Import data", Auth: Bearer, Scope: "write", Permission: "objects:{type}:write", BodyLimit: importBodyLimit, Accepts: importAccepts, Stream: true, Op: Op(o.ImportObjects).WithRequest(a.importData)},
		{Section: "Import / Export", Method: "POST", Path: "/v1/data/export", Summary: "Start data export", Auth: Bearer, Scope: "read", Permission: "objects:{type}:read", Status: http.StatusAccepted, Op: Op(o.StartExport)},
	}
}

// importData runs an import from a JSON body or a multipart upload.
func (a *API) importData(r *http.Request, body []byte) (any, error) {
	media, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media != "multipart/form-data" || len(body) == 0 {
		var in objects.ImportInput
		if err := bind(r, body, &in); err != nil {
			return nil, err
		}
		return a.cfg.Objects.ImportObjects(r.Context(), in)
	}
	in, err := importForm(body, params["boundary"])
	if err != nil {
		return nil, err
	}
	return a.cfg.Objects.ImportObjectsFile(r.Context(), in)
}

// importForm reads the fields and the file of a multipart import.
func importForm(body []byte, boundary string) (objects.ImportFileInput, error) {
	var in objects.ImportFileInput
	if boundary == "" {
		return in, domain.Errorf(domain.CodeBadRequest, "The multipart Content-Type has no boundary.")
	}
	// The body is already in memory (and capped): keep the parts there too.
	form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(int64(len(body)) + 1<<20)
	if err != nil {
		return in, domain.Errorf(domain.CodeBadRequest, "Malformed multipart body.")
	}
	defer form.RemoveAll() //nolint:errcheck
	in.ObjectTypeID = formValue(form, "object_type_id")
	in.Format = formValue(form, "format")
	files := form.File["file"]
	if len(files) == 0 {
		if v, ok := form.Value["file"]; ok && len(v) > 0 {
			in.Data = []byte(v[0]) // a field without a file name
			return in, nil
		}
		return in, domain.Invalid("file", "is required (a multipart field holding a CSV or JSON file)")
	}
	f, err := files[0].Open()
	if err != nil {
		return in, domain.Errorf(domain.CodeBadRequest, "Malformed multipart body.")
	}
	defer f.Close()
	if in.Data, err = io.ReadAll(f); err != nil {
		return in, domain.Errorf(domain.CodeBadRequest, "Malformed multipart body.")
	}
	in.FileName = files[0].Filename
	return in, nil
}

func formValue(form *multipart.Form, name string) string {
	if v := form.Value[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// downloadExport answers an export's status, or its file once completed.
func (a *API) downloadExport(r *http.Request, _ []byte) (any, error) {
	var in objects.ExportRef
	if err := bind(r, nil, &in); err != nil {
		return nil, err
	}
	d, err := a.cfg.Objects.DownloadExport(r.Context(), in)
	if err != nil {
		return nil, err
	}
	if d.File != nil {
		return d.File, nil
	}
	return exportStatus{d.Export}, nil
}

// exportStatus is an export's status answer: 202 while it is pending or
// running, 200 once it failed (the export is over; its status says why).
type exportStatus struct{ objects.Export }

// HTTPStatus implements StatusCoder.
func (e exportStatus) HTTPStatus() int {
	if e.Status == objects.ExportFailed {
		return http.StatusOK
	}
	return http.StatusAccepted
}
