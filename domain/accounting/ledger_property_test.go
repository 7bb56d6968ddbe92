package accounting_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// TestLedgerProperties drives the books through a few hundred random steps
// — balanced entries (posted and drafts, in the base currency and in EUR),
// unbalanced ones, postings of drafts, reversals, draft deletions, period
// creations, closes and reopens — calling the domain service directly, and
// after every step checks the ledger's invariants against a shadow model:
//
//   - the trial balance's debit and credit totals are equal, and each of its
//     rows is the model's balance of that account;
//   - the balance sheet balances: total_assets = total_liabilities_and_equity;
//   - the profit and loss's net income for the fiscal year to date equals the
//     balance sheet's current_earnings;
//   - the general ledger of an account opens and closes at the model's
//     balances;
//   - refused steps (unbalanced entries, postings into closed periods,
//     reversals of drafts or of reversed entries, overlapping periods)
//     change nothing.
//
// The seed is logged; LEDGER_SEED=<n> replays a run, LEDGER_STEPS=<n>
// changes its length.
func TestLedgerProperties(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LEDGER_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = v
	}
	steps := 300
	if s := os.Getenv("LEDGER_STEPS"); s != "" {
		v, err := strconv.Atoi(s)
		require.NoError(t, err)
		steps = v
	}
	t.Logf("seed %d (replay with LEDGER_SEED=%d)", seed, seed)

	env := apptest.New(t, apptest.Options{NoBackground: true})
	tn := env.NewTenant(t)
	ctx := domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalKey,
		TenantID: tn.ID, KeyID: "key_test", Scopes: []string{"*"}})
	m := &ledgerModel{t: t, ctx: ctx, svc: env.App.Books, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		types: map[string]string{}, entries: map[string]*modelEntry{}}
	m.setup()

	counts := map[string]int{}
	for i := 0; i < steps; i++ {
		m.step = i
		op := m.randomStep()
		counts[op]++
		m.checkInvariants()
		if t.Failed() {
			t.Fatalf("step %d (%s) broke an invariant; seed %d", i, op, seed)
		}
	}
	t.Logf("steps: %v; %d postings in the model", counts, len(m.postings))
}

var (
	ledgerStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ledgerDays  = 731 // 2024-01-01 to 2025-12-31
	ledgerEnd   = ledgerStart.AddDate(0, 0, ledgerDays-1)
)

// eurRates are the EUR→USD rates the model stores, by effective date.
var eurRates = []struct {
	from time.Time
	rate string
}{
	{ledgerStart, "1.0837"},
	{time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), "1.0921"},
	{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "1.0412"},
}

// posting is one posted line of the model, in the base currency.
type posting struct {
	account       string
	date          time.Time
	debit, credit decimal.Decimal
}

type modelEntry struct {
	id     string
	status string
	date   time.Time
	lines  []posting // base amounts as the service answered them
}

type modelPeriod struct {
	id         string
	start, end time.Time
	closed     bool
}

type ledgerModel struct {
	t    *testing.T
	ctx  context.Context
	svc  *accounting.Service
	rng  *rand.Rand
	step int

	accounts []string          // ids
	types    map[string]string // id → type
	postings []posting
	entries  map[string]*modelEntry
	order    []string // entry ids in creation order (deterministic picks)
	periods  []*modelPeriod
}

