package accounting

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Entry statuses.
const (
	StatusDraft    = "draft"
	StatusPosted   = "posted"
	StatusReversed = "reversed"
)

// maxLines caps the lines of one entry.
const maxLines = 500

// Entry is a journal entry with its lines.
type Entry struct {
	ID           string     `json:"id"`
	Date         Date       `json:"date"`
	Description  string     `json:"description"`
	Reference    string     `json:"reference"`
	Currency     string     `json:"currency"`
	ExchangeRate Amount     `json:"exchange_rate"`
	Status       string     `json:"status"`
	ReversalOf   *string    `json:"reversal_of"`
	ReversedBy   *string    `json:"reversed_by"`
	Lines        []Line     `json:"lines"`
	TotalDebit   Amount     `json:"total_debit"`
	TotalCredit  Amount     `json:"total_credit"`
	PostedAt     *time.Time `json:"posted_at"`
	PostedBy     *string    `json:"posted_by"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Line is one debit or credit of an entry; base amounts are in the
// tenant's base currency.
type Line struct {
	ID          string  `json:"id"`
	LineNo      int     `json:"line_no"`
	AccountID   string  `json:"account_id"`
	Description string  `json:"description"`
	Debit       Amount  `json:"debit"`
	Credit      Amount  `json:"credit"`
	BaseDebit   Amount  `json:"base_debit"`
	BaseCredit  Amount  `json:"base_credit"`
	TaxCodeID   *string `json:"tax_code_id"`
}

// LineInput is one line of a create or update body: exactly one of debit
// and credit is positive.
type LineInput struct {
	AccountID   string  `json:"account_id"`
	Debit       *Amount `json:"debit"`
	Credit      *Amount `json:"credit"`
	Description string  `json:"description"`
	TaxCodeID   *string `json:"tax_code_id"`
	// Base fixes the line's base-currency amounts instead of converting at
	// the entry's rate. Only documents posting through CreateEntryTx set it
	// (a payment clears a receivable at the invoice's rate and books the
	// realized FX difference on a line with no foreign amount); clients
	// cannot.
	Base *BaseAmounts `json:"-"`
}

// BaseAmounts are a line's amounts in the base currency.
type BaseAmounts struct {
	Debit, Credit decimal.Decimal
}

// CreateEntryInput is the body of POST /v1/accounting/journal-entries.
type CreateEntryInput struct {
	Date         string      `json:"date"`
	Description  string      `json:"description"`
	Reference    string      `json:"reference"`
	Currency     string      `json:"currency"`
	ExchangeRate *Amount     `json:"exchange_rate"`
	Lines        []LineInput `json:"lines"`
	Post         bool        `json:"post"`
}

// UpdateEntryInput is the body of PATCH .../journal-entries/:entry_id
// (drafts only); lines, when sent, replace all lines.
type UpdateEntryInput struct {
	EntryID      string       `path:"entry_id" json:"-"`
	Date         *string      `json:"date"`
	Description  *string      `json:"description"`
	Reference    *string      `json:"reference"`
	Currency     *string      `json:"currency"`
	ExchangeRate *Amount      `json:"exchange_rate"`
	Lines        *[]LineInput `json:"lines"`
}

// EntryRef names one entry.
type EntryRef struct {
	EntryID string `path:"entry_id" json:"-"`
}

// ReverseInput is the body of POST .../journal-entries/:entry_id/reverse.
// The reversal is dated like the original unless date is given.
type ReverseInput struct {
	EntryID     string  `path:"entry_id" json:"-"`
	Date        *string `json:"date"`
	Description *string `json:"description"`
}

// ListEntriesInput filters and pages entries (offset list).
type ListEntriesInput struct {
	Status    string `query:"status"`
	From      string `query:"from"`
	To        string `query:"to"`
	AccountID string `query:"account_id"`
	Limit     int    `query:"limit"`
	Offset    int    `query:"offset"`
}

// EntryList is the answer of GET .../journal-entries.
type EntryList struct {
	Entries []Entry `json:"entries"`
	Total   int     `json:"total"`
	Limit   int     `json:"limit"`
	Offset  int     `json:"offset"`
}

// ListEntries pages entries, newest date first. Errors: VALIDATION_FAILED.
func (s *Service) ListEntries(ctx context.Context, in ListEntriesInput) (EntryList, error) {
	p, err := reader(ctx)
	if err != nil {
		return EntryList{}, err
	}
	params := &db.AcctEntryListParams{Limit: domain.ClampLimit(in.Limit), Offset: in.Offset, AccountID: in.AccountID}
	var v domain.Validation
	if in.Status != "" {
		v.Check(in.Status != StatusDraft && in.Status != StatusPosted && in.Status != StatusReversed,
			"status", "must be draft, posted or reversed")
		params.Status = in.Status
	}
	params.From = OptionalDate(&v, "from", in.From)
	params.To = OptionalDate(&v, "to", in.To)
	v.Check(in.Offset < 0, "offset", "must not be negative")
	v.Check(in.AccountID != "" && !domain.ValidID("acc_", in.AccountID), "account_id", "must be an account id")
	if err := v.Err(); err != nil {
		return EntryList{}, err
	}
	rows, total, err := db.AcctEntryList(ctx, s.core.DB, p.TenantID, params)
	if err != nil {
		return EntryList{}, domain.Internal(err)
	}
	entries, err := s.withLines(ctx, s.core.DB, p.TenantID, rows)
	if err != nil {
		return EntryList{}, err
	}
	return EntryList{Entries: entries, Total: total, Limit: params.Limit, Offset: in.Offset}, nil
}

// GetEntry loads an entry with its lines. Errors: NOT_FOUND.
func (s *Service) GetEntry(ctx context.Context, in EntryRef) (Entry, error) {
	p, err := reader(ctx)
	if err != nil {
		return Entry{}, err
	}
	row, err := s.entry(ctx, s.core.DB, p.TenantID, in.EntryID, false)
	if err != nil {
		return Entry{}, err
	}
	out, err := s.withLines(ctx, s.core.DB, p.TenantID, []db.AcctJournalEntry{*row})
	if err != nil {
		return Entry{}, err
	}
	return out[0], nil
}

// CreateJournalEntry records an entry, as a draft or (post: true) posted at
// once. Errors: VALIDATION_FAILED (an unbalanced entry names `lines`),
// PERIOD_CLOSED, UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) CreateJournalEntry(ctx context.Context, in CreateEntryInput) (Entry, error) {
	p, err := writer(ctx)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = s.core.Write(ctx, func(w *domain.Write) error {
		var err error
		out, err = s.CreateEntryTx(ctx, w, p, in, "", "")
		return err
	})
	return out, err
}

// CreateEntryTx records an entry inside a caller's unit of work; sourceType
// and sourceID name a document that generated it (an invoice, a payment).
// Later contexts (invoicing, recurring entries) post through it.
func (s *Service) CreateEntryTx(ctx context.Context, w *domain.Write, p *domain.Principal, in CreateEntryInput, sourceType, sourceID string) (Entry, error) {
	books, err := s.books(ctx, w.Tx, p.TenantID)
	if err != nil {
		return Entry{}, err
	}
	now := s.core.Clock.Now()
	row := &db.AcctJournalEntry{TenantID: p.TenantID, ID: domain.NewID("je_"), Status: StatusDraft,
		SourceType: sourceType, SourceID: sourceID, CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
	draft := entryDraft{date: in.Date, description: in.Description, reference: in.Reference,
		currency: in.Currency, rate: in.ExchangeRate, lines: in.Lines}
	lines, pl, err := s.prepare(ctx, w.Tx, books, row, draft)
	if err != nil {
		return Entry{}, err
	}
	if in.Post {
		if err := s.post(ctx, w, p, books, row, lines, false); err != nil {
			return Entry{}, err
		}
	}
	if err := db.AcctEntryInsert(ctx, w.Tx, row); err != nil {
		return Entry{}, domain.Internal(err)
	}
	if err := db.AcctLinesInsert(ctx, w.Tx, lines); err != nil {
		return Entry{}, domain.Internal(err)
	}
	out := entryOutPlaces(row, lines, pl)
	return out, s.recordEntry(w, p.TenantID, "journal_entry.create", "journal_entry.created", out)
}

// UpdateJournalEntry edits a draft. Errors: NOT_FOUND, INVALID_STATE (not a
// draft), VALIDATION_FAILED.
func (s *Service) UpdateJournalEntry(ctx context.Context, in UpdateEntryInput) (Entry, error) {
	p, err := writer(ctx)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, books, current, err := s.lockDraft(ctx, w, p.TenantID, in.EntryID,
			"Only draft entries can be edited; this one is %s (reverse it instead).")
		if err != nil {
			return err
		}
		draft := entryDraft{date: row.Date.Format(DateLayout), description: row.Description, reference: row.Reference,
			currency: row.Currency, lines: linesAsInput(current)}
		if in.ExchangeRate != nil {
			draft.rate = in.ExchangeRate
		} else if in.Currency == nil && in.Date == nil {
			draft.rate = &Amount{Decimal: row.ExchangeRate}
		}
		setIf(&draft.date, in.Date)
		setIf(&draft.description, in.Description)
		setIf(&draft.reference, in.Reference)
		setIf(&draft.currency, in.Currency)
		if in.Lines != nil {
			draft.lines = *in.Lines
		}
		lines, pl, err := s.prepare(ctx, w.Tx, books, row, draft)
		if err != nil {
			return err
		}
		row.UpdatedAt = s.core.Clock.Now()
		if err := db.AcctLinesDeleteByEntry(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		if err := db.AcctEntryUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		if err := db.AcctLinesInsert(ctx, w.Tx, lines); err != nil {
			return domain.Internal(err)
		}
		out = entryOutPlaces(row, lines, pl)
		return s.recordEntry(w, p.TenantID, "journal_entry.update", "journal_entry.updated", out)
	})
	return out, err
}

// DeleteJournalEntry deletes a draft; posted entries are never deleted.
// Errors: NOT_FOUND, INVALID_STATE.
func (s *Service) DeleteJournalEntry(ctx context.Context, in EntryRef) (Deleted, error) {
	p, err := writer(ctx)
	if err != nil {
		return Deleted{}, err
	}
	var out Deleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, err := s.entry(ctx, w.Tx, p.TenantID, in.EntryID, true)
		if err != nil {
			return err
		}
		if row.Status != StatusDraft {
			return domain.Errorf(domain.CodeInvalidState, "Only draft entries can be deleted; this one is %s (reverse it instead).", row.Status)
		}
		if err := db.AcctEntryDelete(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
		out = Deleted{ID: row.ID, Deleted: true}
		if err := w.Audit(p.TenantID, "journal_entry.delete", "journal_entry", row.ID, map[string]any{"date": row.Date.Format(DateLayout)}); err != nil {
			return err
		}
		return w.Emit(p.TenantID, Topic, "journal_entry.deleted", out)
	})
	return out, err
}

// PostJournalEntry posts a draft. Errors: NOT_FOUND, INVALID_STATE,
// PERIOD_CLOSED, VALIDATION_FAILED (an account was deactivated since).
func (s *Service) PostJournalEntry(ctx context.Context, in EntryRef) (Entry, error) {
	p, err := writer(ctx)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = s.core.Write(ctx, func(w *domain.Write) error {
		row, books, lines, err := s.lockDraft(ctx, w, p.TenantID, in.EntryID, "The entry is %s already.")
		if err != nil {
			return err
		}
		if err := s.checkAccountsActive(ctx, w.Tx, p.TenantID, lines); err != nil {
			return err
		}
		if err := s.post(ctx, w, p, books, row, lines, true); err != nil {
			return err
		}
		if out, err = s.entryOut(ctx, w.Tx, row, lines, books); err != nil {
			return err
		}
		return s.recordEntry(w, p.TenantID, "journal_entry.post", "journal_entry.posted", out)
	})
	return out, err
}

// ReverseJournalEntry posts the mirror image of a posted entry and marks the
// original reversed; it answers the new entry (reversal_of names the
// original). Errors: NOT_FOUND, INVALID_STATE (a draft, or reversed
// already), PERIOD_CLOSED.
func (s *Service) ReverseJournalEntry(ctx context.Context, in ReverseInput) (Entry, error) {
	p, err := writer(ctx)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = s.core.Write(ctx, func(w *domain.Write) error {
		out, err = s.reverse(ctx, w, p, in)
		return err
	})
	return out, err
}

func (s *Service) reverse(ctx context.Context, w *domain.Write, p *domain.Principal, in ReverseInput) (Entry, error) {
	orig, err := s.entry(ctx, w.Tx, p.TenantID, in.EntryID, true)
	if err != nil {
		return Entry{}, err
	}
	switch orig.Status {
	case StatusDraft:
		return Entry{}, domain.Errorf(domain.CodeInvalidState, "A draft cannot be reversed; delete or edit it.")
	case StatusReversed:
		return Entry{}, domain.Errorf(domain.CodeInvalidState, "The entry is reversed already (by %s).", deref(orig.ReversedBy))
	}
	books, err := s.books(ctx, w.Tx, p.TenantID)
	if err != nil {
		return Entry{}, err
	}
	now := s.core.Clock.Now()
	rev := &db.AcctJournalEntry{TenantID: p.TenantID, ID: domain.NewID("je_"), Date: orig.Date,
		Description: "Reversal of " + orig.ID, Reference: orig.Reference, Currency: orig.Currency,
		ExchangeRate: orig.ExchangeRate, Status: StatusDraft, ReversalOf: &orig.ID,
		SourceType: orig.SourceType, SourceID: orig.SourceID, CreatedBy: p.ActorID(), CreatedAt: now, UpdatedAt: now}
	if orig.Description != "" {
		rev.Description = "Reversal: " + orig.Description
	}
	var v domain.Validation
	if in.Date != nil {
		if d, ok := RequiredDate(&v, "date", *in.Date); ok {
			rev.Date = d
		}
	}
	if in.Description != nil {
		rev.Description = *in.Description
		domain.CheckText(&v, "description", rev.Description, 1000, false)
	}
	if err := v.Err(); err != nil {
		return Entry{}, err
	}
	origLines, err := db.AcctLinesByEntries(ctx, w.Tx, p.TenantID, []string{orig.ID})
	if err != nil {
		return Entry{}, domain.Internal(err)
	}
	lines := make([]db.AcctJournalLine, len(origLines))
	for i, l := range origLines {
		lines[i] = db.AcctJournalLine{TenantID: p.TenantID, ID: domain.NewID("jl_"), EntryID: rev.ID, LineNo: l.LineNo,
			AccountID: l.AccountID, Description: l.Description, Debit: l.Credit, Credit: l.Debit,
			BaseDebit: l.BaseCredit, BaseCredit: l.BaseDebit, TaxCodeID: l.TaxCodeID, Date: rev.Date}
	}
	if err := s.post(ctx, w, p, books, rev, lines, false); err != nil {
		return Entry{}, err
	}
	if err := db.AcctEntryInsert(ctx, w.Tx, rev); err != nil {
		return Entry{}, domain.Internal(err)
	}
	if err := db.AcctLinesInsert(ctx, w.Tx, lines); err != nil {
		return Entry{}, domain.Internal(err)
	}
	orig.Status, orig.ReversedBy, orig.UpdatedAt = StatusReversed, &rev.ID, now
	if err := db.AcctEntryUpdate(ctx, w.Tx, orig); err != nil {
		return Entry{}, domain.Internal(err)
	}
	out, err := s.entryOut(ctx, w.Tx, rev, lines, books)
	if err != nil {
		return Entry{}, err
	}
	return out, s.recordEntry(w, p.TenantID, "journal_entry.reverse", "journal_entry.reversed", out)
}

// post makes an entry count: the period must be open (checked under the
// shared books lock, so no close interleaves), the entry and its lines are
// marked posted and their base amounts roll into the daily balances. An
// entry that is not stored yet (created posted) is only marked in memory:
// the caller inserts it afterwards, saving two updates.
func (s *Service) post(ctx context.Context, w *domain.Write, p *domain.Principal, books *db.AcctBooks,
	row *db.AcctJournalEntry, lines []db.AcctJournalLine, stored bool) error {
	if err := db.AcctLockTenantBooks(ctx, w.Tx, p.TenantID, false); err != nil {
		return domain.Internal(err)
	}
	if err := s.checkPeriodOpen(ctx, w.Tx, p.TenantID, row.Date); err != nil {
		return err
	}
	now := s.core.Clock.Now()
	actor := p.ActorID()
	row.Status, row.PostedAt, row.PostedBy, row.UpdatedAt = StatusPosted, &now, &actor, now
	for i := range lines {
		lines[i].Posted = true
	}
	if stored {
		if err := db.AcctEntryUpdate(ctx, w.Tx, row); err != nil {
			return domain.Internal(err)
		}
		if err := db.AcctLinesMarkPosted(ctx, w.Tx, p.TenantID, row.ID); err != nil {
			return domain.Internal(err)
		}
	}
	accounts, debits, credits := rollUp(lines)
	if err := db.AcctDailyBalancesAdd(ctx, w.Tx, p.TenantID, row.Date, accounts, debits, credits); err != nil {
		return domain.Internal(err)
	}
	if books.FirstPostedAt == nil { // freezes the base currency
		if err := db.AcctBooksMarkPosted(ctx, w.Tx, p.TenantID, now); err != nil {
			return domain.Internal(err)
		}
		books.FirstPostedAt = &now
	}
	return nil
}

// rollUp sums base amounts per account, sorted by account id.
func rollUp(lines []db.AcctJournalLine) (accounts, debits, credits []string) {
	sums := map[string][2]decimal.Decimal{}
	for _, l := range lines {
		v := sums[l.AccountID]
		sums[l.AccountID] = [2]decimal.Decimal{v[0].Add(l.BaseDebit), v[1].Add(l.BaseCredit)}
	}
	for a := range sums {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		debits = append(debits, sums[a][0].String())
		credits = append(credits, sums[a][1].String())
	}
	return accounts, debits, credits
}

func (s *Service) checkAccountsActive(ctx context.Context, idb bun.IDB, tenantID string, lines []db.AcctJournalLine) error {
	ids := make([]string, 0, len(lines))
	for _, l := range lines {
		ids = append(ids, l.AccountID)
	}
	accounts, err := db.AcctAccountsByIDs(ctx, idb, tenantID, ids)
	if err != nil {
		return domain.Internal(err)
	}
	for _, a := range accounts {
		if !a.IsActive {
			return domain.Invalid("lines", "account "+a.Code+" is inactive")
		}
	}
	return nil
}

// lockDraft loads and locks a draft entry with the books and its lines;
// any other status is 409 INVALID_STATE with refusal (a format taking it).
func (s *Service) lockDraft(ctx context.Context, w *domain.Write, tenantID, entryID, refusal string) (*db.AcctJournalEntry, *db.AcctBooks, []db.AcctJournalLine, error) {
	row, err := s.entry(ctx, w.Tx, tenantID, entryID, true)
	if err != nil {
		return nil, nil, nil, err
	}
	if row.Status != StatusDraft {
		return nil, nil, nil, domain.Errorf(domain.CodeInvalidState, refusal, row.Status)
	}
	books, err := s.books(ctx, w.Tx, tenantID)
	if err != nil {
		return nil, nil, nil, err
	}
	lines, err := db.AcctLinesByEntries(ctx, w.Tx, tenantID, []string{row.ID})
	if err != nil {
		return nil, nil, nil, domain.Internal(err)
	}
	return row, books, lines, nil
}

func (s *Service) entry(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AcctJournalEntry, error) {
	if !domain.ValidID("je_", id) {
		return nil, domain.NotFound("Journal entry")
	}
	row, err := db.AcctEntryGet(ctx, idb, tenantID, id, forUpdate)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("Journal entry")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return row, nil
}

func (s *Service) recordEntry(w *domain.Write, tenantID, action, event string, e Entry) error {
	if err := w.Audit(tenantID, action, "journal_entry", e.ID, map[string]any{"status": e.Status,
		"date": e.Date, "total": e.TotalDebit, "currency": e.Currency}); err != nil {
		return err
	}
	return w.Emit(tenantID, Topic, event, e)
}

// withLines loads the lines of rows and builds the answers.
func (s *Service) withLines(ctx context.Context, idb bun.IDB, tenantID string, rows []db.AcctJournalEntry) ([]Entry, error) {
	out := make([]Entry, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	books, err := s.books(ctx, idb, tenantID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	lines, err := db.AcctLinesByEntries(ctx, idb, tenantID, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	byEntry := map[string][]db.AcctJournalLine{}
	for _, l := range lines {
		byEntry[l.EntryID] = append(byEntry[l.EntryID], l)
	}
	places := map[string]currencyPlaces{}
	for i := range rows {
		pl, ok := places[rows[i].Currency]
		if !ok {
			if pl, err = s.placesOf(ctx, idb, tenantID, rows[i].Currency, books.BaseCurrency); err != nil {
				return nil, err
			}
			places[rows[i].Currency] = pl
		}
		out = append(out, entryOutPlaces(&rows[i], byEntry[rows[i].ID], pl))
	}
	return out, nil
}

// entryOut builds the answer for an entry whose lines are at hand.
func (s *Service) entryOut(ctx context.Context, idb bun.IDB, row *db.AcctJournalEntry, lines []db.AcctJournalLine, books *db.AcctBooks) (Entry, error) {
	pl, err := s.placesOf(ctx, idb, row.TenantID, row.Currency, books.BaseCurrency)
	if err != nil {
		return Entry{}, err
	}
	return entryOutPlaces(row, lines, pl), nil
}

// currencyPlaces are the decimal places of an entry's currency and of the base.
type currencyPlaces struct{ entry, base int32 }

func (s *Service) placesOf(ctx context.Context, idb bun.IDB, tenantID, currency, base string) (currencyPlaces, error) {
	p, err := s.places(ctx, idb, tenantID, currency, "currency")
	if err != nil {
		return currencyPlaces{}, err
	}
	b := p
	if currency != base {
		if b, err = s.places(ctx, idb, tenantID, base, "currency"); err != nil {
			return currencyPlaces{}, err
		}
	}
	return currencyPlaces{entry: p, base: b}, nil
}

func entryOutPlaces(row *db.AcctJournalEntry, lines []db.AcctJournalLine, pl currencyPlaces) Entry {
	places, basePlaces := pl.entry, pl.base
	e := Entry{ID: row.ID, Date: DateOf(row.Date), Description: row.Description, Reference: row.Reference,
		Currency: row.Currency, ExchangeRate: Amount{Decimal: row.ExchangeRate}, Status: row.Status,
		ReversalOf: row.ReversalOf, ReversedBy: row.ReversedBy, Lines: make([]Line, len(lines)),
		PostedAt: row.PostedAt, PostedBy: row.PostedBy, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	var td, tc decimal.Decimal
	for i, l := range lines {
		e.Lines[i] = Line{ID: l.ID, LineNo: l.LineNo, AccountID: l.AccountID, Description: l.Description,
			Debit: NewAmount(l.Debit, places), Credit: NewAmount(l.Credit, places),
			BaseDebit: NewAmount(l.BaseDebit, basePlaces), BaseCredit: NewAmount(l.BaseCredit, basePlaces), TaxCodeID: l.TaxCodeID}
		td, tc = td.Add(l.Debit), tc.Add(l.Credit)
	}
	e.TotalDebit, e.TotalCredit = NewAmount(td, places), NewAmount(tc, places)
	return e
}

func linesAsInput(lines []db.AcctJournalLine) []LineInput {
	out := make([]LineInput, len(lines))
	for i, l := range lines {
		out[i] = LineInput{AccountID: l.AccountID, Description: l.Description, TaxCodeID: l.TaxCodeID}
		if l.Debit.IsPositive() {
			out[i].Debit = &Amount{Decimal: l.Debit}
		} else {
			out[i].Credit = &Amount{Decimal: l.Credit}
		}
	}
	return out
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// RequiredDate parses a required date field (YYYY-MM-DD), recording an error
// on field in v when it is blank or malformed.
func RequiredDate(v *domain.Validation, field, s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		v.Add(field, "is required")
		return time.Time{}, false
	}
	t, err := ParseDate(s)
	if err != nil {
		v.Add(field, "must be a date (YYYY-MM-DD)")
		return time.Time{}, false
	}
	return t, true
}

// OptionalDate parses an optional date field (nil when blank).
func OptionalDate(v *domain.Validation, field, s string) *time.Time {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	t, ok := RequiredDate(v, field, s)
	if !ok {
		return nil
	}
	return &t
}
