// Package crypto_test checks personal data at rest end to end: nothing a
// person typed appears in the database files or a dump, search still finds
// it, and key rotation and the profile migration run while the service serves.
package crypto_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/xuri/excelize/v2"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/audit"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const county = "340102"

// Recognisable personal values: none may be found in the stored bytes.
var (
	contact        = "甄秘密联系人"
	phone          = "13987654321"
	requesterName  = "贾申请人明文"
	requesterPhone = "requester-13711112222"
	entityContact  = "郝监管联系人"
	entityPhone    = "0551-66778899"
	partyName      = "冯明文处罚当事人"
	partyID        = "340102197511224566" // valid GB 11643 check digit
	// onspotName and onspotID are a natural person fined on the spot.
	onspotName = "褚当场处罚当事人"
	onspotID   = "11010519491231002X"
	orgName    = "合肥市瑶海区独特化工有限公司"
	orgCode    = e2e.CreditCode("91340102MA2CRYP01")
	entityCode = e2e.CreditCode("91340102MA2CRYP02")
)

type fixture struct {
	desk     e2e.CaseDesk
	officer  string
	caseID   int64
	tracking string
	// penaltyID is a penalty case of a natural person (partyName,
	// partyID), opened 95 days ago so its decision clock has run out.
	penaltyID int64
	// onspotID is an on-the-spot decision fining onspotName.
	onspotID int64
}

func populate(t *testing.T, s *e2e.Service) fixture {
	t.Helper()
	f := fixture{desk: s.CaseDesk(county)}
	_, f.officer = s.AddUser(f.desk.Admin, county, "officer_"+county, "county_officer")
	c := s.NewCase(f.desk.Clerk, county, map[string]any{"item_code": "274",
		"applicant": map[string]any{"name": orgName, "credit_code": orgCode, "contact": contact, "phone": phone}})
	f.caseID, f.tracking = c.ID, c.TrackingNo
	s.Must(201, s.Do("POST", "/api/v1/public/counties/"+county+"/info-requests", "", map[string]any{
		"name": requesterName, "contact": requesterPhone, "description": "请公开本县2025年烟花爆竹经营许可名单", "requester_type": "natural"}))
	s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/entities", f.officer, map[string]any{"name": "合肥市瑶海区监管对象有限公司",
		"credit_code": entityCode, "address": "合肥市瑶海区长江东路1号", "industry": "fireworks", "risk_grade": "orange",
		"contact": entityContact, "phone": entityPhone}))
	e2e.PenaltyItemPublished(s, county, f.desk.Admin)
	p := s.Must(201, s.Do("POST", penaltyPath(""), f.desk.Leader, map[string]any{"item_code": "CF-001",
		"party":    map[string]any{"kind": "individual", "name": partyName, "id_number": partyID},
		"facts":    "经营场所未对从业人员进行安全生产教育和培训",
		"filed_on": calendar.FormatDate(calendar.Today(time.Now()).AddDate(0, 0, -95))}))
	f.penaltyID = e2e.Num(p.Body["id"])
	o1, _ := s.AddUser(f.desk.Admin, county, "onspot1_"+county, "county_officer")
	o2, o2Token := s.AddUser(f.desk.Admin, county, "onspot2_"+county, "county_officer")
	today := calendar.FormatDate(calendar.Today(time.Now()))
	o := s.Must(201, s.Do("POST", "/api/v1/counties/"+county+"/onspot-decisions", o2Token, map[string]any{"item_code": "CF-001",
		"party": map[string]any{"kind": "individual", "name": onspotName, "id_number": onspotID},
		"facts": "特种作业人员未持证上岗", "penalty": "fine", "fine_yuan": 100,
		"officers": []map[string]any{{"user_id": o1, "cert_no": "皖应急执34010291"}, {"user_id": o2, "cert_no": "皖应急执34010292"}},
		"place":    "瑶海区和平路12号仓库", "decided_on": today, "informed": true, "payment": "bank"}))
	f.onspotID = e2e.Num(o.Body["id"])
	return f
}

func penaltyPath(rest string) string { return "/api/v1/counties/" + county + "/penalty-cases" + rest }

// secrets are the plaintexts that must not be stored (the phones also as
// their digits alone).
func secrets() []string {
	return []string{contact, phone, requesterName, requesterPhone, entityContact, entityPhone, "66778899", "13711112222",
		partyName, partyID, onspotName, onspotID}
}

