package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

func DisPath(county, rest string) string { return "/api/v1/counties/" + county + rest }

func DisPublic(county, rest string) string { return "/api/v1/public/counties/" + county + rest }

type DisFinding struct {
	Field string `json:"field"`
	Kind  string `json:"kind"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

type disRedaction struct {
	Field string `json:"field"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

type disReview struct {
	Stage        int            `json:"stage"`
	ReviewerID   int64          `json:"reviewer_id"`
	ReviewerName string         `json:"reviewer_name"`
	Decision     string         `json:"decision"`
	Opinion      string         `json:"opinion"`
	Findings     []DisFinding   `json:"findings"`
	Redactions   []disRedaction `json:"redactions"`
}

type DisAttachment struct {
	ID       int64  `json:"id"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
}

// DisRecord is a record as the staff API returns it.
type DisRecord struct {
	ID                  int64           `json:"id"`
	CountyCode          string          `json:"county_code"`
	Title               string          `json:"title"`
	Category            string          `json:"category"`
	Body                string          `json:"body"`
	FormedOn            string          `json:"formed_on"`
	Attribute           string          `json:"attribute"`
	WithheldReason      string          `json:"withheld_reason"`
	Status              string          `json:"status"`
	AuthorID            int64           `json:"author_id"`
	PublishDeadline     string          `json:"publish_deadline"`
	DeadlineProvisional bool            `json:"deadline_provisional"`
	OverdueFlagged      bool            `json:"overdue_flagged"`
	Overdue             bool            `json:"overdue"`
	PublishedTitle      string          `json:"published_title"`
	PublishedBody       string          `json:"published_body"`
	PublishedOnTime     *bool           `json:"published_on_time"`
	PublishedAt         *time.Time      `json:"published_at"`
	ScanFindings        []DisFinding    `json:"scan_findings"`
	Redactions          []disRedaction  `json:"redactions"`
	Reviews             []disReview     `json:"reviews"`
	Attachments         []DisAttachment `json:"attachments"`
}

func DisDecode[T any](t testing.TB, r Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("decode %s: %v", r.Raw, err)
	}
	return v
}

func (s *Service) DisCreate(token, county string, in map[string]any) DisRecord {
	s.T.Helper()
	return DisDecode[DisRecord](s.T, s.Must(201, s.Do("POST", DisPath(county, "/disclosures"), token, in)))
}

func (s *Service) DisAct(want int, token, county string, id int64, action string, body any) Response {
	s.T.Helper()
	return s.Must(want, s.Do("POST", DisPath(county, "/disclosures/"+Itoa(id)+"/"+action), token, body))
}

// DisPlain is a proactive record of category 11 without anything to find.
func DisPlain(title, formedOn string) map[string]any {
	return map[string]any{"title": title, "category": "11", "body": "<p>本季度共检查企业12家，均已整改。</p>",
		"formed_on": formedOn, "attribute": "proactive"}
}