func (m *ledgerModel) setup() {
	t := m.t
	for _, a := range []struct{ typ, sub string }{
		{"asset", "bank"}, {"asset", "accounts_receivable"}, {"asset", ""},
		{"liability", "accounts_payable"}, {"liability", "current_liability"},
		{"equity", "owners_equity"}, {"equity", "retained_earnings"},
		{"revenue", "sales"}, {"income", "other_income"},
		{"expense", "operating_expense"}, {"expense", "cost_of_sales"},
	} {
		acc, err := m.svc.CreateAccount(m.ctx, accounting.CreateAccountInput{Code: fmt.Sprintf("P%d", len(m.accounts)+1),
			Name: a.typ + " " + a.sub, Type: a.typ, SubType: a.sub})
		require.NoError(t, err)
		m.accounts = append(m.accounts, acc.ID)
		m.types[acc.ID] = acc.Type
	}
	_, err := m.svc.CreateCurrency(m.ctx, accounting.CreateCurrencyInput{Code: "EUR"})
	require.NoError(t, err)
	for _, r := range eurRates {
		_, err := m.svc.CreateExchangeRate(m.ctx, accounting.CreateExchangeRateInput{FromCurrency: "EUR", ToCurrency: "USD",
			Rate: &accounting.Amount{Decimal: decimal.RequireFromString(r.rate)}, EffectiveDate: &accounting.Date{Time: r.from}})
		require.NoError(t, err)
	}
}

// randomStep runs one random operation and checks its answer; it returns
// the operation's name.
func (m *ledgerModel) randomStep() string {
	switch r := m.rng.IntN(100); {
	case r < 30:
		m.createBalanced(true)
		return "post"
	case r < 38:
		m.createBalanced(false)
		return "draft"
	case r < 45:
		m.postDraft()
		return "post-draft"
	case r < 55:
		m.createUnbalanced()
		return "unbalanced"
	case r < 68:
		m.reverse()
		return "reverse"
	case r < 71:
		m.deleteDraft()
		return "delete-draft"
	case r < 80:
		m.createPeriod()
		return "create-period"
	case r < 92:
		m.closePeriod()
		return "close-period"
	default:
		m.reopenPeriod()
		return "reopen-period"
	}
}

func (m *ledgerModel) randomDate() time.Time {
	return ledgerStart.AddDate(0, 0, m.rng.IntN(ledgerDays))
}

// closedOn returns the closed model period containing d, or nil.
func (m *ledgerModel) closedOn(d time.Time) *modelPeriod {
	for _, p := range m.periods {
		if p.closed && !d.Before(p.start) && !d.After(p.end) {
			return p
		}
	}
	return nil
}

// randomRaw is a positive amount with up to 4 decimals that rounds
// (half-even, 2 places) to at least 0.01.
func (m *ledgerModel) randomRaw() decimal.Decimal {
	var units int64
	switch m.rng.IntN(4) {
	case 0:
		units = 100 + m.rng.Int64N(10_000) // 0.0100 to 1.0099
	case 3:
		units = 100 + m.rng.Int64N(10_000_000_000) // up to 1,000,000
	default:
		units = 100 + m.rng.Int64N(10_000_000) // up to 1,000
	}
	return decimal.New(units, -4)
}

// nearly returns a raw amount with 4 decimals that rounds to target.
func (m *ledgerModel) nearly(target decimal.Decimal) decimal.Decimal {
	lo := -49
	if target.LessThanOrEqual(decimal.New(1, -2)) {
		lo = 0
	}
	j := lo + m.rng.IntN(50-lo)
	return target.Add(decimal.New(int64(j), -4))
}

type genLine struct {
	account string
	debit   bool
	raw     decimal.Decimal // as sent
}

func (g genLine) rounded() decimal.Decimal { return g.raw.RoundBank(2) }

// balancedLines draws 2 to 6 lines on random accounts whose rounded
// debits equal their rounded credits.
func (m *ledgerModel) balancedLines() []genLine {
	for {
		n := 2 + m.rng.IntN(5)
		lines := make([]genLine, 0, n)
		var net decimal.Decimal // rounded debits − credits
		for i := 0; i < n-1; i++ {
			l := genLine{account: m.accounts[m.rng.IntN(len(m.accounts))], debit: m.rng.IntN(2) == 0, raw: m.randomRaw()}
			if l.debit {
				net = net.Add(l.rounded())
			} else {
				net = net.Sub(l.rounded())
			}
			lines = append(lines, l)
		}
		if net.IsZero() {
			continue
		}
		last := genLine{account: m.accounts[m.rng.IntN(len(m.accounts))], debit: net.IsNegative(), raw: m.nearly(net.Abs())}
		require.True(m.t, last.rounded().Equal(net.Abs()))
		lines = append(lines, last)
		m.rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		return lines
	}
}

