package objects

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decode reads a JSON literal as request bodies are read (UseNumber).
func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), s)
	return v
}

// valueCase is one value of a data type: valid (want is the normalized
// JSON; "" means unchanged) or invalid (bad).
type valueCase struct {
	in   string
	want string
	bad  bool
}

func ok(in string) valueCase         { return valueCase{in: in} }
func norm(in, want string) valueCase { return valueCase{in: in, want: want} }
func bad(in string) valueCase        { return valueCase{in: in, bad: true} }
func jsonString(s string) string     { b, _ := json.Marshal(s); return string(b) }
func repeat(s string, n int) string  { return jsonString(strings.Repeat(s, n)) }
func enumProp(dt string) Property {
	return Property{DataType: dt, EnumValues: []string{"lead", "customer", "churned"}}
}
func typed(dt string) Property { return Property{DataType: dt} }
func marshal(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

var valueCases = map[string][]valueCase{
	TypeString: {ok(`"hello"`), ok(`""`), ok(repeat("é", MaxStringChars)), bad(repeat("a", MaxStringChars+1)),
		bad(`1`), bad(`true`), bad(`["a"]`), bad(`{"a":1}`), bad(`"a\u0000b"`)},
	TypeText: {ok(`"long text"`), ok(repeat("a", MaxTextBytes)), bad(repeat("a", MaxTextBytes+1)), bad(`12`), bad(`"\u0000"`)},
	TypeInteger: {ok(`42`), ok(`-7`), ok(`0`), ok(`9223372036854775807`), ok(`-9223372036854775808`),
		norm(`1.0`, `1`), norm(`1e3`, `1000`), norm(`-2.50e1`, `-25`),
		bad(`9223372036854775808`), bad(`-9223372036854775809`), bad(`1.5`), bad(`1e400`), bad(`"42"`), bad(`true`)},
	TypeNumber: {ok(`3.14`), ok(`-1`), ok(`1e300`), ok(`0.1`), bad(`1e400`), bad(`"3.14"`), bad(`[1]`), bad(`false`)},
	TypeDecimal: {ok(`12.50`), norm(`"12.50"`, `12.50`), norm(`"0.1"`, `0.1`), norm(`1e3`, `1000`), norm(`1.5e-3`, `0.0015`),
		norm(`"123456789012345678901234567890.123456789"`, `123456789012345678901234567890.123456789`),
		norm(`-0.000`, `0.000`), bad(`"12,50"`), bad(`"abc"`), bad(`" 1"`), bad(`"1e99999"`), bad(`true`), bad(`"NaN"`), bad(`"Infinity"`)},
	TypeBoolean: {ok(`true`), ok(`false`), bad(`"true"`), bad(`1`), bad(`0`)},
	TypeDate: {ok(`"2026-01-15"`), ok(`"2024-02-29"`), bad(`"2023-02-29"`), bad(`"2026-13-01"`), bad(`"2026-1-5"`),
		bad(`"2026-01-15T00:00:00Z"`), bad(`"15/01/2026"`), bad(`20260115`)},
	TypeDatetime: {ok(`"2026-01-15T12:00:00Z"`), norm(`"2026-01-15T14:30:00+02:00"`, `"2026-01-15T12:30:00Z"`),
		ok(`"2026-01-15T12:00:00.123456Z"`), bad(`"2026-01-15"`), bad(`"2026-01-15 12:00:00"`), bad(`"2026-02-30T00:00:00Z"`),
		bad(`"2026-01-15T25:00:00Z"`), bad(`1736942400`)},
	TypeTime: {norm(`"09:30"`, `"09:30:00"`), ok(`"23:59:59"`), ok(`"00:00:00"`), bad(`"24:00"`), bad(`"12:60"`),
		bad(`"12:00:60"`), bad(`"9:30"`), bad(`"12:00:00Z"`), bad(`930`)},
	TypeEmail: {ok(`"ada@example.com"`), ok(`"first.last+tag@sub.example.org"`), bad(`"ada"`), bad(`"ada@"`),
		bad(`"ada@localhost"`), bad(`"Ada <ada@example.com>"`), bad(`"a b@example.com"`), bad(`1`)},
	TypePhone: {ok(`"+14155552671"`), ok(`"+442071838750"`), bad(`"14155552671"`), bad(`"+0123"`), bad(`"+1 415 555 2671"`),
		bad(`"+1234567890123456"`), bad(`14155552671`)},
	TypeURL: {ok(`"https://example.com/a?b=c"`), ok(`"http://localhost:8080"`), bad(`"ftp://example.com"`),
		bad(`"example.com"`), bad(`"/relative/path"`), bad(`"https://"`), bad(`"https://exa mple.com"`), bad(`"javascript:alert(1)"`)},
	TypeCurrency: {ok(`{"amount":12.50,"currency":"USD"}`), norm(`{"amount":"99.99","currency":"EUR"}`, `{"amount":99.99,"currency":"EUR"}`),
		bad(`{"amount":1,"currency":"usd"}`), bad(`{"amount":1,"currency":"XYZ"}`), bad(`{"amount":1}`), bad(`{"amount":"x","currency":"USD"}`),
		bad(`{"amount":1,"currency":"USD","extra":1}`), bad(`12.5`), bad(`"12.50 USD"`)},
	TypePercent: {ok(`12.5`), ok(`-3`), ok(`150`), bad(`"12%"`), bad(`true`)},
	TypeJSON:    {ok(`{"a":[1,"x",null,{"b":true}]}`), ok(`1`), ok(`"s"`), ok(`[]`), ok(`true`), bad(`{"a":"\u0000"}`), bad(strings.Repeat("[", 70) + strings.Repeat("]", 70))},
	TypeArray:   {ok(`[1,"two",{"three":3}]`), ok(`[]`), bad(`{"a":1}`), bad(`"[]"`), bad(`1`)},
	TypeUUID: {ok(`"123e4567-e89b-12d3-a456-426614174000"`), norm(`"123E4567-E89B-12D3-A456-426614174000"`, `"123e4567-e89b-12d3-a456-426614174000"`),
		bad(`"123e4567e89b12d3a456426614174000"`), bad(`"not-a-uuid"`), bad(`"123e4567-e89b-12d3-a456-42661417400g"`), bad(`1`)},
	TypeFile:      {ok(`"file_01jabcdefghjkmnpqrstvwxyz0"`), ok(`"external-id-42"`), bad(`""`), bad(`"has space"`), bad(repeat("a", 101)), bad(`12`)},
	TypeReference: {ok(`"obj_01jb1z8k7x3w0v9t8s7r6q5p4n"`), bad(`"obj_nope"`), bad(`"ot_01jb1z8k7x3w0v9t8s7r6q5p4n"`), bad(`""`), bad(`5`)},
	TypeGeoPoint: {ok(`{"lat":48.8566,"lng":2.3522}`), ok(`{"lat":-90,"lng":180}`), bad(`{"lat":91,"lng":0}`),
		bad(`{"lat":0,"lng":-180.5}`), bad(`{"lat":0}`), bad(`{"lat":"1","lng":"2"}`), bad(`{"lat":0,"lng":0,"alt":1}`), bad(`[48.8,2.3]`)},
}

func TestValidateValueEveryType(t *testing.T) {
	enumCases := map[string][]valueCase{
		TypeEnum:      {ok(`"lead"`), ok(`"churned"`), bad(`"Lead"`), bad(`"prospect"`), bad(`["lead"]`), bad(`1`)},
		TypeMultiEnum: {ok(`["lead","customer"]`), ok(`[]`), bad(`["lead","lead"]`), bad(`["prospect"]`), bad(`"lead"`), bad(`[1]`)},
	}
	seen := map[string]bool{}
	run := func(prop Property, cases []valueCase) {
		seen[prop.DataType] = true
		for _, c := range cases {
			name := prop.DataType + "/" + c.in
			if len(name) > 60 {
				name = name[:60]
			}
			t.Run(name, func(t *testing.T) {
				got, msg := ValidateValue(prop, decode(t, c.in))
				if c.bad {
					require.NotEmpty(t, msg, "want invalid, got %v", got)
					require.True(t, strings.HasPrefix(msg, "must"), msg)
					return
				}
				require.Empty(t, msg)
				want := c.want
				if want == "" {
					want = c.in
				}
				require.JSONEq(t, want, marshal(t, got))
				if c.want != "" && strings.ContainsAny(c.want, ".0123456789") && !strings.HasPrefix(c.want, `"`) {
					require.Equal(t, c.want, marshal(t, got), "exact digits")
				}
			})
		}
	}
	for dt, cases := range valueCases {
		run(typed(dt), cases)
	}
	for dt, cases := range enumCases {
		run(enumProp(dt), cases)
	}
	for _, dt := range DataTypes {
		require.True(t, seen[dt], "no cases for %s", dt)
		got, msg := ValidateValue(enumProp(dt), nil)
		require.Empty(t, msg, "null is valid for %s", dt)
		require.Nil(t, got)
	}
}

// Decimals and currency amounts keep every digit: no float64 on the way.
func TestValidateValueDecimalExact(t *testing.T) {
	got, msg := ValidateValue(typed(TypeDecimal), decode(t, `0.30000000000000000000000001`))
	require.Empty(t, msg)
	require.Equal(t, `0.30000000000000000000000001`, marshal(t, got))
	got, msg = ValidateValue(typed(TypeCurrency), decode(t, `{"amount":"300.30","currency":"JPY"}`))
	require.Empty(t, msg)
	require.Equal(t, `{"amount":300.30,"currency":"JPY"}`, marshal(t, got))
}

// Callers that decoded without UseNumber still get sane answers.
func TestValidateValueGoNumbers(t *testing.T) {
	got, msg := ValidateValue(typed(TypeInteger), float64(3))
	require.Empty(t, msg)
	require.Equal(t, json.Number("3"), got)
	_, msg = ValidateValue(typed(TypeNumber), math.NaN())
	require.NotEmpty(t, msg)
	_, msg = ValidateValue(typed(TypeNumber), json.Number("NaN"))
	require.NotEmpty(t, msg, "a hand-made json.Number is checked")
	_, msg = ValidateValue(typed(TypeJSON), map[string]any{"c": make(chan int)})
	require.NotEmpty(t, msg)
	_, msg = ValidateValue(typed("nope"), "x")
	require.Contains(t, msg, "unknown data type")
}

// FuzzValidateValue: no input panics, and a normalized value is valid JSON
// that validates again to itself.
func FuzzValidateValue(f *testing.F) {
	for _, cases := range valueCases {
		for _, c := range cases {
			if len(c.in) < 200 {
				f.Add(c.in)
			}
		}
	}
	f.Add(`["lead","customer"]`)
	f.Add(`{"amount":"1e-5","currency":"USD"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			v = raw // not JSON: try it as a string
		}
		for _, dt := range DataTypes {
			p := enumProp(dt)
			got, msg := ValidateValue(p, v)
			if msg != "" {
				continue
			}
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("%s: normalized %#v does not marshal: %v", dt, got, err)
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.UseNumber()
			var again any
			if err := dec.Decode(&again); err != nil {
				t.Fatalf("%s: %s does not decode: %v", dt, out, err)
			}
			got2, msg := ValidateValue(p, again)
			if msg != "" {
				t.Fatalf("%s: normalized %s is invalid: %s", dt, out, msg)
			}
			if out2, _ := json.Marshal(got2); !bytes.Equal(out, out2) {
				t.Fatalf("%s: not idempotent: %s then %s", dt, out, out2)
			}
		}
	})
}
