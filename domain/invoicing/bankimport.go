package invoicing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// Statement import.
//
// Lines arrive as JSON ({"transactions": [...]}) or as a file: CSV with a
// header row, or the same JSON. Each line is validated on its own: invalid
// lines are reported as {row, errors} (row is the 1-based position among the
// data lines, the CSV header excluded) and the valid ones are imported.
// Importing is idempotent: a line whose dedup key the bank account has
// already is skipped. The key is "ref:" + reference when the line has one,
// else "d:" + date | amount | type | description | n, where n counts the
// identical lines of the same import (1, 2, ...): the same statement
// imported twice adds nothing, while two genuinely identical lines of one
// statement are both kept.

// MaxImportLines caps the lines of one import.
const MaxImportLines = 10_000

// StatementLineInput is one statement line of an import.
type StatementLineInput struct {
	Date        string  `json:"date" required:"true" doc:"YYYY-MM-DD."`
	Description string  `json:"description"`
	Amount      *Amount `json:"amount" required:"true" doc:"Positive, in the bank account's currency."`
	Type        string  `json:"type" required:"true" doc:"credit (money in) or debit (money out)."`
	Reference   string  `json:"reference" doc:"The bank's id of the line; re-imports dedup on it when present."`
	// row is the line's position in its import (1-based).
	row int
}

// ImportBankTransactionsInput is the JSON body of POST
// .../bank-accounts/:bank_account_id/import (text/csv and multipart
// uploads carry the same lines as a file).
type ImportBankTransactionsInput struct {
	BankAccountID string               `path:"bank_account_id" json:"-"`
	Transactions  []StatementLineInput `json:"transactions" required:"true" doc:"At most 10,000 lines."`
}

// ImportRowError reports an invalid line, which was not imported.
type ImportRowError struct {
	Row    int                 `json:"row" doc:"1-based position among the data lines (a CSV header is not counted)."`
	Errors map[string][]string `json:"errors"`
}

// BankImportResult is the answer of an import.
type BankImportResult struct {
	Imported     int               `json:"imported"`
	Skipped      int               `json:"skipped" doc:"Lines imported before (duplicates)."`
	Failed       int               `json:"failed" doc:"Invalid lines, listed in errors."`
	Errors       []ImportRowError  `json:"errors"`
	Transactions []BankTransaction `json:"transactions" doc:"The lines imported by this request."`
}

// ImportBankTransactions imports statement lines given as JSON.
// Errors: NOT_FOUND (bank account), VALIDATION_FAILED (transactions missing,
// empty or over 10,000 lines), UNAUTHORIZED, INSUFFICIENT_SCOPE.
func (s *Service) ImportBankTransactions(ctx context.Context, in ImportBankTransactionsInput) (BankImportResult, error) {
	p, err := writer(ctx)
	if err != nil {
		return BankImportResult{}, err
	}
	switch {
	case in.Transactions == nil:
		return BankImportResult{}, domain.Invalid("transactions", "is required")
	case len(in.Transactions) == 0:
		return BankImportResult{}, domain.Invalid("transactions", "must have at least one line")
	case len(in.Transactions) > MaxImportLines:
		return BankImportResult{}, domain.Invalid("transactions", fmt.Sprintf("must have at most %d lines", MaxImportLines))
	}
	for i := range in.Transactions {
		in.Transactions[i].row = i + 1
	}
	return s.bankImportStatement(ctx, p, in.BankAccountID, in.Transactions, nil)
}

