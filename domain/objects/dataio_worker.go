package objects

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// The export job: it claims the export (running), reads the type's live
// objects in keyset pages by id as the principal who started the export,
// encodes them into chunks stored in Postgres, and marks the export
// completed (or, after its last attempt, failed with a client-safe
// message). A retried run starts the file over.

// ExportWorker runs ExportArgs.
type ExportWorker struct {
	river.WorkerDefaults[ExportArgs]
	Service *Service
}

// Work writes one export's file.
func (w *ExportWorker) Work(ctx context.Context, job *river.Job[ExportArgs]) error {
	return w.Service.RunExport(ctx, job.Args.TenantID, job.Args.ExportID, job.Attempt >= job.MaxAttempts)
}

// Timeout lets a 100,000-record export finish.
func (w *ExportWorker) Timeout(*river.Job[ExportArgs]) time.Duration { return 30 * time.Minute }

// RunExport writes the file of a pending (or interrupted) export. On
// failure it returns the error for River to retry, unless lastAttempt or
// the error is the client's (a filter the type no longer supports, a
// permission withdrawn): then it marks the export failed and returns nil.
func (s *Service) RunExport(ctx context.Context, tenantID, exportID string, lastAttempt bool) error {
	row, err := s.claimExport(ctx, tenantID, exportID)
	if err != nil || row == nil {
		return err
	}
	var snap principalSnapshot
	if err := json.Unmarshal(row.Principal, &snap); err != nil {
		return s.failExport(ctx, row, domain.Internal(err))
	}
	runCtx := domain.WithPrincipal(ctx, snap.principal(tenantID))
	st, err := s.writeExportFile(runCtx, row)
	if err != nil {
		if ctx.Err() == nil && (lastAttempt || !retryable(err)) {
			return s.failExport(ctx, row, err)
		}
		return err
	}
	now := s.now()
	expires := now.Add(ExportRetention)
	row.Status, row.RecordCount, row.SizeBytes, row.ChunkCount, row.Truncated = ExportCompleted, st.records, st.size, st.chunks, st.truncated
	row.CompletedAt, row.ExpiresAt = &now, &expires
	if err := db.ObjectExportUpdate(ctx, s.core.DB, row); err != nil {
		return domain.Internal(err)
	}
	return nil
}

// retryable reports whether another run may succeed (an outage, not a
// rule of the domain).
func retryable(err error) bool {
	switch domain.ErrorCode(err) {
	case domain.CodeInternal, domain.CodeUnavailable:
		return true
	}
	return false
}

// claimExport marks an export running and drops what an interrupted run
// left; it returns nil when there is nothing to do (completed, failed, or
// deleted with its type).
func (s *Service) claimExport(ctx context.Context, tenantID, exportID string) (*db.ObjectExport, error) {
	var out *db.ObjectExport
	err := db.InTx(ctx, s.core.DB, func(tx bun.Tx) error {
		row, err := db.ObjectExportGet(ctx, tx, tenantID, exportID, true)
		if db.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if row.Status == ExportCompleted || row.Status == ExportFailed {
			return nil
		}
		if err := db.ObjectExportChunksDelete(ctx, tx, tenantID, exportID); err != nil {
			return err
		}
		now := s.now()
		row.Status, row.StartedAt = ExportRunning, &now
		if err := db.ObjectExportUpdate(ctx, tx, row); err != nil {
			return err
		}
		out = row
		return nil
	})
	if err != nil {
		return nil, domain.Internal(err)
	}
	return out, nil
}

// failExport drops the partial file and records the client-safe message
// of cause.
func (s *Service) failExport(ctx context.Context, row *db.ObjectExport, cause error) error {
	de := domain.AsError(cause)
	msg := failureMessage(de)
	if de.Code == domain.CodeInternal {
		s.core.Log.Error("export failed", "tenant_id", row.TenantID, "export_id", row.ID, "err", cause)
		msg = "The export failed because of an internal error; start a new one."
	}
	if err := db.ObjectExportChunksDelete(ctx, s.core.DB, row.TenantID, row.ID); err != nil {
		return domain.Internal(err)
	}
	row.Status, row.Error, row.ChunkCount, row.SizeBytes = ExportFailed, &msg, 0, 0
	if err := db.ObjectExportUpdate(ctx, s.core.DB, row); err != nil {
		return domain.Internal(err)
	}
	return nil
}

