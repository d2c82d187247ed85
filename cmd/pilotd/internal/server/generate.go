package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"sort"
	"strings"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/seal"
	"safetypilot/rbac"
	"safetypilot/tenants"
)

// GeneratedPassword is the password of every account `pilotd generate`
// creates; generated data sets are for benchmarks, never for production.
const GeneratedPassword = "Bench@2026pilot"

// GenOptions sizes the national data set.
type GenOptions struct {
	Counties    int
	Users       int
	Cases       int
	Disclosures int
	Years       int
	Seed        int64
	AsOf        string
	TuneServer  bool
}

func registerGenerateFlags(fs *flag.FlagSet) *GenOptions {
	o := &GenOptions{}
	fs.IntVar(&o.Counties, "counties", 0, "generate: pilot counties (0: every county-level division outside development zones, 2,854)")
	fs.IntVar(&o.Users, "users", 100_000, "generate: staff accounts in all")
	fs.IntVar(&o.Cases, "cases", 10_000_000, "generate: cases")
	fs.IntVar(&o.Disclosures, "disclosures", 1_000_000, "generate: disclosure records")
	fs.IntVar(&o.Years, "years", 3, "generate: years of history ending on --as-of")
	fs.Int64Var(&o.Seed, "seed", 20111209, "generate: random seed (the same seed gives the same data)")
	fs.StringVar(&o.AsOf, "as-of", "", "generate: the day the data ends (YYYY-MM-DD; default today in Beijing)")
	fs.BoolVar(&o.TuneServer, "tune-server", false, "generate: raise MySQL's buffer pool to 8 GB and redo log to 2 GB where smaller (SET GLOBAL; only on a benchmark server)")
	return o
}

// genItem is one of the eleven work-safety power items as the generated
// counties publish it, with how often offices see it.
type genItem struct {
	code, powerType           string
	statutory, promised, ext  int
	weight                    float64
	name                      string
	stepLimits                [3]int
	materials, legal, summary string
}

var genItems = []genItem{
	{code: "274", powerType: "XK", statutory: 20, promised: 13, ext: 10, weight: 15, stepLimits: [3]int{1, 9, 3},
		legal: "《烟花爆竹安全管理条例》第十九条", summary: "烟花爆竹零售经营许可", materials: "烟花爆竹经营（零售）许可证申请书"},
	{code: "275", powerType: "XK", statutory: 20, promised: 13, ext: 10, weight: 6, stepLimits: [3]int{1, 9, 3},
		legal: "《危险化学品安全管理条例》第三十五条", summary: "危险化学品经营（无储存）许可", materials: "危险化学品经营许可证申请书"},
	{code: "276", powerType: "QT", statutory: 10, promised: 5, ext: 0, weight: 8, stepLimits: [3]int{1, 3, 1},
		legal: "《易制毒化学品管理条例》第十三条", summary: "第三类非药品类易制毒化学品经营备案", materials: "经营备案申请表"},
	{code: "277", powerType: "XK", statutory: 20, promised: 13, ext: 10, weight: 1.5, stepLimits: [3]int{1, 9, 3},
		legal: "《安全生产法》第三十三条", summary: "建设项目安全设施设计审查", materials: "安全设施设计审查申请书"},
	{code: "278", powerType: "XK", statutory: 20, promised: 13, ext: 10, weight: 1.5, stepLimits: [3]int{1, 9, 3},
		legal: "《安全生产法》第三十四条", summary: "建设项目安全设施竣工验收", materials: "竣工验收申请书"},
	{code: "279", powerType: "XK", statutory: 20, promised: 13, ext: 10, weight: 3, stepLimits: [3]int{1, 9, 3},
		legal: "《职业病防治法》第十八条", summary: "职业病防护设施设计审查", materials: "防护设施设计审查申请书"},
	{code: "280", powerType: "QT", statutory: 20, promised: 13, ext: 0, weight: 3, stepLimits: [3]int{1, 9, 3},
		legal: "《职业病防治法》第十八条", summary: "职业病防护设施竣工验收", materials: "竣工验收申请书"},
	{code: "281", powerType: "QT", statutory: 20, promised: 10, ext: 0, weight: 25, stepLimits: [3]int{1, 6, 3},
		legal: "《生产安全事故应急预案管理办法》第二十六条", summary: "生产经营单位应急预案备案", materials: "应急预案备案申报表"},
	{code: "282", powerType: "QT", statutory: 15, promised: 10, ext: 0, weight: 25, stepLimits: [3]int{1, 6, 3},
		legal: "《职业病防治法》第十六条", summary: "职业病危害项目申报", materials: "职业病危害项目申报表"},
	{code: "283", powerType: "QT", statutory: 20, promised: 10, ext: 0, weight: 8, stepLimits: [3]int{1, 6, 3},
		legal: "《危险化学品重大危险源监督管理暂行规定》第二十三条", summary: "重大危险源备案", materials: "重大危险源备案申请表"},
	{code: "284", powerType: "XK", statutory: 20, promised: 13, ext: 10, weight: 4, stepLimits: [3]int{1, 9, 3},
		legal: "《职业病防治法》第十七条", summary: "职业病危害预评价报告审核", materials: "预评价报告审核申请书"},
}

