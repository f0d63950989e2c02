package flare

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an Error so that every adapter (HTTP, CLI) can map it
// to its own vocabulary without knowing where the error came from.
type ErrorCode string

// The error codes every service may return.
const (
	EINVALID      ErrorCode = "invalid"
	ENOTFOUND     ErrorCode = "not_found"
	ECONFLICT     ErrorCode = "conflict"
	EUNAUTHORIZED ErrorCode = "unauthorized"
	EFORBIDDEN    ErrorCode = "forbidden"
	EINTERNAL     ErrorCode = "internal"
)

// Error is the one application error type. Message is safe to show to the
// user; Fields names the input fields at fault (field name -> message key or
// message) so forms and JSON clients can point at them.
type Error struct {
	Code    ErrorCode
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an invalid-input error that names the offending field.
func FieldError(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: field + ": " + msg, Fields: map[string]string{field: msg}}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessageOf returns the user-safe message of err: the message of an
// *Error, or a generic text for internal errors so that no detail of the
// machinery leaks to a client.
func ErrorMessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// ExitCode maps an error to the exit status of the flare command:
// 0 success, 2 bad input or usage, 3 not found, 4 conflict, 5 unauthorized or
// forbidden, 1 anything else.
func ExitCode(err error) int {
	switch ErrorCodeOf(err) {
	case "":
		return 0
	case EINVALID:
		return 2
	case ENOTFOUND:
		return 3
	case ECONFLICT:
		return 4
	case EUNAUTHORIZED, EFORBIDDEN:
		return 5
	default:
		return 1
	}
}