// netOf is rounded debits − rounded credits.
func netOf(lines []genLine) decimal.Decimal {
	var net decimal.Decimal
	for _, l := range lines {
		if l.debit {
			net = net.Add(l.rounded())
		} else {
			net = net.Sub(l.rounded())
		}
	}
	return net
}

func toInput(lines []genLine) []accounting.LineInput {
	out := make([]accounting.LineInput, len(lines))
	for i, l := range lines {
		a := &accounting.Amount{Decimal: l.raw}
		out[i] = accounting.LineInput{AccountID: l.account}
		if l.debit {
			out[i].Debit = a
		} else {
			out[i].Credit = a
		}
	}
	return out
}

// eurRateOn is the model's EUR→USD rate on d.
func eurRateOn(d time.Time) decimal.Decimal {
	rate := ""
	for _, r := range eurRates {
		if !d.Before(r.from) {
			rate = r.rate
		}
	}
	return decimal.RequireFromString(rate)
}

// createBalanced creates a balanced entry, posted or a draft, in USD or
// (one in four) EUR at the stored or an explicit rate.
func (m *ledgerModel) createBalanced(post bool) {
	t := m.t
	lines := m.balancedLines()
	date := m.randomDate()
	in := accounting.CreateEntryInput{Date: date.Format("2006-01-02"), Description: fmt.Sprintf("step %d", m.step),
		Lines: toInput(lines), Post: post}
	rate := decimal.NewFromInt(1)
	if m.rng.IntN(4) == 0 {
		in.Currency = "EUR"
		rate = eurRateOn(date)
		if m.rng.IntN(3) == 0 {
			rate = decimal.New(8000+m.rng.Int64N(5000), -4) // 0.8000 to 1.2999
			in.ExchangeRate = &accounting.Amount{Decimal: rate}
		}
	}
	e, err := m.svc.CreateJournalEntry(m.ctx, in)
	if post && m.closedOn(date) != nil {
		requireCode(t, err, domain.CodePeriodClosed)
		return
	}
	require.NoError(t, err, "step %d: balanced entry %+v", m.step, in)
	wantStatus := accounting.StatusDraft
	if post {
		wantStatus = accounting.StatusPosted
	}
	require.Equal(t, wantStatus, e.Status)
	require.True(t, rate.Equal(e.ExchangeRate.Decimal), "rate %s, want %s", e.ExchangeRate.Decimal, rate)
	me := &modelEntry{id: e.ID, status: e.Status, date: date, lines: m.checkLines(e, lines, rate)}
	m.entries[e.ID] = me
	m.order = append(m.order, e.ID)
	if post {
		m.postings = append(m.postings, me.lines...)
	}
}

// checkLines checks an answer's lines against what was sent: amounts
// rounded half-even to 2 places, base amounts within rounding of amount ×
// rate and balancing exactly; it returns the base postings.
func (m *ledgerModel) checkLines(e accounting.Entry, sent []genLine, rate decimal.Decimal) []posting {
	t := m.t
	require.Len(t, e.Lines, len(sent))
	var bd, bc decimal.Decimal
	out := make([]posting, len(sent))
	slack := decimal.New(int64(len(sent)), -2) // a residual of at most ½ cent per line
	for i, l := range e.Lines {
		s := sent[i]
		require.Equal(t, s.account, l.AccountID)
		amount, base := l.Credit.Decimal, l.BaseCredit.Decimal
		if s.debit {
			amount, base = l.Debit.Decimal, l.BaseDebit.Decimal
			require.True(t, l.Credit.Decimal.IsZero() && l.BaseCredit.Decimal.IsZero())
		} else {
			require.True(t, l.Debit.Decimal.IsZero() && l.BaseDebit.Decimal.IsZero())
		}
		require.True(t, s.rounded().Equal(amount), "line %d: %s rounds to %s, got %s", i, s.raw, s.rounded(), amount)
		require.True(t, base.Equal(base.Round(2)), "base amounts have the base currency's places: %s", base)
		require.True(t, base.Sub(amount.Mul(rate)).Abs().LessThanOrEqual(slack), "line %d: base %s for %s × %s", i, base, amount, rate)
		bd, bc = bd.Add(l.BaseDebit.Decimal), bc.Add(l.BaseCredit.Decimal)
		out[i] = posting{account: l.AccountID, date: e.Date.Time, debit: l.BaseDebit.Decimal, credit: l.BaseCredit.Decimal}
	}
	require.True(t, bd.Equal(bc), "base debits %s = base credits %s", bd, bc)
	require.True(t, e.TotalDebit.Decimal.Equal(e.TotalCredit.Decimal))
	return out
}

