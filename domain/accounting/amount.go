package accounting

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is an exact decimal. Requests may send a JSON number or a decimal
// string (never parsed through float64); answers write a JSON number with the
// currency's decimal places ("300.30"). Places is set by the domain when it
// builds an answer; a zero Places writes the shortest exact form.
type Amount struct {
	decimal.Decimal
	Places int32
}

// NewAmount returns d to be written with places decimals.
func NewAmount(d decimal.Decimal, places int32) Amount {
	return Amount{Decimal: d.RoundBank(places), Places: places}
}

// MarshalJSON writes a JSON number.
func (a Amount) MarshalJSON() ([]byte, error) {
	if a.Places > 0 {
		return []byte(a.Decimal.StringFixedBank(a.Places)), nil
	}
	return []byte(a.Decimal.String()), nil
}

// UnmarshalJSON reads a JSON number or a string holding a decimal.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") && len(s) > 40 {
		return fmt.Errorf("not a decimal number: %q", truncate(s, 40))
	}
	a.Decimal = d
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// OpenAPISchema documents Amount as a number.
func (Amount) OpenAPISchema() map[string]any {
	return map[string]any{"type": "number", "description": "Exact decimal; requests may also send a decimal string."}
}
