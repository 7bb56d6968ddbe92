package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Ledger benchmarks: posting throughput through the domain method, and the
// reports over a tenant holding one million posted journal lines.
//
//	go test -run '^$' -bench 'PostTwo|1M' -benchtime 3x ./bench/

// booksCtx is a context acting for tenantID with every scope.
func booksCtx(tenantID string) context.Context {
	return domain.WithPrincipal(context.Background(), &domain.Principal{Kind: domain.PrincipalKey,
		TenantID: tenantID, KeyID: "key_bench", Scopes: []string{domain.ScopeAll}})
}

// twoAccounts creates a cash and a sales account.
func twoAccounts(b *testing.B, books *accounting.Service, ctx context.Context) (cash, sales string) {
	b.Helper()
	c, err := books.CreateAccount(ctx, accounting.CreateAccountInput{Code: "1000", Name: "Cash", Type: "asset", SubType: "bank"})
	if err != nil {
		b.Fatal(err)
	}
	s, err := books.CreateAccount(ctx, accounting.CreateAccountInput{Code: "4000", Name: "Sales", Type: "income", SubType: "sales"})
	if err != nil {
		b.Fatal(err)
	}
	return c.ID, s.ID
}

func twoLineEntry(cash, sales string, i int) accounting.CreateEntryInput {
	amount := &accounting.Amount{Decimal: decimal.New(int64(100+i%9900), -2)}
	return accounting.CreateEntryInput{
		Date:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365).Format("2006-01-02"),
		Description: "bench sale", Post: true,
		Lines: []accounting.LineInput{{AccountID: cash, Debit: amount}, {AccountID: sales, Credit: amount}}}
}

// BenchmarkPostTwoLineEntry creates and posts a two-line entry per
// iteration (validation, entry and lines, period check under the books
// lock, daily roll-up upsert, audit row and outbox event, one transaction).
func BenchmarkPostTwoLineEntry(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tn := env.NewTenant(b)
	ctx := booksCtx(tn.ID)
	cash, sales := twoAccounts(b, env.App.Books, ctx)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := env.App.Books.CreateJournalEntry(ctx, twoLineEntry(cash, sales, n)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "postings/s")
}