// genSteps are the three steps of every generated item, complete as
// publishing asks (岗位、权限、程序; the limits are the item's); the cases'
// step rows copy their names, posts and authorities.
var genSteps = [3]catalog.Step{
	{Name: "受理", Post: "受理窗口", Authority: "对申请材料是否齐全、是否符合法定形式进行审查",
		Procedure: "收到申请材料后当场核对，材料齐全的出具受理通知书；不齐全的当场或者五日内一次性告知需要补正的全部内容"},
	{Name: "审查", Post: "业务科室审查岗", Authority: "审查申请事项是否符合法定条件，必要时组织现场核查",
		Procedure: "书面审查申请材料，需要现场核查的指派两名以上工作人员核查并制作记录，提出审查意见"},
	{Name: "决定", Post: "分管负责人", Authority: "作出准予或者不予许可、备案的决定",
		Procedure: "审核审查意见后签发决定并送达申请人；不予许可的书面说明理由，并告知依法申请行政复议或者提起行政诉讼的权利"},
}

func (it genItem) content() catalog.Content {
	steps := make([]catalog.Step, 3)
	for i := range steps {
		steps[i] = genSteps[i]
		steps[i].LimitWorkdays = it.stepLimits[i]
	}
	c := catalog.Content{Summary: it.summary, PowerType: it.powerType, ItemCode: it.powerType + "-" + it.code,
		ImplementingBody: "县级应急管理部门", LegalBasis: it.legal, LegalBasisVersion: "现行有效版本",
		Conditions: "符合法律法规规定的条件", Materials: []catalog.Material{{Name: it.materials, Copies: 1}},
		Fees: "不收费", StatutoryLimitWorkdays: it.statutory, PromisedLimitWorkdays: it.promised,
		Consultation: "12345", Complaint: "县纪委监委派驻纪检监察组", Steps: steps, InventoryStatus: "kept"}
	c.ExtensionWorkdays = it.ext
	return c
}