// storedBytes is everything the database keeps: every file of the SQLite
// data folder (database, WAL and shared memory), or a MariaDB dump.
func storedBytes(t *testing.T, s *e2e.Service) []byte {
	t.Helper()
	cfg := s.Svc.Config
	if s.Svc.DB.Dialect == db.SQLite {
		var all []byte
		files, err := filepath.Glob(filepath.Join(cfg.DataDir, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("data folder %s: %v", cfg.DataDir, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	mc, err := mysql.ParseDSN(cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	host, port := "127.0.0.1", "3306"
	if h, p, ok := strings.Cut(mc.Addr, ":"); ok {
		host, port = h, p
	}
	args := []string{"-h", host, "-P", port, "-u", mc.User, "--skip-extended-insert", mc.DBName}
	if mc.Passwd != "" {
		args = append(args, "-p"+mc.Passwd)
	}
	out, err := exec.Command("mariadb-dump", args...).Output()
	if err != nil {
		t.Fatalf("mariadb-dump: %v", err)
	}
	if !bytes.Contains(out, []byte("CREATE TABLE `cases`")) || !bytes.Contains(out, []byte("INSERT INTO `cases`")) {
		t.Fatalf("the dump has no cases: %.300s", out)
	}
	return out
}

func wantNoPlaintext(t *testing.T, s *e2e.Service) {
	t.Helper()
	stored := storedBytes(t, s)
	for _, p := range secrets() {
		if bytes.Contains(stored, []byte(p)) {
			t.Errorf("%q is stored in plaintext", p)
		}
	}
	// The organisation's name and code stay plain (they are public), so the
	// check above is not passing because nothing was stored at all.
	if !bytes.Contains(stored, []byte(orgName)) || !bytes.Contains(stored, []byte(orgCode)) {
		t.Error("the organisation's name and code should be stored (plain)")
	}
}

// search runs the case list's q and returns the tracking numbers found.
func search(s *e2e.Service, token, q string) []string {
	s.T.Helper()
	r := s.Must(200, s.Do("GET", e2e.CasePath(county, "?q="+urlQuery(q)), token, nil))
	var out []string
	items, _ := r.Body["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["tracking_no"].(string))
	}
	return out
}

func urlQuery(q string) string {
	return strings.NewReplacer("+", "%2B", " ", "%20", "%", "%25", "&", "%26").Replace(q)
}

func wantSearch(t *testing.T, s *e2e.Service, f fixture) {
	t.Helper()
	for _, tc := range []struct {
		name, q string
		want    int
	}{
		{"phone", phone, 1},
		{"phone typed with spaces", "139 8765 4321", 1},
		{"another phone", "13987654320", 0},
		{"credit code", orgCode, 1},
		{"credit code in lower case", strings.ToLower(orgCode), 1},
		{"tracking number", f.tracking, 1},
		{"part of the organisation's name", "独特化工", 1},
		{"a contact's name is not searchable", contact, 0},
		{"LIKE wildcards are literal", "%化工%", 0},
	} {
		got := search(s, f.desk.Clerk, tc.q)
		found := 0
		for _, g := range got {
			if g == f.tracking {
				found++
			}
		}
		if found != tc.want || (tc.want == 0 && tc.q == "%化工%" && len(got) > 0) {
			t.Errorf("%s: q=%q found %v, want our case %d time(s)", tc.name, tc.q, got, tc.want)
		}
	}
}

// wantPenaltySearch: the penalty case list finds the natural person's case
// by the full name and by the ID number (any case of its check letter)
// through their blind indexes, and not by part of either.
func wantPenaltySearch(t *testing.T, s *e2e.Service, f fixture) {
	t.Helper()
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{partyName, true}, {partyID, true}, {"冯明文", false}, {partyID[:12], false},
	} {
		r := s.Must(200, s.Do("GET", penaltyPath("?q="+url.QueryEscape(tc.q)), f.desk.Leader, nil))
		items, _ := r.Body["items"].([]any)
		found := len(items) == 1 && e2e.Num(items[0].(map[string]any)["id"]) == f.penaltyID
		if found != tc.want || (!tc.want && len(items) > 0) {
			t.Errorf("penalty cases q=%q: %s, want our case: %v", tc.q, r.Raw, tc.want)
		}
	}
}

// TestPersonalDataSealedAtRest: after cases, requests and entities with
// recognisable personal values, and a penalty case of a natural person
// whose decision clock the overdue job flags (a timeline entry and notices
// naming the party), neither the SQLite files nor a MariaDB dump holds any
// of them; staff still read them (the penalty case, its list and printed
// documents in full), and search by phone, credit code, tracking number,
// and a penalty party's full name or ID number works.
func TestPersonalDataSealedAtRest(t *testing.T) {
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		f := populate(t, s)
		s.RunOverdue(s.AdminToken())
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'penalty_red' AND message LIKE ?`, "%冯某某%"); n == 0 {
			t.Error("the overdue penalty case raised no notice naming the party by surname")
		}
		wantNoPlaintext(t, s)
		wantSearch(t, s, f)
		wantPenaltySearch(t, s, f)
		pc := s.Must(200, s.Do("GET", penaltyPath("/"+e2e.Itoa(f.penaltyID)), f.desk.Leader, nil))
		if party, _ := pc.Body["party"].(map[string]any); party["name"] != partyName || party["id_number"] != partyID {
			t.Errorf("staff read penalty party %v", pc.Body["party"])
		}
		list := s.Must(200, s.Do("GET", penaltyPath(""), f.desk.Leader, nil))
		if !bytes.Contains(list.Raw, []byte(partyName)) {
			t.Errorf("penalty case list lacks the party's name: %s", list.Raw)
		}
		doc := s.Must(200, s.Do("GET", "/counties/"+county+"/penalty-cases/"+e2e.Itoa(f.penaltyID)+"/documents/filing", f.desk.Leader, nil))
		if !bytes.Contains(doc.Raw, []byte(partyName)) {
			t.Errorf("printed 立案审批表 lacks the party's name: %.400s", doc.Raw)
		}
		c := s.Must(200, s.Do("GET", e2e.CasePath(county, "/"+e2e.Itoa(f.caseID)), f.desk.Clerk, nil))
		app, _ := c.Body["applicant"].(map[string]any)
		if app["contact"] != contact || app["phone"] != phone {
			t.Errorf("staff read applicant %v", app)
		}
		// The public tracking page shows no personal data, as before.
		pub := s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/cases/"+f.tracking, "", nil))
		if bytes.Contains(pub.Raw, []byte(phone)) || bytes.Contains(pub.Raw, []byte(contact)) {
			t.Errorf("public view shows personal data: %s", pub.Raw)
		}
		// A sealed value moved to another row does not open there.
		other := s.NewCase(f.desk.Clerk, county, e2e.CaseBody("274"))
		if _, err := s.Svc.DB.Exec(`UPDATE cases SET applicant_phone = (SELECT p FROM (SELECT applicant_phone AS p FROM cases WHERE id = ?) x) WHERE id = ?`,
			f.caseID, other.ID); err != nil {
			t.Fatal(err)
		}
		if r := s.Do("GET", e2e.CasePath(county, "/"+e2e.Itoa(other.ID)), f.desk.Clerk, nil); r.Status != 500 {
			t.Errorf("a moved sealed value opened: %d %s", r.Status, r.Raw)
		}
	})
}

// load runs readers and writers against the service until stop, and
// reports the requests that failed.
func load(t *testing.T, s *e2e.Service, f fixture, stop <-chan struct{}) (wait func() (writes int64, errs []string)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	var writes atomic.Int64
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 10 {
			errs = append(errs, fmt.Sprintf(format, a...))
		}
	}
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := map[string]any{"item_code": "274", "applicant": map[string]any{"name": orgName, "credit_code": orgCode,
					"contact": fmt.Sprintf("并发联系人%d-%d", w, i), "phone": fmt.Sprintf("1390000%02d%02d", w, i%100)}}
				if r := s.Do("POST", e2e.CasePath(county, ""), f.desk.Clerk, body); r.Status != 201 {
					fail("write: %d %s", r.Status, r.Raw)
				} else {
					writes.Add(1)
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			r := s.Do("GET", e2e.CasePath(county, "/"+e2e.Itoa(f.caseID)), f.desk.Clerk, nil)
			app, _ := r.Body["applicant"].(map[string]any)
			if r.Status != 200 || app["phone"] != phone {
				fail("read: %d %s", r.Status, r.Raw)
			}
			if got := search(s, f.desk.Clerk, phone); len(got) != 1 {
				fail("search by phone during the sweep found %v", got)
			}
			if r := s.Do("GET", e2e.CasePath(county, "?per_page=100"), f.desk.Clerk, nil); r.Status != 200 {
				fail("list: %d %s", r.Status, r.Raw)
			}
		}
	}()
	return func() (int64, []string) {
		wg.Wait()
		return writes.Load(), errs
	}
}

// rotateUnderLoad runs pilotd rotate-key (to profile) while readers and
// writers use the service, and checks nothing failed and every value ended
// under the new key version.
func rotateUnderLoad(t *testing.T, s *e2e.Service, f fixture, profile seal.Profile) seal.KeyVersion {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Svc.WatchKeys(ctx)
	stop := make(chan struct{})
	wait := load(t, s, f, stop)
	time.Sleep(200 * time.Millisecond)
	var out bytes.Buffer
	// The settle time lets the service's key watcher (polling every 100 ms)
	// see the new version before rows are re-indexed under it; generous,
	// since this machine may be heavily loaded.
	err := server.RotateKey(ctx, s.Svc.Config, slog.New(slog.NewTextHandler(io.Discard, nil)), profile, false,
		20*s.Svc.Config.PolicyPoll, &out)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	writes, errs := wait()
	if err != nil {
		t.Fatalf("rotate-key: %v\n%s", err, out.String())
	}
	for _, e := range errs {
		t.Error(e)
	}
	if writes == 0 {
		t.Error("no write ran during the rotation")
	}
	// Writers that sealed with the old version while it ran are caught by a
	// last sweep (the job's), as in production.
	if _, done, err := s.Svc.Sweeper().Run(context.Background(), 0); err != nil || !done {
		t.Fatalf("final sweep: %v %v", done, err)
	}
	versions, err := seal.LoadVersions(context.Background(), s.Svc.DB)
	if err != nil {
		t.Fatal(err)
	}
	cur := versions[len(versions)-1]
	if cur.Profile != profile {
		t.Fatalf("current key version %+v, want profile %s", cur, profile)
	}
	if left, err := seal.Remaining(context.Background(), s.Svc.DB, cur, server.SealedColumns()); err != nil || left != 0 {
		t.Errorf("values not under version %d: %d (%v)", cur.Version, left, err)
	}
	t.Logf("%s: %d cases written during the rotation; %s", s.Svc.DB.Dialect, writes, strings.TrimSpace(out.String()))
	return cur
}

func fastPoll(c *server.Config) { c.PolicyPoll = 100 * time.Millisecond }

// TestRotateKeyOnline: pilotd rotate-key re-seals every personal value under
// a new key version while clerks keep creating, reading and searching cases.
func TestRotateKeyOnline(t *testing.T) {
	e2e.ForEachDialectWith(t, fastPoll, func(t *testing.T, s *e2e.Service) {
		f := populate(t, s)
		cur := rotateUnderLoad(t, s, f, seal.Guomi)
		if cur.Version != 2 {
			t.Errorf("version %d, want 2", cur.Version)
		}
		wantNoPlaintext(t, s)
		wantSearch(t, s, f)
		wantPenaltySearch(t, s, f)
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, seal.ActionRotateKey); n != 1 {
			t.Errorf("rotation audited %d times", n)
		}
	})
}

// TestProfileMigration: a database on the international profile moves to
// guomi online: every value re-sealed with SM4, blind indexes recomputed
// with HMAC-SM3, and each audit chain switched from SHA-256 to SM3 at an
// anchor, after which audit-verify still passes and still catches an edit.
func TestProfileMigration(t *testing.T) {
	international := func(c *server.Config) { fastPoll(c); c.CryptoProfile = seal.International }
	e2e.ForEachDialectWith(t, international, func(t *testing.T, s *e2e.Service) {
		f := populate(t, s)
		var before string
		if err := s.Svc.DB.Get(&before, `SELECT applicant_phone FROM cases WHERE id = ?`, f.caseID); err != nil || !strings.HasPrefix(before, "enc1:in:1:") {
			t.Fatalf("before: %q %v", before, err)
		}
		if err := s.Svc.DB.Get(&before, `SELECT party_id_number FROM penalty_cases WHERE id = ?`, f.penaltyID); err != nil ||
			!strings.HasPrefix(before, "enc1:in:1:") {
			t.Fatalf("penalty party before: %q %v", before, err)
		}
		rotateUnderLoad(t, s, f, seal.Guomi)
		var after string
		if err := s.Svc.DB.Get(&after, `SELECT applicant_phone FROM cases WHERE id = ?`, f.caseID); err != nil || !strings.HasPrefix(after, "enc1:gm:2:") {
			t.Fatalf("after: %q %v", after, err)
		}
		var party string
		if err := s.Svc.DB.Get(&party, `SELECT party_person_name FROM penalty_cases WHERE id = ?`, f.penaltyID); err != nil ||
			!strings.HasPrefix(party, "enc1:gm:2:") {
			t.Fatalf("penalty party after: %q %v", party, err)
		}
		wantNoPlaintext(t, s)
		wantSearch(t, s, f)
		wantPenaltySearch(t, s, f)
		// Audited work after the switch is chained with SM3.
		s.MustAct(f.desk.Clerk, county, f.caseID, "accept")
		anchors := s.CountRows(`SELECT COUNT(*) FROM audit_hash_anchors WHERE algo = ?`, seal.HashSM3)
		chains := s.CountRows(`SELECT COUNT(*) FROM audit_chains`)
		if anchors == 0 || anchors != chains || s.CountRows(`SELECT COUNT(*) FROM audit_chains WHERE algo <> ?`, seal.HashSM3) != 0 {
			t.Errorf("%d SM3 anchors for %d chains", anchors, chains)
		}
		store := audit.NewStore(s.Svc.DB)
		v, err := store.Verify(context.Background())
		if err != nil || !v.OK {
			t.Fatalf("verify across the change: %+v %v", v, err)
		}
		var out bytes.Buffer
		if err := server.Run(context.Background(), []string{"audit-verify", "--db-dsn", s.Svc.Config.DSN, "--data-dir", s.Svc.Config.DataDir,
			"--log-level", "error"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "intact") {
			t.Fatalf("pilotd audit-verify: %v %s", err, out.String())
		}
		// An entry on either side of the anchor, edited, is caught.
		for _, side := range []string{"<", ">="} {
			var id int64
			if err := s.Svc.DB.Get(&id, `SELECT l.id FROM audit_log l JOIN audit_hash_anchors a ON a.chain = l.chain
				WHERE l.chain = ? AND l.seq `+side+` a.from_seq ORDER BY l.seq LIMIT 1`, county); err != nil {
				t.Fatalf("entry %s anchor: %v", side, err)
			}
			var detail string
			_ = s.Svc.DB.Get(&detail, `SELECT detail FROM audit_log WHERE id = ?`, id)
			if _, err := s.Svc.DB.Exec(`UPDATE audit_log SET detail = ? WHERE id = ?`, detail+" edited", id); err != nil {
				t.Fatal(err)
			}
			if v, err := store.Verify(context.Background()); err != nil || v.OK {
				t.Errorf("edit %s the anchor not caught: %+v %v", side, v, err)
			}
			if _, err := s.Svc.DB.Exec(`UPDATE audit_log SET detail = ? WHERE id = ?`, detail, id); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestSweepResumes: the sweep stops after a batch with its cursor recorded
// and a later run (pilotd rotate-key --resume) finishes from there.
func TestSweepResumes(t *testing.T) {
	e2e.ForEachDialectWith(t, fastPoll, func(t *testing.T, s *e2e.Service) {
		f := populate(t, s)
		// Values from before sealing: more than a batch of plaintext rows.
		tx, err := s.Svc.DB.Beginx()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < seal.SweepBatch+20; i++ {
			if _, err := tx.Exec(`INSERT INTO entities (county_code, name, credit_code, address, industry, risk_grade, contact, phone,
				status, created_by, updated_by, created_at, updated_at) VALUES (?, ?, ?, '', 'fireworks', 'blue', ?, ?, 'active', 0, 0, ?, ?)`,
				county, fmt.Sprintf("旧数据单位%03d", i), e2e.CreditCode(fmt.Sprintf("91340102MA2QLD%03d", i)), "旧联系人明文", "0551-12340000",
				db.Now(), db.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		// A penalty party as migration 00197 leaves it: moved, not yet sealed.
		if _, err := s.Svc.DB.Exec(`UPDATE penalty_cases SET party_person_name = ?, party_id_number = ?, party_name_bidx = '',
			party_id_bidx = '' WHERE id = ?`, "旧当事人明文", "340102198001011231", f.penaltyID); err != nil {
			t.Fatal(err)
		}
		// Three batches: the cases, the requests, then the entities' first.
		sw := s.Svc.Sweeper()
		n, done, err := sw.Run(context.Background(), 3)
		if err != nil || done || n == 0 {
			t.Fatalf("first batch: %d %v %v", n, done, err)
		}
		var cursor struct {
			Last int64 `db:"last_id"`
			Done bool  `db:"done"`
		}
		if err := s.Svc.DB.Get(&cursor, `SELECT last_id, done FROM crypto_sweeps WHERE table_name = 'entities'`); err != nil ||
			cursor.Last == 0 || cursor.Done || n != seal.SweepBatch-1 {
			t.Fatalf("after one batch of entities: cursor %+v (%v), re-sealed %d", cursor, err, n)
		}
		var out bytes.Buffer
		if err := server.RotateKey(context.Background(), s.Svc.Config, slog.New(slog.NewTextHandler(io.Discard, nil)), seal.Guomi, true, 0, &out); err != nil {
			t.Fatalf("resume: %v %s", err, out.String())
		}
		stored := storedBytes(t, s)
		for _, p := range []string{"旧联系人明文", "旧当事人明文", "340102198001011231"} {
			if bytes.Contains(stored, []byte(p)) {
				t.Errorf("plaintext from before sealing (%s) is still stored after the sweep", p)
			}
		}
		r := s.Must(200, s.Do("GET", penaltyPath("?q=340102198001011231"), f.desk.Leader, nil))
		if items, _ := r.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["party_name"] != "旧当事人明文" {
			t.Errorf("the swept penalty case is not found by its ID number, or reads wrong: %s", r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, seal.ActionSweepDone); n == 0 {
			t.Error("the finished sweep is not audited")
		}
		wantSearch(t, s, f)
	})
}

// TestExportMasksPhones: the register's workbook shows phones masked to a
// legal reviewer, and unmasked (audited) to an officer, who calls entities.
func TestExportMasksPhones(t *testing.T) {
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		f := populate(t, s)
		_, legal := s.AddUser(f.desk.Admin, county, "legal_"+county, "county_legal")
		cellOf := func(token string) string {
			r := s.Must(200, s.Do("GET", "/api/v1/counties/"+county+"/entities.xlsx", token, nil))
			wb, err := excelize.OpenReader(bytes.NewReader(r.Raw))
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			rows, err := wb.GetRows("生产经营单位")
			if err != nil || len(rows) < 2 {
				t.Fatalf("rows %v %v", rows, err)
			}
			for i, h := range rows[0] {
				if h == "联系电话" {
					return rows[1][i]
				}
			}
			t.Fatal("no phone column")
			return ""
		}
		audited := func() int {
			return s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE ?`, "unmasked export%")
		}
		if got := cellOf(legal); got != "055*-****8899" {
			t.Errorf("legal reviewer's export shows %q, want it masked", got)
		}
		if n := audited(); n != 0 {
			t.Errorf("masked export audited as unmasked: %d", n)
		}
		if got := cellOf(f.officer); got != entityPhone {
			t.Errorf("officer's export shows %q, want %q", got, entityPhone)
		}
		if n := audited(); n != 1 {
			t.Errorf("unmasked export audited %d times, want 1", n)
		}
	})
}

