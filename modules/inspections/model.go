// Package inspections is 双随机一公开 on a county's register of supervised
// entities (modules/entities): inspection plans per period, the draw of
// entities and inspectors at random from the eligible pools (reproducible
// from its stored seed and pools, audited, never re-rolled silently), the
// inspection records with their findings, the order to rectify within a
// deadline (责令限期整改) and its re-check (复查), and the publication of the
// results on the county portal within the period the rules set.
package inspections

import (
	"context"
	"time"
)

// Permissions of the module (rbac/policy.csv gives them to roles).
const (
	// ReadPermission: enforcement staff see plans, draws and inspections.
	ReadPermission = "inspections:read"
	// PlanPermission: officers and administrators draft plans.
	PlanPermission = "inspections:plan"
	// ApprovePermission: the bureau's 负责人 approves plans and redraws.
	ApprovePermission = "inspections:approve"
	// DrawPermission: the draw itself (officers and the 负责人).
	DrawPermission = "inspections:draw"
	// RecordPermission: officers record inspections they were drawn for.
	RecordPermission = "inspections:record"
	// PublishPermission: publishing results on the portal.
	PublishPermission = "inspections:publish"
	// PoolPermission: the county administrator keeps the inspector pool.
	PoolPermission = "inspections:pool"
)

// Plan statuses.
const (
	PlanDraft    = "draft"
	PlanApproved = "approved"
)

// Inspection statuses: assigned by a draw, completed once recorded, or
// superseded when the 负责人 approved a redraw before it was recorded.
const (
	StatusAssigned   = "assigned"
	StatusCompleted  = "completed"
	StatusSuperseded = "superseded"
)

// Re-check results (复查结果).
const (
	RecheckRectified    = "rectified"
	RecheckNotRectified = "not_rectified"
)

// Warning lights, as on cases.
const (
	WarningNone   = "none"
	WarningYellow = "yellow"
	WarningRed    = "red"
)

// PublishWorkdays is the period for publishing an inspection's result,
// counted in working days from the day after the inspection (检查结束之日).
// The 20 working days are the figure of the market-regulation 双随机一公开
// practice: the State Administration for Market Regulation's deputy head
// 马正其 (Xinhua, 2018-06-08: "抽查检查结果要在抽查检查结束之日起20个工作日之内
// 及时公布") and provincial practice under 国发〔2019〕5号 (Fujian 2019:
// "检查结束之日起20日内公示检查结果"). 国办发〔2015〕58号, read in part, asks
// for results to be made public (结果公开) without a period in the part we
// read; the text of 国发〔2019〕5号 itself was not found with the search tool,
// so we could not confirm that it states the 20 working days. See README.
const PublishWorkdays = 20

// Plan is an inspection plan (随机抽查计划) of a period.
type Plan struct {
	ID          int64  `db:"id" json:"id"`
	CountyCode  string `db:"county_code" json:"county_code"`
	Name        string `db:"name" json:"name"`
	PeriodStart string `db:"period_start" json:"period_start"`
	PeriodEnd   string `db:"period_end" json:"period_end"`
	// Industries and RiskGrades are comma-separated codes; empty is all.
	IndustriesCSV       string    `db:"industries" json:"-"`
	RiskGradesCSV       string    `db:"risk_grades" json:"-"`
	EntityCount         int       `db:"entity_count" json:"entity_count"`
	InspectorsPerEntity int       `db:"inspectors_per_entity" json:"inspectors_per_entity"`
	Status              string    `db:"status" json:"status"`
	CreatedBy           int64     `db:"created_by" json:"created_by"`
	ApprovedBy          int64     `db:"approved_by" json:"approved_by"`
	ApprovedOn          string    `db:"approved_on" json:"approved_on"`
	CreatedAt           time.Time `db:"created_at" json:"created_at"`
	UpdatedAt           time.Time `db:"updated_at" json:"updated_at"`
}

// PlanInput is a plan as a client sends it.
type PlanInput struct {
	Name                string   `json:"name"`
	PeriodStart         string   `json:"period_start"`
	PeriodEnd           string   `json:"period_end"`
	Industries          []string `json:"industries"`
	RiskGrades          []string `json:"risk_grades"`
	EntityCount         int      `json:"entity_count"`
	InspectorsPerEntity int      `json:"inspectors_per_entity"`
}

// Draw is one stored draw of a plan.
type Draw struct {
	ID                  int64     `db:"id" json:"id"`
	CountyCode          string    `db:"county_code" json:"county_code"`
	PlanID              int64     `db:"plan_id" json:"plan_id"`
	Seq                 int       `db:"seq" json:"seq"`
	Algorithm           string    `db:"algorithm" json:"algorithm"`
	Seed                string    `db:"seed" json:"seed"`
	EntityPoolCSV       string    `db:"entity_pool" json:"-"`
	InspectorPoolCSV    string    `db:"inspector_pool" json:"-"`
	ConflictsCSV        string    `db:"conflicts" json:"-"`
	EntityCount         int       `db:"entity_count" json:"entity_count"`
	InspectorsPerEntity int       `db:"inspectors_per_entity" json:"inspectors_per_entity"`
	ResultJSON          string    `db:"draw_result" json:"-"`
	Reason              string    `db:"reason" json:"reason"`
	Superseded          bool      `db:"superseded" json:"superseded"`
	DrawnBy             int64     `db:"drawn_by" json:"drawn_by"`
	CreatedAt           time.Time `db:"created_at" json:"created_at"`
}

