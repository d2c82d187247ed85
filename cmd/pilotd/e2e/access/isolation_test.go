package access_test

import (
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
	"sort"
	"strings"
	"testing"
)

// isolationCase is one tenant-scoped route and what county A's users may do
// on it in their own county.
type isolationCase struct {
	// route is "METHOD /pattern" exactly as registered on the app.
	route string
	// allowed are the users of county A ("admin", "clerk", "reviewer") the
	// route admits in county A; empty for province routes.
	allowed []string
	// body is sent with unsafe methods: a JSON value, or url.Values for a page form.
	body any
	// public routes need no sign-in: they must answer everyone alike, show
	// nothing of a county that is not an active pilot, and nothing internal.
	public bool
	// object names what :id (or :year, :tracking) stands for: "user" (the
	// default), "case", "disclosure", "request" or "report"; the test creates
	// one of each in both counties (and :notice is a written notice of the
	// case or request).
	object string
}

// isolationCases must name every route with a :county or :province parameter;
// TestCountyIsolation fails on a route missing here.
var isolationCases = []isolationCase{
	// County API.
	{route: "GET /api/v1/counties/:county", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog/:code", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog", allowed: []string{"admin", "clerk"},
		body: map[string]any{"category": "service", "name": "probe item"}},
	{route: "PUT /api/v1/counties/:county/catalog/:code", allowed: []string{"admin", "clerk"},
		body: map[string]any{"legal_basis": "probe"}},
	{route: "POST /api/v1/counties/:county/catalog/:code/publish", allowed: []string{"admin"}},
	{route: "PUT /api/v1/counties/:county/catalog/:code/applicability", allowed: []string{"admin"}, body: map[string]any{"reason": "probe"}},
	{route: "GET /api/v1/counties/:county/catalog/:code/versions", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog/:code/flowchart.svg", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog/:code/discretion/calculate", allowed: []string{"admin", "clerk", "reviewer"},
		body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/catalog/:code/discretion/decisions", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog/:code/discretion/decisions", allowed: []string{"clerk"},
		body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/inventory", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog.xlsx", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog/import", allowed: []string{"admin", "clerk"}, body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/catalog-changes", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog-changes/:push/acknowledge", allowed: []string{"admin", "clerk"},
		body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/cleanup", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/cleanup/:code/confirm", allowed: []string{"admin"}, body: map[string]any{}},
	{route: "PUT /api/v1/counties/:county/cleanup/:code", allowed: []string{"admin"}, body: map[string]any{"reason": "probe"}},
	{route: "GET /api/v1/counties/:county/catalog-templates", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog-templates/:code/adopt", allowed: []string{"admin", "clerk"}, body: map[string]any{}},

	// Public county pages of the API: no sign-in, published data only.
	{route: "GET /api/v1/public/counties/:county/catalog", public: true},
	{route: "GET /api/v1/public/counties/:county/catalog/:code", public: true},
	{route: "GET /api/v1/public/counties/:county/catalog/:code/flowchart.svg", public: true},
	{route: "GET /api/v1/public/counties/:county/inventory", public: true},

	// The public portal.
	{route: "GET /portal/:county", public: true},
	{route: "GET /portal/:county/items/:code", public: true},
	{route: "GET /portal/:county/discretion", public: true},
	{route: "GET /portal/:county/inventory", public: true},
	{route: "GET /portal/provinces/:province", public: true},
	{route: "GET /api/v1/counties/:county/users", allowed: []string{"admin"}},
	{route: "GET /api/v1/counties/:county/users/:id", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/users", allowed: []string{"admin"},
		body: map[string]any{"username": "probe_user", "display_name": "probe", "roles": []string{"county_clerk"}}},
	{route: "POST /api/v1/counties/:county/users/:id/roles", allowed: []string{"admin"},
		body: map[string]any{"role": "county_reviewer"}},
	{route: "DELETE /api/v1/counties/:county/users/:id/roles/:role", allowed: []string{"admin"}},
	// Second-factor resets: the security administrator's alone (TestTOTPReset
	// covers another county's security administrator).
	{route: "POST /api/v1/counties/:county/users/:id/totp/reset", body: map[string]any{"reason": "probe"}},
	{route: "GET /counties/:county/security/users"},
	{route: "POST /counties/:county/security/users/:id/totp/reset", body: url.Values{"reason": {"probe"}, "confirm": {"yes"}}},

	// Province API: no county user holds a role there.
	{route: "GET /api/v1/provinces/:province/counties"},
	{route: "POST /api/v1/provinces/:province/counties",
		body: map[string]any{"code": "340111", "egov_readiness": "probe", "recommendation": "probe"}},
	{route: "POST /api/v1/provinces/:province/counties/:county/approve"},
	{route: "POST /api/v1/provinces/:province/counties/:county/decline", body: map[string]any{"note": "probe"}},
	{route: "GET /api/v1/provinces/:province/users"},
	{route: "GET /api/v1/provinces/:province/users/:id"},
	{route: "POST /api/v1/provinces/:province/users",
		body: map[string]any{"username": "probe_prov", "roles": []string{"province_admin"}}},
	{route: "POST /api/v1/provinces/:province/users/:id/roles", body: map[string]any{"role": "province_leader"}},
	{route: "DELETE /api/v1/provinces/:province/users/:id/roles/:role"},
	{route: "POST /api/v1/provinces/:province/users/:id/totp/reset", body: map[string]any{"reason": "probe"}},
	{route: "GET /provinces/:province/security/users"},
	{route: "POST /provinces/:province/security/users/:id/totp/reset", body: url.Values{"reason": {"probe"}, "confirm": {"yes"}}},
	{route: "GET /api/v1/provinces/:province/catalog-pushes"},
	{route: "POST /api/v1/provinces/:province/catalog-pushes", body: map[string]any{"note": "probe"}},
	{route: "GET /api/v1/provinces/:province/catalog-template.xlsx"},
	{route: "POST /api/v1/provinces/:province/catalog-template/import", body: map[string]any{}},
	{route: "GET /api/v1/provinces/:province/catalog-templates"},
	{route: "GET /api/v1/provinces/:province/catalog-templates/:code"},
	{route: "PUT /api/v1/provinces/:province/catalog-templates/:code", body: map[string]any{"content": map[string]any{}}},

	// Cases.
	{route: "GET /api/v1/counties/:county/cases", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/cases/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "case"},
	{route: "POST /api/v1/counties/:county/cases", allowed: []string{"clerk"},
		body: map[string]any{"item_code": "274", "applicant": map[string]any{"name": "probe", "credit_code": "bad"}}},
	{route: "POST /api/v1/counties/:county/cases/:id/actions", allowed: []string{"clerk"}, object: "case",
		body: map[string]any{"action": "not_accept", "reason": "probe"}},
	{route: "POST /api/v1/counties/:county/cases/:id/materials", allowed: []string{"clerk"}, object: "case", body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/cases/:id/materials/:mid", allowed: []string{"admin", "clerk", "reviewer"}, object: "case"},
	{route: "GET /api/v1/public/counties/:county/cases/:tracking", public: true, object: "case"},
	{route: "POST /api/v1/public/counties/:county/cases", public: true},
	{route: "GET /counties/:county/cases", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/cases/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "case"},
	{route: "GET /counties/:county/cases/:id/notices/:notice", allowed: []string{"admin", "clerk", "reviewer"}, object: "case"},
	{route: "POST /counties/:county/cases", allowed: []string{"clerk"}, body: url.Values{"item_code": {"274"}, "credit_code": {"bad"}}},
	{route: "POST /counties/:county/cases/:id/actions", allowed: []string{"admin", "clerk", "reviewer"}, object: "case",
		body: url.Values{"action": {"not_accept"}, "reason": {"probe"}}},
	{route: "POST /counties/:county/cases/:id/materials", allowed: []string{"clerk"}, object: "case", body: url.Values{"material": {"probe"}}},
	{route: "GET /counties/:county/cases/:id/materials/:mid", allowed: []string{"admin", "clerk", "reviewer"}, object: "case"},
	{route: "GET /portal/:county/apply", public: true},
	{route: "POST /portal/:county/apply", public: true},
	{route: "GET /portal/:county/track", public: true},

	// Ratings (好差评) and the rectification of 差评.
	{route: "POST /api/v1/counties/:county/cases/:id/rating", allowed: []string{"clerk"}, object: "case",
		body: map[string]any{"level": 5}},
	{route: "GET /api/v1/counties/:county/rectifications", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/rectifications/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "rectification"},
	{route: "POST /api/v1/counties/:county/rectifications/:id/actions", allowed: []string{"admin", "clerk", "reviewer"},
		object: "rectification", body: map[string]any{"action": "appeal", "reason": "probe"}},
	{route: "GET /api/v1/provinces/:province/rating-appeals"},
	{route: "POST /api/v1/provinces/:province/counties/:county/rectifications/:id/review", object: "rectification",
		body: map[string]any{"decision": "exclude", "reason": "probe"}},
	{route: "POST /api/v1/public/counties/:county/cases/:tracking/rating", public: true, object: "case"},
	{route: "GET /api/v1/public/counties/:county/ratings/summary", public: true},
	{route: "GET /counties/:county/rectifications", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/rectifications/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "rectification"},
	{route: "POST /counties/:county/rectifications/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "rectification",
		body: url.Values{"action": {"appeal"}, "reason": {"probe"}}},
	{route: "GET /provinces/:province/rating-appeals"},
	{route: "POST /provinces/:province/counties/:county/rectifications/:id/review", object: "rectification",
		body: url.Values{"decision": {"exclude"}, "reason": {"probe"}}},
	{route: "GET /counties/:county/cases/:id/rating", allowed: []string{"clerk"}, object: "case"},
	{route: "POST /counties/:county/cases/:id/rating", allowed: []string{"clerk"}, object: "case",
		body: url.Values{"level": {"5"}}},
	{route: "POST /portal/:county/track/rating", public: true},
	{route: "GET /portal/:county/ratings", public: true},

	// 双公示: the county's reviewers publish and withdraw, its staff read.
	{route: "GET /api/v1/counties/:county/publicity", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/publicity/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "publicity"},
	{route: "POST /api/v1/counties/:county/publicity/:id/publish", allowed: []string{"admin", "reviewer"}, object: "publicity"},
	{route: "POST /api/v1/counties/:county/publicity/:id/withdraw", allowed: []string{"admin", "reviewer"}, object: "publicity",
		body: map[string]any{"reason": "probe"}},
	{route: "GET /api/v1/public/counties/:county/publicity", public: true},
	{route: "GET /counties/:county/publicity", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/publicity/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "publicity"},
	{route: "POST /counties/:county/publicity/:id/publish", allowed: []string{"admin", "reviewer"}, object: "publicity", body: url.Values{}},
	{route: "POST /counties/:county/publicity/:id/withdraw", allowed: []string{"admin", "reviewer"}, object: "publicity",
		body: url.Values{"reason": {"probe"}}},
	{route: "GET /portal/:county/publicity", public: true},

	// The register of supervised entities: the county administrator of
	// the three (officers and legal reviewers are not among A's users).
	{route: "GET /api/v1/counties/:county/entities", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/entities", allowed: []string{"admin"}, body: isoEntityBody},
	{route: "GET /api/v1/counties/:county/entities/:id", allowed: []string{"admin"}, object: "entity"},
	{route: "PUT /api/v1/counties/:county/entities/:id", allowed: []string{"admin"}, object: "entity", body: isoEntityBody},
	{route: "GET /api/v1/counties/:county/entities/template.xlsx", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/entities/import", allowed: []string{"admin"}, body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/entities.xlsx", allowed: []string{"admin"}},
	{route: "GET /counties/:county/entities", allowed: []string{"admin"}},
	{route: "POST /counties/:county/entities", allowed: []string{"admin"}, body: isoEntityForm},
	{route: "GET /counties/:county/entities/new", allowed: []string{"admin"}},
	{route: "GET /counties/:county/entities/import", allowed: []string{"admin"}},
	{route: "POST /counties/:county/entities/import", allowed: []string{"admin"}, body: url.Values{}},
	{route: "GET /counties/:county/entities/:id", allowed: []string{"admin"}, object: "entity"},
	{route: "POST /counties/:county/entities/:id", allowed: []string{"admin"}, object: "entity", body: isoEntityForm},

	// Inspections (双随机一公开): the county administrator reads, plans, keeps
	// the inspector pool and publishes; drawing, approving and recording
	// belong to officers and the 负责人, whom the test's actors are not.
	{route: "GET /api/v1/counties/:county/inspectors", allowed: []string{"admin"}},
	{route: "PUT /api/v1/counties/:county/inspectors/:id", allowed: []string{"admin"}, body: map[string]any{"certificate_no": "probe"}},
	{route: "GET /api/v1/counties/:county/inspection-conflicts", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/inspection-conflicts", allowed: []string{"admin"}, body: map[string]any{}},
	{route: "GET /counties/:county/inspectors", allowed: []string{"admin"}},
	{route: "POST /counties/:county/inspectors", allowed: []string{"admin"}, body: url.Values{}},
	{route: "POST /counties/:county/inspection-conflicts", allowed: []string{"admin"}, body: url.Values{}},
	{route: "GET /api/v1/counties/:county/inspection-plans", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/inspection-plans", allowed: []string{"admin"}, body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/inspection-plans/:id", allowed: []string{"admin"}, object: "plan"},
	{route: "POST /api/v1/counties/:county/inspection-plans/:id/approve", object: "plan"},
	{route: "GET /api/v1/counties/:county/inspection-plans/:id/draws", allowed: []string{"admin"}, object: "plan"},
	{route: "POST /api/v1/counties/:county/inspection-plans/:id/draws", object: "plan", body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/inspection-draws/:id", allowed: []string{"admin"}, object: "draw"},
	{route: "GET /api/v1/counties/:county/inspection-draws/:id/verify", allowed: []string{"admin"}, object: "draw"},
	{route: "GET /api/v1/counties/:county/inspections", allowed: []string{"admin"}},
	{route: "GET /api/v1/counties/:county/inspections/:id", allowed: []string{"admin"}, object: "inspection"},
	{route: "POST /api/v1/counties/:county/inspections/:id/findings", object: "inspection", body: map[string]any{}},
	{route: "POST /api/v1/counties/:county/inspections/:id/complete", object: "inspection", body: map[string]any{}},
	{route: "POST /api/v1/counties/:county/inspections/:id/recheck", object: "inspection", body: map[string]any{}},
	{route: "POST /api/v1/counties/:county/inspections/:id/publish", allowed: []string{"admin"}, object: "inspection"},
	{route: "POST /api/v1/counties/:county/inspections/:id/findings/:finding/penalty-case", object: "inspection",
		body: map[string]any{"item_code": "284"}},
	{route: "GET /api/v1/public/counties/:county/inspection-results", public: true},
	{route: "GET /counties/:county/inspection-plans", allowed: []string{"admin"}},
	{route: "POST /counties/:county/inspection-plans", allowed: []string{"admin"}, body: url.Values{}},
	{route: "GET /counties/:county/inspection-plans/:id", allowed: []string{"admin"}, object: "plan"},
	{route: "POST /counties/:county/inspection-plans/:id/approve", object: "plan", body: url.Values{}},
	{route: "POST /counties/:county/inspection-plans/:id/draw", object: "plan", body: url.Values{}},
	{route: "GET /counties/:county/inspection-draws/:id/verify", allowed: []string{"admin"}, object: "draw"},
	{route: "GET /counties/:county/inspections", allowed: []string{"admin"}},
	{route: "GET /counties/:county/inspections/:id", allowed: []string{"admin"}, object: "inspection"},
	{route: "GET /counties/:county/inspections/:id/print", allowed: []string{"admin"}, object: "inspection"},
	{route: "POST /counties/:county/inspections/:id/findings", object: "inspection", body: url.Values{}},
	{route: "POST /counties/:county/inspections/:id/complete", object: "inspection", body: url.Values{}},
	{route: "POST /counties/:county/inspections/:id/recheck", object: "inspection", body: url.Values{}},
	{route: "POST /counties/:county/inspections/:id/publish", allowed: []string{"admin"}, object: "inspection", body: url.Values{}},
	{route: "POST /counties/:county/inspections/:id/findings/:finding/penalty-case", object: "inspection", body: url.Values{}},
	{route: "GET /portal/:county/inspection-results", public: true},
	// Penalty cases: read by the county administrator; opened by officers
	// and the 负责人 only (none of A's test users); the actions pass the
	// read gate and the service asks for the step's role.
	{route: "GET /api/v1/counties/:county/penalty-cases", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/penalty-cases", body: map[string]any{"item_code": "CF-001"}},
	{route: "GET /api/v1/counties/:county/penalty-cases/:id", allowed: []string{"admin"}, object: "penalty"},
	{route: "POST /api/v1/counties/:county/penalty-cases/:id/actions", allowed: []string{"admin"}, object: "penalty",
		body: map[string]any{"action": "approve"}},
	{route: "GET /api/v1/provinces/:province/penalty-thresholds"},
	{route: "PUT /api/v1/provinces/:province/penalty-thresholds", body: map[string]any{"individual_yuan": 1, "organization_yuan": 1, "basis": "probe"}},
	{route: "GET /counties/:county/penalty-cases", allowed: []string{"admin"}},
	{route: "POST /counties/:county/penalty-cases", body: url.Values{"item_code": {"CF-001"}}},
	{route: "GET /counties/:county/penalty-cases/:id", allowed: []string{"admin"}, object: "penalty"},
	{route: "POST /counties/:county/penalty-cases/:id/actions", allowed: []string{"admin"}, object: "penalty",
		body: url.Values{"action": {"approve"}}},
	{route: "GET /counties/:county/penalty-cases/:id/documents/:kind", allowed: []string{"admin"}, object: "penalty"},
	// Evidence: read by officers, the 法制审核 reviewer and the 负责人 only,
	// added and voided by officers (none of A's test users: the county
	// administrator reads cases but not their evidence).
	{route: "GET /api/v1/counties/:county/penalty-cases/:id/evidence", object: "penalty"},
	{route: "POST /api/v1/counties/:county/penalty-cases/:id/evidence", object: "penalty", body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/penalty-cases/:id/evidence/:evidence/files/:file", object: "penalty"},
	{route: "POST /api/v1/counties/:county/penalty-cases/:id/evidence/:evidence/void", object: "penalty",
		body: map[string]any{"reason": "probe"}},
	{route: "POST /counties/:county/penalty-cases/:id/evidence", object: "penalty", body: url.Values{"kind": {"documentary"}}},
	{route: "POST /counties/:county/penalty-cases/:id/evidence/:evidence/void", object: "penalty", body: url.Values{"reason": {"probe"}}},
	{route: "GET /counties/:county/penalty-cases/:id/evidence/:evidence/files/:file", object: "penalty"},
	// On-the-spot decisions: read by the county administrator; recorded by
	// officers only (none of A's test users); the actions pass the read
	// gate and the service asks for the step's role.
	{route: "GET /api/v1/counties/:county/onspot-decisions", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/onspot-decisions", body: map[string]any{"item_code": "CF-001"}},
	{route: "GET /api/v1/counties/:county/onspot-decisions/:id", allowed: []string{"admin"}, object: "onspot"},
	{route: "POST /api/v1/counties/:county/onspot-decisions/:id/actions", allowed: []string{"admin"}, object: "onspot",
		body: map[string]any{"action": "file"}},
	{route: "GET /counties/:county/onspot-decisions", allowed: []string{"admin"}},
	{route: "POST /counties/:county/onspot-decisions", body: url.Values{"item_code": {"CF-001"}}},
	{route: "GET /counties/:county/onspot-decisions/:id", allowed: []string{"admin"}, object: "onspot"},
	{route: "POST /counties/:county/onspot-decisions/:id/actions", allowed: []string{"admin"}, object: "onspot",
		body: url.Values{"action": {"file"}}},
	{route: "GET /counties/:county/onspot-decisions/:id/document", allowed: []string{"admin"}, object: "onspot"},

	// Disclosure.
	{route: "GET /api/v1/counties/:county/disclosures", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/disclosures/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "disclosure"},
	{route: "POST /api/v1/counties/:county/disclosures", allowed: []string{"clerk"}, body: map[string]any{"title": ""}},
	{route: "PUT /api/v1/counties/:county/disclosures/:id", allowed: []string{"clerk"}, object: "disclosure",
		body: map[string]any{"title": "probe", "category": "11", "body": "probe", "formed_on": "2026-11-02"}},
	{route: "POST /api/v1/counties/:county/disclosures/:id/submit", allowed: []string{"clerk"}, object: "disclosure"},
	{route: "POST /api/v1/counties/:county/disclosures/:id/review", allowed: []string{"admin", "reviewer"}, object: "disclosure",
		body: map[string]any{"decision": "approve"}},
	{route: "POST /api/v1/counties/:county/disclosures/:id/publish", allowed: []string{"admin", "reviewer"}, object: "disclosure"},
	{route: "POST /api/v1/counties/:county/disclosures/:id/withdraw", allowed: []string{"admin", "reviewer"}, object: "disclosure",
		body: map[string]any{"reason": "probe"}},
	{route: "POST /api/v1/counties/:county/disclosures/:id/attachments", allowed: []string{"clerk"}, object: "disclosure"},
	{route: "GET /api/v1/counties/:county/disclosures/:id/attachments/:att", allowed: []string{"admin", "clerk", "reviewer"}, object: "disclosure"},
	{route: "GET /api/v1/counties/:county/disclosure-settings", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "PUT /api/v1/counties/:county/disclosure-settings", allowed: []string{"admin"}, body: map[string]any{"terms": []string{"<"}}},
	{route: "GET /api/v1/counties/:county/info-requests", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/info-requests/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "request"},
	{route: "POST /api/v1/counties/:county/info-requests/:id/answer", allowed: []string{"clerk"}, object: "request",
		body: map[string]any{"outcome": "disclosed", "answer": "probe"}},
	// The head of the disclosure office's (disclosure:extend): none of these.
	{route: "POST /api/v1/counties/:county/info-requests/:id/extend", object: "request",
		body: map[string]any{"reason": "probe"}},
	{route: "POST /api/v1/counties/:county/info-requests/:id/correction", allowed: []string{"clerk"}, object: "request",
		body: map[string]any{"notified_on": "2026-01-05", "content": "probe", "due_on": "2026-01-15"}},
	{route: "POST /api/v1/counties/:county/info-requests/:id/corrected", allowed: []string{"clerk"}, object: "request",
		body: map[string]any{"received_on": "2026-01-05"}},
	{route: "POST /api/v1/counties/:county/info-requests/:id/consultation", allowed: []string{"clerk"}, object: "request",
		body: map[string]any{"started_on": "2026-01-05"}},
	{route: "POST /api/v1/counties/:county/info-requests/:id/consultation/end", allowed: []string{"clerk"}, object: "request",
		body: map[string]any{"ended_on": "2026-01-05"}},
	{route: "GET /api/v1/public/counties/:county/disclosures", public: true},
	{route: "GET /api/v1/public/counties/:county/disclosures/:id", public: true, object: "disclosure"},
	{route: "GET /api/v1/public/counties/:county/disclosures/:id/attachments/:att", public: true, object: "disclosure"},
	{route: "POST /api/v1/public/counties/:county/info-requests", public: true},
	{route: "GET /api/v1/public/counties/:county/info-requests/:tracking", public: true, object: "request"},

	// Reports.
	{route: "GET /api/v1/counties/:county/reports", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/reports", allowed: []string{"admin"}, body: map[string]any{"period_kind": "decade"}},
	{route: "GET /api/v1/counties/:county/reports/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "report"},
	{route: "GET /api/v1/counties/:county/reports/:id.xlsx", allowed: []string{"admin", "clerk", "reviewer"}, object: "report"},
	{route: "GET /api/v1/counties/:county/reports/:id.html", allowed: []string{"admin", "clerk", "reviewer"}, object: "report"},
	{route: "PUT /api/v1/counties/:county/reports/:id/narrative", allowed: []string{"admin"}, object: "report",
		body: map[string]any{"experience": "probe"}},
	{route: "POST /api/v1/counties/:county/reports/:id/submit", allowed: []string{"admin"}, object: "report"},
	{route: "GET /api/v1/provinces/:province/reports"},
	{route: "POST /api/v1/provinces/:province/reports", body: map[string]any{"period_kind": "decade"}},
	{route: "GET /api/v1/provinces/:province/reports/:id", object: "report"},
	{route: "GET /api/v1/provinces/:province/reports/:id.xlsx", object: "report"},
	{route: "GET /api/v1/provinces/:province/reports/:id.html", object: "report"},
	{route: "PUT /api/v1/provinces/:province/reports/:id/narrative", object: "report", body: map[string]any{"experience": 1}},
	{route: "POST /api/v1/provinces/:province/reports/:id/submit", object: "report"},
	{route: "POST /api/v1/provinces/:province/reports/:id/return", object: "report", body: map[string]any{"comment": ""}},
	{route: "POST /api/v1/provinces/:province/reports/:id/accept", object: "report"},
	{route: "GET /api/v1/counties/:county/annual-reports", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/annual-reports", allowed: []string{"admin"}, body: map[string]any{"year": 1900}},
	{route: "GET /api/v1/counties/:county/annual-reports/:year", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "PUT /api/v1/counties/:county/annual-reports/:year/manual", allowed: []string{"admin"}, body: map[string]any{"x": 1}},
	{route: "POST /api/v1/counties/:county/annual-reports/:year/publish", allowed: []string{"admin"}},
	{route: "GET /api/v1/counties/:county/annual-reports/:year.xlsx", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/annual-reports/:year.html", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/public/counties/:county/annual-reports", public: true},
	{route: "GET /api/v1/public/counties/:county/annual-reports/:year", public: true},

	// Calendar overlays of a province.
	{route: "GET /api/v1/provinces/:province/calendar/years"},
	{route: "PUT /api/v1/provinces/:province/calendar/years/:year", body: map[string]any{"holidays": []string{"bad"}}},
	{route: "GET /provinces/:province/calendar"},
	{route: "POST /provinces/:province/calendar", body: url.Values{"year": {"2026"}, "holidays": {"bad"}}},

	// Disclosure, request and report pages.
	{route: "GET /counties/:county/disclosures", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/disclosures/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "disclosure"},
	{route: "GET /counties/:county/disclosures/:id/reviews", allowed: []string{"admin", "clerk", "reviewer"}, object: "disclosure"},
	{route: "POST /counties/:county/disclosures", allowed: []string{"clerk"}, body: url.Values{"title": {""}}},
	{route: "POST /counties/:county/disclosures/:id", allowed: []string{"clerk"}, object: "disclosure", body: url.Values{"title": {""}}},
	{route: "POST /counties/:county/disclosures/:id/attachments", allowed: []string{"clerk"}, object: "disclosure", body: url.Values{}},
	{route: "POST /counties/:county/disclosures/docx", allowed: []string{"clerk"}, body: url.Values{"title": {"probe"}}},
	{route: "POST /counties/:county/disclosures/:id/docx", allowed: []string{"clerk"}, object: "disclosure", body: url.Values{"title": {"probe"}}},
	{route: "POST /counties/:county/disclosures/:id/submit", allowed: []string{"clerk"}, object: "disclosure", body: url.Values{}},
	{route: "POST /counties/:county/disclosures/:id/review", allowed: []string{"admin", "reviewer"}, object: "disclosure",
		body: url.Values{"decision": {"maybe"}}},
	{route: "POST /counties/:county/disclosures/:id/publish", allowed: []string{"admin", "reviewer"}, object: "disclosure", body: url.Values{}},
	{route: "POST /counties/:county/disclosures/:id/withdraw", allowed: []string{"admin", "reviewer"}, object: "disclosure",
		body: url.Values{"reason": {""}}},
	{route: "GET /counties/:county/disclosure-settings", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /counties/:county/disclosure-settings", allowed: []string{"admin"}, body: url.Values{"terms": {"<"}}},
	{route: "GET /counties/:county/info-requests", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/info-requests/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "request"},
	{route: "POST /counties/:county/info-requests/:id/answer", allowed: []string{"clerk"}, object: "request",
		body: url.Values{"outcome": {"none"}}},
	{route: "POST /counties/:county/info-requests/:id/extend", object: "request",
		body: url.Values{"reason": {""}}},
	{route: "POST /counties/:county/info-requests/:id/correction", allowed: []string{"clerk"}, object: "request",
		body: url.Values{"notified_on": {"2026-01-05"}, "content": {"probe"}, "due_on": {"2026-01-15"}}},
	{route: "GET /counties/:county/info-requests/:id/notices/:notice", allowed: []string{"admin", "clerk", "reviewer"}, object: "request"},
	{route: "POST /counties/:county/info-requests/:id/corrected", allowed: []string{"clerk"}, object: "request",
		body: url.Values{"received_on": {"2026-01-05"}}},
	{route: "GET /portal/:county/disclosures", public: true},
	{route: "GET /portal/:county/disclosures/:id", public: true, object: "disclosure"},
	{route: "GET /portal/:county/info-requests/new", public: true},
	{route: "POST /portal/:county/info-requests/new", public: true},
	{route: "GET /portal/:county/info-requests/track", public: true},
	{route: "GET /counties/:county/annual-reports", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /counties/:county/annual-reports", allowed: []string{"admin"}, body: url.Values{"year": {"1900"}}},
	{route: "GET /counties/:county/annual-reports/:year", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /counties/:county/annual-reports/:year/manual", allowed: []string{"admin"},
		body: url.Values{"regulations.made": {"不是数字"}}},
	{route: "POST /counties/:county/annual-reports/:year/publish", allowed: []string{"admin"}, body: url.Values{}},
	{route: "GET /portal/:county/annual-reports", public: true},
	{route: "GET /portal/:county/annual-reports/:year", public: true},
	{route: "GET /portal/:county/annual-reports/:year.xlsx", public: true},
	{route: "GET /portal/:county/annual-reports/:year.html", public: true},
	{route: "GET /counties/:county/reports", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/reports/:id", allowed: []string{"admin", "clerk", "reviewer"}, object: "report"},
	{route: "POST /counties/:county/reports", allowed: []string{"admin"}, body: url.Values{"period_kind": {"decade"}}},
	{route: "POST /counties/:county/reports/:id/narrative", allowed: []string{"admin"}, object: "report",
		body: url.Values{"experience": {"probe"}}},
	{route: "POST /counties/:county/reports/:id/submit", allowed: []string{"admin"}, object: "report", body: url.Values{}},
	{route: "GET /provinces/:province/reports"},
	{route: "GET /provinces/:province/reports/:id", object: "report"},
	{route: "POST /provinces/:province/reports", body: url.Values{"period_kind": {"decade"}}},
	{route: "POST /provinces/:province/reports/:id/narrative", object: "report", body: url.Values{"experience": {"probe"}}},
	{route: "POST /provinces/:province/reports/:id/submit", object: "report", body: url.Values{}},
	{route: "POST /provinces/:province/reports/:id/return", object: "report", body: url.Values{"comment": {""}}},
	{route: "POST /provinces/:province/reports/:id/accept", object: "report", body: url.Values{}},

	// Pages.
	{route: "GET /counties/:county", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/users", allowed: []string{"admin"}},
	{route: "POST /counties/:county/users", allowed: []string{"admin"},
		body: url.Values{"username": {"probe_page"}, "roles": {"county_clerk"}}},
	{route: "GET /counties/:county/catalog", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/catalog/:code", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /counties/:county/catalog", allowed: []string{"admin", "clerk"},
		body: url.Values{"category": {"service"}, "name": {"probe item"}}},
	{route: "POST /counties/:county/catalog/:code", allowed: []string{"admin", "clerk"},
		body: url.Values{"legal_basis": {"probe"}}},
	{route: "POST /counties/:county/catalog/:code/publish", allowed: []string{"admin"}, body: url.Values{}},
	{route: "POST /counties/:county/catalog/:code/applicability", allowed: []string{"admin"}, body: url.Values{"applicable": {"0"}}},
	{route: "POST /counties/:county/catalog/:code/discretion", allowed: []string{"admin", "clerk", "reviewer"},
		body: url.Values{"standard_id": {"CF-001-1"}, "tier_level:CF-001-1": {"一般"}, "case_ref": {"probe"}, "decided_amount": {"1"}}},
	{route: "POST /counties/:county/catalog-changes/:push/acknowledge", allowed: []string{"admin", "clerk"}, body: url.Values{}},
	{route: "POST /counties/:county/catalog-import", allowed: []string{"admin", "clerk"}, body: url.Values{}},
	{route: "GET /provinces/:province/catalog-pushes"},
	{route: "POST /provinces/:province/catalog-pushes", body: url.Values{"note": {"probe"}}},
	{route: "POST /provinces/:province/catalog-template-import", body: url.Values{}},
	{route: "GET /counties/:county/cleanup", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /counties/:county/catalog-templates/adopt-information", allowed: []string{"admin", "clerk"}, body: url.Values{}},
	{route: "POST /counties/:county/cleanup/:code/confirm", allowed: []string{"admin"}, body: url.Values{}},
	{route: "POST /counties/:county/cleanup/:code", allowed: []string{"admin"}, body: url.Values{"reason": {"probe"}}},
	{route: "GET /provinces/:province/catalog-templates"},
	{route: "POST /provinces/:province/catalog-templates", body: url.Values{"code": {"274"}, "fees": {"probe"}}},
	{route: "GET /provinces/:province"},
	{route: "GET /provinces/:province/users"},
	{route: "POST /provinces/:province/users", body: url.Values{"username": {"probe_page_prov"}, "roles": {"province_admin"}}},
	{route: "POST /provinces/:province/counties", body: url.Values{"code": {"340111"}}},
	{route: "POST /provinces/:province/counties/:county/approve", body: url.Values{}},
}

// Markers of county B's data that no answer to a user of county A may contain.
const (
	isoCountyA     = "340102"
	isoCountyB     = "340103"
	isoCountyC     = "340104" // recommended, not yet approved
	isoCountyCName = "蜀山区"
	isoBReadiness  = "乙县电子政务基础-MARKER-B1"
	isoBRecommends = "乙县推荐理由-MARKER-B2"
)

var (
	// isoBInternal is what of county B only B's staff and their superiors see.
	isoBInternal = []string{"admin_" + isoCountyB, "clerk_b", "reviewer_b", isoBReadiness, isoBRecommends, "名录单位B", "处罚当事人B", "违法事实B"}
	// isoBMarkers adds what names county B at all.
	isoBMarkers = append([]string{"庐阳区", isoCountyB}, isoBInternal...)
)

// isoEntityCodes are the credit codes of the entity each county registers;
// isoEntityBody and isoEntityForm are a valid entity (so a refused write is
// refused for the county, not for its input).
var (
	isoEntityCodes = map[string]string{"A": e2e.CreditCode("91340102MA2TX5P41"), "B": e2e.CreditCode("91340103MA2TX5P42")}
	isoEntityBody  = map[string]any{"name": "probe entity", "credit_code": e2e.CreditCode("91340104MA2TX5P43"),
		"address": "probe", "industry": "other", "risk_grade": "blue"}
	isoEntityForm = url.Values{"name": {"probe entity"}, "credit_code": {e2e.CreditCode("91340104MA2TX5P43")},
		"address": {"probe"}, "industry": {"other"}, "risk_grade": {"blue"}}
)

// onboardMarked is s.onboard with recognisable recommendation texts.
func onboardMarked(s *e2e.Service, province, county, readiness, recommendation string) string {
	s.T.Helper()
	admin := s.AdminToken()
	s.Must(201, s.Do("POST", "/api/v1/provinces/"+province+"/counties", admin,
		map[string]string{"code": county, "egov_readiness": readiness, "recommendation": recommendation}))
	r := s.Must(200, s.Do("POST", "/api/v1/provinces/"+province+"/counties/"+county+"/approve", admin, nil))
	creds := r.Body["admin"].(map[string]any)
	username, initial := creds["username"].(string), creds["initial_password"].(string)
	token := s.Login(username, initial)
	s.Must(204, s.Do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "County#Pass2026"}))
	return token
}

// fillRoute puts values into a route pattern's parameters; it fails on a
// parameter the test does not know, so a new route gets a deliberate value.
func fillRoute(t *testing.T, pattern string, values map[string]string) string {
	t.Helper()
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		name, suffix, _ := strings.Cut(p[1:], ".")
		v, ok := values[name]
		if !ok {
			t.Fatalf("%s: no test value for parameter %s", pattern, p)
		}
		if suffix != "" {
			v += "." + suffix
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

// isoSnapshot is what no refused request may change.
type isoSnapshot struct {
	counts   map[string]int
	roles    string // every user-role assignment, sorted
	cStatus  string
	bCatalog string // county B's catalog as its administrator sees it
}

func takeIsoSnapshot(s *e2e.Service, adminB string) isoSnapshot {
	s.T.Helper()
	snap := isoSnapshot{counts: map[string]int{}}
	for _, table := range []string{"counties", "users", "user_roles", "sessions", "county_events", "catalog_items",
		"cases", "case_events", "disclosure_records", "disclosure_reviews", "disclosure_attachments", "info_requests",
		"reports", "annual_reports", "calendar_days", "written_notices", "ratings", "rectifications", "entities",
		"inspectors", "inspection_conflicts", "inspection_plans", "inspection_draws", "inspections", "inspection_findings",
		"penalty_cases", "penalty_events", "penalty_documents", "penalty_thresholds", "publicity_entries",
		"penalty_evidence", "penalty_evidence_files",
		"catalog_cleanup", "catalog_templates"} {
		snap.counts[table] = s.CountRows("SELECT COUNT(*) FROM " + table)
	}
	snap.bCatalog = string(s.Must(200, s.Do("GET", "/api/v1/counties/"+isoCountyB+"/catalog", adminB, nil)).Raw)
	var rows []struct {
		UserID int64  `db:"user_id"`
		Role   string `db:"role"`
		Region string `db:"region"`
	}
	if err := s.Svc.DB.Select(&rows, `SELECT user_id, role, region FROM user_roles`); err != nil {
		s.T.Fatalf("roles: %v", err)
	}
	roles := make([]string, 0, len(rows))
	for _, r := range rows {
		roles = append(roles, e2e.Itoa(r.UserID)+":"+r.Role+"@"+r.Region)
	}
	sort.Strings(roles)
	snap.roles = strings.Join(roles, ",")
	if err := s.Svc.DB.Get(&snap.cStatus, `SELECT status FROM counties WHERE code = ?`, isoCountyC); err != nil {
		s.T.Fatalf("county C: %v", err)
	}
	return snap
}

// TestCountyIsolation checks every tenant-scoped route: users of county A
// never reach county B, B's objects through A's path, or province endpoints.
func TestCountyIsolation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		// Every route with a region parameter has a case, and every case a route.
		known := map[string]bool{}
		for _, c := range isolationCases {
			if known[c.route] {
				t.Fatalf("duplicate case %s", c.route)
			}
			known[c.route] = true
		}
		registered := map[string]bool{}
		var missing []string
		for _, r := range s.Svc.App.GetRoutes(true) {
			if r.Method == "HEAD" || !(strings.Contains(r.Path, ":county") || strings.Contains(r.Path, ":province")) {
				continue
			}
			key := r.Method + " " + r.Path
			if registered[key] {
				continue
			}
			registered[key] = true
			if !known[key] {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Fatalf("tenant-scoped routes without an isolation case:\n  %s", strings.Join(missing, "\n  "))
		}
		for _, c := range isolationCases {
			if !registered[c.route] {
				t.Errorf("isolation case for a route that is not registered: %s", c.route)
			}
		}

		// Two active counties with staff, and one recommended county.
		adminA := s.Onboard("34", isoCountyA)
		adminB := onboardMarked(s, "34", isoCountyB, isoBReadiness, isoBRecommends)
		clerkAID, clerkA := s.AddUser(adminA, isoCountyA, "clerk_a", "county_clerk")
		_, reviewerA := s.AddUser(adminA, isoCountyA, "reviewer_a", "county_reviewer")
		clerkBID, clerkB := s.AddUser(adminB, isoCountyB, "clerk_b", "county_clerk")
		s.AddUser(adminB, isoCountyB, "reviewer_b", "county_reviewer")
		national := s.AdminToken()
		s.Must(201, s.Do("POST", "/api/v1/provinces/34/counties", national,
			map[string]string{"code": isoCountyC, "egov_readiness": "丙", "recommendation": "丙"}))
		actors := []struct{ name, token string }{{"admin", adminA}, {"clerk", clerkA}, {"reviewer", reviewerA}}
		objects := isoObjects(s, map[string][2]string{"A": {adminA, clerkA}, "B": {adminB, clerkB}})
		objects.ids["user"] = map[string]string{"A": e2e.Itoa(clerkAID), "B": e2e.Itoa(clerkBID)}

		before := takeIsoSnapshot(s, adminB)

		// noLeak asserts a response to a user of A carries nothing of B's.
		noLeak := func(what string, r e2e.Response) {
			t.Helper()
			for _, m := range isoBMarkers {
				if strings.Contains(string(r.Raw), m) {
					t.Errorf("%s: response (%d) contains county B's %q: %.300s", what, r.Status, m, r.Raw)
				}
			}
		}
		// denied asserts a refusal: want is 403 or 404 (0 means either); API
		// answers carry the JSON error envelope.
		denied := func(what string, page bool, r e2e.Response, want ...int) {
			t.Helper()
			if r.Status >= 500 {
				t.Errorf("%s: status %d: %.300s", what, r.Status, r.Raw)
				return
			}
			ok := false
			for _, w := range want {
				ok = ok || r.Status == w
			}
			if !ok {
				t.Errorf("%s: status %d, want %v: %.300s", what, r.Status, want, r.Raw)
				return
			}
			if page {
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					t.Errorf("%s: page refusal is %q, want an HTML error page", what, r.Header.Get("Content-Type"))
				}
				return
			}
			code := r.ErrorCode()
			if (r.Status == 403 && code != "forbidden") || (r.Status == 404 && code != "not_found") {
				t.Errorf("%s: error code %q for status %d: %s", what, code, r.Status, r.Raw)
			}
			if e, _ := r.Body["error"].(map[string]any); e == nil || e["message"] == "" || e["message"] == nil {
				t.Errorf("%s: no error message: %s", what, r.Raw)
			}
		}
		isAllowed := func(c isolationCase, actor string) bool {
			for _, a := range c.allowed {
				if a == actor {
					return true
				}
			}
			return false
		}

		for _, c := range isolationCases {
			method, pattern, _ := strings.Cut(c.route, " ")
			page := !strings.HasPrefix(pattern, "/api/")
			provinceRoute := strings.Contains(pattern, ":province")
			hasID := strings.Contains(pattern, ":id")
			object := c.object
			if object == "" {
				object = "user"
			}
			// params fills a route for a county with the objects of owner ("A" or "B").
			params := func(county, owner string) map[string]string {
				// :push names a province's catalog push, shared by its counties.
				return map[string]string{"county": county, "province": "34", "id": objects.ids[object][owner],
					"code": "274", "role": "county_clerk", "push": "1", "year": "2026",
					"tracking": objects.tracking[object][owner], "att": objects.ids["attachment"][owner],
					"mid": objects.ids["material"][owner], "kind": "filing",
					"notice":   objects.ids[object+"_notice"][owner],
					"finding":  objects.ids["finding"][owner],
					"evidence": objects.ids["evidence"][owner], "file": objects.ids["evidence_file"][owner]}
			}

			t.Run(strings.ReplaceAll(c.route, "/", "_"), func(t *testing.T) {
				if c.public {
					// A county that is not an active pilot does not exist publicly.
					if strings.Contains(pattern, ":county") {
						path := fillRoute(t, pattern, params(isoCountyC, "B"))
						resetRateLimits(s)
						r := e2e.IsoRequest(s, method, path, "", nil)
						if r.Status != 404 || (!page && r.ErrorCode() != "not_found") {
							t.Errorf("anonymous %s %s: status %d code %q, want 404 for a county that is not active",
								method, path, r.Status, r.ErrorCode())
						}
					}
					// B's public answer is the same for everyone (word for word
					// from the API; pages show who is signed in) and carries
					// nothing internal of B's, nor the county that is not active.
					path := fillRoute(t, pattern, params(isoCountyB, "B"))
					resetRateLimits(s)
					anon := e2e.IsoRequest(s, method, path, "", nil)
					if anon.Status == 401 || anon.Status == 403 || anon.Status == 303 || anon.Status >= 500 {
						t.Errorf("anonymous %s %s: status %d on a public route: %.300s", method, path, anon.Status, anon.Raw)
					}
					answers := []e2e.Response{anon}
					for _, a := range actors {
						resetRateLimits(s)
						r := e2e.IsoRequest(s, method, path, a.token, nil)
						if r.Status != anon.Status || (!page && string(r.Raw) != string(anon.Raw)) {
							t.Errorf("%s of A: %s %s answers %d %.200s, but anonymously %d %.200s",
								a.name, method, path, r.Status, r.Raw, anon.Status, anon.Raw)
						}
						answers = append(answers, r)
					}
					for _, r := range answers {
						for _, m := range append([]string{isoCountyCName}, isoBInternal...) {
							if strings.Contains(string(r.Raw), m) {
								t.Errorf("public %s %s contains %q: %.300s", method, path, m, r.Raw)
							}
						}
					}
					return
				}
				// Signed out: 401 from the API, a redirect to the sign-in page from pages.
				anonPath := fillRoute(t, pattern, params(isoCountyB, "B"))
				r := e2e.IsoRequest(s, method, anonPath, "", c.body)
				if page {
					if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
						t.Errorf("anonymous %s %s: status %d location %q, want 303 to /login", method, anonPath, r.Status, r.Header.Get("Location"))
					}
				} else if r.Status != 401 || r.ErrorCode() != "unauthorized" {
					t.Errorf("anonymous %s %s: status %d code %q, want 401 unauthorized", method, anonPath, r.Status, r.ErrorCode())
				}

				for _, a := range actors {
					if provinceRoute {
						// Province endpoints: 403 for every county user, whichever
						// county or object the path names, and in another province too.
						targets := []map[string]string{
							params(isoCountyB, "B"),
							params(isoCountyC, "B"),
							params(isoCountyA, "A"),
						}
						other := params("110101", "B")
						other["province"] = "11"
						for _, v := range append(targets, other) {
							path := fillRoute(t, pattern, v)
							r := e2e.IsoRequest(s, method, path, a.token, c.body)
							what := a.name + " of A: " + method + " " + path
							denied(what, page, r, 403)
							noLeak(what, r)
						}
						continue
					}

					// B's county by path: refused, nothing of B's shown.
					path := fillRoute(t, pattern, params(isoCountyB, "B"))
					r := e2e.IsoRequest(s, method, path, a.token, c.body)
					what := a.name + " of A: " + method + " " + path
					denied(what, page, r, 403, 404)
					noLeak(what, r)

					// A's own path with B's object: not found for those the route
					// admits, forbidden for the others.
					if hasID {
						path := fillRoute(t, pattern, params(isoCountyA, "B"))
						r := e2e.IsoRequest(s, method, path, a.token, c.body)
						what := a.name + " of A: " + method + " " + path + " (B's object)"
						if isAllowed(c, a.name) {
							denied(what, page, r, 404)
						} else {
							denied(what, page, r, 403)
						}
						noLeak(what, r)
					}

					// Control: reads in A's own county work for those admitted, so
					// the refusals above are about the county, not the route.
					if method == "GET" {
						path := fillRoute(t, pattern, params(isoCountyA, "A"))
						r := e2e.IsoRequest(s, method, path, a.token, nil)
						what := a.name + " of A: " + method + " " + path + " (own county)"
						if isAllowed(c, a.name) {
							if r.Status != 200 {
								t.Errorf("%s: status %d, want 200: %.300s", what, r.Status, r.Raw)
							}
						} else {
							denied(what, page, r, 403)
						}
						noLeak(what, r)
					}
				}
			})
		}

		// Nothing any refused request could have changed has changed.
		after := takeIsoSnapshot(s, adminB)
		for table, n := range before.counts {
			if after.counts[table] != n {
				t.Errorf("%s: %d rows before, %d after the refused requests", table, n, after.counts[table])
			}
		}
		if after.roles != before.roles {
			t.Errorf("role assignments changed:\nbefore %s\nafter  %s", before.roles, after.roles)
		}
		if after.bCatalog != before.bCatalog {
			t.Errorf("county B's catalog changed:\nbefore %.500s\nafter  %.500s", before.bCatalog, after.bCatalog)
		}
		if after.cStatus != "recommended" {
			t.Errorf("county %s is %q after refused approvals, want recommended", isoCountyC, after.cStatus)
		}
		if n := s.CountRows("SELECT COUNT(*) FROM users WHERE username LIKE 'probe%'"); n != 0 {
			t.Errorf("%d probe users were stored", n)
		}
	})
}

// resetRateLimits forgets the public rate-limit counters, so the isolation
// checks compare answers rather than run into the limits.
func resetRateLimits(s *e2e.Service) {
	s.T.Helper()
	if _, err := s.Svc.DB.Exec(`DELETE FROM rate_limits`); err != nil {
		s.T.Fatalf("reset rate limits: %v", err)
	}
}

// isoObjectSet holds, per kind of object, the ids (and tracking numbers) of
// the one created in county A and the one in county B.
type isoObjectSet struct {
	ids      map[string]map[string]string
	tracking map[string]map[string]string
}

// isoObjects gives both counties a case, a disclosure record with an
// attachment, a request for information and a compiled report, so routes with
// ids are tried with real objects of each county. staff maps "A"/"B" to the
// county's administrator and clerk tokens.
func isoObjects(s *e2e.Service, staff map[string][2]string) isoObjectSet {
	s.T.Helper()
	set := isoObjectSet{ids: map[string]map[string]string{}, tracking: map[string]map[string]string{}}
	put := func(m map[string]map[string]string, kind, owner, v string) {
		if m[kind] == nil {
			m[kind] = map[string]string{}
		}
		m[kind][owner] = v
	}
	county := map[string]string{"A": isoCountyA, "B": isoCountyB}
	for _, owner := range []string{"A", "B"} {
		c, admin, clerk := county[owner], staff[owner][0], staff[owner][1]
		base := "/api/v1/counties/" + c
		s.Must(200, s.Do("PUT", base+"/catalog/274", admin, e2e.FireworksContent()))
		s.Must(200, s.Do("POST", base+"/catalog/274/publish", admin, nil))

		r := s.Must(201, s.Do("POST", base+"/cases", clerk, map[string]any{"item_code": "274",
			"applicant": map[string]any{"name": "申请单位" + owner, "credit_code": "91350100M000100Y43", "phone": "13800000000"}}))
		put(set.ids, "case", owner, e2e.Itoa(int64(r.Body["id"].(float64))))
		put(set.tracking, "case", owner, r.Body["tracking_no"].(string))
		// A written notice of the case: it is sent back for 补正.
		r = s.Must(200, s.Do("POST", base+"/cases/"+set.ids["case"][owner]+"/actions", clerk,
			map[string]any{"action": "pause", "kind": "补正", "reason": "补正内容" + owner}))
		put(set.ids, "case_notice", owner, e2e.Itoa(int64(r.Body["notices"].([]any)[0].(map[string]any)["id"].(float64))))
		// A scan of the case's materials.
		r = s.Must(201, s.Send(e2e.MaterialUpload(base+"/cases/"+set.ids["case"][owner]+"/materials", clerk, "",
			e2e.MaterialFile{Name: "scan.png", Data: e2e.PNG()})))
		put(set.ids, "material", owner, e2e.Itoa(int64(r.Body["items"].([]any)[0].(map[string]any)["id"].(float64))))

		r = s.Must(201, s.Do("POST", base+"/disclosures", clerk, map[string]any{"title": "通报" + owner, "category": "11",
			"body": "<p>正文</p>", "formed_on": "2026-11-02"}))
		record := e2e.Itoa(int64(r.Body["id"].(float64)))
		put(set.ids, "disclosure", owner, record)
		var body strings.Builder
		w := multipart.NewWriter(&body)
		fw, _ := w.CreateFormFile("file", "note.txt")
		_, _ = fw.Write([]byte("附件内容 " + owner))
		_ = w.Close()
		req := httptest.NewRequest("POST", base+"/disclosures/"+record+"/attachments", strings.NewReader(body.String()))
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+clerk)
		r = s.Must(201, s.Send(req))
		put(set.ids, "attachment", owner, e2e.Itoa(int64(r.Body["id"].(float64))))

		resetRateLimits(s)
		r = s.Must(201, s.Do("POST", "/api/v1/public/counties/"+c+"/info-requests", "", map[string]any{
			"name": "申请人" + owner, "contact": "13900000000", "description": "请公开检查情况"}))
		tracking := r.Body["tracking_no"].(string)
		put(set.tracking, "request", owner, tracking)
		var id int64
		if err := s.Svc.DB.Get(&id, `SELECT id FROM info_requests WHERE tracking_no = ?`, tracking); err != nil {
			s.T.Fatalf("request id: %v", err)
		}
		put(set.ids, "request", owner, e2e.Itoa(id))
		// A written notice of the request: the requester is asked to correct it today.
		today := calendar.Today(s.Svc.Disclosure.Now())
		r = s.Must(200, s.Do("POST", base+"/info-requests/"+e2e.Itoa(id)+"/correction", clerk, map[string]any{
			"notified_on": calendar.FormatDate(today), "content": "补正事项" + owner, "due_on": calendar.FormatDate(today.AddDate(0, 0, 10))}))
		put(set.ids, "request_notice", owner, e2e.Itoa(int64(r.Body["notices"].([]any)[0].(map[string]any)["id"].(float64))))

		// A rectification: a decided case the applicant rates 非常不满意.
		r = s.Must(201, s.Do("POST", base+"/cases", clerk, map[string]any{"item_code": "274",
			"applicant": map[string]any{"name": "评价单位" + owner, "credit_code": "91350100M000100Y43", "phone": "13800000000"}}))
		rated := e2e.Itoa(int64(r.Body["id"].(float64)))
		s.Must(200, s.Do("POST", base+"/cases/"+rated+"/actions", clerk, map[string]any{"action": "accept"}))
		s.Must(200, s.Do("POST", base+"/cases/"+rated+"/actions", admin, map[string]any{"action": "approve"}))
		resetRateLimits(s)
		s.Must(201, s.Do("POST", "/api/v1/public/counties/"+c+"/cases/"+r.Body["tracking_no"].(string)+"/rating", "",
			map[string]any{"phone": "13800000000", "level": 1, "comment": "差评理由" + owner}))
		var rect int64
		if err := s.Svc.DB.Get(&rect, `SELECT id FROM rectifications WHERE county_code = ?`, c); err != nil {
			s.T.Fatalf("rectification id: %v", err)
		}
		put(set.ids, "rectification", owner, e2e.Itoa(rect))
		// The approval of the rated case fell due for publication (双公示).
		var entry int64
		if err := s.Svc.DB.Get(&entry, `SELECT id FROM publicity_entries WHERE county_code = ?`, c); err != nil {
			s.T.Fatalf("publicity entry id: %v", err)
		}
		put(set.ids, "publicity", owner, e2e.Itoa(entry))

		r = s.Must(201, s.Do("POST", base+"/entities", admin, map[string]any{"name": "名录单位" + owner,
			"credit_code": isoEntityCodes[owner], "address": "地址" + owner, "industry": "fireworks", "risk_grade": "orange"}))
		entity := e2e.Itoa(int64(r.Body["id"].(float64)))
		put(set.ids, "entity", owner, entity)

		// An inspection: two officers in the pool, a plan the 负责人
		// approves, its draw, and a finding of the drawn inspection.
		var officers []string
		var officerIDs []int64
		for k, name := range []string{"insp1", "insp2"} {
			uid, token := s.AddUser(admin, c, name+"_"+c, "county_officer")
			officerIDs = append(officerIDs, uid)
			s.Must(200, s.Do("PUT", base+"/inspectors/"+e2e.Itoa(uid), admin, map[string]any{
				"certificate_no": fmt.Sprintf("%s%02d", c, k)}))
			officers = append(officers, token)
		}
		_, leader := s.AddUser(admin, c, "leader_"+c, "county_leader")
		r = s.Must(201, s.Do("POST", base+"/inspection-plans", officers[0], map[string]any{"name": "抽查计划",
			"period_start": "2026-01-01", "period_end": "2026-12-31", "entity_count": 1, "inspectors_per_entity": 2}))
		plan := e2e.Itoa(int64(r.Body["id"].(float64)))
		put(set.ids, "plan", owner, plan)
		s.Must(200, s.Do("POST", base+"/inspection-plans/"+plan+"/approve", leader, nil))
		r = s.Must(201, s.Do("POST", base+"/inspection-plans/"+plan+"/draws", officers[0], nil))
		put(set.ids, "draw", owner, e2e.Itoa(int64(r.Body["id"].(float64))))
		r = s.Must(200, s.Do("GET", base+"/inspections?plan_id="+plan, admin, nil))
		inspection := e2e.Itoa(int64(r.Body["items"].([]any)[0].(map[string]any)["id"].(float64)))
		put(set.ids, "inspection", owner, inspection)
		r = s.Must(201, s.Do("POST", base+"/inspections/"+inspection+"/findings", officers[0], map[string]any{
			"description": "应急预案未演练", "legal_provision": "《安全生产法》第八十一条", "violation": true}))
		put(set.ids, "finding", owner, e2e.Itoa(int64(r.Body["id"].(float64))))

		// A penalty case, opened by the county's 负责人 on the penalty item.
		e2e.PenaltyItemPublished(s, c, admin)
		r = s.Must(201, s.Do("POST", base+"/penalty-cases", leader, map[string]any{"item_code": "CF-001",
			"party": map[string]any{"kind": "organization", "name": "处罚当事人" + owner, "credit_code": isoEntityCodes[owner]},
			"facts": "违法事实" + owner}))
		put(set.ids, "penalty", owner, e2e.Itoa(int64(r.Body["id"].(float64))))
		// An item of its evidence, with one file.
		r = s.Must(201, s.Send(e2e.EvidenceUpload(base+"/penalty-cases/"+set.ids["penalty"][owner]+"/evidence", officers[0],
			e2e.EvidenceFields("record", "现场检查记录"+owner, r.Body["filed_on"].(string)), e2e.File("现场.pdf", e2e.PDF(2000)))))
		put(set.ids, "evidence", owner, e2e.Itoa(int64(r.Body["id"].(float64))))
		put(set.ids, "evidence_file", owner, e2e.Itoa(int64(r.Body["files"].([]any)[0].(map[string]any)["id"].(float64))))

		// An on-the-spot decision (简易程序) by the two officers.
		r = s.Must(201, s.Do("POST", base+"/onspot-decisions", officers[0], map[string]any{"item_code": "CF-001",
			"party": map[string]any{"kind": "organization", "name": "当场处罚当事人" + owner, "credit_code": isoEntityCodes[owner]},
			"facts": "当场违法事实" + owner, "penalty": "warning", "place": "现场" + owner, "decided_on": "2026-11-02", "informed": true,
			"officers": []map[string]any{{"user_id": officerIDs[0], "cert_no": "C1"}, {"user_id": officerIDs[1], "cert_no": "C2"}}}))
		put(set.ids, "onspot", owner, e2e.Itoa(int64(r.Body["id"].(float64))))

		r = s.Must(201, s.Do("POST", base+"/reports", admin, map[string]any{"period_kind": "month", "date": "2026-11-01"}))
		put(set.ids, "report", owner, e2e.Itoa(int64(r.Body["id"].(float64))))
		s.Must(201, s.Do("POST", base+"/annual-reports", admin, map[string]any{"year": 2026}))
	}
	resetRateLimits(s)
	return set
}
