package invoicing

import (
	"github.com/shopspring/decimal"
)

// Invoice tax math. Tax is computed per line and rounded half-even to the
// invoice currency's decimal places; an invoice's totals are the sums of its
// rounded lines (contract: "tax is computed per line, half-even, and totals
// are sums of the rounded lines"). Every step is exact decimal arithmetic.

// InvoiceLineTerms is the tax a line carries: a percentage rate (10 is 10%),
// contained in the line amount (inclusive) or added on top (exclusive).
type InvoiceLineTerms struct {
	Rate      decimal.Decimal
	Inclusive bool
}

// InvoiceLineAmounts are a line's rounded amounts: Net + Tax = Gross.
type InvoiceLineAmounts struct {
	Net, Tax, Gross decimal.Decimal
}

// ComputeInvoiceLine returns a line's amounts in a currency with places decimals.
// Without terms the line has no tax. Exclusive: net = quantity × unit price
// rounded half-even, tax = net × rate/100 rounded half-even, gross = net +
// tax. Inclusive: quantity × unit price rounded half-even is the gross, net
// = gross ÷ (1 + rate/100) rounded half-even, tax = gross − net.
func ComputeInvoiceLine(quantity, unitPrice decimal.Decimal, terms *InvoiceLineTerms, places int32) InvoiceLineAmounts {
	amount := quantity.Mul(unitPrice).RoundBank(places)
	if terms == nil || terms.Rate.IsZero() {
		return InvoiceLineAmounts{Net: amount, Tax: decimal.Zero, Gross: amount}
	}
	if terms.Inclusive {
		divisor := decimal.NewFromInt(1).Add(terms.Rate.Shift(-2))
		net := invDivRoundBank(amount, divisor, places)
		return InvoiceLineAmounts{Net: net, Tax: amount.Sub(net), Gross: amount}
	}
	tax := amount.Mul(terms.Rate).Shift(-2).RoundBank(places)
	return InvoiceLineAmounts{Net: amount, Tax: tax, Gross: amount.Add(tax)}
}

// InvoiceTotals sums rounded lines: subtotal = Σ net, tax total = Σ tax,
// total = subtotal + tax total.
func InvoiceTotals(lines []InvoiceLineAmounts) (subtotal, taxTotal, total decimal.Decimal) {
	for _, l := range lines {
		subtotal = subtotal.Add(l.Net)
		taxTotal = taxTotal.Add(l.Tax)
	}
	return subtotal, taxTotal, subtotal.Add(taxTotal)
}

// invDivRoundBank is a ÷ b rounded half-even to places decimals, exactly: the
// rounding decision compares the remainder of the exact division with half
// a unit of the last place, so no intermediate rounding can tip a tie.
// a ≥ 0 and b > 0.
func invDivRoundBank(a, b decimal.Decimal, places int32) decimal.Decimal {
	q, r := a.QuoRem(b, places) // a = b·q + r, 0 ≤ r < b·10^-places
	ulp := decimal.New(1, -places)
	cmp := r.Mul(decimal.NewFromInt(2)).Cmp(b.Mul(ulp))
	if cmp > 0 || cmp == 0 && q.Shift(places).BigInt().Bit(0) == 1 {
		q = q.Add(ulp)
	}
	return q
}

// invExactPlaces is the larger of places and the number of decimals d needs:
// a unit price or a rate is written exactly, never rounded, yet with at
// least the currency's places ("12.50", "0.125").
func invExactPlaces(d decimal.Decimal, places int32) int32 {
	k := -d.Exponent()
	for k > places && d.Truncate(k-1).Equal(d) {
		k--
	}
	if k < places {
		return places
	}
	return k
}
