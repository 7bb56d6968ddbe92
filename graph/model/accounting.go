package model

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/accounting"
)

// The accounting scalars. Their unmarshalers take the context to name the
// input member a bad value came in (VALIDATION_FAILED with fields, as REST
// answers) and, for Decimal literals, to read the literal as written.

// MarshalDecimal writes an exact decimal as a JSON number, byte for byte as
// REST writes it (accounting.Amount.MarshalJSON).
func MarshalDecimal(a accounting.Amount) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		b, err := a.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
}

// UnmarshalDecimal reads a number or a decimal string exactly. Variables
// arrive as json.Number (gqlgen decodes with UseNumber). Literals in the
// query arrive already converted to float64 or int64 by gqlparser, so their
// text is read back from the query document; only when it cannot be found
// (never in a resolver's arguments) is the float formatted, which is exact up
// to 15 significant digits.
func UnmarshalDecimal(ctx context.Context, v any) (accounting.Amount, error) {
	var raw string
	switch x := v.(type) {
	case string:
		raw = strconv.Quote(strings.TrimSpace(x))
	case json.Number:
		raw = x.String()
	case int64:
		raw = literal(ctx, func(lit string) bool { n, err := strconv.ParseInt(lit, 10, 64); return err == nil && n == x })
		if raw == "" {
			raw = strconv.FormatInt(x, 10)
		}
	case int:
		raw = strconv.Itoa(x)
	case int32:
		raw = strconv.FormatInt(int64(x), 10)
	case float64:
		raw = literal(ctx, func(lit string) bool { f, err := strconv.ParseFloat(lit, 64); return err == nil && f == x })
		if raw == "" {
			raw = strconv.FormatFloat(x, 'f', -1, 64)
		}
	default:
		return accounting.Amount{}, domain.Invalid(inputField(ctx), "must be a decimal number")
	}
	var a accounting.Amount
	if err := a.UnmarshalJSON([]byte(raw)); err != nil {
		return accounting.Amount{}, domain.Invalid(inputField(ctx), "must be a decimal number")
	}
	return a, nil
}

// MarshalDate writes "YYYY-MM-DD".
func MarshalDate(d accounting.Date) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		b, err := d.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
}

// UnmarshalDate reads "YYYY-MM-DD" (or the date of an RFC 3339 timestamp).
func UnmarshalDate(ctx context.Context, v any) (accounting.Date, error) {
	if s, ok := v.(string); ok {
		if t, err := accounting.ParseDate(strings.TrimSpace(s)); err == nil {
			return accounting.Date{Time: t}, nil
		}
	}
	return accounting.Date{}, domain.Invalid(inputField(ctx), "must be a date (YYYY-MM-DD)")
}

// MarshalDateString writes a date held as a string.
func MarshalDateString(s string) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(s))
		return err
	})
}

// UnmarshalDateString checks a date for domain inputs that hold it as a
// string, and passes it on as "YYYY-MM-DD".
func UnmarshalDateString(ctx context.Context, v any) (string, error) {
	d, err := UnmarshalDate(ctx, v)
	if err != nil {
		return "", err
	}
	return d.Format("2006-01-02"), nil
}

// inputPath returns the path of the input value being unmarshalled, from
// the argument down (["input", "lines", 0, "debit"]), and the field whose
// arguments hold it.
func inputPath(ctx context.Context) (*graphql.FieldContext, []*graphql.PathContext) {
	fc := graphql.GetFieldContext(ctx)
	var steps []*graphql.PathContext
	for it := graphql.GetPathContext(ctx); it != nil && it.ParentField == fc; it = it.Parent {
		steps = append(steps, it)
	}
	for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
		steps[i], steps[j] = steps[j], steps[i]
	}
	return fc, steps
}

// inputField names the value being unmarshalled as the domain (and REST)
// name it: snake_case members below the argument, "lines[0].debit"; a bare
// argument by its own name ("from").
func inputField(ctx context.Context) string {
	_, steps := inputPath(ctx)
	if len(steps) > 1 && steps[0].Field != nil && *steps[0].Field == "input" {
		steps = steps[1:]
	}
	var b strings.Builder
	for _, s := range steps {
		switch {
		case s.Index != nil:
			b.WriteString("[" + strconv.Itoa(*s.Index) + "]")
		case s.Field != nil:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(snake(*s.Field))
		}
	}
	if b.Len() == 0 {
		return "value"
	}
	return b.String()
}

// literal returns the text of the number literal being unmarshalled, found
// in the query document by its path, if it is one and matches (the parsed
// value the caller holds); "" otherwise.
func literal(ctx context.Context, matches func(string) bool) string {
	fc, steps := inputPath(ctx)
	if fc == nil || fc.Field.Field == nil || len(steps) == 0 || steps[0].Field == nil {
		return ""
	}
	arg := fc.Field.Arguments.ForName(*steps[0].Field)
	if arg == nil {
		return ""
	}
	val := arg.Value
	for _, s := range steps[1:] {
		if val == nil {
			return ""
		}
		switch {
		case val.Kind == ast.ObjectValue && s.Field != nil:
			val = val.Children.ForName(*s.Field)
		case val.Kind == ast.ListValue && s.Index != nil:
			if *s.Index < 0 || *s.Index >= len(val.Children) {
				return ""
			}
			val = val.Children[*s.Index].Value
		case s.Index != nil && *s.Index == 0:
			// A single value coerced to a list of one.
		default:
			return ""
		}
	}
	if val == nil || (val.Kind != ast.FloatValue && val.Kind != ast.IntValue) || !matches(val.Raw) {
		return ""
	}
	return val.Raw
}

// snake turns a GraphQL member name (exchangeRate) into the domain's JSON
// name (exchange_rate).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
