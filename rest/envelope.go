package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/platformhq/platform/domain"
)

// statusByCode is the one table from error code to HTTP status.
var statusByCode = map[string]int{
	domain.CodeBadRequest:            http.StatusBadRequest,
	domain.CodeValidationFailed:      http.StatusBadRequest,
	domain.CodeInvalidConfirmToken:   http.StatusBadRequest,
	domain.CodeUnauthorized:          http.StatusUnauthorized,
	domain.CodeInvalidCredentials:    http.StatusUnauthorized,
	domain.CodeInvalidToken:          http.StatusUnauthorized,
	domain.CodeForbidden:             http.StatusForbidden,
	domain.CodeEmailNotConfirmed:     http.StatusForbidden,
	domain.CodeUserBanned:            http.StatusForbidden,
	domain.CodeAccountLocked:         http.StatusTooManyRequests,
	domain.CodeInsufficientScope:     http.StatusForbidden,
	domain.CodeIPNotAllowed:          http.StatusForbidden,
	domain.CodeMFAEnrollmentRequired: http.StatusForbidden,
	domain.CodeTenantSuspended:       http.StatusForbidden,
	domain.CodeNotFound:              http.StatusNotFound,
	domain.CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	domain.CodeConflict:              http.StatusConflict,
	domain.CodeDependencyExists:      http.StatusConflict,
	domain.CodeInvalidState:          http.StatusConflict,
	domain.CodePeriodClosed:          http.StatusConflict,
	domain.CodeIdempotencyConflict:   http.StatusConflict,
	domain.CodeGone:                  http.StatusGone,
	domain.CodePayloadTooLarge:       http.StatusRequestEntityTooLarge,
	domain.CodeRateLimited:           http.StatusTooManyRequests,
	domain.CodeInternal:              http.StatusInternalServerError,
	domain.CodeNotImplemented:        http.StatusNotImplemented,
	domain.CodeUnavailable:           http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status of an error code (500 if unknown).
func StatusOf(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type successBody struct {
	Success   bool   `json:"success"`
	Data      any    `json:"data"`
	RequestID string `json:"request_id"`
}

type errorBody struct {
	Success   bool           `json:"success"`
	Error     map[string]any `json:"error"`
	RequestID string         `json:"request_id"`
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	raw := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		status, raw = http.StatusInternalServerError, []byte(`{"success":false,"error":{"code":"INTERNAL","message":"Internal error."}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(raw, '\n'))
}

// writeData answers with the success envelope.
func writeData(w http.ResponseWriter, r *http.Request, status int, data any) {
	writeJSON(w, status, successBody{Success: true, Data: data, RequestID: requestIDFrom(r)})
}

// writeError answers with the error envelope; the cause of an INTERNAL error
// is logged by the caller and never serialized.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	de := domain.AsError(err)
	if de.Code == domain.CodeInternal {
		de = &domain.Error{Code: domain.CodeInternal, Message: "Internal error."}
	}
	body := map[string]any{"code": de.Code, "message": de.Message}
	if len(de.Fields) > 0 {
		body["fields"] = de.Fields
	}
	for k, v := range de.Details {
		if k != "code" && k != "message" && k != "fields" {
			body[k] = v
		}
	}
	if ra, ok := de.Details["retry_after"]; ok {
		w.Header().Set("Retry-After", toString(ra))
	}
	writeJSON(w, StatusOf(de.Code), errorBody{Success: false, Error: body, RequestID: requestIDFrom(r)})
}

func toString(v any) string {
	switch t := v.(type) {
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case string:
		return t
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}
