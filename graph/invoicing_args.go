package graph

import (
	"encoding/json"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
	"github.com/platformhq/platform/domain/invoicing"
	"github.com/platformhq/platform/graph/model"
)

// Helpers turning invoicing's GraphQL values into the domain's, which hold
// them the way REST's JSON bodies arrive.

// templateOut answers a recurring entry's template (the REST create body of
// its document) as the JSON scalar, exactly as stored.
func templateOut(raw json.RawMessage) (any, error) {
	if raw == nil {
		return nil, nil
	}
	return raw, nil
}

// templateIn sets a template member from the JSON scalar's value, as the
// raw JSON REST's body would carry (null stays null, which the domain
// refuses as REST does).
func templateIn(dst *json.RawMessage, data any) error {
	return jsonIn(dst, "template", data)
}

// optionalDateIn sets a domain.Optional date member the client sent: null
// clears it. The Date scalar has checked and normalised the value already.
func optionalDateIn(dst *domain.Optional[accounting.Date], data *string) error {
	*dst = domain.Optional[accounting.Date]{Set: true}
	if data == nil {
		return nil
	}
	t, err := accounting.ParseDate(*data)
	if err != nil {
		return domain.Invalid("end_date", "must be a date (YYYY-MM-DD)")
	}
	dst.Value = &accounting.Date{Time: t}
	return nil
}

// recurringOccurrence wraps the document an executed recurring entry
// created (a journal entry or an invoice).
func recurringOccurrence(doc any) (model.RecurringOccurrence, error) {
	switch d := doc.(type) {
	case accounting.Entry:
		return model.RecurringOccurrence{Type: invoicing.RecurringJournalEntry, JournalEntry: &d}, nil
	case *accounting.Entry:
		return model.RecurringOccurrence{Type: invoicing.RecurringJournalEntry, JournalEntry: d}, nil
	case invoicing.Invoice:
		return model.RecurringOccurrence{Type: invoicing.RecurringInvoice, Invoice: &d}, nil
	case *invoicing.Invoice:
		return model.RecurringOccurrence{Type: invoicing.RecurringInvoice, Invoice: d}, nil
	}
	return model.RecurringOccurrence{}, domain.Internal(errUnknownDocument)
}

type invoicingError string

func (e invoicingError) Error() string { return string(e) }

const errUnknownDocument = invoicingError("recurring entry executed into an unknown document type")
