package objects

import (
	"encoding/json"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"

	"github.com/platformhq/platform/domain"
)

// The 22 property data types of the contract.
const (
	TypeString    = "string"
	TypeText      = "text"
	TypeInteger   = "integer"
	TypeNumber    = "number"
	TypeDecimal   = "decimal"
	TypeBoolean   = "boolean"
	TypeDate      = "date"
	TypeDatetime  = "datetime"
	TypeTime      = "time"
	TypeEmail     = "email"
	TypePhone     = "phone"
	TypeURL       = "url"
	TypeEnum      = "enum"
	TypeMultiEnum = "multi_enum"
	TypeCurrency  = "currency"
	TypePercent   = "percent"
	TypeJSON      = "json"
	TypeArray     = "array"
	TypeUUID      = "uuid"
	TypeFile      = "file"
	TypeReference = "reference"
	TypeGeoPoint  = "geo_point"
)

// DataTypes lists every data type in documentation order.
var DataTypes = []string{TypeString, TypeText, TypeInteger, TypeNumber, TypeDecimal, TypeBoolean, TypeDate,
	TypeDatetime, TypeTime, TypeEmail, TypePhone, TypeURL, TypeEnum, TypeMultiEnum, TypeCurrency, TypePercent,
	TypeJSON, TypeArray, TypeUUID, TypeFile, TypeReference, TypeGeoPoint}

// Size limits of values.
const (
	MaxStringChars = 10_000  // string: characters (runes)
	MaxTextBytes   = 1 << 20 // text: bytes of UTF-8
	maxNumberChars = 100     // number, decimal, currency amounts: characters of the literal (decimals also written out)
	maxDecimalExp  = 1000    // decimal exponent bound (|exp|), so "1e999999999" cannot blow up
	maxJSONDepth   = 64      // nesting of json and array values
	maxEmailChars  = 320
	maxURLChars    = 2048
	maxIDChars     = 100 // file and reference ids
)

// ValidDataType reports whether t is one of the 22 data types.
func ValidDataType(t string) bool { return slices.Contains(DataTypes, t) }

// hasEnumValues reports whether a data type takes enum_values.
func hasEnumValues(t string) bool { return t == TypeEnum || t == TypeMultiEnum }

// indexable reports whether values of a data type fit a typed index row
// (is_indexed, is_sortable): scalars, and currency by its amount.
func indexable(t string) bool {
	switch t {
	case TypeJSON, TypeArray, TypeMultiEnum, TypeGeoPoint:
		return false
	}
	return true
}

// uniqueable reports whether a data type may be is_unique: the indexable
// scalars except text (up to 1 MB: too large for a unique index) and
// currency (an amount alone does not identify a money value).
func uniqueable(t string) bool {
	return indexable(t) && t != TypeText && t != TypeCurrency
}

