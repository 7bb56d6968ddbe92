package invoicing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Recurring entries: a template (the create body of a journal entry or an
// invoice) with a frequency and the date of its next occurrence. An
// occurrence is created on demand (execute) or by the scheduler when due
// (scheduler.go). Every occurrence runs in one unit of work that first
// locks the schedule row, then records the run in acct_recurring_runs,
// whose primary key (tenant, schedule, date) makes an occurrence run at
// most once whichever process or request runs it, creates the document
// dated next_run and advances next_run.
//
// Month-based frequencies (monthly, quarterly, yearly) keep the schedule's
// day of month and clamp it to the month's end: monthly from Jan 31 runs
// Feb 28 (29), Mar 31, Apr 30, May 31. The anchor day is not stored; it is
// inferred from the schedule's runs: a next_run on the last day of a month
// shorter than 31 days aims at the largest day of the unbroken chain of
// earlier runs one step apart (so Feb 28 after Jan 31 steps to Mar 31,
// while a schedule that starts on Feb 28 stays on the 28th).

// Recurring types and frequencies.
const (
	RecurringJournalEntry = "journal_entry"
	RecurringInvoice      = "invoice"

	FrequencyDaily     = "daily"
	FrequencyWeekly    = "weekly"
	FrequencyMonthly   = "monthly"
	FrequencyQuarterly = "quarterly"
	FrequencyYearly    = "yearly"
)

// recurringSource is the source_type of journal entries created by a
// schedule (source_id is the schedule's id).
const recurringSource = "recurring"

// Recurring is a schedule of documents.
type Recurring struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Type        string          `json:"type" doc:"journal_entry or invoice."`
	Template    json.RawMessage `json:"template" doc:"The create body of the type's document (POST /v1/accounting/journal-entries or /invoices); its date is each occurrence's date. A journal entry is posted unless the template says \"post\": false."`
	Frequency   string          `json:"frequency" doc:"daily, weekly, monthly, quarterly or yearly."`
	NextRun     Date            `json:"next_run" doc:"Date of the next occurrence."`
	EndDate     *Date           `json:"end_date" doc:"Last date an occurrence may have; null runs forever."`
	IsActive    bool            `json:"is_active" doc:"Inactive schedules are not run by the scheduler (execute still runs them)."`
	LastRunAt   *time.Time      `json:"last_run_at"`
	Occurrences int             `json:"occurrences" doc:"Occurrences created so far."`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

func recurringFromRow(r *db.AcctRecurring) Recurring {
	out := Recurring{ID: r.ID, Name: r.Name, Type: r.Type, Template: r.Template, Frequency: r.Frequency,
		NextRun: dateOf(r.NextRun), IsActive: r.IsActive, LastRunAt: r.LastRunAt, Occurrences: r.Occurrences,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.EndDate != nil {
		d := dateOf(*r.EndDate)
		out.EndDate = &d
	}
	return out
}

// CreateRecurringInput is the body of POST /v1/accounting/recurring.
type CreateRecurringInput struct {
	Name      string          `json:"name" required:"true"`
	Type      string          `json:"type" required:"true" doc:"journal_entry or invoice."`
	Template  json.RawMessage `json:"template" required:"true" doc:"The create body of the type's document, validated now against the books."`
	Frequency string          `json:"frequency" required:"true" doc:"daily, weekly, monthly, quarterly or yearly."`
	NextRun   *Date           `json:"next_run" required:"true"`
	EndDate   *Date           `json:"end_date" doc:"On or after next_run."`
	IsActive  *bool           `json:"is_active" doc:"Default true."`
}

// RecurringRef names a schedule.
type RecurringRef struct {
	RecurringID string `path:"recurring_id" json:"-"`
}

// UpdateRecurringInput is the body of PATCH /v1/accounting/recurring/:recurring_id.
// The type never changes; end_date null removes the end.
type UpdateRecurringInput struct {
	RecurringID string                `path:"recurring_id" json:"-"`
	Name        *string               `json:"name"`
	Template    json.RawMessage       `json:"template"`
	Frequency   *string               `json:"frequency"`
	NextRun     *Date                 `json:"next_run"`
	EndDate     domain.Optional[Date] `json:"end_date"`
	IsActive    *bool                 `json:"is_active"`
}

// ListRecurring returns the tenant's schedules by next run (bare array).
// Errors: UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ListRecurring(ctx context.Context) ([]Recurring, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.AcctRecurringList(ctx, s.core.DB, p.TenantID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Recurring, len(rows))
	for i := range rows {
		out[i] = recurringFromRow(&rows[i])
	}
	return out, nil
}

// GetRecurring loads a schedule. Errors: NOT_FOUND.
func (s *Service) GetRecurring(ctx context.Context, in RecurringRef) (Recurring, error) {
	p, err := reader(ctx)
	if err != nil {
		return Recurring{}, err
	}
	row, err := s.loadRecurring(ctx, s.core.DB, p.TenantID, in.RecurringID, false)
	if err != nil {
		return Recurring{}, err
	}
	return recurringFromRow(row), nil
}

// CreateRecurring adds a schedule. The template is checked now as its
// document's create would check it, dated next_run (a journal entry's lines
// balance on active accounts of the tenant, ...); its errors name
// template.<field>. Errors: VALIDATION_FAILED, UNAUTHORIZED,
// INSUFFICIENT_SCOPE.
func (s *Service) CreateRecurring(ctx context.Context, in CreateRecurringInput) (Recurring, error) {
	p, err := writer(ctx)
	if err != nil {
		return Recurring{}, err
	}
	var v domain.Validation
	name := strings.TrimSpace(in.Name)
	domain.CheckText(&v, "name", name, 200, true)
	typ := strings.TrimSpace(in.Type)
	switch typ {
	case "":
		v.Add("type", "is required")
	case RecurringJournalEntry, RecurringInvoice:
	default:
		v.Add("type", "must be journal_entry or invoice")
	}
	freq := strings.TrimSpace(in.Frequency)
	checkFrequency(&v, freq, true)
	checkTemplateShape(&v, in.Template, true)
	if in.NextRun == nil || in.NextRun.IsZero() {
		v.Add("next_run", "is required")
	}
	if in.EndDate != nil && in.NextRun != nil && in.EndDate.Before(in.NextRun.Time) {
		v.Add("end_date", "must be on or after next_run")
	}
	if err := v.Err(); err != nil {
		return Recurring{}, err
	}
	next := dateOf(in.NextRun.Time).Time
	if err := s.checkTemplate(ctx, p, typ, in.Template, next); err != nil {
		return Recurring{}, err
	}
	var out Recurring
	err = s.core.Write(ctx, func(w *domain.Write) error {
		now := s.core.Clock.Now()
		row := &db.AcctRecurring{TenantID: p.TenantID, ID: domain.NewID("rec_"), Name: name, Type: typ,
			Template: compactJSON(in.Template), Frequency: freq, NextRun: next, IsActive: true,
			CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
		if in.EndDate != nil {
			end := dateOf(in.EndDate.Time).Time
			row.EndDate = &end
		}
		if in.IsActive != nil {
			row.IsActive = *in.IsActive
		}
		if err := db.AcctRecurringInsert(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		// Read back so the template is answered as it is stored.
		stored, err := db.AcctRecurringGet(ctx, w.Tx, p.TenantID, row.ID, false)
		if err != nil {
			return domain.Internal(err)
		}
		out = recurringFromRow(stored)
		return s.recordRecurring(w, p.TenantID, "recurring.create", "recurring.created", out.ID, nil, &out, out)
	})
	return out, err
}

// UpdateRecurring changes a schedule's name, template (checked like on
// create), frequency, next_run, end_date or is_active. next_run cannot be a
// date the schedule has run already. Errors: NOT_FOUND, VALIDATION_FAILED.
func (s *Service) UpdateRecurring(ctx context.Context, in UpdateRecurringInput) (Recurring, error) {
	p, err := writer(ctx)
	if err != nil {
		return Recurring{}, err
	}
	var v domain.Validation
	if in.Name != nil {
		domain.CheckText(&v, "name", strings.TrimSpace(*in.Name), 200, true)
	}
	if in.Frequency != nil {
		checkFrequency(&v, strings.TrimSpace(*in.Frequency), true)
	}
	if in.Template != nil {
		checkTemplateShape(&v, in.Template, true)
	}
	if in.NextRun != nil && in.NextRun.IsZero() {
		v.Add("next_run", "must be a date (YYYY-MM-DD)")
	}
	if err := v.Err(); err != nil {
		return Recurring{}, err
	}
	if in.Template != nil {
		// The template is checked dated the schedule's (new) next_run, in a
		// dry run of its own: the document's events must not escape.
		current, err := s.loadRecurring(ctx, s.core.DB, p.TenantID, in.RecurringID, false)
		if err != nil {
			return Recurring{}, err
		}
		date := current.NextRun
		if in.NextRun != nil {
			date = dateOf(in.NextRun.Time).Time
		}
		if err := s.checkTemplate(ctx, p, current.Type, in.Template, date); err != nil {
			return Recurring{}, err
		}
	}
	var out Recurring
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.loadRecurring(ctx, w.Tx, p.TenantID, in.RecurringID, true)
		if err != nil {
			return err
		}
		before := recurringFromRow(row)
		if in.Name != nil {
			row.Name = strings.TrimSpace(*in.Name)
		}
		if in.Frequency != nil {
			row.Frequency = strings.TrimSpace(*in.Frequency)
		}
		if in.NextRun != nil {
			row.NextRun = dateOf(in.NextRun.Time).Time
		}
		if in.EndDate.Set {
			row.EndDate = nil
			if in.EndDate.Value != nil {
				end := dateOf(in.EndDate.Value.Time).Time
				row.EndDate = &end
			}
		}
		if in.IsActive != nil {
			row.IsActive = *in.IsActive
		}
		if (in.NextRun != nil || in.EndDate.Set) && row.EndDate != nil && row.EndDate.Before(row.NextRun) {
			return domain.Invalid("end_date", "must be on or after next_run")
		}
		if in.NextRun != nil && !recurringSameDate(row.NextRun, before.NextRun.Time) {
			run, err := db.AcctRecurringRunGet(ctx, w.Tx, p.TenantID, row.ID, row.NextRun)
			if err == nil {
				return domain.Invalid("next_run", "the schedule has run on "+row.NextRun.Format(dateLayout)+
					" already ("+run.DocumentType+" "+run.DocumentID+")")
			}
			if !db.IsNoRows(err) {
				return domain.Internal(err)
			}
		}
		if in.Template != nil {
			row.Template = compactJSON(in.Template)
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctRecurringUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		stored, err := db.AcctRecurringGet(ctx, w.Tx, p.TenantID, row.ID, false)
		if err != nil {
			return domain.Internal(err)
		}
		out = recurringFromRow(stored)
		return s.recordRecurring(w, p.TenantID, "recurring.update", "recurring.updated", out.ID, &before, &out, out)
	})
	return out, err
}

// DeleteRecurring deletes a schedule; the documents its occurrences created
// stay. Errors: NOT_FOUND.
func (s *Service) DeleteRecurring(ctx context.Context, in RecurringRef) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.loadRecurring(ctx, w.Tx, p.TenantID, in.RecurringID, true)
		if err != nil {
			return err
		}
		if err := db.AcctRecurringDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		before := recurringFromRow(row)
		out = Deleted{ID: row.ID, Deleted: true}
		return s.recordRecurring(w, p.TenantID, "recurring.delete", "recurring.deleted", row.ID, &before, nil, out)
	})
	return out, err
}

