// Package apperr is the one error vocabulary of the service: domain code returns
// these errors, and the web layer's single error handler turns them into the JSON
// error body or the error page with the right HTTP status.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error meant for the client: a stable machine code, a message in
// Chinese that a user can act on, and optional per-field details.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Sentinels for the common outcomes; wrap them with %w or compare with errors.Is.
var (
	ErrNotFound     = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "未找到该对象"}
	ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "请先登录"}
	ErrForbidden    = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "您没有执行此操作的权限"}
)

// Invalid reports bad input: 400 with the offending fields explained.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_input", Message: message, Fields: fields}
}

// InvalidField is Invalid for a single field.
func InvalidField(field, message string) *Error {
	return Invalid(message, map[string]string{field: message})
}

// Conflict reports a duplicate or a state transition not allowed now: 409.
func Conflict(code, message string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: message}
}

// Forbidden is a 403 with its own code, for denials the client must tell apart.
func Forbidden(code, message string) *Error {
	return &Error{Status: http.StatusForbidden, Code: code, Message: message}
}

// Unauthorized is a 401 with its own code.
func Unauthorized(code, message string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: code, Message: message}
}

// TooMany is a 429: rate-limited or locked out.
func TooMany(code, message string) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: code, Message: message}
}

// As returns the client error inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