var (
	jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
	e164       = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	clockRE    = regexp.MustCompile(`^([0-9]{2}):([0-9]{2})(:([0-9]{2}))?$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ValidateValue checks v, a value decoded from JSON with UseNumber (numbers
// are json.Number), against p's data type and returns it normalized for
// storage: datetimes in UTC, times as HH:MM:SS, integers and decimals as
// exact json.Number literals, uuids lower-case. msg is empty when v is
// valid, else a client-safe sentence fragment ("must be ...") for the
// caller to attach to the property's name. null is always valid here (it
// means "no value"); is_required is the caller's business.
//
// Objects, defaults and imports all validate through this one function.
func ValidateValue(p Property, v any) (normalized any, msg string) {
	if v == nil {
		return nil, ""
	}
	switch p.DataType {
	case TypeString:
		return checkString(v, MaxStringChars, false)
	case TypeText:
		return checkString(v, MaxTextBytes, true)
	case TypeInteger:
		return checkInteger(v)
	case TypeNumber, TypePercent:
		return checkNumber(v)
	case TypeDecimal:
		return checkDecimal(v)
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return nil, "must be true or false"
		}
		return v, ""
	case TypeDate:
		return checkDate(v)
	case TypeDatetime:
		return checkDatetime(v)
	case TypeTime:
		return checkClock(v)
	case TypeEmail:
		return checkEmail(v)
	case TypePhone:
		return checkPattern(v, e164, "must be a phone number in E.164 form (+ and up to 15 digits)")
	case TypeURL:
		return checkURL(v)
	case TypeEnum:
		return checkEnum(v, p.EnumValues)
	case TypeMultiEnum:
		return checkMultiEnum(v, p.EnumValues)
	case TypeCurrency:
		return checkCurrency(v)
	case TypeJSON:
		return checkJSON(v, 0)
	case TypeArray:
		if _, ok := v.([]any); !ok {
			return nil, "must be an array"
		}
		return checkJSON(v, 0)
	case TypeUUID:
		s, msg := checkPattern(v, uuidRE, "must be a UUID (8-4-4-4-12 hexadecimal digits)")
		if msg != "" {
			return nil, msg
		}
		return strings.ToLower(s.(string)), ""
	case TypeFile:
		return checkID(v, "must be a file id (1 to 100 characters, no spaces)", "")
	case TypeReference:
		return checkID(v, "must be an object id (obj_...)", "obj_")
	case TypeGeoPoint:
		return checkGeoPoint(v)
	}
	return nil, "has an unknown data type " + strconv.Quote(p.DataType)
}

// checkString accepts valid UTF-8 without NUL (which Postgres cannot store)
// of at most max runes, or max bytes when inBytes.
func checkString(v any, max int, inBytes bool) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, "must be a string"
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return nil, "must be valid UTF-8 without NUL characters"
	}
	if inBytes && len(s) > max {
		return nil, "must be at most " + strconv.Itoa(max) + " bytes"
	}
	if !inBytes && utf8.RuneCountInString(s) > max {
		return nil, "must be at most " + strconv.Itoa(max) + " characters"
	}
	return s, ""
}

// numberText returns the literal of a JSON number: a json.Number (checked,
// since anyone can build one) or, for callers that decoded without
// UseNumber, a finite float64 or a Go integer.
func numberText(v any) (string, bool) {
	switch n := v.(type) {
	case json.Number:
		s := string(n)
		return s, len(s) <= maxNumberChars && jsonNumber.MatchString(s)
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return "", false
		}
		return strconv.FormatFloat(n, 'g', -1, 64), true
	case int:
		return strconv.Itoa(n), true
	case int64:
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// exactDecimal parses a decimal literal within the exponent bound.
func exactDecimal(s string) (decimal.Decimal, bool) {
	if len(s) == 0 || len(s) > maxNumberChars {
		return decimal.Decimal{}, false
	}
	if !jsonNumber.MatchString(s) {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, false
	}
	if e := d.Exponent(); e > maxDecimalExp || e < -maxDecimalExp {
		return decimal.Decimal{}, false
	}
	return d, true
}

// decimalLiteral writes d exactly, keeping its scale ("12.50" stays
// "12.50") and never in exponent form.
func decimalLiteral(d decimal.Decimal) json.Number {
	if e := d.Exponent(); e < 0 {
		return json.Number(d.StringFixed(-e))
	}
	return json.Number(d.String())
}

func checkInteger(v any) (any, string) {
	const msg = "must be an integer between -9223372036854775808 and 9223372036854775807"
	s, ok := numberText(v)
	if !ok {
		return nil, msg
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(strconv.FormatInt(n, 10)), ""
	}
	// Integral values written as 1.0 or 1e3 are integers too.
	d, ok := exactDecimal(s)
	if !ok || !d.IsInteger() {
		return nil, msg
	}
	bi := d.BigInt()
	if !bi.IsInt64() {
		return nil, msg
	}
	return json.Number(strconv.FormatInt(bi.Int64(), 10)), ""
}

func checkNumber(v any) (any, string) {
	const msg = "must be a finite number"
	s, ok := numberText(v)
	if !ok {
		return nil, msg
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, msg
	}
	return json.Number(s), ""
}

// checkDecimal takes a JSON number or a decimal string and keeps every digit:
// the value never passes through float64.
func checkDecimal(v any) (any, string) {
	const msg = "must be a decimal number (a JSON number or a string such as \"12.50\")"
	var s string
	switch n := v.(type) {
	case string:
		s = n
	case json.Number:
		s = string(n)
	default:
		return nil, msg
	}
	d, ok := exactDecimal(s)
	if !ok {
		return nil, msg
	}
	// The plain literal (no exponent) obeys the length limit too, so a
	// stored value always validates again.
	lit := decimalLiteral(d)
	if len(lit) > maxNumberChars {
		return nil, msg
	}
	return lit, ""
}

func checkDate(v any) (any, string) {
	const msg = "must be a date (YYYY-MM-DD)"
	s, ok := v.(string)
	if !ok || len(s) != 10 {
		return nil, msg
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return nil, msg
	}
	return s, ""
}

func checkDatetime(v any) (any, string) {
	const msg = "must be an RFC 3339 timestamp (2026-01-15T12:00:00Z)"
	s, ok := v.(string)
	if !ok || len(s) > 64 {
		return nil, msg
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, msg
	}
	t = t.UTC()
	if t.Year() < 1 || t.Year() > 9999 { // an offset may push it out of four digits
		return nil, msg
	}
	return t.Format(time.RFC3339Nano), ""
}

// checkClock accepts HH:MM or HH:MM:SS (24-hour) and writes HH:MM:SS.
func checkClock(v any) (any, string) {
	const msg = "must be a time of day (HH:MM or HH:MM:SS)"
	s, ok := v.(string)
	if !ok {
		return nil, msg
	}
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return nil, msg
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec := 0
	if m[4] != "" {
		sec, _ = strconv.Atoi(m[4])
	}
	if h > 23 || mi > 59 || sec > 59 {
		return nil, msg
	}
	return m[1] + ":" + m[2] + ":" + pad2(sec), ""
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func checkEmail(v any) (any, string) {
	const msg = "must be an email address"
	s, ok := v.(string)
	if !ok || len(s) > maxEmailChars || strings.ContainsFunc(s, unicode.IsSpace) {
		return nil, msg
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return nil, msg
	}
	_, domainPart, ok := strings.Cut(s, "@")
	if !ok || !strings.Contains(domainPart, ".") || strings.HasPrefix(domainPart, ".") || strings.HasSuffix(domainPart, ".") {
		return nil, msg
	}
	return s, ""
}

func checkPattern(v any, re *regexp.Regexp, msg string) (any, string) {
	s, ok := v.(string)
	if !ok || !re.MatchString(s) {
		return nil, msg
	}
	return s, ""
}

func checkURL(v any) (any, string) {
	const msg = "must be an absolute http or https URL"
	s, ok := v.(string)
	if !ok || len(s) > maxURLChars || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return nil, msg
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return nil, msg
	}
	if !utf8.ValidString(s) {
		return nil, msg
	}
	return s, ""
}

func checkEnum(v any, values []string) (any, string) {
	s, ok := v.(string)
	if !ok || !slices.Contains(values, s) {
		return nil, "must be one of " + listValues(values)
	}
	return s, ""
}

func checkMultiEnum(v any, values []string) (any, string) {
	msg := "must be an array of distinct values from " + listValues(values)
	items, ok := v.([]any)
	if !ok {
		return nil, msg
	}
	out := make([]any, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok || !slices.Contains(values, s) || seen[s] {
			return nil, msg
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, ""
}

// listValues quotes up to 20 enum values for a message.
func listValues(values []string) string {
	var b strings.Builder
	for i, v := range values {
		if i == 20 {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		b.WriteString(strconv.Quote(v))
	}
	return b.String()
}

// checkCurrency accepts {"amount": <number or decimal string>, "currency":
// "<ISO 4217 code>"} and keeps the amount exact.
func checkCurrency(v any) (any, string) {
	const msg = `must be {"amount": <decimal>, "currency": "<ISO 4217 code, upper case>"}`
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return nil, msg
	}
	amount, ok1 := m["amount"]
	code, ok2 := m["currency"].(string)
	if !ok1 || !ok2 || !currencyRE.MatchString(code) {
		return nil, msg
	}
	if _, err := currency.ParseISO(code); err != nil {
		return nil, msg
	}
	n, bad := checkDecimal(amount)
	if bad != "" {
		return nil, msg
	}
	return map[string]any{"amount": n, "currency": code}, ""
}

func checkGeoPoint(v any) (any, string) {
	const msg = `must be {"lat": -90..90, "lng": -180..180}`
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return nil, msg
	}
	lat, ok1 := coordinate(m["lat"], 90)
	lng, ok2 := coordinate(m["lng"], 180)
	if !ok1 || !ok2 {
		return nil, msg
	}
	return map[string]any{"lat": lat, "lng": lng}, ""
}

func coordinate(v any, bound float64) (json.Number, bool) {
	s, ok := numberText(v)
	if !ok {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < -bound || f > bound {
		return "", false
	}
	return json.Number(s), true
}

// checkID accepts an id: 1 to 100 printable characters without spaces, with
// prefix when one is given (then a well-formed id of that kind).
func checkID(v any, msg, prefix string) (any, string) {
	s, ok := v.(string)
	if !ok || s == "" || len(s) > maxIDChars || !utf8.ValidString(s) {
		return nil, msg
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
		return nil, msg
	}
	if prefix != "" && !domain.ValidID(prefix, s) {
		return nil, msg
	}
	return s, ""
}

// checkJSON accepts any JSON value whose strings Postgres can store (valid
// UTF-8, no NUL), nested at most maxJSONDepth deep.
func checkJSON(v any, depth int) (any, string) {
	if depth > maxJSONDepth {
		return nil, "must be nested at most " + strconv.Itoa(maxJSONDepth) + " levels deep"
	}
	switch x := v.(type) {
	case nil, bool:
		return v, ""
	case json.Number, float64, int, int64:
		s, ok := numberText(x)
		if !ok {
			return nil, "must hold only finite JSON numbers"
		}
		return json.Number(s), ""
	case string:
		if !utf8.ValidString(x) || strings.ContainsRune(x, 0) {
			return nil, "must hold valid UTF-8 strings without NUL characters"
		}
		return x, ""
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			n, msg := checkJSON(it, depth+1)
			if msg != "" {
				return nil, msg
			}
			out[i] = n
		}
		return out, ""
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			if _, msg := checkJSON(k, depth+1); msg != "" {
				return nil, msg
			}
			n, msg := checkJSON(it, depth+1)
			if msg != "" {
				return nil, msg
			}
			out[k] = n
		}
		return out, ""
	}
	return nil, "must be a JSON value"
}