// createUnbalanced sends an entry whose rounded debits and credits differ:
// it must be refused on `lines`, whatever its date, and change nothing.
func (m *ledgerModel) createUnbalanced() {
	lines := m.balancedLines()
	if m.rng.IntN(4) == 0 {
		// Balanced as sent, not once rounded: 1.005 + 1.005 ≠ 2.01.
		a, b := m.accounts[m.rng.IntN(len(m.accounts))], m.accounts[m.rng.IntN(len(m.accounts))]
		lines = []genLine{{a, true, decimal.RequireFromString("1.005")}, {a, true, decimal.RequireFromString("1.005")},
			{b, false, decimal.RequireFromString("2.01")}}
	} else {
		// Move one line by 0.01 to 500.00, keeping it at least 0.01 once
		// rounded (half-even ties can swallow a cent: draw again then).
		for {
			i := m.rng.IntN(len(lines))
			delta := decimal.New(1+m.rng.Int64N(50_000), -2)
			if m.rng.IntN(2) == 0 {
				delta = delta.Neg()
			}
			moved := append([]genLine(nil), lines...)
			moved[i].raw = moved[i].raw.Add(delta)
			if moved[i].rounded().LessThan(decimal.New(1, -2)) || netOf(moved).IsZero() {
				continue
			}
			lines = moved
			break
		}
	}
	in := accounting.CreateEntryInput{Date: m.randomDate().Format("2006-01-02"), Lines: toInput(lines), Post: m.rng.IntN(2) == 0}
	if m.rng.IntN(4) == 0 {
		in.Currency = "EUR"
	}
	_, err := m.svc.CreateJournalEntry(m.ctx, in)
	requireCode(m.t, err, domain.CodeValidationFailed, "lines")
}