// Generate fills an empty database with a national data set: the real
// county-level divisions as active pilot counties, their staff and roles,
// published power items, cases over the last years with the status mix of a
// working office, and disclosure records. Everything but the first county
// (which goes through the service, so its catalog is exactly what the
// product stores) is bulk-loaded.
func (s *Service) Generate(ctx context.Context, o GenOptions, out io.Writer) error {
	var counties int
	if err := s.DB.GetContext(ctx, &counties, `SELECT COUNT(*) FROM counties`); err != nil {
		return err
	}
	if counties > 0 {
		var n int
		if err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM cases`); err != nil {
			return err
		}
		if n >= o.Cases {
			fmt.Fprintf(out, "already generated: %d counties, %d cases\n", counties, n)
			return nil
		}
		return fmt.Errorf("generate fills an empty database; this one already has %d counties and %d cases", counties, n)
	}
	asOf := calendar.Today(time.Now())
	if o.AsOf != "" {
		var err error
		if asOf, err = calendar.ParseDate(o.AsOf); err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
	}
	if s.DB.Dialect == db.MySQL && o.TuneServer {
		if err := tuneMySQLForLoad(ctx, s.DB, out); err != nil {
			return err
		}
	}
	g := &generator{svc: s, o: o, asOf: asOf, rnd: rand.New(rand.NewSource(o.Seed)), out: out,
		cal: s.Calendar.Calendar(), deadlines: map[deadlineKey]deadlineVal{}}
	start := time.Now()
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"counties", g.loadCounties}, {"template county", g.onboardTemplate}, {"users and roles", g.loadUsers},
		{"catalogs", g.copyCatalogs}, {"cases", g.loadCases}, {"case counts", g.countCases}, {"disclosure records", g.loadDisclosures},
		{"statistics", g.analyze},
	}
	for _, st := range steps {
		t0 := time.Now()
		if err := st.run(ctx); err != nil {
			return fmt.Errorf("generate %s: %w", st.name, err)
		}
		fmt.Fprintf(out, "%-20s %8.1f s  %s\n", st.name, time.Since(t0).Seconds(), g.note)
		g.note = ""
	}
	fmt.Fprintf(out, "generated in %.1f s; every account's password is %s\n", time.Since(start).Seconds(), GeneratedPassword)
	return s.enforcer.Reload(ctx)
}

// tuneMySQLForLoad makes sure the buffer pool can hold the working set of a
// national data set (the Debian default of 128 MB cannot) and that the redo
// log is large enough for bulk loading (MariaDB's default of 96 MB makes it
// checkpoint constantly), as a national deployment's database server would
// be configured. Both are dynamic on MariaDB 10.11; where a server refuses,
// loading is only slower.
func tuneMySQLForLoad(ctx context.Context, d *db.DB, out io.Writer) error {
	for _, v := range []struct {
		name string
		want int64
	}{{"innodb_buffer_pool_size", 8 << 30}, {"innodb_log_file_size", 2 << 30}} {
		var size int64
		if err := d.GetContext(ctx, &size, `SELECT @@`+v.name); err != nil {
			fmt.Fprintf(out, "note: %s unknown here (%v)\n", v.name, err)
			continue
		}
		if size >= v.want {
			continue
		}
		if _, err := d.ExecContext(ctx, fmt.Sprintf(`SET GLOBAL %s = %d`, v.name, v.want)); err != nil {
			fmt.Fprintf(out, "note: %s is %d MB and could not be raised (%v); loading will be slower\n", v.name, size>>20, err)
			continue
		}
		fmt.Fprintf(out, "%s raised from %d MB to %d MB for the national data set\n", v.name, size>>20, v.want>>20)
	}
	return nil
}

// divisionRow is a county-level division of the reference data.
type divisionRow struct {
	Code     string `db:"code"`
	Name     string `db:"name"`
	Province string `db:"province_code"`
}

func (d divisionRow) province() string { return d.Province }

type genCounty struct {
	code, name, province string
	weight               float64
	admin, reviewer      int64
	firstClerk, clerks   int64
}

type deadlineKey struct {
	province string
	start    time.Time
	n        int
}

type deadlineVal struct {
	day         time.Time
	provisional bool
}

type generator struct {
	svc       *Service
	o         GenOptions
	asOf      time.Time
	rnd       *rand.Rand
	out       io.Writer
	cal       *calendar.Calendar
	counties  []genCounty
	cumWeight []float64
	nextUser  int64
	note      string
	hash      string
	deadlines map[deadlineKey]deadlineVal
	admin     int64
}

func (g *generator) loader(ctx context.Context) *bulkLoader {
	return newBulkLoader(ctx, g.svc.DB, 2)
}

// loadCounties picks the real county-level divisions (no development zones) and
// inserts them as active pilot counties with their onboarding events.
func (g *generator) loadCounties(ctx context.Context) error {
	var rows []divisionRow
	if err := g.svc.DB.SelectContext(ctx, &rows, `SELECT code, name, province_code FROM divisions WHERE SUBSTR(code, 5, 1) <> '7' ORDER BY code`); err != nil {
		return err
	}
	if g.o.Counties > 0 {
		if g.o.Counties > len(rows) {
			return fmt.Errorf("only %d county-level divisions are known; asked for %d", len(rows), g.o.Counties)
		}
		if g.o.Counties < 31 {
			return fmt.Errorf("asked for %d counties; at least one per province (31) is needed", g.o.Counties)
		}
		rows = spreadCounties(rows, g.o.Counties)
	}
	admin, err := g.svc.Users.Store().ByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	g.admin = admin.ID
	for _, r := range rows {
		// Office sizes vary: a log-normal weight gives a few busy districts
		// and many quiet counties.
		w := math.Exp(g.rnd.NormFloat64() * 0.6)
		g.counties = append(g.counties, genCounty{code: r.Code, name: r.Name, province: r.Province, weight: w})
	}
	sum := 0.0
	for _, c := range g.counties {
		sum += c.weight
		g.cumWeight = append(g.cumWeight, sum)
	}
	// The first county is onboarded by the service in onboardTemplate(); the rest here.
	l := g.loader(ctx)
	ct := l.table("counties", "code", "province_code", "name", "status", "egov_readiness", "recommendation", "created_at", "updated_at")
	ev := l.table("county_events", "county_code", "status", "actor_id", "actor_name", "note", "at")
	at := time.Date(g.asOf.Year()-g.o.Years, 1, 5, 2, 0, 0, 0, time.UTC)
	for _, c := range g.counties[1:] {
		ct.add(c.code, c.province, c.name, tenants.StatusActive, "已接入省级统一电子政务平台", "政务公开和政务服务基础较好", at, at)
		ev.add(c.code, tenants.StatusRecommended, g.admin, "admin", "", at)
		ev.add(c.code, tenants.StatusActive, g.admin, "admin", "", at)
	}
	ct.flush()
	ev.flush()
	g.note = fmt.Sprintf("%d counties in %d provinces", len(g.counties), len(provincesOf(g.counties)))
	return l.wait()
}

// spreadCounties picks n of the divisions, every province keeping a share
// in proportion to its size (at least one), spread over its list.
func spreadCounties[T interface{ province() string }](rows []T, n int) []T {
	byProvince := map[string][]T{}
	var order []string
	for _, r := range rows {
		p := r.province()
		if byProvince[p] == nil {
			order = append(order, p)
		}
		byProvince[p] = append(byProvince[p], r)
	}
	quota := map[string]int{}
	sum := 0
	for _, p := range order {
		quota[p] = max(1, len(byProvince[p])*n/len(rows))
		sum += quota[p]
	}
	// Settle the rounding on the largest provinces.
	bySize := append([]string(nil), order...)
	sort.SliceStable(bySize, func(i, j int) bool { return len(byProvince[bySize[i]]) > len(byProvince[bySize[j]]) })
	for i := 0; sum != n; i = (i + 1) % len(bySize) {
		p := bySize[i]
		if sum < n && quota[p] < len(byProvince[p]) {
			quota[p]++
			sum++
		} else if sum > n && quota[p] > 1 {
			quota[p]--
			sum--
		}
	}
	var out []T
	for _, p := range order {
		list := byProvince[p]
		for j := 0; j < quota[p]; j++ {
			out = append(out, list[j*len(list)/quota[p]])
		}
	}
	return out
}

func provincesOf(cs []genCounty) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if !seen[c.province] {
			seen[c.province] = true
			out = append(out, c.province)
		}
	}
	sort.Strings(out)
	return out
}

// onboardTemplate onboards the first county through the service and publishes the
// eleven power items there, so the catalog rows copied to every other
// county are exactly what the product writes.
func (g *generator) onboardTemplate(ctx context.Context) error {
	c := g.counties[0]
	by := tenants.Actor{ID: g.admin, Username: "admin"}
	if _, err := g.svc.tenants.Recommend(ctx, by, c.province, tenants.Recommendation{Code: c.code,
		EgovReadiness: "已接入省级统一电子政务平台", Recommendation: "政务公开和政务服务基础较好"}); err != nil {
		return err
	}
	if _, _, err := g.svc.tenants.Approve(ctx, by, c.province, c.code); err != nil {
		return err
	}
	catalogSvc := catalog.NewService(g.svc.DB)
	for _, it := range genItems {
		if _, err := catalogSvc.Save(ctx, c.code, it.code, g.admin, catalog.SaveInput{Content: it.content()}); err != nil {
			return fmt.Errorf("item %s: %w", it.code, err)
		}
		if _, err := catalogSvc.Publish(ctx, c.code, it.code, g.admin); err != nil {
			return fmt.Errorf("publish %s: %w", it.code, err)
		}
	}
	hash, err := g.svc.Users.Hashing.Hash(GeneratedPassword)
	if err != nil {
		return err
	}
	g.hash = hash
	return g.svc.DB.GetContext(ctx, &g.nextUser, `SELECT COALESCE(MAX(id), 0) + 1 FROM users`)
}

// copyCatalogs copies the template county's items and versions to every county.
func (g *generator) copyCatalogs(ctx context.Context) error {
	tmpl := g.counties[0].code
	for _, q := range []string{
		`INSERT INTO catalog_items (county_code, code, category, name, status, sort_order, latest_version, published_version, created_at, updated_at)
		 SELECT c.code, i.code, i.category, i.name, i.status, i.sort_order, i.latest_version, i.published_version, i.created_at, i.updated_at
		 FROM catalog_items i CROSS JOIN counties c WHERE i.county_code = ? AND c.code <> i.county_code`,
		`INSERT INTO catalog_versions (county_code, code, version, name, content, updated_by, updated_at, published_by, published_at)
		 SELECT c.code, v.code, v.version, v.name, v.content, v.updated_by, v.updated_at, v.published_by, v.published_at
		 FROM catalog_versions v CROSS JOIN counties c WHERE v.county_code = ? AND c.code <> v.county_code`,
	} {
		if _, err := g.svc.DB.ExecContext(ctx, q, tmpl); err != nil {
			return err
		}
	}
	return nil
}

// loadUsers creates the staff of every county (an administrator, the security
// and audit administrators, reviewers and clerks; some clerks also review)
// and of every province, all with one password hash.
func (g *generator) loadUsers(ctx context.Context) error {
	l := g.loader(ctx)
	ut := l.table("users", "id", "username", "display_name", "home_region", "password_hash", "must_change_password",
		"failed_logins", "locked_until", "disabled", "created_at", "updated_at")
	rt := l.table("user_roles", "user_id", "role", "region", "granted_by", "granted_at")
	at := time.Date(g.asOf.Year()-g.o.Years, 1, 6, 2, 0, 0, 0, time.UTC)
	roles := 0
	add := func(username, name, region string, rs ...string) int64 {
		id := g.nextUser
		g.nextUser++
		ut.add(id, username, name, region, g.hash, false, 0, nil, false, at, at)
		for _, r := range rs {
			rt.add(id, r, region, g.admin, at)
			roles++
		}
		return id
	}
	provinces := provincesOf(g.counties)
	for _, p := range provinces {
		add("p"+p+"_admin", "省级管理员", p, rbac.ProvinceAdmin)
		add("p"+p+"_admin2", "省级管理员", p, rbac.ProvinceAdmin)
		for i := 1; i <= 4; i++ {
			add(fmt.Sprintf("p%s_leader%d", p, i), "省级领导", p, rbac.ProvinceLeader)
		}
		add("p"+p+"_security", "省级安全保密管理员", p, rbac.SecurityAdmin)
		add("p"+p+"_audit", "省级安全审计员", p, rbac.AuditAdmin)
	}
	// The national administrator, the template county's provisioned
	// administrator and the province staff exist already.
	made := 2 + 8*len(provinces)
	per := (g.o.Users - made) / len(g.counties)
	extra := (g.o.Users - made) % len(g.counties)
	if per < 6 {
		return fmt.Errorf("%d users are too few for %d counties (at least 6 per county)", g.o.Users, len(g.counties))
	}
	for i := range g.counties {
		c := &g.counties[i]
		n := per
		if i < extra {
			n++
		}
		c.admin = add("c"+c.code+"_admin", c.name+"系统管理员", c.code, rbac.CountyAdmin)
		add("c"+c.code+"_security", c.name+"安全保密管理员", c.code, rbac.SecurityAdmin)
		add("c"+c.code+"_audit", c.name+"安全审计员", c.code, rbac.AuditAdmin)
		c.reviewer = add("c"+c.code+"_reviewer1", c.name+"审核人员", c.code, rbac.CountyReviewer)
		add("c"+c.code+"_reviewer2", c.name+"审核人员", c.code, rbac.CountyReviewer)
		c.firstClerk = g.nextUser
		c.clerks = int64(n - 5)
		for k := 1; k <= n-5; k++ {
			if k%10 == 0 {
				add(fmt.Sprintf("c%s_clerk%d", c.code, k), c.name+"经办人员", c.code, rbac.CountyClerk, rbac.CountyReviewer)
			} else {
				add(fmt.Sprintf("c%s_clerk%d", c.code, k), c.name+"经办人员", c.code, rbac.CountyClerk)
			}
		}
	}
	ut.flush()
	rt.flush()
	if err := l.wait(); err != nil {
		return err
	}
	var total int
	if err := g.svc.DB.GetContext(ctx, &total, `SELECT COUNT(*) FROM users`); err != nil {
		return err
	}
	g.note = fmt.Sprintf("%d users, %d role assignments", total, roles)
	return nil
}

func (g *generator) pickCounty() *genCounty {
	x := g.rnd.Float64() * g.cumWeight[len(g.cumWeight)-1]
	i := sort.SearchFloat64s(g.cumWeight, x)
	if i >= len(g.counties) {
		i = len(g.counties) - 1
	}
	return &g.counties[i]
}

func (g *generator) pickItem() *genItem {
	total := 0.0
	for _, it := range genItems {
		total += it.weight
	}
	x := g.rnd.Float64() * total
	for i := range genItems {
		if x < genItems[i].weight {
			return &genItems[i]
		}
		x -= genItems[i].weight
	}
	return &genItems[len(genItems)-1]
}

// addWorkdays is calendar.AddWorkdays memoised: ten million cases share a
// few thousand (province, day, limit) combinations.
func (g *generator) addWorkdays(province string, start time.Time, n int) (time.Time, bool) {
	k := deadlineKey{province, start, n}
	if v, ok := g.deadlines[k]; ok {
		return v.day, v.provisional
	}
	d, tr := g.cal.AddWorkdays(province, start, n, nil)
	g.deadlines[k] = deadlineVal{d, tr.Provisional()}
	return d, tr.Provisional()
}

// workdays lists the national working days of the generated years up to asOf.
func (g *generator) workdays() []time.Time {
	var out []time.Time
	for d := time.Date(g.asOf.Year()-g.o.Years, g.asOf.Month(), g.asOf.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1); !d.After(g.asOf); d = d.AddDate(0, 0, 1) {
		if g.cal.IsWorkday("", d) {
			out = append(out, d)
		}
	}
	return out
}

var (
	genPlaces    = []string{"华兴", "宏达", "鑫源", "安泰", "恒通", "永丰", "瑞祥", "金石", "博远", "盛世", "康泰", "明辉", "德润", "兴隆", "天成", "嘉禾"}
	genTrades    = []string{"烟花爆竹经营部", "化工有限公司", "矿业有限公司", "建材有限公司", "机械制造有限公司", "商贸有限公司", "新材料科技有限公司", "燃气有限公司", "物流有限公司", "食品有限公司"}
	genSurnames  = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"}
	genCreditSet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
)

// creditCode makes a well-formed unified social credit code (GB 32100-2015)
// registered in county.
func (g *generator) creditCode(county string) string {
	b := make([]byte, 18)
	b[0], b[1] = '9', '1'
	copy(b[2:8], county)
	for i := 8; i < 17; i++ {
		b[i] = genCreditSet[g.rnd.Intn(len(genCreditSet))]
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(genCreditSet, b[i]) * weights[i]
	}
	b[17] = genCreditSet[(31-sum%31)%31]
	return string(b)
}

// loadCases generates the case history. Each case is received on a working
// day of the last years; most finish within the promised limit, some
// between the promised and the statutory limit, a few later; some pause
// for correction (补正). Cases not finished by asOf are open, at the step
// their age gives. Warning lights are as the overdue job left them on the
// previous working day, so today's first pass has a day's work to do.
func (g *generator) loadCases(ctx context.Context) error {
	days := g.workdays()
	if len(days) < 30 {
		return errors.New("too few working days before --as-of")
	}
	dayIndex := map[time.Time]int{}
	for i, d := range days {
		dayIndex[d] = i
	}
	last := len(days) - 1
	prevDay := days[last-1]
	at := func(d time.Time, minute int) time.Time { return d.Add(time.Duration(60+minute) * time.Minute) }
	dayStr := calendar.FormatDate

	l := g.loader(ctx)
	ct := l.table("cases", "id", "county_code", "tracking_no", "item_code", "item_version", "item_name", "channel", "applicant_name",
		"applicant_credit_code", "applicant_contact", "applicant_phone", "applicant_phone_bidx", "received_on", "status", "statutory_days", "promised_days",
		"extension_days", "extension_allowed", "extended", "deadline", "promised_deadline", "provisional", "clock_running", "warning",
		"current_step", "handler_id", "decision", "reason", "decided_on", "completed_on", "on_time", "created_by", "created_at", "updated_at")
	st := l.table("case_steps", "case_id", "seq", "county_code", "name", "post", "authority", "limit_days", "excluded", "active",
		"started_on", "due_on", "completed_on", "warning")
	et := l.table("case_events", "case_id", "county_code", "kind", "from_status", "to_status", "actor_id", "actor_name", "note", "at")
	pt := l.table("case_pauses", "case_id", "county_code", "kind", "reason", "started_on", "ended_on", "started_by", "ended_by")

	var items []struct {
		Code string `db:"code"`
		Name string `db:"name"`
	}
	if err := g.svc.DB.SelectContext(ctx, &items, `SELECT code, name FROM catalog_items WHERE county_code = ?`, g.counties[0].code); err != nil {
		return err
	}
	names := map[string]string{}
	for _, it := range items {
		names[it.Code] = it.Name
	}
	var mix struct{ open, paused, overdue, closed int }
	for i := 0; i < g.o.Cases; i++ {
		id := int64(i + 1)
		c := g.pickCounty()
		it := g.pickItem()
		// Cases arrive day by day, so ids follow the day of receipt as the
		// service's auto-increment ids do: the open cases are the newest.
		ri := int(int64(i) * int64(len(days)) / int64(g.o.Cases))
		received := days[ri]
		clerk := c.firstClerk + g.rnd.Int63n(c.clerks)
		clerkName := fmt.Sprintf("c%s_clerk%d", c.code, clerk-c.firstClerk+1)

		// How many working days the office takes, and any pause.
		var took int
		switch r := g.rnd.Float64(); {
		case r < 0.90:
			took = 2 + g.rnd.Intn(it.promised-1)
		case r < 0.97:
			took = it.promised + 1 + g.rnd.Intn(it.statutory-it.promised)
		default:
			took = it.statutory + 1 + g.rnd.Intn(10)
		}
		pauseDays, pauseAt := 0, 0
		if g.rnd.Float64() < 0.06 {
			pauseDays, pauseAt = 1+g.rnd.Intn(10), 1+g.rnd.Intn(3)
		}
		extension := 0
		if it.ext > 0 && took > it.statutory && g.rnd.Float64() < 0.5 {
			extension = it.ext
		}
		statutory, prov1 := g.addWorkdays(c.province, received, it.statutory+extension+pauseDays)
		promised, prov2 := g.addWorkdays(c.province, received, it.promised+extension+pauseDays)
		provisional := prov1 || prov2
		decidedIdx := ri + took + pauseDays
		tracking := fmt.Sprintf("%s-G%09d", c.code, id)
		applicant := genPlaces[g.rnd.Intn(len(genPlaces))] + genTrades[g.rnd.Intn(len(genTrades))]
		contact := genSurnames[g.rnd.Intn(len(genSurnames))] + []string{"先生", "女士"}[g.rnd.Intn(2)]
		phone := fmt.Sprintf("1%d%09d", 3+g.rnd.Intn(7), g.rnd.Intn(1_000_000_000))
		channel := []string{"online", "counter", "counter"}[g.rnd.Intn(3)]
		created := at(received, g.rnd.Intn(480))
		et.add(id, c.code, "created", "", cases.StatusSubmitted, clerk, clerkName, "", created)

		var status, warning, decision, reason string
		var decided, completed, onTime any
		running, current := false, 3
		stepStart := [3]time.Time{received, days[min(ri+1, last)], days[min(max(ri+took+pauseDays-it.stepLimits[2], ri+1), last)]}
		if decidedIdx < last {
			// Closed before today.
			mix.closed++
			dd := days[decidedIdx]
			decided = dayStr(dd)
			on := !dd.After(promised)
			onTime = on
			deliver := days[min(decidedIdx+g.rnd.Intn(3), last-1)]
			decision, status = "approved", cases.StatusDelivered
			switch r := g.rnd.Float64(); {
			case r < 0.03:
				status, decision, reason = cases.StatusDenied, "denied", "申请材料不符合法定条件"
			case r < 0.05:
				status, decision, reason, decided, onTime = cases.StatusWithdrawn, "", "申请人撤回申请", nil, nil
			}
			completed = dayStr(deliver)
			if status == cases.StatusDenied {
				completed = decided
			}
			if status == cases.StatusWithdrawn {
				completed = dayStr(dd)
			}
			// The light the job raised while the case ran.
			switch {
			case dd.After(promised):
				warning = cases.WarningRed
			case !g.cal.NextWorkday(c.province, days[max(decidedIdx-1, 0)]).Before(promised):
				warning = cases.WarningYellow
			default:
				warning = cases.WarningNone
			}
			for seq := 0; seq < 3; seq++ {
				done := dd
				if seq < 2 {
					done = stepStart[seq+1]
				}
				due, _ := g.addWorkdays(c.province, stepStart[seq], it.stepLimits[seq])
				st.add(id, seq+1, c.code, genSteps[seq].Name, genSteps[seq].Post, genSteps[seq].Authority, it.stepLimits[seq], false, false,
					dayStr(stepStart[seq]), dayStr(due), dayStr(done), cases.WarningNone)
			}
			kind := cases.ActionDeliver
			switch status {
			case cases.StatusDenied:
				kind = cases.ActionDeny
			case cases.StatusWithdrawn:
				kind = cases.ActionWithdraw
			}
			et.add(id, c.code, kind, cases.StatusApproved, status, clerk, clerkName, "", at(days[min(decidedIdx+1, last)], 0))
			if pauseDays > 0 {
				ps := days[min(ri+pauseAt, last)]
				pe := days[min(ri+pauseAt+pauseDays, last)]
				pt.add(id, c.code, "补正", "申请材料不齐全，一次性告知补正", dayStr(ps), dayStr(pe), clerk, clerk)
			}
		} else {
			// Still open today: the step follows the age of the case.
			mix.open++
			age := last - ri
			running = true
			switch {
			case age == 0:
				status, current = cases.StatusSubmitted, 1
			case float64(age) < 0.5*float64(took):
				status, current = cases.StatusAccepted, 2
			default:
				status, current = cases.StatusInReview, 3
			}
			ps := ri + pauseAt
			paused := pauseDays > 0 && ps <= last && last < ps+pauseDays
			if paused {
				mix.paused++
				status, running = cases.StatusReturned, false
				pt.add(id, c.code, "补正", "申请材料不齐全，一次性告知补正", dayStr(days[ps]), nil, clerk, nil)
				et.add(id, c.code, cases.ActionPause, cases.StatusAccepted, cases.StatusReturned, clerk, clerkName, "补正", at(days[ps], 30))
			} else if status != cases.StatusSubmitted {
				et.add(id, c.code, cases.ActionAccept, cases.StatusSubmitted, cases.StatusAccepted, clerk, clerkName, "", at(days[ri+1], 0))
			}
			lightDay := prevDay
			if paused {
				lightDay = days[max(ps-1, 0)]
			}
			warning = g.light(c.province, promised, lightDay)
			if running && promised.Before(g.asOf) {
				mix.overdue++
			}
			for seq := 0; seq < 3; seq++ {
				switch {
				case seq+1 < current:
					st.add(id, seq+1, c.code, genSteps[seq].Name, genSteps[seq].Post, genSteps[seq].Authority, it.stepLimits[seq], false, false,
						dayStr(stepStart[seq]), dayStr(stepStart[seq+1]), dayStr(stepStart[seq+1]), cases.WarningNone)
				case seq+1 == current:
					startDay := stepStart[seq]
					if startDay.After(g.asOf) {
						startDay = g.asOf
					}
					due, _ := g.addWorkdays(c.province, startDay, it.stepLimits[seq])
					st.add(id, seq+1, c.code, genSteps[seq].Name, genSteps[seq].Post, genSteps[seq].Authority, it.stepLimits[seq], false, true,
						dayStr(startDay), dayStr(due), nil, g.light(c.province, due, lightDay))
				default:
					st.add(id, seq+1, c.code, genSteps[seq].Name, genSteps[seq].Post, genSteps[seq].Authority, it.stepLimits[seq], false, false, nil, nil, nil, cases.WarningNone)
				}
			}
		}
		if !running && status != cases.StatusReturned {
			current = 3
		}
		// Generated people's fields are sealed as the service seals them.
		sealedContact, err := g.svc.DB.SealField(contact, db.Field{Table: "cases", Column: "applicant_contact", Row: tracking})
		if err != nil {
			return err
		}
		sealedPhone, err := g.svc.DB.SealField(phone, db.Field{Table: "cases", Column: "applicant_phone", Row: tracking})
		if err != nil {
			return err
		}
		ct.add(id, c.code, tracking, it.code, 1, names[it.code], channel, applicant, g.creditCode(c.code), sealedContact, sealedPhone,
			g.svc.DB.FieldIndex(seal.KindPhone, phone), dayStr(received), status, it.statutory, it.promised, extension, it.ext, extension > 0, dayStr(statutory), dayStr(promised),
			provisional, running, warning, current, clerk, decision, reason, decided, completed, onTime, clerk, created, created)
		if (i+1)%1_000_000 == 0 {
			fmt.Fprintf(g.out, "  %d cases generated, %d rows loaded\n", i+1, l.rows.Load())
		}
		if err := l.failed(); err != nil {
			break
		}
	}
	for _, t := range []*bulkTable{ct, st, et, pt} {
		t.flush()
	}
	if err := l.wait(); err != nil {
		return err
	}
	g.note = fmt.Sprintf("%d cases (%d open: %d paused, %d past the promised deadline; %d closed), %d rows",
		g.o.Cases, mix.open, mix.paused, mix.overdue, mix.closed, l.rows.Load())
	return nil
}

// countCases fills case_counts, which the service keeps with every case it
// writes and the case list's total reads: the bulk load bypasses the
// service, and migration 00052's backfill ran on an empty table.
func (g *generator) countCases(ctx context.Context) error {
	n, err := cases.Recount(ctx, g.svc.DB)
	g.note = fmt.Sprintf("%d (county, item, status) counts", n)
	return err
}

// light is the overdue job's light for a deadline as seen on day.
func (g *generator) light(province string, deadline, day time.Time) string {
	if day.After(deadline) {
		return cases.WarningRed
	}
	if !g.cal.NextWorkday(province, day).Before(deadline) {
		return cases.WarningYellow
	}
	return cases.WarningNone
}

var (
	genTopics = []string{"安全生产执法检查情况", "危险化学品企业专项整治", "烟花爆竹经营许可办理结果", "应急预案备案情况",
		"职业健康监管工作", "安全生产约谈情况", "行政处罚决定", "安全生产培训考核安排", "汛期安全防范工作", "重大事故隐患排查治理"}
	genKinds = []string{"公告", "通知", "通报", "工作动态", "决定", "情况说明"}
)

// loadDisclosures generates records over the same years: most published on
// time, the rest at every stage of review.
func (g *generator) loadDisclosures(ctx context.Context) error {
	days := g.workdays()
	l := g.loader(ctx)
	dt := l.table("disclosure_records", "county_code", "title", "category", "body", "formed_on", "attribute", "withheld_reason",
		"status", "author_id", "author_name", "first_reviewer_id", "publish_deadline", "deadline_provisional", "overdue_flagged",
		"redactions", "published_title", "published_body", "submitted_at", "approved_at", "published_at", "published_by",
		"published_on_time", "created_at", "updated_at")
	var published int
	for i := 0; i < g.o.Disclosures; i++ {
		c := g.pickCounty()
		di := g.rnd.Intn(len(days))
		formed := days[di]
		topic := genTopics[g.rnd.Intn(len(genTopics))]
		title := fmt.Sprintf("%s%d年%d月%s%s", c.name, formed.Year(), int(formed.Month()), topic, genKinds[g.rnd.Intn(len(genKinds))])
		body := fmt.Sprintf("<p>根据《中华人民共和国政府信息公开条例》和《安全生产法》有关规定，现将%s%d年%d月%s公开如下。</p>"+
			"<p>本月共开展相关工作%d项，涉及生产经营单位%d家，发现并督促整改问题%d处，整改率%d%%。</p>"+
			"<p>下一步，我局将持续加强监督管理，压实企业主体责任，切实防范化解安全风险。</p><p>联系电话：12345。</p>",
			c.name, formed.Year(), int(formed.Month()), topic, 1+g.rnd.Intn(30), 1+g.rnd.Intn(200), g.rnd.Intn(100), 80+g.rnd.Intn(21))
		deadline, prov := g.addWorkdays(c.province, formed, 20)
		author := c.firstClerk + g.rnd.Int63n(c.clerks)
		authorName := fmt.Sprintf("c%s_clerk%d", c.code, author-c.firstClerk+1)
		created := formed.Add(time.Duration(60+g.rnd.Intn(480)) * time.Minute)
		status := disclosure.StatusPublished
		age := len(days) - 1 - di
		if age < 25 {
			status = []string{disclosure.StatusDraft, disclosure.StatusPendingReview, disclosure.StatusApproved,
				disclosure.StatusPublished, disclosure.StatusPublished}[g.rnd.Intn(5)]
		} else if r := g.rnd.Float64(); r < 0.02 {
			status = disclosure.StatusRejected
		} else if r < 0.03 {
			status = disclosure.StatusWithdrawn
		}
		var submitted, approved, publishedAt, onTime any
		reviewer, publisher := int64(0), int64(0)
		pubTitle, pubBody := "", ""
		if status != disclosure.StatusDraft {
			submitted = created.Add(2 * time.Hour)
		}
		if status == disclosure.StatusApproved || status == disclosure.StatusPublished || status == disclosure.StatusWithdrawn {
			reviewer = c.reviewer
			approved = created.Add(26 * time.Hour)
		}
		if status == disclosure.StatusRejected {
			reviewer = c.reviewer
		}
		if status == disclosure.StatusPublished || status == disclosure.StatusWithdrawn {
			published++
			lag := 1 + g.rnd.Intn(15)
			if g.rnd.Float64() < 0.03 {
				lag = 21 + g.rnd.Intn(10)
			}
			pd := days[min(di+lag, len(days)-1)]
			publishedAt = pd.Add(3 * time.Hour)
			onTime = !pd.After(deadline)
			publisher = c.admin
			pubTitle, pubBody = title, body
		}
		dt.add(c.code, title, fmt.Sprint(1+g.rnd.Intn(20)), body, calendar.FormatDate(formed), disclosure.AttributeProactive, "",
			status, author, authorName, reviewer, calendar.FormatDate(deadline), prov, false, "[]", pubTitle, pubBody,
			submitted, approved, publishedAt, publisher, onTime, created, created)
		if err := l.failed(); err != nil {
			break
		}
	}
	dt.flush()
	if err := l.wait(); err != nil {
		return err
	}
	g.note = fmt.Sprintf("%d records, %d published", g.o.Disclosures, published)
	return nil
}

// analyze refreshes the optimiser's statistics after the bulk load.
func (g *generator) analyze(ctx context.Context) error {
	q := `ANALYZE`
	if g.svc.DB.Dialect == db.MySQL {
		q = `ANALYZE TABLE cases, case_steps, case_events, case_pauses, disclosure_records, users, user_roles, counties, catalog_items, catalog_versions`
	}
	_, err := g.svc.DB.ExecContext(ctx, q)
	return err
}