// TestRetentionErasesPersonalFields: the retention job (PILOT_PERSONAL_
// RETENTION_DAYS) blanks the personal fields of cases completed and requests
// answered longer ago; the records, their dates and outcomes stay, open and
// recent ones keep theirs, the count reaches the metrics and the audit log.
func TestRetentionErasesPersonalFields(t *testing.T) {
	keep30 := func(c *server.Config) { c.PersonalRetentionDays = 30 }
	e2e.ForEachDialectWith(t, keep30, func(t *testing.T, s *e2e.Service) {
		f := populate(t, s)
		recent := s.NewCase(f.desk.Clerk, county, e2e.CaseBody("274"))
		s.MustAct(f.desk.Clerk, county, f.caseID, "withdraw")
		// Completed and answered long ago.
		if _, err := s.Svc.DB.Exec(`UPDATE cases SET completed_on = '2020-01-10' WHERE id = ?`, f.caseID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Svc.DB.Exec(`UPDATE info_requests SET status = 'answered', outcome = 'granted', answered_on = '2020-01-20'`); err != nil {
			t.Fatal(err)
		}
		// A penalty case of a natural person closed (结案) long ago.
		if _, err := s.Svc.DB.Exec(`UPDATE penalty_cases SET status = 'closed', closed_on = '2020-02-01' WHERE id = ?`, f.penaltyID); err != nil {
			t.Fatal(err)
		}
		// An on-the-spot fine of a natural person, filed and paid long ago.
		if _, err := s.Svc.DB.Exec(`UPDATE onspot_decisions SET filed_on = '2020-03-01', paid_on = '2020-03-05' WHERE id = ?`,
			f.onspotID); err != nil {
			t.Fatal(err)
		}
		admin := s.AdminToken()
		run := func() {
			r := s.Must(200, s.Do("POST", "/api/v1/jobs/retention/run", admin, nil))
			if r.Body["status"] != "succeeded" {
				t.Fatalf("retention run: %s", r.Raw)
			}
		}
		run()
		var c struct {
			Contact, Phone, Index, Status, Completed string
			Erased                                   *string
		}
		if err := s.Svc.DB.QueryRow(`SELECT applicant_contact, applicant_phone, applicant_phone_bidx, status, completed_on, personal_erased_on
			FROM cases WHERE id = ?`, f.caseID).Scan(&c.Contact, &c.Phone, &c.Index, &c.Status, &c.Completed, &c.Erased); err != nil {
			t.Fatal(err)
		}
		if c.Contact != "" || c.Phone != "" || c.Index != "" || c.Erased == nil || c.Status != "withdrawn" || c.Completed != "2020-01-10" {
			t.Errorf("erased case: %+v", c)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM info_requests WHERE requester_name = '' AND requester_contact = '' AND outcome = 'granted'
			AND personal_erased_on IS NOT NULL`); n != 1 {
			t.Errorf("erased requests: %d", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM cases WHERE id = ? AND applicant_phone <> '' AND personal_erased_on IS NULL`, recent.ID); n != 1 {
			t.Error("an open case lost its personal fields")
		}
		// The public tracking page still answers for the erased case.
		s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/cases/"+f.tracking, "", nil))
		run() // nothing more to erase
		m := s.Must(200, s.Do("GET", "/metrics", "", nil))
		if v, ok := e2e.MetricValue(m.Raw, "pilot_personal_data_erased_total", `kind="case"`); !ok || v != 1 {
			t.Errorf("metric case = %v %v", v, ok)
		}
		if v, ok := e2e.MetricValue(m.Raw, "pilot_personal_data_erased_total", `kind="info_request"`); !ok || v != 1 {
			t.Errorf("metric info_request = %v %v", v, ok)
		}
		if v, ok := e2e.MetricValue(m.Raw, "pilot_personal_data_erased_total", `kind="penalty_case"`); !ok || v != 1 {
			t.Errorf("metric penalty_case = %v %v", v, ok)
		}
		if v, ok := e2e.MetricValue(m.Raw, "pilot_personal_data_erased_total", `kind="onspot_decision"`); !ok || v != 1 {
			t.Errorf("metric onspot_decision = %v %v", v, ok)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM onspot_decisions WHERE id = ? AND party_person_name = '' AND party_id_number = ''
			AND party_name_bidx = '' AND fine_yuan = 100 AND personal_erased_on IS NOT NULL`, f.onspotID); n != 1 {
			t.Errorf("the on-the-spot decision's party was not erased")
		}
		pc := s.Must(200, s.Do("GET", penaltyPath("/"+e2e.Itoa(f.penaltyID)), f.desk.Leader, nil))
		if party, _ := pc.Body["party"].(map[string]any); party["name"] != "" || party["id_number"] != nil || pc.Body["closed_on"] != "2020-02-01" {
			t.Errorf("erased penalty case reads %s", pc.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = 'personal-data-erase'`); n != 1 {
			t.Errorf("erasures audited %d times, want 1", n)
		}
	})
}
