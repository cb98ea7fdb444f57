package server

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
)

// statusOf maps each error code to its HTTP status, once.
var statusOf = map[string]int{
	ballot.EINVALID:      fiber.StatusBadRequest,
	ballot.ESPOILT:       fiber.StatusUnprocessableEntity,
	ballot.ENOTFOUND:     fiber.StatusNotFound,
	ballot.ECONFLICT:     fiber.StatusConflict,
	ballot.EPAPERPENDING: fiber.StatusConflict,
	ballot.EUNAUTHORIZED: fiber.StatusUnauthorized,
	ballot.EFORBIDDEN:    fiber.StatusForbidden,
	ballot.EINTERNAL:     fiber.StatusInternalServerError,
	ballot.ETOKENUNKNOWN: fiber.StatusNotFound,
	ballot.ETOKENUSED:    fiber.StatusConflict,
	ballot.ETOKENVOID:    fiber.StatusGone,
	ballot.ENOTOPEN:      fiber.StatusConflict,
	ballot.ECLOSED:       fiber.StatusConflict,
	ballot.ESEALED:       fiber.StatusForbidden,
	ballot.ETOOMANY:      fiber.StatusTooManyRequests,
	ballot.ERETRY:        fiber.StatusServiceUnavailable,
	ballot.EREPEATED:     fiber.StatusConflict,
	ballot.EKEYNOTREADY:  fiber.StatusConflict,
	ballot.EDEALING:      fiber.StatusConflict,
	ballot.EPARTIAL:      fiber.StatusBadRequest,
	ballot.ESHARETYPED:   fiber.StatusBadRequest,
	ballot.ETOOBIG:       fiber.StatusBadRequest,
}

// headings are the titles of error pages for people.
var headings = map[string]string{
	ballot.ENOTFOUND:     i18n.N("找不到页面"),
	ballot.EFORBIDDEN:    i18n.N("没有权限"),
	ballot.EINTERNAL:     i18n.N("服务器出错了"),
	ballot.ETOKENUNKNOWN: i18n.N("凭证无效"),
	ballot.ETOKENUSED:    i18n.N("该凭证已投票"),
	ballot.ETOKENVOID:    i18n.N("该凭证已作废"),
	ballot.ENOTOPEN:      i18n.N("投票尚未开始"),
	ballot.ECLOSED:       i18n.N("投票已结束"),
	ballot.ESEALED:       i18n.N("结果尚未产生"),
	ballot.ERETRY:        i18n.N("请稍后重试"),
	ballot.ETOOMANY:      i18n.N("尝试次数过多"),
}

// fromFiber turns Fiber's own errors (unknown route, body too large…) into coded ones.
func fromFiber(fe *fiber.Error) error {
	switch fe.Code {
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return ballot.Errorf(ballot.ENOTFOUND, "页面不存在")
	case fiber.StatusRequestEntityTooLarge:
		return ballot.Errorf(ballot.EINVALID, "提交的内容过大")
	case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
		return ballot.Errorf(ballot.EINVALID, "请求格式不正确")
	case fiber.StatusRequestTimeout:
		return ballot.Errorf(ballot.EINVALID, "请求超时，请重试")
	}
	return fmt.Errorf("fiber: %w", fe)
}
