// Package ballot is the secret-ballot core of Minyi: polls and their forms, validation of
// a filled ballot, voting tokens, sealing, and the counting rules that turn a box into a tally.
// It imports no SQL or HTTP package; store/ and server/ adapt it.
package ballot

import (
	"errors"
	"fmt"

	"minyi/i18n"
)

// Stable error codes carried by the API; server/ maps each to an HTTP status once.
const (
	EINVALID      = "invalid"       // the input breaks a rule; Message says which, in Chinese
	ENOTFOUND     = "not_found"     // no such object, or not visible to the caller
	ECONFLICT     = "conflict"      // the object is not in a state that allows this
	EUNAUTHORIZED = "unauthorized"  // not logged in
	EFORBIDDEN    = "forbidden"     // logged in, but the role or unit does not allow it
	EINTERNAL     = "internal"      // a fault of ours; details go to the log only
	ETOKENUNKNOWN = "token_unknown" // no such voting token
	ETOKENUSED    = "token_used"    // the token has voted already
	ETOKENVOID    = "token_void"    // the token was voided by the organizer
	ENOTOPEN      = "poll_not_open" // voting has not started
	ECLOSED       = "poll_closed"   // voting has ended
	ESEALED       = "result_sealed" // results exist only after close and count
	ETOOMANY      = "too_many"      // rate limited
	ESPOILT       = "spoilt_lines"  // some lines would count as invalid; the voter must confirm
	ERETRY        = "retry"         // not done, nothing kept: send it again
	EREPEATED     = "repeated"      // the same request (its idempotency key) came again: nothing more was done
	// EPAPERPENDING: paper ballots entered once wait for their second entry; counting now
	// would leave them out, so it needs the counter's confirmation.
	EPAPERPENDING = "paper_pending"
	// EKEYNOTREADY: the tellers' key ceremony is not finished, so voting cannot open.
	EKEYNOTREADY = "key_not_ready"
	// EDEALING: a teller's device found a dealt share that fails its dealer's commitments;
	// the ceremony is blocked until the organizer restarts it.
	EDEALING = "dealing_failed"
	// EPARTIAL: a teller's partial decryption does not prove to be made with that teller's
	// share of the poll's key; nothing of it is kept.
	EPARTIAL = "partial_invalid"
	// ESHARETYPED: a teller's share code was sent to the server, which never takes one for a
	// poll whose tellers count on their own devices.
	ESHARETYPED = "share_not_taken"
	// ETOOBIG: the poll could hold more ballots and texts than one count can decrypt; it
	// is refused when it is made or opened, and the count refuses it too.
	ETOOBIG = "count_too_large"
)

// Error is a coded error whose Message is safe to show to the person who caused it.
// Format and Args are what Message was made of: the format is the message's ID in the
// catalogue (i18n), so server/ can say it again in the reader's language.
type Error struct {
	Code    string
	Message string
	Format  string
	Args    []any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Say is the error's message in p's language, said again from its format; Chinese, and a
// message made without a format, is Message as it is.
func (e *Error) Say(p *i18n.Printer) string {
	if e.Format == "" || p.Lang() == i18n.Zh {
		return e.Message
	}
	return p.T(e.Format, i18n.SayArgs(p, e.Args)...)
}

// Errorf returns a coded error with a formatted Chinese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// ErrorCode returns the code of a coded error, EINTERNAL for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of a coded error; other errors are internal and their
// text is never shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return InternalMessage
}

// SayError is ErrorMessage in p's language: a coded error's message said again, any other
// error as the general line (its text is never shown).
func SayError(p *i18n.Printer, err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return p.T(InternalMessage)
	}
	return e.Say(p)
}

// InternalMessage is what a person is told of an internal error.
const InternalMessage = "服务器内部错误，请稍后重试或联系管理员"

// Cause is an error given as an argument of another error's message ("第%d张表的%s"): it
// prints as its own message, so the Chinese reads as before, and a reader of another
// language gets it said again from its own format.
type Cause struct{ Err error }

func (c Cause) String() string { return ErrorMessage(c.Err) }

// Say is the cause's message in p's language.
func (c Cause) Say(p *i18n.Printer) string { return SayError(p, c.Err) }
