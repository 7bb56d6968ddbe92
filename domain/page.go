package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Page is a cursor-paginated list (contract: "Lists").
type Page[T any] struct {
	Results    []T     `json:"results"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
	// TotalIsEstimate marks Total as an estimate (object lists and searches
	// beyond their exact cap); absent when Total is exact.
	TotalIsEstimate bool `json:"total_is_estimate,omitempty"`
}

// List limits (contract: default 20, max 100, larger is clamped).
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// ClampLimit applies the default and maximum page size.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// EncodeCursor returns an opaque, tamper-evident cursor for position within
// the list named scope: the position is signed with the server secret, so a
// client cannot forge or alter one, nor reuse a cursor of another list.
func EncodeCursor(secret []byte, scope, position string) string {
	body := base64.RawURLEncoding.EncodeToString([]byte(position))
	return body + "." + cursorMAC(secret, scope, body)
}

// DecodeCursor returns the position of a cursor made by EncodeCursor ("" for
// an empty cursor). A forged or foreign cursor is BAD_REQUEST.
func DecodeCursor(secret []byte, scope, cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	body, mac, ok := strings.Cut(cursor, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(cursorMAC(secret, scope, body))) {
		return "", Errorf(CodeBadRequest, "Invalid cursor.")
	}
	pos, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", Errorf(CodeBadRequest, "Invalid cursor.")
	}
	return string(pos), nil
}

func cursorMAC(secret []byte, scope, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("cursor:" + scope + ":" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
