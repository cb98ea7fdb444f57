package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// handleError answers every error: JSON for the API, a page for people. Internal errors
// are logged with the route's pattern and never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		err = fromFiber(fe)
	}
	err = s.retryable(c, err)
	code := ballot.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	if code == ballot.EINTERNAL {
		s.log.Error("internal error", "method", c.Method(), "route", routeOf(c), "err", err)
	}
	if isAPI(c) {
		// The API's message is in the language the client asks for; its code never changes.
		msg := ballot.SayError(apiPr(c), err)
		return c.Status(status).JSON(apiError{Error: apiErrorBody{Code: code, Message: msg}})
	}
	if lang := pollLangOf(err); lang != "" {
		s.pollLang(c, lang) // a token's refusal speaks its poll's language
	}
	heading := headings[code]
	if heading == "" {
		heading = i18n.N("无法完成操作")
	}
	heading, msg := pr(c).T(heading), ballot.SayError(pr(c), err)
	if isVoterPath(c.Path()) {
		return s.voterNotice(c, status, heading, msg, code, contactOf(err))
	}
	return s.page(c, status, "staff/error", fiber.Map{"Title": heading, "Heading": heading, "Message": msg})
}

// retryable turns a database that could not be reached (restarting, failing over) into
// the retryable error it is: nothing was done, and the same request may succeed soon.
func (s *Server) retryable(c *fiber.Ctx, err error) error {
	if ballot.ErrorCode(err) != ballot.EINTERNAL || !store.Unavailable(err) {
		return err
	}
	s.log.Warn("database unavailable", "method", c.Method(), "route", routeOf(c), "err", err)
	return ballot.Errorf(ballot.ERETRY, "数据库暂时无法连接，没有做任何改动，请稍后重试")
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Spoilt  any    `json:"spoilt,omitempty"`
}