// ImportBankStatementFile imports an uploaded statement: JSON (an object
// with "transactions", or a bare array of lines) when the content type or
// file name says so or the data starts with '{' or '[', else CSV (see
// ParseStatementCSV). Errors: NOT_FOUND, VALIDATION_FAILED (file: empty,
// unreadable, bad header, too many lines).
func (s *Service) ImportBankStatementFile(ctx context.Context, bankAccountID, fileName, contentType string, data []byte) (BankImportResult, error) {
	p, err := writer(ctx)
	if err != nil {
		return BankImportResult{}, err
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, bankUTF8BOM))
	if len(trimmed) == 0 {
		return BankImportResult{}, domain.Invalid("file", "is empty")
	}
	isJSON := strings.Contains(contentType, "json") || strings.HasSuffix(strings.ToLower(fileName), ".json") ||
		trimmed[0] == '{' || trimmed[0] == '['
	if !isJSON {
		lines, rowErrs, err := ParseStatementCSV(bytes.NewReader(data))
		if err != nil {
			return BankImportResult{}, err
		}
		return s.bankImportStatement(ctx, p, bankAccountID, lines, rowErrs)
	}
	var lines []StatementLineInput
	if trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &lines)
	} else {
		var body struct {
			Transactions []StatementLineInput `json:"transactions"`
		}
		err = json.Unmarshal(trimmed, &body)
		lines = body.Transactions
	}
	switch {
	case err != nil:
		return BankImportResult{}, domain.Invalid("file", "is not a valid JSON statement: "+bankJSONProblem(err))
	case len(lines) == 0:
		return BankImportResult{}, domain.Invalid("file", "has no transactions")
	case len(lines) > MaxImportLines:
		return BankImportResult{}, domain.Invalid("file", fmt.Sprintf("must have at most %d lines", MaxImportLines))
	}
	for i := range lines {
		lines[i].row = i + 1
	}
	return s.bankImportStatement(ctx, p, bankAccountID, lines, nil)
}

// ImportBankStatementCSV imports a CSV statement (see ParseStatementCSV).
func (s *Service) ImportBankStatementCSV(ctx context.Context, bankAccountID string, data []byte) (BankImportResult, error) {
	return s.ImportBankStatementFile(ctx, bankAccountID, "statement.csv", "text/csv", data)
}

func bankJSONProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// bankImportStatement validates lines, skips those imported before and inserts
// the rest, under the bank account's row lock (imports of one account run
// one at a time, so the duplicate check is exact).
func (s *Service) bankImportStatement(ctx context.Context, p *domain.Principal, bankAccountID string, lines []StatementLineInput, rowErrs []ImportRowError) (BankImportResult, error) {
	var out BankImportResult
	err := s.core.Write(ctx, func(w *domain.Write) error {
		bank, err := s.bankAccount(ctx, w.Tx, p.TenantID, bankAccountID, "UPDATE")
		if err != nil {
			return err
		}
		places, err := s.books.CurrencyPlaces(ctx, w.Tx, p.TenantID, bank.Currency, "currency")
		if err != nil {
			return err
		}
		errs := append([]ImportRowError(nil), rowErrs...)
		now := s.core.Clock.Now()
		occurrences := map[string]int{}
		seen := map[string]bool{}
		var rows []db.AcctBankTransaction
		skipped := 0
		for _, l := range lines {
			row, problems := bankStatementRow(l, places)
			if problems != nil {
				errs = append(errs, ImportRowError{Row: l.row, Errors: problems})
				continue
			}
			key := "ref:" + row.Reference
			if row.Reference == "" {
				key = "d:" + row.Date.Format(dateLayout) + "|" + row.Amount.StringFixedBank(places) + "|" + row.Type + "|" + bankDedupText(row.Description)
				occurrences[key]++
				key += "|" + strconv.Itoa(occurrences[key])
			}
			if seen[key] {
				skipped++
				continue
			}
			seen[key] = true
			row.TenantID, row.ID, row.BankAccountID, row.DedupKey = p.TenantID, domain.NewID(bankTxnPrefix), bank.ID, key
			row.Status, row.CreatedAt, row.UpdatedAt = BankUnmatched, now, now
			rows = append(rows, row)
		}
		keys := make([]string, len(rows))
		for i := range rows {
			keys[i] = rows[i].DedupKey
		}
		existing, err := db.AcctBankTxnExistingKeys(ctx, w.Tx, p.TenantID, bank.ID, keys)
		if err != nil {
			return domain.Internal(err)
		}
		fresh := rows[:0]
		for _, r := range rows {
			if existing[r.DedupKey] {
				skipped++
				continue
			}
			fresh = append(fresh, r)
		}
		if err := db.AcctBankTxnInsert(ctx, w.Tx, fresh); err != nil {
			return domain.Internal(err)
		}
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
		out = BankImportResult{Imported: len(fresh), Skipped: skipped, Failed: len(errs), Errors: errs,
			Transactions: make([]BankTransaction, len(fresh))}
		if out.Errors == nil {
			out.Errors = []ImportRowError{}
		}
		for i := range fresh {
			out.Transactions[i] = bankTxnFromRow(&fresh[i], bank.Currency, places)
		}
		summary := map[string]any{"bank_account_id": bank.ID, "imported": out.Imported, "skipped": out.Skipped, "failed": out.Failed}
		if err := w.Audit(p.TenantID, "bank_transaction.import", "bank_account", bank.ID, summary); err != nil {
			return err
		}
		return w.Emit(p.TenantID, accounting.Topic, "bank_transactions.imported", summary)
	})
	return out, err
}

