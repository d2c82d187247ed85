package penalties

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seal"
)

// Recognisable values of a natural-person party, and an organisation's.
const (
	personName = "钱明文当事人"
	personID   = "11010519491231002X"
	orgName    = "合肥市瑶海区明文化工有限公司"
	orgCode    = "91340102MA2TX5P41X"
)

// migrations is a goose provider of the SQL migration files alone, so a
// test can stop at the schema an older release had.
func migrations(t *testing.T, d *db.DB, dialect db.Dialect) *goose.Provider {
	t.Helper()
	gd := goose.DialectSQLite3
	if dialect == db.MySQL {
		gd = goose.DialectMySQL
	}
	p, err := goose.NewProvider(gd, d.DB.DB, os.DirFS("../db/migrations/"+string(dialect)), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// oldCase stores a case as the release before sealing did: the party's
// name and ID number in plain columns.
func oldCase(t *testing.T, d *db.DB, caseNo, kind, name, code, idNumber, status string) int64 {
	t.Helper()
	res, err := d.Exec(`INSERT INTO penalty_cases (county_code, case_no, item_code, item_version, item_name, party_kind, party_name,
		party_credit_code, party_id_number, entity_id, facts, source_kind, source_id, status, major, filed_on, filing_approved_by,
		decision_due, extension_days, penalties, proposed_fine_yuan, confiscate_yuan, notified_on, hearing_required,
		hearing_request_due, hearing_requested_on, hearing_notice_on, hearing_on, heard_on, legal_reviewed_on, legal_reviewer_id,
		legal_opinion, decided_on, decided_by, outcome, fine_yuan, standard_id, tier_level, factors, reasons, mitigation_ground,
		collective_discussion, served_on, payment_due, paid_on, paid_fen, closed_on, warning, payment_warning, created_by,
		created_at, updated_at) VALUES ('340102', ?, 'CF-001', 1, '对未按规定开展安全生产教育和培训的处罚', ?, ?, ?, ?, 0,
		'未按规定培训从业人员', '', 0, ?, ?, '2026-01-05', 1, '2026-04-05', 0, '', 0, 0, '', ?, '', '', '', '', '', '', 0, '',
		'', 0, '', 0, '', '', '[]', '', '', '', '', '', '', 0, '', 'none', 'none', 1, ?, ?)`,
		caseNo, kind, name, code, idNumber, status, false, false, db.Now(), db.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func addEvent(t *testing.T, d *db.DB, caseID int64, action string, actor int64, reason, detail string) int64 {
	t.Helper()
	res, err := d.Exec(`INSERT INTO penalty_events (county_code, case_id, action, from_status, to_status, actor_id, actor_name, on_date,
		reason, detail, created_at) VALUES ('340102', ?, ?, 'investigating', 'investigating', ?, '系统', '2026-04-06', ?, ?, ?)`,
		caseID, action, actor, reason, detail, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

func column(t *testing.T, d *db.DB, query string, args ...any) string {
	t.Helper()
	var v string
	if err := d.Get(&v, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// TestPartyMigratedAndSealed: a database from before sealing (00190) keeps
// a natural person's name and ID number in plain columns, with copies of
// the name on the timeline and in notices. Migrations 00196–00197 mask the
// copies and move the name to its sealed column, the sweep seals both with
// their blind indexes, the store reads them back, the list finds them only
// exactly and through the indexes, an organisation stays plain and
// searchable in part, a value moved to another row does not open, and the
// retention erasure blanks a closed case's party.
func TestPartyMigratedAndSealed(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, dialect)
		p := migrations(t, d, dialect)
		if _, err := p.UpTo(ctx, 195); err != nil {
			t.Fatalf("up to 195: %v", err)
		}
		person := oldCase(t, d, "瑶海区应急罚立〔2026〕第1号", PartyIndividual, personName, "", personID, StatusInvestigating)
		org := oldCase(t, d, "瑶海区应急罚立〔2026〕第2号", PartyOrganization, orgName, orgCode, "", StatusInvestigating)
		opened := addEvent(t, d, person, "open", 7, "", `{"item_code":"CF-001","party":"`+personName+`"}`)
		flagReason := "处罚案件 瑶海区应急罚立〔2026〕第1号（" + personName + "）决定期限 2026-04-05 已届满"
		flagged := addEvent(t, d, person, "flag_red", 0, flagReason, "{}")
		evidence := addEvent(t, d, person, "investigate", 7, "", `{"evidence":"询问`+personName+`笔录"}`)
		orgOpened := addEvent(t, d, org, "open", 7, "", `{"item_code":"CF-001","party":"`+orgName+`"}`)
		if _, err := d.Exec(`INSERT INTO notices (county_code, user_id, case_id, kind, message, created_at) VALUES
			('340102', 1, 0, 'penalty_red', ?, ?), ('340102', 1, 0, 'penalty_red', ?, ?)`,
			flagReason, db.Now(), "处罚案件 瑶海区应急罚立〔2026〕第2号（"+orgName+"）决定期限 2026-04-05 已届满", db.Now()); err != nil {
			t.Fatal(err)
		}

		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		masked := "钱某某"
		if got := column(t, d, `SELECT party_name FROM penalty_cases WHERE id = ?`, person); got != "" {
			t.Errorf("individual's party_name after the move = %q, want empty", got)
		}
		if got := column(t, d, `SELECT party_person_name FROM penalty_cases WHERE id = ?`, person); got != personName {
			t.Errorf("party_person_name after the move = %q (the sweep seals it next)", got)
		}
		if got := column(t, d, `SELECT party_name FROM penalty_cases WHERE id = ?`, org); got != orgName {
			t.Errorf("organisation's name = %q", got)
		}
		if got := column(t, d, `SELECT detail FROM penalty_events WHERE id = ?`, opened); strings.Contains(got, personName) ||
			!strings.Contains(got, masked) || !strings.Contains(got, "CF-001") {
			t.Errorf("立案 detail = %s, want the name masked and the rest kept", got)
		}
		if got := column(t, d, `SELECT reason FROM penalty_events WHERE id = ?`, flagged); got != strings.Replace(flagReason, personName, masked, 1) {
			t.Errorf("overdue timeline entry = %q", got)
		}
		if got := column(t, d, `SELECT detail FROM penalty_events WHERE id = ?`, evidence); !strings.Contains(got, personName) {
			t.Errorf("staff-written evidence changed: %s", got)
		}
		if got := column(t, d, `SELECT detail FROM penalty_events WHERE id = ?`, orgOpened); !strings.Contains(got, orgName) {
			t.Errorf("an organisation's 立案 detail changed: %s", got)
		}
		var msgs []string
		if err := d.Select(&msgs, `SELECT message FROM notices ORDER BY id`); err != nil || len(msgs) != 2 {
			t.Fatalf("notices %v %v", msgs, err)
		}
		if strings.Contains(msgs[0], personName) || !strings.Contains(msgs[0], "第1号（"+masked+"）") || !strings.Contains(msgs[1], orgName) {
			t.Errorf("notices after the migration: %q", msgs)
		}

		// The sweep seals what the migration moved, and the ID number.
		vault := d.Fields.(*seal.Vault)
		sw := &seal.Sweeper{DB: d, Vault: vault, Columns: SealedColumns}
		if n, done, err := sw.Run(ctx, 0); err != nil || !done || n != 1 {
			t.Fatalf("sweep: %d rows, done %v, %v; want the one individual's row", n, done, err)
		}
		var raw struct {
			Name    string `db:"party_person_name"`
			ID      string `db:"party_id_number"`
			NameIdx string `db:"party_name_bidx"`
			IDIdx   string `db:"party_id_bidx"`
		}
		if err := d.Get(&raw, `SELECT party_person_name, party_id_number, party_name_bidx, party_id_bidx FROM penalty_cases WHERE id = ?`, person); err != nil {
			t.Fatal(err)
		}
		if !seal.IsSealed(raw.Name) || !seal.IsSealed(raw.ID) || raw.NameIdx == "" || raw.IDIdx == "" {
			t.Fatalf("after the sweep: %+v", raw)
		}
		if left, err := seal.Remaining(ctx, d, vault.Current(), SealedColumns); err != nil || left != 0 {
			t.Errorf("values left unsealed: %d %v", left, err)
		}
		s := NewStore(d)
		c, err := s.get(ctx, d, "340102", person)
		if err != nil || c.PartyName != personName || c.PartyIDNumber != personID || c.PartyPersonName != "" {
			t.Fatalf("store reads %q %q %q (%v)", c.PartyName, c.PartyIDNumber, c.PartyPersonName, err)
		}
		if c, err := s.get(ctx, d, "340102", org); err != nil || c.PartyName != orgName || c.PartyCreditCode != orgCode {
			t.Fatalf("organisation reads %q %q (%v)", c.PartyName, c.PartyCreditCode, err)
		}

		// A case written now is sealed at once, bound to its id.
		fresh := Case{CountyCode: "340102", CaseNo: "瑶海区应急罚立〔2026〕第3号", ItemCode: "CF-001", ItemVersion: 1, ItemName: "事项",
			PartyKind: PartyIndividual, PartyName: "孙新当事人", PartyIDNumber: personID, Facts: "x", Status: StatusFiling,
			FiledOn: "2026-02-01", DecisionDue: "2026-05-02", Factors: "[]", Warning: WarningNone, PaymentWarning: WarningNone,
			CreatedAt: db.Now(), UpdatedAt: db.Now()}
		if err := d.InTx(ctx, func(tx *sqlx.Tx) error { return s.insert(ctx, tx, &fresh) }); err != nil {
			t.Fatal(err)
		}
		if got := column(t, d, `SELECT party_person_name FROM penalty_cases WHERE id = ?`, fresh.ID); !seal.IsSealed(got) {
			t.Errorf("new case's name stored %q", got)
		}
		if got := column(t, d, `SELECT party_name FROM penalty_cases WHERE id = ?`, fresh.ID); got != "" {
			t.Errorf("new case's party_name = %q", got)
		}

		// Search: exact name or ID number through the indexes, never in part.
		for _, tc := range []struct {
			q    string
			want []int64
		}{
			{personName, []int64{person}},
			{strings.ToLower(personID), []int64{fresh.ID, person}},
			{"钱明文", nil},
			{personID[:10], nil},
			{"明文化工", []int64{org}},
			{strings.ToLower(orgCode), []int64{org}},
			{"第2号", []int64{org}},
		} {
			list, total, err := s.list(ctx, "340102", Filter{Q: tc.q, Page: 1, PerPage: 20}, "2026-06-01")
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range list {
				got = append(got, c.ID)
			}
			if total != len(tc.want) || len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("q=%q found %v (total %d), want %v", tc.q, got, total, tc.want)
			}
		}

		// A sealed value copied to another row does not open there.
		if _, err := d.Exec(`UPDATE penalty_cases SET party_id_number = ? WHERE id = ?`, raw.ID, org); err != nil {
			t.Fatal(err)
		}
		if _, err := s.get(ctx, d, "340102", org); err == nil {
			t.Error("a sealed ID number moved to another case opened")
		}
		if _, err := d.Exec(`UPDATE penalty_cases SET party_id_number = '' WHERE id = ?`, org); err != nil {
			t.Fatal(err)
		}

		// Retention: a closed individual's case loses its party's personal
		// fields; open cases and organisations keep theirs.
		if _, err := d.Exec(`UPDATE penalty_cases SET status = ?, closed_on = '2020-03-01' WHERE id IN (?, ?)`, StatusClosed, person, org); err != nil {
			t.Fatal(err)
		}
		if n, err := ErasePersonal(ctx, d, "2021-01-01", "2026-06-01"); err != nil || n != 1 {
			t.Fatalf("erased %d (%v), want 1", n, err)
		}
		if err := d.Get(&raw, `SELECT party_person_name, party_id_number, party_name_bidx, party_id_bidx FROM penalty_cases WHERE id = ?`, person); err != nil ||
			raw.Name != "" || raw.ID != "" || raw.NameIdx != "" || raw.IDIdx != "" {
			t.Errorf("erased case: %+v %v", raw, err)
		}
		if n := column(t, d, `SELECT COUNT(*) FROM penalty_cases WHERE id = ? AND status = ? AND closed_on = '2020-03-01'
			AND personal_erased_on = '2026-06-01'`, person, StatusClosed); n != "1" {
			t.Error("the erased case lost its status or closing date, or was not marked")
		}
		if c, err := s.get(ctx, d, "340102", org); err != nil || c.PartyName != orgName {
			t.Errorf("organisation after retention: %q %v", c.PartyName, err)
		}
		if c, err := s.get(ctx, d, "340102", fresh.ID); err != nil || c.PartyName != "孙新当事人" {
			t.Errorf("open case after retention: %q %v", c.PartyName, err)
		}
	})
}

// TestEnforcementDueBackfilled: migration 00200 gives the fines served
// before the court clock existed the last day to apply that EnforcementDue
// computes (民法典 第二百零二条 at month ends and in leap years included),
// on both engines, and leaves cases without a fine or not served alone.
func TestEnforcementDueBackfilled(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, dialect)
		p := migrations(t, d, dialect)
		if _, err := p.UpTo(ctx, 199); err != nil {
			t.Fatalf("up to 199: %v", err)
		}
		served := map[int64]string{}
		for k, on := range []string{"2026-05-21", "2026-08-31", "2026-08-29", "2027-05-31", "2026-11-30", "2026-12-31", "2027-06-30"} {
			id := oldCase(t, d, "瑶海区应急罚立〔2026〕第"+strconv.Itoa(k+1)+"号", PartyOrganization, orgName, orgCode, "", StatusServed)
			if _, err := d.Exec(`UPDATE penalty_cases SET served_on = ?, fine_yuan = 5000 WHERE id = ?`, on, id); err != nil {
				t.Fatal(err)
			}
			served[id] = on
		}
		noFine := oldCase(t, d, "瑶海区应急罚立〔2026〕第8号", PartyOrganization, orgName, orgCode, "", StatusServed)
		if _, err := d.Exec(`UPDATE penalty_cases SET served_on = '2026-05-21' WHERE id = ?`, noFine); err != nil {
			t.Fatal(err)
		}
		notServed := oldCase(t, d, "瑶海区应急罚立〔2026〕第9号", PartyOrganization, orgName, orgCode, "", StatusInvestigating)
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		for id, on := range served {
			if got, want := column(t, d, `SELECT enforcement_due FROM penalty_cases WHERE id = ?`, id), EnforcementDue(on); got != want {
				t.Errorf("served %s: enforcement_due %q, want %q", on, got, want)
			}
		}
		for _, id := range []int64{noFine, notServed} {
			if got := column(t, d, `SELECT enforcement_due FROM penalty_cases WHERE id = ?`, id); got != "" {
				t.Errorf("case %d without a served fine: enforcement_due %q", id, got)
			}
		}
	})
}
