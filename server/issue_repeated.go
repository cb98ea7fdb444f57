package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// repeatedError is a second post of an issuing form: nothing was issued, and batches are
// what the first post issued (its download holds their tokens).
type repeatedError struct{ batches []store.Batch }

func (e *repeatedError) Error() string { return e.Unwrap().Error() }

func (e *repeatedError) Unwrap() error {
	return ballot.Errorf(ballot.EREPEATED, "这批凭证已生成，请勿重复提交。第一次提交的下载文件中就是这批凭证（%s）；如果该文件已丢失，请作废这批凭证后重新生成。", batchNames(e.batches))
}

// batchNames are the batches of a repeated post as an argument of its error: said in the
// reader's language (ballot.SayError), in Chinese wherever the error is printed.
type batchNames []store.Batch

func (bs batchNames) String() string { return bs.Say(i18n.For(i18n.Zh)) }

// Say names each batch: 职工代表，40 张，ABCD…WXYZ；…
func (bs batchNames) Say(p *i18n.Printer) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = batchNameIn(p, b.GroupName, b.Count, b.Hint)
	}
	return strings.Join(parts, p.T("；"))
}

// batchNameIn names a batch as organizers do (职工代表，40 张，ABCD…WXYZ), in p's language.
func batchNameIn(p *i18n.Printer, group string, count int, hint string) string {
	if hint != "" {
		return p.T("%s，%d 张，%s", group, count, hint)
	}
	return p.T("%s，%d 张", group, count)
}

// repeated answers a post whose key issued before with what it issued; err is the
// store's answer (nil before trying), returned as it is when it is no repeat.
func (s *Server) repeated(c *fiber.Ctx, p *store.PollInfo, key string, err error) error {
	if err != nil && ballot.ErrorCode(err) != ballot.EREPEATED || key == "" {
		return err // no key, no batches to look up: a keyless issue can never repeat
	}
	prior, qerr := s.store.BatchesByKey(c.UserContext(), p.ID, key)
	if qerr != nil {
		return qerr
	}
	if len(prior) > 0 {
		return &repeatedError{prior}
	}
	return err
}