// bankStatementRow validates one line into a row (without ids), or answers its
// problems per field.
func bankStatementRow(l StatementLineInput, places int32) (db.AcctBankTransaction, map[string][]string) {
	var v domain.Validation
	var row db.AcctBankTransaction
	if d, ok := requiredDate(&v, "date", l.Date); ok {
		row.Date = d
	}
	row.Description = strings.TrimSpace(l.Description)
	domain.CheckText(&v, "description", row.Description, 1000, false)
	row.Reference = strings.TrimSpace(l.Reference)
	domain.CheckText(&v, "reference", row.Reference, 200, false)
	switch {
	case l.Amount == nil:
		v.Add("amount", "is required")
	case !l.Amount.IsPositive():
		v.Add("amount", "must be positive (the type says the direction)")
	case l.Amount.GreaterThanOrEqual(payMaxAmount):
		v.Add("amount", "must be below 10^15")
	default:
		row.Amount = l.Amount.Decimal
		payCheckPlaces(&v, "amount", row.Amount, places)
	}
	row.Type = strings.ToLower(strings.TrimSpace(l.Type))
	switch row.Type {
	case BankCredit, BankDebit:
	case "":
		v.Add("type", "is required")
	default:
		v.Add("type", "must be debit (money out) or credit (money in)")
	}
	if err := v.Err(); err != nil {
		return row, domain.AsError(err).Fields
	}
	return row, nil
}

// bankDedupText keeps a description short enough for the key's index.
func bankDedupText(s string) string {
	if len(s) <= 200 {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

var bankUTF8BOM = []byte("\xEF\xBB\xBF")

// bankCSVColumns maps header names (lower case, spaces and dashes as "_") to
// the fields they fill.
var bankCSVColumns = map[string]string{
	"date": "date", "transaction_date": "date", "posted_date": "date", "posting_date": "date",
	"booking_date": "date", "value_date": "date",
	"description": "description", "memo": "description", "details": "description", "narrative": "description",
	"payee": "description", "particulars": "description",
	"amount": "amount", "value": "amount",
	"type": "type", "dr_cr": "type", "direction": "type", "transaction_type": "type",
	"reference": "reference", "ref": "reference", "transaction_id": "reference", "fitid": "reference", "id": "reference",
	"debit": "debit", "withdrawal": "debit", "withdrawals": "debit", "money_out": "debit", "paid_out": "debit",
	"credit": "credit", "deposit": "credit", "deposits": "credit", "money_in": "credit", "paid_in": "credit",
}

// ParseStatementCSV reads a CSV statement: a header row naming the columns
// date, description, amount, type and reference (common aliases accepted;
// comma, semicolon or tab separated), then one line per row. type may be
// left out (or blank) when amount is signed: negative is a debit (money
// out), positive a credit (money in); a statement with separate debit and
// credit columns instead of amount and type is read too. Amounts use '.'
// as the decimal point and may carry thousands separators, a leading '+'
// or parentheses for negatives. Rows that cannot be read are answered as
// row errors; the header's problems, an unreadable file or more than
// MaxImportLines rows are VALIDATION_FAILED on file.
func ParseStatementCSV(r io.Reader) ([]StatementLineInput, []ImportRowError, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, domain.Invalid("file", "could not be read")
	}
	data = bytes.TrimPrefix(data, bankUTF8BOM)
	if !utf8.Valid(data) {
		return nil, nil, domain.Invalid("file", "must be UTF-8 text")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = bankCSVDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, domain.Invalid("file", "is empty")
	}
	if err != nil {
		return nil, nil, domain.Invalid("file", "is not valid CSV: "+err.Error())
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		name = strings.NewReplacer(" ", "_", "-", "_", "/", "_").Replace(name)
		if field, ok := bankCSVColumns[name]; ok {
			if _, dup := cols[field]; !dup {
				cols[field] = i
			}
		}
	}
	_, hasAmount := cols["amount"]
	_, hasDebit := cols["debit"]
	_, hasCredit := cols["credit"]
	if _, ok := cols["date"]; !ok || (!hasAmount && !hasDebit && !hasCredit) {
		return nil, nil, domain.Invalid("file", "the header row must name the columns date, description, amount, type and reference "+
			"(type may be left out for signed amounts; debit and credit columns may replace amount and type)")
	}
	var lines []StatementLineInput
	var rowErrs []ImportRowError
	row := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row++
				rowErrs = append(rowErrs, ImportRowError{Row: row, Errors: map[string][]string{"row": {"is not valid CSV: " + pe.Err.Error()}}})
				continue
			}
			return nil, nil, domain.Invalid("file", "is not valid CSV")
		}
		if bankBlankRecord(rec) {
			continue
		}
		row++
		if row > MaxImportLines {
			return nil, nil, domain.Invalid("file", fmt.Sprintf("must have at most %d lines", MaxImportLines))
		}
		get := func(field string) string {
			if i, ok := cols[field]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		line := StatementLineInput{Date: get("date"), Description: get("description"), Reference: get("reference"), row: row}
		problems := map[string][]string{}
		if hasAmount {
			bankCSVSignedAmount(&line, get("amount"), get("type"), problems)
		} else {
			bankCSVDebitCredit(&line, get("debit"), get("credit"), problems)
		}
		if len(problems) > 0 {
			rowErrs = append(rowErrs, ImportRowError{Row: row, Errors: problems})
			continue
		}
		lines = append(lines, line)
	}
	if row == 0 {
		return nil, nil, domain.Invalid("file", "has no lines after the header row")
	}
	return lines, rowErrs, nil
}

