package domain

import (
	"errors"
	"fmt"

	"github.com/platformhq/platform/db"
)

// Stable error codes. Each code maps to exactly one HTTP status in rest/ and is
// copied verbatim into GraphQL's extensions.code by graph/.
const (
	CodeBadRequest         = "BAD_REQUEST"
	CodeValidationFailed   = "VALIDATION_FAILED"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeInvalidCredentials = "INVALID_CREDENTIALS"
	CodeInvalidToken       = "INVALID_TOKEN"
	CodeEmailNotConfirmed  = "EMAIL_NOT_CONFIRMED"
	CodeUserBanned         = "USER_BANNED"
	CodeAccountLocked      = "ACCOUNT_LOCKED"
	CodeForbidden          = "FORBIDDEN"
	CodeInsufficientScope  = "INSUFFICIENT_SCOPE"
	CodeIPNotAllowed       = "IP_NOT_ALLOWED"
	// CodeMFAEnrollmentRequired: governance requires MFA of the user's role
	// and the session is not aal2 (403).
	CodeMFAEnrollmentRequired = "MFA_ENROLLMENT_REQUIRED"
	CodeTenantSuspended       = "TENANT_SUSPENDED"
	CodeNotFound              = "NOT_FOUND"
	CodeMethodNotAllowed      = "METHOD_NOT_ALLOWED"
	CodeConflict              = "CONFLICT"
	CodeDependencyExists      = "DEPENDENCY_EXISTS"
	CodeInvalidState          = "INVALID_STATE"
	CodePeriodClosed          = "PERIOD_CLOSED"
	CodeIdempotencyConflict   = "IDEMPOTENCY_CONFLICT"
	CodeInvalidConfirmToken   = "INVALID_CONFIRM_TOKEN"
	CodeGone                  = "GONE"
	CodePayloadTooLarge       = "PAYLOAD_TOO_LARGE"
	CodeRateLimited           = "RATE_LIMITED"
	CodeNotImplemented        = "NOT_IMPLEMENTED"
	CodeUnavailable           = "UNAVAILABLE"
	CodeInternal              = "INTERNAL"
)

// Error is the one error type that crosses the domain boundary. Code is stable
// and machine-readable; Message is safe to show a client; Fields carries
// per-field validation messages; Details carries extra members of the error
// object (for example required_scope or retry_after). The wrapped cause is
// logged by the surfaces but never serialized.
type Error struct {
	Code    string
	Message string
	Fields  map[string][]string
	Details map[string]any
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return e.Code + ": " + e.Message
}

// Unwrap exposes the cause to errors.Is / errors.As for logging and tests.
func (e *Error) Unwrap() error { return e.cause }

// With returns a copy of e with one more detail member.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// Errorf builds an Error with a formatted, client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an Error that keeps cause for logs only.
func Wrap(cause error, code, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// NotFound is the error for a missing (or foreign-tenant) resource.
func NotFound(resource string) *Error {
	return &Error{Code: CodeNotFound, Message: resource + " not found"}
}

// Internal hides cause behind a generic message. A value Postgres refused to
// store (a NUL byte, an invalid encoding) is the client's fault, not ours,
// and becomes BAD_REQUEST.
func Internal(cause error) *Error {
	if db.IsInvalidText(cause) {
		return &Error{Code: CodeBadRequest, Message: "The request contains characters that cannot be stored (such as NUL bytes).", cause: cause}
	}
	return &Error{Code: CodeInternal, Message: "Internal error.", cause: cause}
}

// AsError converts any error into an *Error: domain errors pass through,
// everything else becomes INTERNAL so no internals reach a client.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return de
	}
	return Internal(err)
}

// ErrorCode returns the stable code of err (INTERNAL for foreign errors, "" for nil).
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	return AsError(err).Code
}

// Validation collects field errors so that one response names every bad field.
type Validation struct {
	fields map[string][]string
}

// Add records message for field.
func (v *Validation) Add(field, message string) {
	if v.fields == nil {
		v.fields = map[string][]string{}
	}
	v.fields[field] = append(v.fields[field], message)
}

// Check records message for field when bad is true.
func (v *Validation) Check(bad bool, field, message string) {
	if bad {
		v.Add(field, message)
	}
}

// Err returns VALIDATION_FAILED naming every recorded field, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: CodeValidationFailed, Message: "Validation failed.", Fields: v.fields}
}

// Invalid is a one-field VALIDATION_FAILED error.
func Invalid(field, message string) *Error {
	return &Error{Code: CodeValidationFailed, Message: "Validation failed.",
		Fields: map[string][]string{field: {message}}}
}