// pick returns a random model entry with one of the statuses, or nil.
func (m *ledgerModel) pick(statuses ...string) *modelEntry {
	var ids []string
	for _, id := range m.order {
		if e, ok := m.entries[id]; ok && slices.Contains(statuses, e.status) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return m.entries[ids[m.rng.IntN(len(ids))]]
}

func (m *ledgerModel) postDraft() {
	t := m.t
	d := m.pick(accounting.StatusDraft)
	if d == nil {
		m.createBalanced(false)
		return
	}
	e, err := m.svc.PostJournalEntry(m.ctx, accounting.EntryRef{EntryID: d.id})
	if m.closedOn(d.date) != nil {
		requireCode(t, err, domain.CodePeriodClosed)
		return
	}
	require.NoError(t, err)
	require.Equal(t, accounting.StatusPosted, e.Status)
	require.Len(t, e.Lines, len(d.lines))
	for i, l := range e.Lines {
		require.True(t, l.BaseDebit.Decimal.Equal(d.lines[i].debit) && l.BaseCredit.Decimal.Equal(d.lines[i].credit),
			"posting keeps the draft's base amounts")
	}
	d.status = accounting.StatusPosted
	m.postings = append(m.postings, d.lines...)
	// Posting twice is refused.
	_, err = m.svc.PostJournalEntry(m.ctx, accounting.EntryRef{EntryID: d.id})
	requireCode(t, err, domain.CodeInvalidState)
}

func (m *ledgerModel) deleteDraft() {
	t := m.t
	d := m.pick(accounting.StatusDraft)
	if d == nil {
		m.createBalanced(false)
		return
	}
	_, err := m.svc.DeleteJournalEntry(m.ctx, accounting.EntryRef{EntryID: d.id})
	require.NoError(t, err)
	delete(m.entries, d.id)
	// A posted one is never deleted.
	if p := m.pick(accounting.StatusPosted, accounting.StatusReversed); p != nil {
		_, err := m.svc.DeleteJournalEntry(m.ctx, accounting.EntryRef{EntryID: p.id})
		requireCode(t, err, domain.CodeInvalidState)
	}
}

// reverse reverses a posted entry (dated like it or on a random date); one
// time in five it tries a draft or a reversed entry instead, which must be
// refused.
func (m *ledgerModel) reverse() {
	t := m.t
	if m.rng.IntN(5) == 0 {
		if e := m.pick(accounting.StatusDraft, accounting.StatusReversed); e != nil {
			_, err := m.svc.ReverseJournalEntry(m.ctx, accounting.ReverseInput{EntryID: e.id})
			requireCode(t, err, domain.CodeInvalidState)
			return
		}
	}
	orig := m.pick(accounting.StatusPosted)
	if orig == nil {
		m.createBalanced(true)
		return
	}
	in := accounting.ReverseInput{EntryID: orig.id}
	date := orig.date
	if m.rng.IntN(2) == 0 {
		date = m.randomDate()
		s := date.Format("2006-01-02")
		in.Date = &s
	}
	rev, err := m.svc.ReverseJournalEntry(m.ctx, in)
	if m.closedOn(date) != nil {
		requireCode(t, err, domain.CodePeriodClosed)
		return
	}
	require.NoError(t, err)
	require.Equal(t, accounting.StatusPosted, rev.Status)
	require.NotNil(t, rev.ReversalOf)
	require.Equal(t, orig.id, *rev.ReversalOf)
	require.Equal(t, date.Format("2006-01-02"), rev.Date.Format("2006-01-02"))
	require.Len(t, rev.Lines, len(orig.lines))
	me := &modelEntry{id: rev.ID, status: accounting.StatusPosted, date: date}
	for i, l := range rev.Lines {
		o := orig.lines[i]
		require.Equal(t, o.account, l.AccountID)
		require.True(t, l.BaseDebit.Decimal.Equal(o.credit) && l.BaseCredit.Decimal.Equal(o.debit), "the mirror image")
		me.lines = append(me.lines, posting{account: o.account, date: date, debit: o.credit, credit: o.debit})
	}
	got, err := m.svc.GetEntry(m.ctx, accounting.EntryRef{EntryID: orig.id})
	require.NoError(t, err)
	require.Equal(t, accounting.StatusReversed, got.Status)
	require.NotNil(t, got.ReversedBy)
	require.Equal(t, rev.ID, *got.ReversedBy)
	orig.status = accounting.StatusReversed
	m.entries[rev.ID] = me
	m.order = append(m.order, rev.ID)
	m.postings = append(m.postings, me.lines...)
}

// createPeriod adds a period of 1 to 120 days; one overlapping another is
// refused (409 CONFLICT).
func (m *ledgerModel) createPeriod() {
	t := m.t
	start := m.randomDate()
	end := start.AddDate(0, 0, m.rng.IntN(120))
	overlaps := false
	for _, p := range m.periods {
		if !start.After(p.end) && !end.Before(p.start) {
			overlaps = true
		}
	}
	p, err := m.svc.CreatePeriod(m.ctx, accounting.CreatePeriodInput{Name: fmt.Sprintf("P%d", m.step),
		StartDate: &accounting.Date{Time: start}, EndDate: &accounting.Date{Time: end}})
	if overlaps {
		requireCode(t, err, domain.CodeConflict)
		return
	}
	require.NoError(t, err)
	require.Equal(t, accounting.PeriodOpen, p.Status)
	m.periods = append(m.periods, &modelPeriod{id: p.ID, start: start, end: end})
}

func (m *ledgerModel) pickPeriod(closed bool) *modelPeriod {
	var ps []*modelPeriod
	for _, p := range m.periods {
		if p.closed == closed {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return ps[m.rng.IntN(len(ps))]
}

func (m *ledgerModel) closePeriod() {
	t := m.t
	p := m.pickPeriod(false)
	if p == nil {
		m.createPeriod()
		return
	}
	got, err := m.svc.ClosePeriod(m.ctx, accounting.PeriodRef{PeriodID: p.id})
	require.NoError(t, err)
	require.Equal(t, accounting.PeriodClosed, got.Status)
	p.closed = true
	_, err = m.svc.ClosePeriod(m.ctx, accounting.PeriodRef{PeriodID: p.id})
	requireCode(t, err, domain.CodeInvalidState)
}

func (m *ledgerModel) reopenPeriod() {
	t := m.t
	p := m.pickPeriod(true)
	if p == nil {
		m.closePeriod()
		return
	}
	got, err := m.svc.ReopenPeriod(m.ctx, accounting.PeriodRef{PeriodID: p.id})
	require.NoError(t, err)
	require.Equal(t, accounting.PeriodOpen, got.Status)
	p.closed = false
}

// balances are the model's (debit, credit) sums per account over postings
// dated in [from, to] (from zero: no lower bound).
func (m *ledgerModel) balances(from, to time.Time) map[string][2]decimal.Decimal {
	out := map[string][2]decimal.Decimal{}
	for _, p := range m.postings {
		if p.date.After(to) || (!from.IsZero() && p.date.Before(from)) {
			continue
		}
		v := out[p.account]
		out[p.account] = [2]decimal.Decimal{v[0].Add(p.debit), v[1].Add(p.credit)}
	}
	return out
}

func natural(typ string, v [2]decimal.Decimal) decimal.Decimal {
	if accounting.DebitNormal(typ) {
		return v[0].Sub(v[1])
	}
	return v[1].Sub(v[0])
}

// checkInvariants runs the reports at the end of the range and at a random
// date and compares them with each other and with the model.
func (m *ledgerModel) checkInvariants() {
	t := m.t
	list, err := m.svc.ListEntries(m.ctx, accounting.ListEntriesInput{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, len(m.entries), list.Total, "entries recorded")
	for _, asOf := range []time.Time{ledgerEnd, m.randomDate()} {
		m.checkAt(asOf)
	}
	if m.step%10 == 0 {
		m.checkLedger(m.randomDate())
	}
}

func (m *ledgerModel) checkAt(asOf time.Time) {
	t := m.t
	day := asOf.Format("2006-01-02")
	fyStart := time.Date(asOf.Year(), 1, 1, 0, 0, 0, 0, time.UTC)

	tb, err := m.svc.TrialBalance(m.ctx, accounting.TrialBalanceInput{AsOf: day})
	require.NoError(t, err)
	require.True(t, tb.Totals.Debit.Decimal.Equal(tb.Totals.Credit.Decimal),
		"trial balance at %s: debits %s, credits %s", day, tb.Totals.Debit.Decimal, tb.Totals.Credit.Decimal)
	want := map[string]decimal.Decimal{}
	for acct, v := range m.balances(time.Time{}, asOf) {
		if bal := natural(m.types[acct], v); !bal.IsZero() {
			want[acct] = bal
		}
	}
	got := map[string]decimal.Decimal{}
	for _, r := range tb.Rows {
		require.Equal(t, m.types[r.AccountID], r.Type)
		if accounting.DebitNormal(r.Type) {
			require.True(t, r.Credit.Decimal.IsZero(), "a debit-normal account's balance is in debit: %+v", r)
			got[r.AccountID] = r.Debit.Decimal
		} else {
			require.True(t, r.Debit.Decimal.IsZero(), "a credit-normal account's balance is in credit: %+v", r)
			got[r.AccountID] = r.Credit.Decimal
		}
	}
	require.Equal(t, fmtBalances(want), fmtBalances(got), "trial balance rows at %s equal the model", day)

	bs, err := m.svc.BalanceSheet(m.ctx, accounting.BalanceSheetInput{AsOf: day})
	require.NoError(t, err)
	require.True(t, bs.TotalAssets.Decimal.Equal(bs.TotalLiabilitiesAndEquity.Decimal),
		"balance sheet at %s: assets %s, liabilities and equity %s", day, bs.TotalAssets.Decimal, bs.TotalLiabilitiesAndEquity.Decimal)
	var assets decimal.Decimal
	for acct, bal := range want {
		if m.types[acct] == accounting.TypeAsset {
			assets = assets.Add(bal)
		}
	}
	require.True(t, assets.Equal(bs.TotalAssets.Decimal), "total assets %s, model %s", bs.TotalAssets.Decimal, assets)

	pl, err := m.svc.ProfitAndLoss(m.ctx, accounting.ProfitAndLossInput{From: fyStart.Format("2006-01-02"), To: day})
	require.NoError(t, err)
	require.True(t, pl.NetIncome.Decimal.Equal(bs.CurrentEarnings.Decimal),
		"net income for the year to %s (%s) = current earnings (%s)", day, pl.NetIncome.Decimal, bs.CurrentEarnings.Decimal)
	var net decimal.Decimal
	for acct, v := range m.balances(fyStart, asOf) {
		switch m.types[acct] {
		case accounting.TypeIncome:
			net = net.Add(natural(accounting.TypeIncome, v))
		case accounting.TypeExpense:
			net = net.Sub(natural(accounting.TypeExpense, v))
		}
	}
	require.True(t, net.Equal(pl.NetIncome.Decimal), "net income %s, model %s", pl.NetIncome.Decimal, net)
}

// checkLedger checks one random account's general ledger for the fiscal
// year to asOf: opening, running and closing balances against the model.
func (m *ledgerModel) checkLedger(asOf time.Time) {
	t := m.t
	acct := m.accounts[m.rng.IntN(len(m.accounts))]
	from := time.Date(asOf.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	gl, err := m.svc.GeneralLedger(m.ctx, accounting.GeneralLedgerInput{From: from.Format("2006-01-02"),
		To: asOf.Format("2006-01-02"), AccountID: acct})
	require.NoError(t, err)
	require.Len(t, gl.Accounts, 1)
	a := gl.Accounts[0]
	typ := m.types[acct]
	opening := natural(typ, m.balances(time.Time{}, from.AddDate(0, 0, -1))[acct])
	closing := natural(typ, m.balances(time.Time{}, asOf)[acct])
	require.True(t, opening.Equal(a.OpeningBalance.Decimal), "opening %s, model %s", a.OpeningBalance.Decimal, opening)
	require.True(t, closing.Equal(a.ClosingBalance.Decimal), "closing %s, model %s", a.ClosingBalance.Decimal, closing)
	n := 0
	for _, p := range m.postings {
		if p.account == acct && !p.date.Before(from) && !p.date.After(asOf) {
			n++
		}
	}
	require.Len(t, a.Entries, n)
	running := opening
	for _, e := range a.Entries {
		running = running.Add(natural(typ, [2]decimal.Decimal{e.Debit.Decimal, e.Credit.Decimal}))
		require.True(t, running.Equal(e.Balance.Decimal), "running balance %s, model %s", e.Balance.Decimal, running)
	}
}

func fmtBalances(b map[string]decimal.Decimal) map[string]string {
	out := map[string]string{}
	for k, v := range b {
		out[k] = v.StringFixed(2)
	}
	return out
}

// requireCode checks that err is a domain error with code, naming fields.
func requireCode(t *testing.T, err error, code string, fields ...string) {
	t.Helper()
	require.Error(t, err, "want %s", code)
	de := domain.AsError(err)
	require.Equal(t, code, de.Code, "%v", err)
	for _, f := range fields {
		require.Contains(t, de.Fields, f, "%v", err)
	}
}