// failureMessage is an error's message with the fields it names ("The
// export's filters no longer fit the type: filters[0].property is not a
// property ..."), for an export's error.
func failureMessage(de *domain.Error) string {
	if len(de.Fields) == 0 {
		return de.Message
	}
	fields := make([]string, 0, len(de.Fields))
	for f := range de.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + " " + strings.Join(de.Fields[f], "; ")
	}
	return "The export's filters no longer fit the type: " + strings.Join(parts, "; ") + "."
}

// exportStats is what a finished file holds.
type exportStats struct {
	records   int
	size      int64
	chunks    int
	truncated bool
}

// writeExportFile encodes the export's objects into its chunks.
func (s *Service) writeExportFile(ctx context.Context, row *db.ObjectExport) (exportStats, error) {
	scan, err := s.openExportScan(ctx, row.ObjectTypeID, row.Filters)
	if err != nil {
		return exportStats{}, err
	}
	cw := &chunkWriter{ctx: ctx, s: s, tenantID: row.TenantID, exportID: row.ID, size: int(exportChunkBytes.Load())}
	enc := newExportEncoder(row.Format, cw, scan.props)
	if err := enc.begin(); err != nil {
		return exportStats{}, err
	}
	n, truncated, err := scan.each(ctx, int(exportRecordCap.Load()), enc.object)
	if err != nil {
		return exportStats{}, err
	}
	if err := enc.end(); err != nil {
		return exportStats{}, err
	}
	if err := cw.close(); err != nil {
		return exportStats{}, err
	}
	return exportStats{records: n, size: cw.written, chunks: cw.seq, truncated: truncated}, nil
}

// exportScan reads a type's live objects for an export, as the principal
// of ctx: the one place an export reads objects, so the rules that narrow
// what a caller may read apply to exports too.
type exportScan struct {
	s                *Service
	tenantID, typeID string
	props            []Property
	cond             db.Condition
}

// openExportScan authorizes the caller of ctx to read the type and compiles
// the export's filters against its current properties. Errors: NOT_FOUND
// (type), FORBIDDEN / INSUFFICIENT_SCOPE, VALIDATION_FAILED (filters).
func (s *Service) openExportScan(ctx context.Context, typeID string, filters json.RawMessage) (*exportScan, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.objectType(ctx, s.core.DB, p.TenantID, typeID, false)
	if err != nil {
		return nil, err
	}
	if _, err := domain.Authorize(ctx, domain.ScopeRead, "objects:"+t.Name+":read"); err != nil {
		return nil, err
	}
	props, err := s.properties(ctx, s.core.DB, p.TenantID, t.ID)
	if err != nil {
		return nil, err
	}
	scan := &exportScan{s: s, tenantID: p.TenantID, typeID: t.ID, props: props}
	if !isNull(filters) {
		if scan.cond, _, err = compileFilters(props, filters); err != nil {
			return nil, err
		}
	}
	// An end user's export holds only the rows its select policies grant
	// (resolved for the snapshot of the user who started it).
	r, err := s.rowAccess(ctx, s.core.DB, p, t, props, ActionSelect)
	if err != nil {
		return nil, err
	}
	scan.cond = db.And(scan.cond, r.where())
	return scan, nil
}

