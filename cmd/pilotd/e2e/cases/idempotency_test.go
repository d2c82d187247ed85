package cases_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// postWithKey sends a JSON POST with an Idempotency-Key.
func postWithKey(s *e2e.Service, path, token, key string, body any) e2e.Response {
	s.T.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		s.T.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(string(data)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}

// TestIdempotencyKey: a case created with an Idempotency-Key and sent again
// with the same key gets the first answer (same case, marked replayed) and
// creates nothing; another key, or the same key from another user, creates
// anew; a refused request frees its key for the corrected one; of five sent
// at once with one key exactly one case is created; a key too long is 400.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		path := e2e.CasePath(d.County, "")
		body := e2e.CaseBody("274")
		cases := func() int { return s.CountRows(`SELECT COUNT(*) FROM cases WHERE county_code = ?`, d.County) }
		before := cases()

		first := s.Must(201, postWithKey(s, path, d.Clerk, "key-1", body))
		again := s.Must(201, postWithKey(s, path, d.Clerk, "key-1", body))
		if string(again.Raw) != string(first.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the repeat is not the first answer:\n%s\n%s", first.Raw, again.Raw)
		}
		if n := cases() - before; n != 1 {
			t.Fatalf("%d cases after a repeated creation, want 1", n)
		}
		s.Must(201, postWithKey(s, path, d.Clerk, "key-2", body))
		_, otherClerk := s.AddUser(d.Admin, d.County, "clerk_b", "county_clerk")
		s.Must(201, postWithKey(s, path, otherClerk, "key-1", body)) // keys are per user
		if n := cases() - before; n != 3 {
			t.Errorf("%d cases after two other keys, want 3", n)
		}

		bad := e2e.CaseBody("274")
		bad["applicant"] = map[string]any{"name": "x", "credit_code": e2e.WrongCode}
		s.Must(400, postWithKey(s, path, d.Clerk, "key-3", bad))
		s.Must(201, postWithKey(s, path, d.Clerk, "key-3", body))
		if n := cases() - before; n != 4 {
			t.Errorf("%d cases after a refused and a corrected request with one key, want 4", n)
		}

		var wg sync.WaitGroup
		statuses := make([]int, 5)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = postWithKey(s, path, d.Clerk, "key-4", body).Status
			}()
		}
		wg.Wait()
		for _, st := range statuses {
			if st != 201 && st != 409 {
				t.Errorf("concurrent repeats answered %v, want 201 or 409 each", statuses)
				break
			}
		}
		if n := cases() - before; n != 5 {
			t.Errorf("%d cases after five concurrent requests with one key, want 5 (one more)", n)
		}

		r := postWithKey(s, path, d.Clerk, strings.Repeat("k", 129), body)
		if r.Status != 400 || r.ErrorCode() != "invalid_input" {
			t.Errorf("a 129-character key: %d %s", r.Status, r.Raw)
		}
	})
}