// BenchmarkPostTwoLineEntryParallel posts from several goroutines into the
// same two accounts: the daily-balance rows they share serialize the
// upserts, so this measures contention, not only throughput.
func BenchmarkPostTwoLineEntryParallel(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tn := env.NewTenant(b)
	ctx := booksCtx(tn.ID)
	cash, sales := twoAccounts(b, env.App.Books, ctx)
	var n atomic.Int64
	b.SetParallelism(4)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			if _, err := env.App.Books.CreateJournalEntry(ctx, twoLineEntry(cash, sales, i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "postings/s")
}

// TestMain drops this process's private database after the benchmarks
// when the million lines were loaded, so a run does not leave most of a
// gigabyte behind (other runs leave their small clones to dbtest).
func TestMain(m *testing.M) {
	code := m.Run()
	if million.tenantID != "" {
		dropPackageDatabase()
	}
	os.Exit(code)
}

func dropPackageDatabase() {
	u, err := url.Parse(dbtest.PackageDatabaseURL())
	name := strings.TrimPrefix(u.Path, "/")
	if err != nil || !strings.HasPrefix(name, "test_") {
		return
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, dbtest.URL(), db.Options{MaxOpenConns: 1})
	if err != nil {
		return
	}
	defer admin.Close()
	_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// Shape of the one-million-line books.
const (
	millionEntries  = 500_000 // two lines each
	millionAccounts = 50
	millionDays     = 1096 // 2024-01-01 .. 2026-12-31
)

// million is a tenant whose books hold 1,000,000 posted lines, loaded once
// per process.
var million struct {
	once     sync.Once
	tenantID string
	accounts []string
	load     time.Duration
	err      error
}

// millionBooks loads (once) 500,000 posted two-line entries across 50
// accounts and three years with set-based SQL, plus their daily roll-up,
// exactly what posting them one by one would have written.
func millionBooks(b *testing.B, env *apptest.Env) (tenantID string, accounts []string) {
	b.Helper()
	if testing.Short() {
		b.Skip("the one-million-line preload is skipped with -short")
	}
	million.once.Do(func() {
		start := time.Now()
		tn := env.NewTenant(b, "Million lines")
		ctx := booksCtx(tn.ID)
		types := []string{"asset", "liability", "equity", "income", "expense"}
		for i := range millionAccounts {
			a, err := env.App.Books.CreateAccount(ctx, accounting.CreateAccountInput{Code: fmt.Sprint(1000 + i*10),
				Name: fmt.Sprint("Account ", i), Type: types[i%len(types)]})
			if err != nil {
				million.err = err
				return
			}
			million.accounts = append(million.accounts, a.ID)
		}
		if _, err := env.App.Books.TrialBalance(ctx, accounting.TrialBalanceInput{}); err != nil { // creates the books
			million.err = err
			return
		}
		million.err = loadMillion(env, tn.ID, million.accounts)
		million.tenantID = tn.ID
		million.load = time.Since(start)
	})
	if million.err != nil {
		b.Fatal(million.err)
	}
	b.Logf("1,000,000 lines loaded in %s", million.load.Round(time.Millisecond))
	return million.tenantID, million.accounts
}

// loadMillion writes the entries, lines and daily roll-up on one
// connection, free of the server's statement timeout. Entry g debits account
// g mod 50 and credits (7g+1) mod 50 (never the same one), on day g mod
// 1096, for 1.00 .. 999.90. As a superuser (the development database) the
// foreign-key triggers are skipped: the rows are consistent by construction.
func loadMillion(env *apptest.Env, tenantID string, accounts []string) error {
	ctx := context.Background()
	conn, err := env.App.Core.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var super bool
	if err := conn.QueryRowContext(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil {
		return err
	}
	type step struct {
		sql  string
		args []any
	}
	steps := []step{{sql: "SET statement_timeout = 0"}, {sql: "BEGIN"}}
	if super {
		steps = append(steps, step{sql: "SET LOCAL session_replication_role = replica"})
	}
	steps = append(steps,
		step{`INSERT INTO acct_journal_entries (tenant_id, id, date, description, reference, currency, status, posted_at, posted_by)
		SELECT ?, 'je_m' || lpad(g::text, 7, '0'), DATE '2024-01-01' + g % ?, 'Bulk entry ' || g, 'R' || g, 'USD', 'posted', now(), 'bench'
		FROM generate_series(1, ?) g`, []any{tenantID, millionDays, millionEntries}},
		step{`INSERT INTO acct_journal_lines (tenant_id, id, entry_id, line_no, account_id, debit, credit, base_debit, base_credit, date, posted)
		SELECT ?, 'jl_m' || lpad(g::text, 7, '0') || n, 'je_m' || lpad(g::text, 7, '0'), n,
			(?::text[])[1 + CASE n WHEN 1 THEN g % 50 ELSE (7 * g + 1) % 50 END],
			CASE n WHEN 1 THEN amt ELSE 0 END, CASE n WHEN 1 THEN 0 ELSE amt END,
			CASE n WHEN 1 THEN amt ELSE 0 END, CASE n WHEN 1 THEN 0 ELSE amt END,
			DATE '2024-01-01' + g % ?, true
		FROM generate_series(1, ?) g, generate_series(1, 2) n, LATERAL (SELECT (100 + g % 99891)::numeric / 100 AS amt) a`,
			[]any{tenantID, pgdialect.Array(accounts), millionDays, millionEntries}},
		step{`INSERT INTO acct_daily_balances (tenant_id, account_id, date, debit, credit)
		SELECT tenant_id, account_id, date, sum(base_debit), sum(base_credit)
		FROM acct_journal_lines WHERE tenant_id = ? GROUP BY 1, 2, 3`, []any{tenantID}},
		step{sql: "COMMIT"},
		// Statistics and the visibility map as autovacuum would have them
		// by now, so plans and index-only scans are those of production.
		step{sql: "VACUUM (ANALYZE) acct_journal_entries, acct_journal_lines, acct_daily_balances"},
		step{sql: "RESET statement_timeout"})
	for i, st := range steps {
		if _, err := conn.ExecContext(ctx, st.sql, st.args...); err != nil {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			_, _ = conn.ExecContext(ctx, "RESET statement_timeout")
			return fmt.Errorf("preload step %d: %w", i, err)
		}
	}
	return nil
}

// BenchmarkTrialBalance1M is the trial balance at the end of three years of
// one million lines: one aggregate over ~55,000 daily-balance rows.
func BenchmarkTrialBalance1M(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tenantID, _ := millionBooks(b, env)
	ctx := booksCtx(tenantID)
	b.ReportAllocs()
	for b.Loop() {
		tb, err := env.App.Books.TrialBalance(ctx, accounting.TrialBalanceInput{AsOf: "2026-12-31"})
		if err != nil {
			b.Fatal(err)
		}
		if len(tb.Rows) != millionAccounts || !tb.Totals.Debit.Equal(tb.Totals.Credit.Decimal) {
			b.Fatalf("trial balance: %d rows, %s vs %s", len(tb.Rows), tb.Totals.Debit, tb.Totals.Credit)
		}
	}
}

// BenchmarkBalanceSheet1M is the balance sheet over the same books.
func BenchmarkBalanceSheet1M(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tenantID, _ := millionBooks(b, env)
	ctx := booksCtx(tenantID)
	b.ReportAllocs()
	for b.Loop() {
		bs, err := env.App.Books.BalanceSheet(ctx, accounting.BalanceSheetInput{AsOf: "2026-12-31"})
		if err != nil {
			b.Fatal(err)
		}
		if !bs.TotalAssets.Equal(bs.TotalLiabilitiesAndEquity.Decimal) {
			b.Fatalf("balance sheet: %s vs %s", bs.TotalAssets, bs.TotalLiabilitiesAndEquity)
		}
	}
}

// BenchmarkGeneralLedger1M is one account's general ledger for one month
// (about 550 postings, opening balance from the roll-up) in the same books.
func BenchmarkGeneralLedger1M(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tenantID, accounts := millionBooks(b, env)
	ctx := booksCtx(tenantID)
	b.ReportAllocs()
	postings := 0
	for b.Loop() {
		gl, err := env.App.Books.GeneralLedger(ctx, accounting.GeneralLedgerInput{
			AccountID: accounts[7], From: "2025-06-01", To: "2025-06-30"})
		if err != nil {
			b.Fatal(err)
		}
		if len(gl.Accounts) != 1 || len(gl.Accounts[0].Entries) == 0 {
			b.Fatalf("general ledger: %d accounts", len(gl.Accounts))
		}
		postings = len(gl.Accounts[0].Entries)
	}
	b.ReportMetric(float64(postings), "postings")
}

// BenchmarkTrialBalanceLineScan1M is the baseline the daily roll-up avoids:
// the same per-account sums computed from the million journal lines.
func BenchmarkTrialBalanceLineScan1M(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoBackground: true})
	tenantID, _ := millionBooks(b, env)
	ctx := context.Background()
	for b.Loop() {
		var rows []struct {
			AccountID string          `bun:"account_id"`
			Debit     decimal.Decimal `bun:"debit"`
			Credit    decimal.Decimal `bun:"credit"`
		}
		err := env.App.Core.DB.NewRaw(`SELECT account_id, sum(base_debit) AS debit, sum(base_credit) AS credit
			FROM acct_journal_lines WHERE tenant_id = ? AND posted AND date <= '2026-12-31'::date
			GROUP BY account_id HAVING sum(base_debit) <> sum(base_credit)`, tenantID).Scan(ctx, &rows)
		if err != nil || len(rows) != millionAccounts {
			b.Fatalf("line scan: %d rows, %v", len(rows), err)
		}
	}
}
