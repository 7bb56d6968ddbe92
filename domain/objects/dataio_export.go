package objects

import (
	"context"
	"encoding/json"
	"io"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Export (POST /v1/data/export): an asynchronous dump of a type's live
// objects, optionally narrowed by the search filter language, as JSON (one
// array), NDJSON (one object a line) or CSV. Starting an export is a read
// (scope "read"): it inserts the export row and its River job in one unit
// of work; the job (ExportWorker) writes the file into Postgres chunks
// (object_export_chunks), so any instance can serve the download, and
// GET /v1/data/export/:export_id answers the status until the file is
// complete, then the file, for 24 hours (410 GONE after).

// PrefixExport is the id prefix of exports.
const PrefixExport = "exp_"

// Export statuses.
const (
	ExportPending   = "pending"
	ExportRunning   = "running"
	ExportCompleted = "completed"
	ExportFailed    = "failed"
)

const (
	// MaxExportRecords caps the objects of one export: a type with more
	// exports the first ones in id order and says truncated.
	MaxExportRecords = 100_000
	// ExportRetention is how long a completed export's file is kept.
	ExportRetention = 24 * time.Hour
	// exportRowRetention is how long an export's row is kept (answering
	// 410 once its file is gone, 404 after).
	exportRowRetention = 30 * 24 * time.Hour
	// exportMaxAttempts is how often the job runs before the export fails.
	exportMaxAttempts = 3
)

// exportChunkBytes is the size of the chunks an export's file is stored
// in (1 MB), and exportRecordCap the objects an export holds at most; both
// are read once per export run.
var exportChunkBytes, exportRecordCap atomic.Int64

func init() {
	exportChunkBytes.Store(1 << 20)
	exportRecordCap.Store(MaxExportRecords)
}

// SetExportLimits sets the chunk size and the record cap of the export
// runs of this process from now on and returns a function restoring the
// previous ones: tests lower them to exercise multi-chunk files and
// truncation without a hundred thousand objects.
func SetExportLimits(chunkBytes, maxRecords int) (restore func()) {
	prevChunk := exportChunkBytes.Swap(int64(chunkBytes))
	prevCap := exportRecordCap.Swap(int64(maxRecords))
	return func() { exportChunkBytes.Store(prevChunk); exportRecordCap.Store(prevCap) }
}

// exportPageSize is the objects read per keyset page by the export job.
const exportPageSize = 1000

// StartExportInput is POST /v1/data/export.
type StartExportInput struct {
	ObjectTypeID string `json:"object_type_id"`
	// Format is json (default), csv or ndjson.
	Format string `json:"format"`
	// Filters narrow the export, in the search filter language.
	Filters json.RawMessage `json:"filters"`
}

// ExportRef is GET /v1/data/export/:export_id.
type ExportRef struct {
	ExportID string `path:"export_id" json:"-"`
}

// Export is an export's status.
type Export struct {
	ExportID     string `json:"export_id"`
	ObjectTypeID string `json:"object_type_id"`
	Format       string `json:"format"`
	// Status is pending, running, completed or failed.
	Status      string `json:"status"`
	RecordCount int    `json:"record_count"`
	SizeBytes   int64  `json:"size_bytes"`
	// Truncated says the type held more than MaxExportRecords matching
	// objects: the file holds the first ones by id.
	Truncated    bool       `json:"truncated"`
	Error        *string    `json:"error,omitempty"`
	DownloadPath string     `json:"download_path"`
	CreatedAt    time.Time  `json:"created_at"`
	CompletedAt  *time.Time `json:"completed_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
}

func exportFromRow(r *db.ObjectExport) Export {
	return Export{ExportID: r.ID, ObjectTypeID: r.ObjectTypeID, Format: r.Format, Status: r.Status,
		RecordCount: r.RecordCount, SizeBytes: r.SizeBytes, Truncated: r.Truncated, Error: r.Error,
		DownloadPath: "/v1/data/export/" + r.ID, CreatedAt: r.CreatedAt, CompletedAt: r.CompletedAt,
		ExpiresAt: r.ExpiresAt}
}

// ExportArgs is the River job that writes an export's file.
type ExportArgs struct {
	TenantID string `json:"tenant_id"`
	ExportID string `json:"export_id"`
}

// Kind names the job in River.
func (ExportArgs) Kind() string { return "object_export" }

// StartExport records an export and enqueues its job. Errors:
// VALIDATION_FAILED (object_type_id, format, filters), NOT_FOUND (type).
func (s *Service) StartExport(ctx context.Context, in StartExportInput) (Export, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return Export{}, err
	}
	if in.ObjectTypeID == "" {
		return Export{}, domain.Invalid("object_type_id", "is required (the type's id or name)")
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, in.ObjectTypeID, false)
	if err != nil {
		return Export{}, err
	}
	if p, err = domain.Authorize(ctx, domain.ScopeRead, "objects:"+t.Name+":read"); err != nil {
		return Export{}, err
	}
	format := in.Format
	switch format {
	case "":
		format = FormatJSON
	case FormatJSON, FormatCSV, FormatNDJSON:
	default:
		return Export{}, domain.Invalid("format", "must be json, csv or ndjson")
	}
	props, err := s.properties(ctx, s.core.DB, p.TenantID, t.ID)
	if err != nil {
		return Export{}, err
	}
	filters, err := exportFilters(props, in.Filters)
	if err != nil {
		return Export{}, err
	}
	snap, err := json.Marshal(snapshotOf(p))
	if err != nil {
		return Export{}, domain.Internal(err)
	}
	row := &db.ObjectExport{TenantID: p.TenantID, ID: domain.NewID(PrefixExport), ObjectTypeID: t.ID,
		ObjectTypeName: t.Name, Format: format, Filters: filters, Status: ExportPending, Principal: snap,
		CreatedBy: p.ActorID(), CreatedAt: s.now()}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.ObjectExportInsert(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		if err := w.Audit(p.TenantID, "object.export", "object_export", row.ID,
			map[string]any{"object_type_id": t.ID, "format": format}); err != nil {
			return err
		}
		return w.Enqueue(ExportArgs{TenantID: p.TenantID, ExportID: row.ID},
			&river.InsertOpts{MaxAttempts: exportMaxAttempts})
	})
	if err != nil {
		return Export{}, err
	}
	return exportFromRow(row), nil
}

// exportFilters validates the filters against the type (nil for none) and
// returns them as stored: the job compiles them again against the type's
// properties at run time.
func exportFilters(props []Property, raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	if _, _, err := compileFilters(props, raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// GetExport returns an export's status. Errors: NOT_FOUND (also another
// tenant's export, and another end user's), GONE (a completed export more
// than 24 hours old).
func (s *Service) GetExport(ctx context.Context, in ExportRef) (Export, error) {
	row, err := s.visibleExport(ctx, in.ExportID)
	if err != nil {
		return Export{}, err
	}
	return exportFromRow(row), nil
}

// ExportDownload is an export's status and, once it is completed, its
// file.
type ExportDownload struct {
	Export
	// File is set when the export is completed.
	File *ExportFile
}

// DownloadExport returns an export's status and, when it is completed, its
// file. Errors: as GetExport.
func (s *Service) DownloadExport(ctx context.Context, in ExportRef) (ExportDownload, error) {
	row, err := s.visibleExport(ctx, in.ExportID)
	if err != nil {
		return ExportDownload{}, err
	}
	out := ExportDownload{Export: exportFromRow(row)}
	if row.Status == ExportCompleted {
		out.File = &ExportFile{s: s, row: row}
	}
	return out, nil
}

// visibleExport loads an export the caller may read: one of its tenant,
// of a type it may read, and, for an end user, one it started itself (an
// export holds what its starter could see).
func (s *Service) visibleExport(ctx context.Context, id string) (*db.ObjectExport, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.ValidID(PrefixExport, id) {
		return nil, domain.NotFound("Export")
	}
	row, err := db.ObjectExportGet(ctx, s.core.DB, p.TenantID, id, false)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Export")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	// The type's current name (it may have been renamed since the start)
	// names the permission and the file.
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, row.ObjectTypeID, false)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return nil, domain.NotFound("Export")
	}
	if err != nil {
		return nil, err
	}
	row.ObjectTypeName = t.Name
	if p, err = domain.Authorize(ctx, domain.ScopeRead, "objects:"+t.Name+":read"); err != nil {
		return nil, err
	}
	if p.Kind == domain.PrincipalUser && row.CreatedBy != p.UserID {
		return nil, domain.NotFound("Export")
	}
	if row.Status == ExportCompleted && !s.core.Clock.Now().Before(*row.ExpiresAt) {
		return nil, domain.Errorf(domain.CodeGone, "The export's file expired at %s (files are kept %s).",
			row.ExpiresAt.UTC().Format(time.RFC3339), "24 hours").With("expired_at", row.ExpiresAt.UTC())
	}
	return row, nil
}

// ExportFile is a completed export's file, read chunk by chunk.
type ExportFile struct {
	s   *Service
	row *db.ObjectExport
}

// ContentType is the file's media type.
func (f *ExportFile) ContentType() string {
	switch f.row.Format {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatNDJSON:
		return "application/x-ndjson"
	}
	return "application/json"
}

// Filename is the file's suggested name: <type>-<export id>.<format>.
func (f *ExportFile) Filename() string {
	return f.row.ObjectTypeName + "-" + f.row.ID + "." + f.row.Format
}

// Size is the file's length in bytes.
func (f *ExportFile) Size() int64 { return f.row.SizeBytes }

// WriteTo writes the file to w, reading one chunk at a time.
func (f *ExportFile) WriteTo(ctx context.Context, w io.Writer) error {
	for seq := range f.row.ChunkCount {
		data, err := db.ObjectExportChunkGet(ctx, f.s.core.DB, f.row.TenantID, f.row.ID, seq)
		if err != nil {
			if ctx.Err() == nil {
				f.s.core.Log.Error("export download failed", "tenant_id", f.row.TenantID, "export_id", f.row.ID,
					"seq", seq, "err", err)
			}
			return domain.Internal(err)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// principalSnapshot is the caller who started an export, stored with it so
// the job reads as that caller.
type principalSnapshot struct {
	Kind        domain.PrincipalKind `json:"kind"`
	KeyID       string               `json:"key_id,omitempty"`
	UserID      string               `json:"user_id,omitempty"`
	Role        string               `json:"role,omitempty"`
	Roles       []string             `json:"roles,omitempty"`
	Scopes      []string             `json:"scopes,omitempty"`
	Permissions []string             `json:"permissions,omitempty"`
}

func snapshotOf(p *domain.Principal) principalSnapshot {
	return principalSnapshot{Kind: p.Kind, KeyID: p.KeyID, UserID: p.UserID, Role: p.Role, Roles: p.Roles,
		Scopes: p.Scopes, Permissions: p.Permissions}
}

func (ps principalSnapshot) principal(tenantID string) *domain.Principal {
	return &domain.Principal{Kind: ps.Kind, TenantID: tenantID, KeyID: ps.KeyID, UserID: ps.UserID, Role: ps.Role,
		Roles: ps.Roles, Scopes: ps.Scopes, Permissions: ps.Permissions}
}
