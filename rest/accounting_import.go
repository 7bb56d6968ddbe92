package rest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/invoicing"
)

// Bank statement import: POST /v1/accounting/bank-accounts/:id/import takes
// the lines as JSON ({"transactions": [...]}, decoded like every JSON body
// and run through the domain's ImportBankTransactions), as a CSV body
// (text/csv) or as a multipart upload whose `file` field holds a CSV or
// JSON statement. The typed adapter binds JSON only, so the route hands over
// with the raw body (Operation.WithRequest), after the usual body limit,
// content-type check and Idempotency-Key handling.

// bankImportLimit caps an import body: 10,000 lines fit comfortably.
const bankImportLimit int64 = 10 << 20

// bankImportAccepts are the content types of an import.
var bankImportAccepts = []string{JSON, "text/csv", "multipart/form-data"}

// importBankStatement serves the import route through the standard adapter
// (body limit, content types, idempotency) with the raw body.
func (a *API) importBankStatement(r *http.Request, body []byte) (any, error) {
	return a.runBankImport(r, body)
}

func (a *API) runBankImport(r *http.Request, body []byte) (invoicing.BankImportResult, error) {
	inv := a.cfg.Invoicing
	ctx := r.Context()
	bankAccountID := chi.URLParam(r, "bank_account_id")
	media, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if len(body) == 0 {
		media = JSON // no body: the JSON path reports what is missing
	}
	switch media {
	case "text/csv":
		return inv.ImportBankStatementCSV(ctx, bankAccountID, body)
	case "multipart/form-data":
		name, contentType, data, err := multipartFile(body, params["boundary"], "file")
		if err != nil {
			return invoicing.BankImportResult{}, err
		}
		return inv.ImportBankStatementFile(ctx, bankAccountID, name, contentType, data)
	default:
		var in invoicing.ImportBankTransactionsInput
		if err := bind(r, body, &in); err != nil {
			return invoicing.BankImportResult{}, err
		}
		return inv.ImportBankTransactions(ctx, in)
	}
}

// multipartFile returns the file name, content type and content of the
// form field named field of a multipart body.
func multipartFile(body []byte, boundary, field string) (string, string, []byte, error) {
	if boundary == "" {
		return "", "", nil, domain.Errorf(domain.CodeBadRequest, "The multipart Content-Type has no boundary.")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", "", nil, domain.Invalid(field, "is required (a multipart field holding the statement)")
		}
		if err != nil {
			return "", "", nil, domain.Errorf(domain.CodeBadRequest, "Malformed multipart body.")
		}
		if part.FormName() != field {
			_ = part.Close()
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return "", "", nil, domain.Errorf(domain.CodeBadRequest, "Malformed multipart body.")
		}
		return part.FileName(), part.Header.Get("Content-Type"), data, nil
	}
}