// each calls fn with up to limit objects in id order, one keyset page at a
// time (never the whole set in memory); truncated says more objects match.
func (sc *exportScan) each(ctx context.Context, limit int, fn func(Object) error) (int, bool, error) {
	n, after := 0, ""
	for {
		rows, err := db.ObjectSearchPage(ctx, sc.s.core.DB, db.ObjectPage{TenantID: sc.tenantID, TypeID: sc.typeID,
			Column: "id", Limit: exportPageSize, AfterID: after}, sc.cond)
		if err != nil {
			return n, false, domain.Internal(err)
		}
		for i := range rows {
			if n == limit {
				return n, true, nil
			}
			if err := fn(objectFromRow(&rows[i])); err != nil {
				return n, false, err
			}
			n++
		}
		if len(rows) < exportPageSize {
			return n, false, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// chunkWriter stores what is written to it as chunks of exactly size bytes
// (the last one shorter).
type chunkWriter struct {
	ctx                context.Context
	s                  *Service
	tenantID, exportID string
	size               int
	buf                bytes.Buffer
	seq                int
	written            int64
}

func (cw *chunkWriter) Write(p []byte) (int, error) {
	cw.buf.Write(p)
	cw.written += int64(len(p))
	for cw.buf.Len() >= cw.size {
		if err := cw.store(cw.buf.Next(cw.size)); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (cw *chunkWriter) close() error {
	if cw.buf.Len() == 0 {
		return nil
	}
	return cw.store(cw.buf.Next(cw.buf.Len()))
}

func (cw *chunkWriter) store(data []byte) error {
	chunk := &db.ObjectExportChunk{TenantID: cw.tenantID, ExportID: cw.exportID, Seq: cw.seq,
		Data: bytes.Clone(data)}
	if err := db.ObjectExportChunkInsert(cw.ctx, cw.s.core.DB, chunk); err != nil {
		return domain.Internal(err)
	}
	cw.seq++
	return nil
}

// exportEncoder writes objects in one of the formats.
type exportEncoder struct {
	format string
	w      io.Writer
	csv    *csv.Writer
	props  []Property
	n      int
}

func newExportEncoder(format string, w io.Writer, props []Property) *exportEncoder {
	e := &exportEncoder{format: format, w: w, props: props}
	if format == FormatCSV {
		e.csv = csv.NewWriter(w)
	}
	return e
}

// csvBuiltins are the built-in columns of an exported CSV, before the
// type's properties.
var csvBuiltins = []string{"id", "created_at", "updated_at", "created_by", "version"}

func (e *exportEncoder) begin() error {
	switch e.format {
	case FormatJSON:
		_, err := io.WriteString(e.w, "[")
		return err
	case FormatCSV:
		header := append([]string{}, csvBuiltins...)
		for _, p := range e.props {
			header = append(header, p.Name)
		}
		return e.csv.Write(header)
	}
	return nil
}

// object writes one object: the shape of GET object in JSON and NDJSON,
// the built-ins and the defined properties in CSV.
func (e *exportEncoder) object(o Object) error {
	defer func() { e.n++ }()
	if e.format == FormatCSV {
		return e.csv.Write(e.csvRecord(o))
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return domain.Internal(err)
	}
	sep := "\n"
	if e.format == FormatJSON && e.n > 0 {
		sep = ",\n"
	}
	if e.format == FormatNDJSON {
		raw, sep = append(raw, '\n'), ""
	}
	if _, err := io.WriteString(e.w, sep); err != nil {
		return err
	}
	_, err = e.w.Write(raw)
	return err
}

func (e *exportEncoder) csvRecord(o Object) []string {
	rec := []string{o.ID, o.CreatedAt.UTC().Format(time.RFC3339Nano), o.UpdatedAt.UTC().Format(time.RFC3339Nano),
		o.CreatedBy, strconv.Itoa(o.Version)}
	doc := decodeDoc(o.Properties)
	for _, p := range e.props {
		rec = append(rec, csvText(doc[p.Name]))
	}
	return rec
}

func (e *exportEncoder) end() error {
	switch e.format {
	case FormatJSON:
		_, err := io.WriteString(e.w, "\n]\n")
		return err
	case FormatCSV:
		e.csv.Flush()
		if err := e.csv.Error(); err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				return de
			}
			return domain.Internal(err)
		}
	}
	return nil
}