// ExecuteRecurring creates the schedule's next occurrence now: the document
// dated next_run (a journal entry posted, or an invoice approved, unless the
// template says "post": false), then advances next_run by the frequency. It answers the
// created document (the journal entry, or the invoice). An inactive
// schedule may still be executed. Errors: NOT_FOUND, INVALID_STATE
// (next_run is past end_date), CONFLICT (the occurrence dated next_run
// exists already; details name run_date and document_id), the document's
// own errors (VALIDATION_FAILED naming template.<field>, PERIOD_CLOSED).
func (s *Service) ExecuteRecurring(ctx context.Context, in RecurringRef) (any, error) {
	p, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	var doc any
	err = s.core.Write(ctx, func(w *domain.Write) error {
		var err error
		doc, _, _, err = s.occur(ctx, w, p, in.RecurringID, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// occurrence outcomes.
type occurrence int

const (
	occurrenceNotDue  occurrence = iota // nothing to do (scheduler only)
	occurrenceCreated                   // a document was created
	occurrenceSkipped                   // the date had run already; next_run moved on (scheduler only)
)

// occur runs the next occurrence of a schedule inside w. With due nil it
// is an explicit execute; with due set (the scheduler) it runs only an
// active schedule whose next_run is on or before *due and not past its end
// date, and a date that ran already is skipped rather than refused. It
// returns the document, the outcome and the occurrence's date.
func (s *Service) occur(ctx context.Context, w *domain.Write, p *domain.Principal, id string, due *time.Time) (any, occurrence, time.Time, error) {
	row, err := s.loadRecurring(ctx, w.Tx, p.TenantID, id, true)
	if err != nil {
		if due != nil && domain.ErrorCode(err) == domain.CodeNotFound {
			return nil, occurrenceNotDue, time.Time{}, nil // deleted meanwhile
		}
		return nil, occurrenceNotDue, time.Time{}, err
	}
	date := dateOf(row.NextRun).Time
	pastEnd := row.EndDate != nil && date.After(*row.EndDate)
	if due != nil && (!row.IsActive || date.After(*due) || pastEnd) {
		return nil, occurrenceNotDue, date, nil
	}
	if pastEnd {
		return nil, occurrenceNotDue, date, domain.Errorf(domain.CodeInvalidState,
			"The schedule has ended: next_run %s is past end_date %s.", date.Format(dateLayout), row.EndDate.Format(dateLayout))
	}
	before := recurringFromRow(row)
	prior, err := db.AcctRecurringRunGet(ctx, w.Tx, p.TenantID, row.ID, date)
	switch {
	case err == nil && due == nil:
		return nil, occurrenceNotDue, date, domain.Errorf(domain.CodeConflict,
			"The occurrence dated %s exists already (%s %s); change next_run to run another date.",
			date.Format(dateLayout), prior.DocumentType, prior.DocumentID).
			With("run_date", date.Format(dateLayout)).With("document_id", prior.DocumentID)
	case err == nil:
		// A date that ran already (next_run was moved back onto it): it
		// stays run once; the schedule moves on.
		if err := s.advanceRecurring(ctx, w, row, date, false); err != nil {
			return nil, occurrenceNotDue, date, err
		}
		after := recurringFromRow(row)
		if err := w.Audit(p.TenantID, "recurring.skip", "recurring", row.ID, map[string]any{
			"run_date": date.Format(dateLayout), "document_id": prior.DocumentID, "next_run": after.NextRun}); err != nil {
			return nil, occurrenceNotDue, date, err
		}
		return nil, occurrenceSkipped, date, nil
	case !db.IsNoRows(err):
		return nil, occurrenceNotDue, date, domain.Internal(err)
	}

	var doc any
	var docID string
	switch row.Type {
	case RecurringJournalEntry:
		entry, err := s.recurringEntry(ctx, w, p, row, date)
		if err != nil {
			return nil, occurrenceNotDue, date, err
		}
		doc, docID = entry, entry.ID
	case RecurringInvoice:
		inv, err := s.recurringInvoice(ctx, w, p, row, date)
		if err != nil {
			return nil, occurrenceNotDue, date, err
		}
		doc, docID = inv, inv.ID
	default:
		return nil, occurrenceNotDue, date, domain.Internal(errors.New("unknown recurring type " + row.Type))
	}

	inserted, err := db.AcctRecurringRunInsert(ctx, w.Tx, &db.AcctRecurringRun{TenantID: p.TenantID, RecurringID: row.ID,
		RunDate: date, DocumentType: row.Type, DocumentID: docID, CreatedAt: s.core.Clock.Now()})
	if err != nil {
		return nil, occurrenceNotDue, date, domain.Internal(err)
	}
	if !inserted { // unreachable while every run locks the schedule first
		return nil, occurrenceNotDue, date, domain.Errorf(domain.CodeConflict,
			"The occurrence dated %s exists already.", date.Format(dateLayout)).With("run_date", date.Format(dateLayout))
	}
	if err := s.advanceRecurring(ctx, w, row, date, true); err != nil {
		return nil, occurrenceNotDue, date, err
	}
	after := recurringFromRow(row)
	if err := w.Audit(p.TenantID, "recurring.execute", "recurring", row.ID, map[string]any{
		"run_date": date.Format(dateLayout), "document_type": row.Type, "document_id": docID,
		"before": map[string]any{"next_run": before.NextRun, "occurrences": before.Occurrences},
		"after":  map[string]any{"next_run": after.NextRun, "occurrences": after.Occurrences}}); err != nil {
		return nil, occurrenceNotDue, date, err
	}
	if err := w.Emit(p.TenantID, accounting.Topic, "recurring.executed", map[string]any{
		"recurring": after, "run_date": date.Format(dateLayout), "document_type": row.Type, "document_id": docID}); err != nil {
		return nil, occurrenceNotDue, date, err
	}
	return doc, occurrenceCreated, date, nil
}

// advanceRecurring moves next_run past date by the frequency; counted
// bumps occurrences and last_run_at.
func (s *Service) advanceRecurring(ctx context.Context, w *domain.Write, row *db.AcctRecurring, date time.Time, counted bool) error {
	anchor := date.Day()
	if months := recurringMonths(row.Frequency); months > 0 {
		earlier, err := db.AcctRecurringRunDates(ctx, w.Tx, row.TenantID, row.ID, date, 16)
		if err != nil {
			return domain.Internal(err)
		}
		anchor = RecurringAnchorDay(date, months, earlier)
	}
	now := s.core.Clock.Now()
	row.NextRun = NextOccurrence(date, row.Frequency, anchor)
	if counted {
		row.Occurrences++
		row.LastRunAt = &now
	}
	row.UpdatedAt = now
	if err := db.AcctRecurringUpdate(ctx, w.Tx, row); err != nil {
		return domain.Internal(err)
	}
	return nil
}

// recurringEntry creates the journal entry of an occurrence: the template
// dated date, posted unless it says "post": false, with the schedule's name
// as description when the template has none.
func (s *Service) recurringEntry(ctx context.Context, w *domain.Write, p *domain.Principal, row *db.AcctRecurring, date time.Time) (accounting.Entry, error) {
	in, err := decodeEntryTemplate(row.Template)
	if err != nil {
		return accounting.Entry{}, err
	}
	in.Date = date.Format(dateLayout)
	if strings.TrimSpace(in.Description) == "" {
		in.Description = row.Name
	}
	entry, err := s.books.CreateEntryTx(ctx, w, p, in, recurringSource, row.ID)
	if err != nil {
		return accounting.Entry{}, templateError(err)
	}
	return entry, nil
}

// recurringInvoice creates the invoice of an occurrence: the template
// dated date, numbered afresh, approved (posted) unless the template says
// "post": false. When the template has both date and due_date, the
// occurrence keeps their distance; otherwise the invoice's default due date
// applies.
func (s *Service) recurringInvoice(ctx context.Context, w *domain.Write, p *domain.Principal, row *db.AcctRecurring, date time.Time) (Invoice, error) {
	in, post, err := decodeInvoiceTemplate(row.Template, date)
	if err != nil {
		return Invoice{}, err
	}
	inv, err := s.CreateInvoiceTx(ctx, w, p, in, row.ID)
	if err != nil {
		return Invoice{}, templateError(err)
	}
	if !post {
		return inv, nil
	}
	inv, err = s.ApproveInvoiceTx(ctx, w, p, inv.ID)
	if err != nil {
		return Invoice{}, templateError(err)
	}
	return inv, nil
}

// decodeInvoiceTemplate reads an invoice template for an occurrence dated
// date; "post" defaults to true.
func decodeInvoiceTemplate(tmpl json.RawMessage, date time.Time) (CreateInvoiceInput, bool, error) {
	var in CreateInvoiceInput
	dec := json.NewDecoder(bytes.NewReader(tmpl))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return in, false, domain.Invalid("template."+typeErr.Field, "has the wrong type")
		}
		return in, false, domain.Invalid("template", "must be an invoice create body")
	}
	var post struct {
		Post *bool `json:"post"`
	}
	_ = json.Unmarshal(tmpl, &post)
	due := ""
	if in.Date != "" && in.DueDate != "" {
		from, err1 := accounting.ParseDate(strings.TrimSpace(in.Date))
		to, err2 := accounting.ParseDate(strings.TrimSpace(in.DueDate))
		if err1 == nil && err2 == nil {
			days := int(to.Sub(from).Hours() / 24)
			due = date.AddDate(0, 0, days).Format(dateLayout)
		}
	}
	in.Date, in.DueDate, in.Number = date.Format(dateLayout), due, ""
	return in, post.Post == nil || *post.Post, nil
}

// checkTemplate validates a template dated date by creating its document
// as a draft in a unit of work that is rolled back (a dry run of the
// document's create, whose events are never published).
func (s *Service) checkTemplate(ctx context.Context, p *domain.Principal, typ string, tmpl json.RawMessage, date time.Time) error {
	switch typ {
	case RecurringJournalEntry:
		in, err := decodeEntryTemplate(tmpl)
		if err != nil {
			return err
		}
		in.Date, in.Post = date.Format(dateLayout), false
		err = s.core.Write(ctx, func(w *domain.Write) error {
			if _, err := s.books.CreateEntryTx(ctx, w, p, in, recurringSource, ""); err != nil {
				return templateError(err)
			}
			return errRecurringDryRun
		})
		if errors.Is(err, errRecurringDryRun) {
			return nil
		}
		return err
	case RecurringInvoice:
		in, _, err := decodeInvoiceTemplate(tmpl, date)
		if err != nil {
			return err
		}
		err = s.core.Write(ctx, func(w *domain.Write) error {
			if _, err := s.CreateInvoiceTx(ctx, w, p, in, ""); err != nil {
				return templateError(err)
			}
			return errRecurringDryRun
		})
		if errors.Is(err, errRecurringDryRun) {
			return nil
		}
		return err
	}
	return domain.Invalid("type", "must be journal_entry or invoice")
}

// errRecurringDryRun rolls a template's dry run back.
const errRecurringDryRun = invariantError("recurring template dry run")

// decodeEntryTemplate reads a journal entry template; "post" defaults to
// true.
func decodeEntryTemplate(tmpl json.RawMessage) (accounting.CreateEntryInput, error) {
	var in accounting.CreateEntryInput
	dec := json.NewDecoder(bytes.NewReader(tmpl))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return in, domain.Invalid("template."+typeErr.Field, "has the wrong type")
		}
		return in, domain.Invalid("template", "must be a journal entry create body")
	}
	var post struct {
		Post *bool `json:"post"`
	}
	_ = json.Unmarshal(tmpl, &post)
	in.Post = post.Post == nil || *post.Post
	return in, nil
}

