package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// ErrorBody is the JSON error envelope of the API contract.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries the machine code, the user message and field details.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// fiberErrors maps the framework's own errors to our vocabulary.
var fiberErrors = map[int]*apperr.Error{
	http.StatusNotFound:              {Status: 404, Code: "not_found", Message: "未找到该页面或接口"},
	http.StatusMethodNotAllowed:      {Status: 405, Code: "method_not_allowed", Message: "不支持该请求方法"},
	http.StatusRequestEntityTooLarge: {Status: 413, Code: "body_too_large", Message: "提交的内容超过服务器允许的大小，请压缩文件或分次提交"},
	http.StatusBadRequest:            {Status: 400, Code: "bad_request", Message: "请求格式有误"},
	http.StatusUnsupportedMediaType:  {Status: 415, Code: "unsupported_media_type", Message: "请以 application/json 提交"},
	http.StatusRequestTimeout:        {Status: 408, Code: "timeout", Message: "请求超时"},
}

var errInternal = &apperr.Error{Status: 500, Code: "internal", Message: "服务器内部错误，请稍后再试"}

// errorHandler is the one place where errors become responses. Only unexpected
// errors are logged with detail; the client never sees internal text.
func errorHandler(log *slog.Logger, pages *Pages) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		e, ok := apperr.As(err)
		if !ok {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				e, ok = fiberErrors[fe.Code]
				if !ok && fe.Code >= 400 && fe.Code < 500 {
					e = &apperr.Error{Status: fe.Code, Code: "bad_request", Message: "请求有误"}
					ok = true
				}
			}
		}
		if !ok {
			if e, ok = transient(err); ok {
				log.Warn("request failed for now", "method", c.Method(), "path", c.Path(), "err", err)
				c.Set(fiber.HeaderRetryAfter, retryAfterSeconds)
			}
		}
		if !ok {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
			e = errInternal
		}
		if wantsHTML(c) && pages != nil && !requestLost(c) {
			c.Status(e.Status)
			return pages.Error(c, e)
		}
		return c.Status(e.Status).JSON(ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
	}
}

// requestLost reports a request the server could not read (e.g. a chunked
// body over the limit): fasthttp has reset it, path included, so whether it
// was a page or an API call is unknown and the answer is the JSON envelope.
func requestLost(c *fiber.Ctx) bool { return len(c.Request().Header.RawHeaders()) == 0 }

// wantsHTML tells page requests from API calls: everything outside /api and
// the operations endpoints is a page.
func wantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	return !strings.HasPrefix(p, "/api/") && p != "/metrics" && p != "/healthz" && p != "/readyz"
}

// errUnavailable answers a request that needed the database while it could
// not be reached: the request may succeed later (Retry-After), nothing of it
// was done that the client was told about.
var errUnavailable = &apperr.Error{Status: fiber.StatusServiceUnavailable, Code: "service_unavailable",
	Message: "系统暂时无法访问数据库，请稍后再试"}

// errTimeout answers a request that outran its deadline (RequestTimeout):
// what it committed before the deadline stays committed, the rest was not done.
var errTimeout = &apperr.Error{Status: fiber.StatusServiceUnavailable, Code: "request_timeout",
	Message: "系统繁忙，请求处理超时，请稍后再试"}

// transient maps an error that a later attempt may not meet (the request's
// deadline passed, the database could not be reached) to its 503.
func transient(err error) (*apperr.Error, bool) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errTimeout, true
	case db.IsUnavailable(err):
		return errUnavailable, true
	}
	return nil, false
}

// retryAfterSeconds is the Retry-After of a 503: long enough for a database
// restart or a cluster fail-over to be noticed, short enough for a person.
const retryAfterSeconds = "5"

var (
	errPasswordChangeRequired = apperr.Forbidden("password_change_required", "请先修改初始密码")
	errTOTPEnrollmentRequired = apperr.Forbidden("totp_enrollment_required", "管理员账号须先启用双因素认证（动态验证码）")
	errCSRF                   = apperr.Forbidden("csrf_failed", "页面已过期或请求来源不可信，请刷新页面后重试")
)

// asClientError returns the status an error will be answered with, when known.
func asClientError(err error) (int, bool) {
	if e, ok := apperr.As(err); ok {
		return e.Status, true
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, true
	}
	return 0, false
}
