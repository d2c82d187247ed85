package e2e

import (
	"net/http/httptest"
	"net/url"
	"strings"
)

// IsoRequest sends body as JSON, or as a form when it is url.Values.
func IsoRequest(s *Service, method, path, token string, body any) Response {
	s.T.Helper()
	form, ok := body.(url.Values)
	if !ok || method == "GET" {
		if method == "GET" {
			body = nil
		}
		return s.Do(method, path, token, body)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}