// templateError names a document's validation errors as template fields.
func templateError(err error) error {
	de := domain.AsError(err)
	if de.Code != domain.CodeValidationFailed || len(de.Fields) == 0 {
		return err
	}
	c := *de
	c.Fields = make(map[string][]string, len(de.Fields))
	for f, msgs := range de.Fields {
		c.Fields["template."+f] = msgs
	}
	return &c
}

func checkFrequency(v *domain.Validation, freq string, required bool) {
	switch freq {
	case FrequencyDaily, FrequencyWeekly, FrequencyMonthly, FrequencyQuarterly, FrequencyYearly:
	case "":
		if required {
			v.Add("frequency", "is required")
		}
	default:
		v.Add("frequency", "must be daily, weekly, monthly, quarterly or yearly")
	}
}

// checkTemplateShape requires a JSON object.
func checkTemplateShape(v *domain.Validation, tmpl json.RawMessage, required bool) {
	t := bytes.TrimSpace(tmpl)
	switch {
	case len(t) == 0 || bytes.Equal(t, []byte("null")):
		if required {
			v.Add("template", "is required")
		}
	case t[0] != '{' || !json.Valid(t):
		v.Add("template", "must be an object")
	}
}

// compactJSON drops insignificant whitespace (Postgres normalizes jsonb
// anyway).
func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func (s *Service) loadRecurring(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AcctRecurring, error) {
	if !domain.ValidID("rec_", id) {
		return nil, domain.NotFound("Recurring entry")
	}
	row, err := db.AcctRecurringGet(ctx, idb, tenantID, id, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Recurring entry")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func (s *Service) recordRecurring(w *domain.Write, tenantID, action, event, id string, before, after *Recurring, payload any) error {
	changes := map[string]any{}
	if before != nil {
		changes["before"] = before
	}
	if after != nil {
		changes["after"] = after
	}
	if err := w.Audit(tenantID, action, "recurring", id, changes); err != nil {
		return err
	}
	return w.Emit(tenantID, accounting.Topic, event, payload)
}

// recurringMonths is the step of a month-based frequency (0 otherwise).
func recurringMonths(freq string) int {
	switch freq {
	case FrequencyMonthly:
		return 1
	case FrequencyQuarterly:
		return 3
	case FrequencyYearly:
		return 12
	}
	return 0
}

// NextOccurrence returns the occurrence after date: a day or a week later,
// or 1, 3 or 12 months later on anchorDay clamped to that month's last day.
func NextOccurrence(date time.Time, freq string, anchorDay int) time.Time {
	date = dateOf(date).Time
	switch freq {
	case FrequencyDaily:
		return date.AddDate(0, 0, 1)
	case FrequencyWeekly:
		return date.AddDate(0, 0, 7)
	}
	months := recurringMonths(freq)
	first := time.Date(date.Year(), date.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	day := min(max(anchorDay, 1), recurringDaysIn(first))
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// RecurringAnchorDay infers the day of month a month-based schedule aims at
// from the occurrence dated date and the schedule's run dates (newest first;
// date itself may be among them). A date before its month's last day, or on
// the 31st, is its own anchor; a date clamped to a shorter month's end
// takes the largest day of the unbroken chain of earlier runs, each one
// step (months) before the next and on a day no smaller.
func RecurringAnchorDay(date time.Time, months int, earlier []time.Time) int {
	cur := dateOf(date).Time
	day := cur.Day()
	for _, p := range earlier {
		if cur.Day() < recurringDaysIn(cur) || cur.Day() == 31 {
			break // cur was not clamped: its day is the anchor
		}
		p = dateOf(p).Time
		if !p.Before(cur) {
			continue
		}
		if recurringMonthIndex(p)+months != recurringMonthIndex(cur) || p.Day() < cur.Day() {
			break // not the previous step of this chain
		}
		day = max(day, p.Day())
		cur = p
	}
	return day
}

func recurringMonthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

// recurringDaysIn is the number of days of t's month.
func recurringDaysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func recurringSameDate(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}