// bankCSVSignedAmount fills amount and type from an amount column and an
// optional type column.
func bankCSVSignedAmount(line *StatementLineInput, amount, typ string, problems map[string][]string) {
	if amount == "" {
		problems["amount"] = append(problems["amount"], "is required")
		return
	}
	d, ok := bankParseAmount(amount)
	if !ok {
		problems["amount"] = append(problems["amount"], "must be a decimal number")
		return
	}
	if d.IsZero() {
		problems["amount"] = append(problems["amount"], "must not be zero")
		return
	}
	t, known := bankStatementType(typ)
	switch {
	case typ == "" && d.IsNegative():
		t = BankDebit
	case typ == "":
		t = BankCredit
	case !known:
		problems["type"] = append(problems["type"], "must be debit (money out) or credit (money in)")
		return
	case d.IsNegative() && t == BankCredit:
		problems["amount"] = append(problems["amount"], "is negative but the type is credit (money in)")
		return
	}
	line.Amount = &Amount{Decimal: d.Abs()}
	line.Type = t
}

// bankCSVDebitCredit fills amount and type from separate debit (money out)
// and credit (money in) columns, exactly one of which holds an amount.
func bankCSVDebitCredit(line *StatementLineInput, debit, credit string, problems map[string][]string) {
	var amounts [2]decimal.Decimal
	for i, s := range []string{debit, credit} {
		if s == "" {
			continue
		}
		d, ok := bankParseAmount(s)
		if !ok {
			field := [2]string{"debit", "credit"}[i]
			problems[field] = append(problems[field], "must be a decimal number")
			return
		}
		amounts[i] = d.Abs()
	}
	switch {
	case amounts[0].IsPositive() && amounts[1].IsPositive():
		problems["amount"] = append(problems["amount"], "only one of debit and credit may hold an amount")
	case amounts[0].IsPositive():
		line.Amount, line.Type = &Amount{Decimal: amounts[0]}, BankDebit
	case amounts[1].IsPositive():
		line.Amount, line.Type = &Amount{Decimal: amounts[1]}, BankCredit
	default:
		problems["amount"] = append(problems["amount"], "is required (in the debit or the credit column)")
	}
}

func bankStatementType(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debit", "dr", "d", "withdrawal", "out":
		return BankDebit, true
	case "credit", "cr", "c", "deposit", "in":
		return BankCredit, true
	}
	return "", false
}

// bankParseAmount reads "1,234.56", "-12.00", "+3", "(45.10)".
func bankParseAmount(s string) (decimal.Decimal, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	s = strings.NewReplacer(",", "", " ", "", "\u00a0", "", "_", "").Replace(s)
	s = strings.TrimPrefix(s, "+")
	if s == "" || strings.ContainsAny(s, "eE") {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, false
	}
	if neg {
		d = d.Neg()
	}
	return d, true
}

// bankCSVDelimiter picks ',', ';' or tab: whichever the header line has most of.
func bankCSVDelimiter(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(first, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if m := bytes.Count(first, []byte(string(c))); m > n {
			best, n = c, m
		}
	}
	return best
}

func bankBlankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