// Inspector is a member of the county's inspector pool.
type Inspector struct {
	ID            int64     `db:"id" json:"id"`
	CountyCode    string    `db:"county_code" json:"-"`
	UserID        int64     `db:"user_id" json:"user_id"`
	CertificateNo string    `db:"certificate_no" json:"certificate_no"`
	Active        bool      `db:"active" json:"active"`
	CreatedBy     int64     `db:"created_by" json:"-"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time `db:"updated_at" json:"updated_at"`
	// DisplayName and Username are read from users for pages.
	DisplayName string `db:"display_name" json:"display_name"`
	Username    string `db:"username" json:"username"`
}

// ConflictRecord is a declared conflict of interest as stored.
type ConflictRecord struct {
	ID         int64     `db:"id" json:"id"`
	CountyCode string    `db:"county_code" json:"-"`
	UserID     int64     `db:"user_id" json:"inspector_id"`
	EntityID   int64     `db:"entity_id" json:"entity_id"`
	Reason     string    `db:"reason" json:"reason"`
	DeclaredBy int64     `db:"declared_by" json:"declared_by"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// Inspection is the inspection of one drawn entity.
type Inspection struct {
	ID                    int64     `db:"id" json:"id"`
	CountyCode            string    `db:"county_code" json:"county_code"`
	PlanID                int64     `db:"plan_id" json:"plan_id"`
	DrawID                int64     `db:"draw_id" json:"draw_id"`
	EntityID              int64     `db:"entity_id" json:"entity_id"`
	InspectorsCSV         string    `db:"inspectors" json:"-"`
	Status                string    `db:"status" json:"status"`
	InspectedOn           string    `db:"inspected_on" json:"inspected_on"`
	Summary               string    `db:"summary" json:"summary"`
	CompletedBy           int64     `db:"completed_by" json:"completed_by"`
	RectifyDeadline       string    `db:"rectify_deadline" json:"rectify_deadline"`
	RectifyWarning        string    `db:"rectify_warning" json:"-"`
	RecheckOn             string    `db:"recheck_on" json:"recheck_on"`
	RecheckResult         string    `db:"recheck_result" json:"recheck_result"`
	RecheckNote           string    `db:"recheck_note" json:"recheck_note"`
	RecheckedBy           int64     `db:"rechecked_by" json:"rechecked_by"`
	PublishDue            string    `db:"publish_due" json:"publish_due"`
	PublishDueProvisional bool      `db:"publish_due_provisional" json:"publish_due_provisional"`
	PublishedOn           string    `db:"published_on" json:"published_on"`
	PublishWarning        string    `db:"publish_warning" json:"-"`
	CreatedAt             time.Time `db:"created_at" json:"created_at"`
	UpdatedAt             time.Time `db:"updated_at" json:"updated_at"`
	// Read with the entity, for lists and pages.
	EntityName       string `db:"entity_name" json:"entity_name"`
	EntityCreditCode string `db:"entity_credit_code" json:"entity_credit_code"`
}

// Finding is one finding of an inspection.
type Finding struct {
	ID             int64     `db:"id" json:"id"`
	CountyCode     string    `db:"county_code" json:"-"`
	InspectionID   int64     `db:"inspection_id" json:"inspection_id"`
	Description    string    `db:"description" json:"description"`
	LegalProvision string    `db:"legal_provision" json:"legal_provision"`
	Violation      bool      `db:"violation" json:"violation"`
	PenaltyCaseID  int64     `db:"penalty_case_id" json:"penalty_case_id"`
	PenaltyCaseNo  string    `db:"penalty_case_no" json:"penalty_case_no"`
	CreatedBy      int64     `db:"created_by" json:"created_by"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
}

// PenaltyParty is the party of a penalty case opened from a finding: the
// inspected entity, by its register id as well as its name and code.
type PenaltyParty struct {
	Kind       string
	Name       string
	CreditCode string
	EntityID   int64
}

// PenaltyInput is what a finding carries over into a new penalty case.
type PenaltyInput struct {
	ItemCode   string
	Party      PenaltyParty
	Facts      string
	FiledOn    string
	SourceKind string
	SourceID   int64
}

// PenaltyItem is a published 行政处罚 item a finding may open a case on.
type PenaltyItem struct {
	Code string
	Name string
}

// PenaltyCase is the case the penalty module opened.
type PenaltyCase struct {
	ID     int64
	CaseNo string
}

// PenaltyOpener opens a penalty case in county on behalf of the actor (a
// user id; the adapter in cmd/pilotd looks up what that user may do in the
// county, as the penalty module's own endpoints do). The penalty module
// provides the case; cmd/pilotd wires it. Errors it returns (apperr) pass to
// the client as they are.
type PenaltyOpener func(ctx context.Context, county string, actorID int64, in PenaltyInput) (PenaltyCase, error)
