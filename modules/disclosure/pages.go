package disclosure

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/written"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
	"safetypilot/web/challenge"
	"safetypilot/web/upload"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the disclosure console and the public pages.
type Pages struct {
	api   *API
	pages *web.Pages
	tpl   map[string]*template.Template
}

// pageFuncs are the disclosure pages' template helpers.
var pageFuncs = template.FuncMap{
	"recordStatus":   StatusTitle,
	"attributeTitle": AttributeTitle,
	"findingTitle":   FindingTitle,
	"withheldTitle": func(code string) string {
		t, _ := reasonTitle(WithheldReasons, code)
		return t
	},
	"preferredFormTitle": func(code string) string {
		t, _ := reasonTitle(PreferredForms, code)
		return t
	},
	"outcomeTitle": outcomeTitle,
	"fieldError":   func(errs map[string]string, key string) string { return errs[key] },
	"beijingPtr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return web.FormatBeijing(*t)
	},
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"derefBool": func(b *bool) bool { return b != nil && *b },
	"add":       func(a, b int) int { return a + b },
	"clip": func(s string, n int) string {
		if r := []rune(s); len(r) > n {
			return string(r[:n]) + "…"
		}
		return s
	},
	"nav": func(county, current string) map[string]string {
		return map[string]string{"County": county, "Current": current}
	},
	"fileSize": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d 字节", n)
	},
	"stageTitle": func(stage int) string {
		switch stage {
		case 1:
			return "初审"
		case 2:
			return "复审"
		}
		return "撤回"
	},
	"decisionTitle": func(d string) string {
		switch d {
		case "approve":
			return "通过"
		case "reject":
			return "不通过"
		case "withdraw":
			return "撤回公开"
		}
		return d
	},
}

// outcomeTitle names an answer outcome with its sub-reason.
func outcomeTitle(code, reason string) string {
	o, ok := outcome(code)
	if !ok {
		return code
	}
	if t, ok := reasonTitle(o.Reasons, reason); ok {
		return o.Title + "：" + t
	}
	return o.Title
}

// templateNames are the module's pages; each is parsed with the partials.
var templateNames = []string{
	"console_list", "console_record", "console_reviews", "console_settings", "console_requests", "console_request",
	"portal_list", "portal_record", "portal_request", "portal_track",
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages, tpl: map[string]*template.Template{}}
	for _, name := range templateNames {
		t, err := pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		p.tpl[name] = t
	}
	return p, nil
}

// Mount registers the page routes. The portal routes all lie under fixed
// words (/disclosures, /info-requests), so they never shadow the catalog's
// or the cases' /portal/:county pages.
func (p *Pages) Mount(app *fiber.App) {
	perm := func(name string) fiber.Handler { return web.Require(p.api.enforcer, name, web.CountyScope) }
	read, write, review, extend := perm("disclosure:read"), perm("disclosure:write"), perm("disclosure:review"), perm("disclosure:extend")
	publish, configure := perm("disclosure:publish"), perm("disclosure:configure")
	c := app.Group("/counties/:county")
	c.Get("/disclosures", read, p.showList)
	c.Post("/disclosures", write, p.submitNew)
	c.Post("/disclosures/docx", write, p.importNewDocx)
	c.Get("/disclosures/:id", read, p.showRecord)
	c.Post("/disclosures/:id", write, p.submitEdit)
	c.Post("/disclosures/:id/submit", write, p.submitForReview)
	c.Post("/disclosures/:id/attachments", write, p.submitAttachment)
	c.Post("/disclosures/:id/docx", write, p.importEditDocx)
	c.Post("/disclosures/:id/review", review, p.submitReview)
	c.Post("/disclosures/:id/publish", publish, p.submitPublish)
	c.Post("/disclosures/:id/withdraw", publish, p.submitWithdraw)
	c.Get("/disclosures/:id/reviews", read, p.showReviews)
	c.Get("/disclosure-settings", read, p.showSettings)
	c.Post("/disclosure-settings", configure, p.submitSettings)
	c.Get("/info-requests", read, p.showRequests)
	c.Get("/info-requests/:id", read, p.showRequest)
	c.Post("/info-requests/:id/answer", write, p.submitAnswer)
	c.Post("/info-requests/:id/extend", extend, p.submitExtend)
	c.Get("/info-requests/:id/notices/:notice", read, p.showNoticePrint)
	c.Post("/info-requests/:id/correction", write, p.submitCorrection)
	c.Post("/info-requests/:id/corrected", write, p.submitCorrected)

	active := p.api.RequireActiveCounty
	app.Get("/portal/:county/disclosures", active, p.showPortalList)
	app.Get("/portal/:county/disclosures/:id", active, p.showPortalRecord)
	issue := p.api.limiter.Limit("challenge", challenge.IssuesPerMinute, time.Minute)
	app.Get("/portal/:county/info-requests/new", active, issue, p.showRequestForm)
	app.Post("/portal/:county/info-requests/new", active,
		p.api.limiter.Limit("info-request", requestsPerMinute, time.Minute), p.submitRequestForm)
	app.Get("/portal/:county/info-requests/track", active, p.limitLookups(), p.showTrack)
}

// limitLookups counts tracking lookups against the API's limit; the empty
// form costs nothing.
func (p *Pages) limitLookups() fiber.Handler {
	limit := p.api.limiter.Limit("track", lookupsPerMinute, time.Minute)
	return func(c *fiber.Ctx) error {
		if strings.TrimSpace(c.Query("no")) == "" {
			return c.Next()
		}
		return limit(c)
	}
}

func (p *Pages) render(c *fiber.Ctx, name string, v web.View) error {
	return p.pages.Render(c, p.tpl[name], v)
}

// option is one entry of a <select>.
type option struct {
	Value, Title string
	Selected     bool
}

// formError splits a client error into its message and field errors (setting
// the response status); other errors come back as they are.
func formError(c *fiber.Ctx, err error) (string, map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok {
		return "", nil, err
	}
	c.Status(e.Status)
	fields := map[string]string{}
	for k, v := range e.Fields {
		fields[k] = v
	}
	return e.Message, fields, nil
}

// can reports whether the signed-in user holds perm in the county.
func (p *Pages) can(c *fiber.Ctx, perm string) (bool, error) {
	return web.Allowed(c, p.api.enforcer, web.CurrentUser(c).UserID, c.Params("county"), perm)
}

// perms are what the signed-in user may do in the county.
type perms struct {
	Write, Review, Publish, Configure, Extend bool
}

func (p *Pages) perms(c *fiber.Ctx) (perms, error) {
	var out perms
	for perm, dst := range map[string]*bool{"disclosure:write": &out.Write, "disclosure:review": &out.Review,
		"disclosure:publish": &out.Publish, "disclosure:configure": &out.Configure, "disclosure:extend": &out.Extend} {
		ok, err := p.can(c, perm)
		if err != nil {
			return out, err
		}
		*dst = ok
	}
	return out, nil
}

// categories are the county's government-information items (1–20 and its own).
func (p *Pages) categories(ctx context.Context, county string) ([]catalog.ItemView, error) {
	items, err := p.api.svc.catalog.List(ctx, county)
	if err != nil {
		return nil, err
	}
	out := items[:0:0]
	for _, it := range items {
		if it.Category == catalog.CategoryInformation {
			out = append(out, it)
		}
	}
	return out, nil
}

func categoryNames(items []catalog.ItemView) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		out[it.Code] = it.Name
	}
	return out
}

// categoryOptions are the items a record can be filed under: an item marked
// not applicable is offered only to the record already filed under it.
func categoryOptions(items []catalog.ItemView, selected string) []option {
	out := make([]option, 0, len(items))
	for _, it := range items {
		if it.Status == catalog.StatusNotApplicable && it.Code != selected {
			continue
		}
		out = append(out, option{Value: it.Code, Title: it.Code + " " + it.Name, Selected: it.Code == selected})
	}
	return out
}

// recordForm is the author's form as typed.
type recordForm struct {
	Title, Category, Body, FormedOn, Attribute, WithheldReason string
}

func readRecordForm(c *fiber.Ctx) recordForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return recordForm{Title: v("title"), Category: v("category"), Body: c.FormValue("body"), FormedOn: v("formed_on"),
		Attribute: v("attribute"), WithheldReason: v("withheld_reason")}
}

func (f recordForm) input() RecordInput {
	return RecordInput{Title: f.Title, Category: f.Category, Body: f.Body, FormedOn: f.FormedOn, Attribute: f.Attribute,
		WithheldReason: f.WithheldReason}
}

// formView is the author's form with its choices: ID prefixes the field ids.
type formView struct {
	ID         string
	Action     string
	Button     string
	Form       recordForm
	Categories []option
	Attributes []option
	Reasons    []option
	Errors     map[string]string
	Today      string
	CSRF       string
	// ImportAction converts an uploaded .docx into the body (not saved);
	// Imported says what was converted, after such a request.
	ImportAction string
	Imported     *importNote
}

// importNote is a .docx just converted into the form's body.
type importNote struct {
	Name    string
	Dropped []string
}

func (p *Pages) formView(ctx context.Context, county, id string, f recordForm, errs map[string]string, items []catalog.ItemView, csrf string) formView {
	if f.Attribute == "" {
		f.Attribute = AttributeProactive
	}
	v := formView{ID: id, Form: f, Errors: errs, Categories: categoryOptions(items, f.Category), CSRF: csrf,
		Today: calendar.FormatDate(p.api.svc.today())}
	for _, a := range []string{AttributeProactive, AttributeOnRequest, AttributeWithheld} {
		v.Attributes = append(v.Attributes, option{Value: a, Title: AttributeTitle(a), Selected: a == f.Attribute})
	}
	for _, r := range WithheldReasons {
		v.Reasons = append(v.Reasons, option{Value: r.Code, Title: r.Title, Selected: r.Code == f.WithheldReason})
	}
	return v
}

// --- the list of records ---

// listTab is one tab of the record list.
type listTab struct {
	Key, Title string
	Count      int
	Current    bool
	URL        string
}

type recordRow struct {
	Record
	CategoryName string
	Overdue      bool
}

type listView struct {
	County    string
	Tabs      []listTab
	Tab       string
	TabTitle  string
	Rows      []recordRow
	Total     int
	Page      int
	PageCount int
	PrevURL   string
	NextURL   string
	Perms     perms
	New       formView
	Error     string
	Imported  *importNote
}

// tabStatuses are the statuses each tab lists; "mine" lists only the
// signed-in author's records.
var tabStatuses = map[string][]string{
	"mine":      {StatusDraft, StatusRejected},
	"review":    {StatusPendingReview, StatusPendingSecond},
	"approved":  {StatusApproved},
	"published": {StatusPublished},
	"withdrawn": {StatusWithdrawn},
	"all":       nil,
}

var tabTitles = []struct{ Key, Title string }{
	{"mine", "我的草稿"}, {"review", "待审查"}, {"approved", "待发布"}, {"published", "已公开"}, {"withdrawn", "已撤回"}, {"all", "全部"},
}

// records lists a county's records of some statuses (all when none), of one
// author when author is not 0, most recently changed first.
func (p *Pages) records(ctx context.Context, county string, statuses []string, author int64, page, perPage int) ([]Record, int, error) {
	where, args := "county_code = ?", []any{county}
	if len(statuses) > 0 {
		where += " AND status IN (?" + strings.Repeat(", ?", len(statuses)-1) + ")"
		for _, s := range statuses {
			args = append(args, s)
		}
	}
	if author != 0 {
		where, args = where+" AND author_id = ?", append(args, author)
	}
	var total int
	if err := p.api.svc.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM disclosure_records WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("disclosure: count: %w", err)
	}
	out := []Record{}
	err := p.api.svc.db.SelectContext(ctx, &out, `SELECT `+recordColumns+` FROM disclosure_records WHERE `+where+
		` ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("disclosure: list: %w", err)
	}
	return out, total, nil
}

// statusCounts counts a county's records by status, and the author's drafts.
func (p *Pages) statusCounts(ctx context.Context, county string, author int64) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := p.api.svc.db.SelectContext(ctx, &rows, `SELECT status, COUNT(*) AS n FROM disclosure_records
		WHERE county_code = ? GROUP BY status`, county); err != nil {
		return nil, fmt.Errorf("disclosure: counts: %w", err)
	}
	byStatus := map[string]int{}
	total := 0
	for _, r := range rows {
		byStatus[r.Status] = r.N
		total += r.N
	}
	out := map[string]int{"all": total}
	for tab, statuses := range tabStatuses {
		if tab == "mine" || tab == "all" {
			continue
		}
		for _, s := range statuses {
			out[tab] += byStatus[s]
		}
	}
	var mine int
	if err := p.api.svc.db.GetContext(ctx, &mine, `SELECT COUNT(*) FROM disclosure_records WHERE county_code = ?
		AND author_id = ? AND status IN (?, ?)`, county, author, StatusDraft, StatusRejected); err != nil {
		return nil, fmt.Errorf("disclosure: counts: %w", err)
	}
	out["mine"] = mine
	return out, nil
}

func (p *Pages) isOverdue(r Record) bool {
	return r.PublishDeadline != "" && r.Status != StatusPublished && r.Status != StatusWithdrawn &&
		p.api.svc.today().After(mustDate(r.PublishDeadline))
}

func (p *Pages) renderList(c *fiber.Ctx, v listView, form recordForm, errs map[string]string) error {
	ctx, county := c.UserContext(), c.Params("county")
	me := web.CurrentUser(c)
	pm, err := p.perms(c)
	if err != nil {
		return err
	}
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	tab := c.Query("tab")
	if _, ok := tabStatuses[tab]; !ok {
		switch {
		case tab != "":
			return apperr.InvalidField("tab", "未知的分类")
		case pm.Write:
			tab = "mine"
		case pm.Review:
			tab = "review"
		case pm.Publish:
			tab = "approved"
		default:
			tab = "all"
		}
	}
	if tab == "mine" && !pm.Write {
		tab = "all"
	}
	counts, err := p.statusCounts(ctx, county, me.UserID)
	if err != nil {
		return err
	}
	for _, t := range tabTitles {
		if t.Key == "mine" && !pm.Write {
			continue
		}
		lt := listTab{Key: t.Key, Title: t.Title, Count: counts[t.Key], Current: t.Key == tab,
			URL: "/counties/" + county + "/disclosures?tab=" + t.Key}
		if lt.Current {
			v.TabTitle = t.Title
		}
		v.Tabs = append(v.Tabs, lt)
	}
	var author int64
	if tab == "mine" {
		author = me.UserID
	}
	list, total, err := p.records(ctx, county, tabStatuses[tab], author, page, perPage)
	if err != nil {
		return err
	}
	items, err := p.categories(ctx, county)
	if err != nil {
		return err
	}
	names := categoryNames(items)
	for _, r := range list {
		v.Rows = append(v.Rows, recordRow{Record: r, CategoryName: names[r.Category], Overdue: p.isOverdue(r)})
	}
	v.County, v.Tab, v.Total, v.Page, v.Perms = county, tab, total, page, pm
	v.PageCount = (total + perPage - 1) / perPage
	pageURL := func(n int) string {
		return fmt.Sprintf("/counties/%s/disclosures?tab=%s&page=%d", county, tab, n)
	}
	if page > 1 {
		v.PrevURL = pageURL(page - 1)
	}
	if page < v.PageCount {
		v.NextURL = pageURL(page + 1)
	}
	v.New = p.formView(ctx, county, "new", form, errs, items, me.CSRFToken)
	// The fragment brings a refused form back into view on a phone.
	v.New.Action, v.New.Button = "/counties/"+county+"/disclosures#new-record", "保存草稿"
	v.New.ImportAction, v.New.Imported = "/counties/"+county+"/disclosures/docx#new-record", v.Imported
	return p.render(c, "console_list", web.View{Title: "政府信息公开", Region: county, Data: v})
}

func (p *Pages) showList(c *fiber.Ctx) error { return p.renderList(c, listView{}, recordForm{}, nil) }

func (p *Pages) submitNew(c *fiber.Ctx) error {
	county := c.Params("county")
	form := readRecordForm(c)
	v, err := p.api.svc.Create(c.UserContext(), county, ActorOf(c), form.input())
	if err == nil {
		return c.Redirect(recordURL(county, v.ID)+"?done=created", fiber.StatusSeeOther)
	}
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	return p.renderList(c, listView{Error: msg}, form, fields)
}

// convertUpload converts the .docx of an author's form; the form comes back
// with the converted body, nothing saved.
func (p *Pages) convertUpload(c *fiber.Ctx, form *recordForm) (*importNote, error) {
	fh, err := c.FormFile("docx")
	switch {
	case err != nil:
		return nil, apperr.InvalidField("docx", "请选择要导入的 Word 文档")
	case fh.Size > MaxDocxBytes:
		msg := fmt.Sprintf("Word 文档不能超过%dMB", MaxDocxBytes>>20)
		return nil, &apperr.Error{Status: fiber.StatusRequestEntityTooLarge, Code: "body_too_large", Message: msg,
			Fields: map[string]string{"docx": msg}}
	}
	data, err := upload.Read(fh, MaxDocxBytes)
	if err != nil {
		return nil, err
	}
	out, err := p.api.svc.ConvertDocx(fh.Filename, data)
	if err != nil {
		return nil, err
	}
	form.Body = out.HTML
	return &importNote{Name: fh.Filename, Dropped: out.Dropped}, nil
}

// importNewDocx fills the new-record form's body from a .docx.
func (p *Pages) importNewDocx(c *fiber.Ctx) error {
	form := readRecordForm(c)
	note, err := p.convertUpload(c, &form)
	if err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderList(c, listView{Error: msg}, form, fields)
	}
	return p.renderList(c, listView{Imported: note}, form, nil)
}

// importEditDocx fills a record's edit form's body from a .docx, for the
// author while the record may be changed.
func (p *Pages) importEditDocx(c *fiber.Ctx) error {
	rv, err := p.loadRecord(c)
	if err != nil {
		return err
	}
	form := readRecordForm(c)
	me := web.CurrentUser(c)
	switch {
	case rv.AuthorID != me.UserID:
		err = apperr.Forbidden("not_author", "只有撰稿人可以修改")
	case rv.Status != StatusDraft && rv.Status != StatusRejected:
		err = apperr.Conflict("invalid_transition", "只有草稿或审查未通过的信息可以修改")
	}
	if err != nil {
		return err
	}
	note, err := p.convertUpload(c, &form)
	if err != nil {
		return p.refused(c, "edit", err, recordView{}, nil, &form)
	}
	return p.renderRecord(c, rv, recordView{Imported: note}, nil, &form, "")
}

func recordURL(county string, id int64) string {
	return "/counties/" + county + "/disclosures/" + strconv.FormatInt(id, 10)
}

// --- one record ---

// findingRow is a scan finding in the review form.
type findingRow struct {
	N     int
	Kind  string
	Where string
	Text  string
	Key   string
	// Checked: the span is masked now (or was ticked in a refused form).
	Checked bool
	// Excerpt is the text around a finding in an attachment's contents;
	// InContents marks such a finding, which no mask can cover.
	Excerpt    string
	InContents bool
	// InBody: the finding is marked in the rendered body (#finding-mark-N).
	InBody bool
	// HandChecked: the reviewer confirmed the attachment (review records).
	HandChecked bool
}

// attachmentCheck is an attachment the reviewer must check by hand before
// approving: its contents have findings or could not be read.
type attachmentCheck struct {
	ID       int64
	FileName string
	Checked  bool
}

// maskRow is a masked span that no finding covers (typed as a phrase, or
// kept from the first review).
type maskRow struct {
	Where   string
	Text    string
	Key     string
	Checked bool
}

type attachmentSegments struct {
	Attachment
	Segments []Segment
}

// reviewForm is the reviewer's form as typed.
type reviewForm struct {
	Opinion, Phrases string
	// CheckedAttachments: the attachments confirmed as checked by hand.
	CheckedAttachments []int64
}

type recordView struct {
	County       string
	R            RecordView
	CategoryName string
	Perms        perms
	IsAuthor     bool
	// Editable: the signed-in author may change, add files to and submit it.
	Editable bool
	Edit     formView
	// CanReview: the signed-in reviewer may decide now; ReviewBlocked says
	// why a reviewer may not.
	CanReview     bool
	ReviewBlocked string
	ReviewStage   string
	CanPublish    bool
	PublishNote   string
	CanWithdraw   bool
	Pending       bool
	TitleSegments []Segment
	BodySegments  []Segment
	// BodyRendered is the body as the public will see it, findings and
	// masks marked in place.
	BodyRendered template.HTML
	Attachments  []attachmentSegments
	Findings     []findingRow
	// ToCheck are the attachments to confirm as checked by hand.
	ToCheck       []attachmentCheck
	OtherMasks    []maskRow
	PreviewTitle  string
	PreviewBody   template.HTML
	LastRejection *Review
	Review        reviewForm
	WithdrawNote  string
	// Imported: a .docx was just converted into the edit form's body.
	Imported *importNote
	// Failed names the form Error and Errors belong to.
	Failed    string
	Error     string
	Errors    map[string]string
	OtherErrs []string
	PublicURL string
	ReviewURL string
	CSRF      string
}

func maskKey(r Redaction) string { return fmt.Sprintf("%s:%d:%d", r.Field, r.Start, r.End) }

func parseMaskKey(key string) (Redaction, bool) {
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return Redaction{}, false
	}
	j := strings.LastIndexByte(key[:i], ':')
	if j < 0 {
		return Redaction{}, false
	}
	start, err1 := strconv.Atoi(key[j+1 : i])
	end, err2 := strconv.Atoi(key[i+1:])
	if err1 != nil || err2 != nil {
		return Redaction{}, false
	}
	return Redaction{Field: key[:j], Start: start, End: end}, true
}

// fieldName names the field of a finding or a mask.
func fieldName(field string, atts []Attachment) string {
	switch field {
	case "title":
		return "标题"
	case "body":
		return "正文"
	}
	for _, a := range atts {
		switch field {
		case fmt.Sprintf("attachment:%d", a.ID):
			return "附件“" + a.FileName + "”的名称"
		case contentField(a.ID):
			return "附件“" + a.FileName + "”的内容"
		}
	}
	if strings.HasPrefix(field, "attachment_content:") {
		return "附件内容"
	}
	return "附件名称"
}

// findingWhere tells a reviewer where a finding is: in an attachment's
// contents by the part it is in (paragraph, cell, page, line), elsewhere by
// field and character positions.
func findingWhere(f Finding, atts []Attachment) string {
	switch {
	case f.AttachmentID == 0:
		return where(f.Field, f.Start, f.End, atts)
	case f.Location == "":
		return fieldName(f.Field, atts)
	}
	return fieldName(f.Field, atts) + "，" + f.Location
}

// where tells a reviewer where a span is: field and character positions.
func where(field string, start, end int, atts []Attachment) string {
	if end-start == 1 {
		return fmt.Sprintf("%s第%d字", fieldName(field, atts), start+1)
	}
	return fmt.Sprintf("%s第%d–%d字", fieldName(field, atts), start+1, end)
}

func fieldTextOf(r Record, atts []Attachment, field string) string {
	t, _ := fieldText(r, atts, field)
	return t
}

// renderRecord shows a record as the signed-in user may act on it. ticked
// are the masks of a refused review form (nil: the record's own masks), and
// form a refused edit form (nil: the record's content).
func (p *Pages) renderRecord(c *fiber.Ctx, rv RecordView, v recordView, ticked map[string]bool, form *recordForm, flash string) error {
	ctx, county := c.UserContext(), c.Params("county")
	me := web.CurrentUser(c)
	pm, err := p.perms(c)
	if err != nil {
		return err
	}
	items, err := p.categories(ctx, county)
	if err != nil {
		return err
	}
	r := rv.Record
	v.County, v.R, v.Perms, v.CSRF = county, rv, pm, me.CSRFToken
	v.CategoryName = categoryNames(items)[r.Category]
	v.IsAuthor = r.AuthorID == me.UserID
	v.Editable = v.IsAuthor && pm.Write && (r.Status == StatusDraft || r.Status == StatusRejected)
	v.Pending = r.Status == StatusPendingReview || r.Status == StatusPendingSecond
	v.ReviewURL = recordURL(county, r.ID) + "/reviews"
	if v.Editable {
		f := recordForm{Title: r.Title, Category: r.Category, Body: r.Body, FormedOn: r.FormedOn, Attribute: r.Attribute,
			WithheldReason: r.WithheldReason}
		var errs map[string]string
		if form != nil {
			f, errs = *form, v.Errors
		}
		v.Edit = p.formView(ctx, county, "edit", f, errs, items, me.CSRFToken)
		v.Edit.Action, v.Edit.Button = recordURL(county, r.ID), "保存修改"
		v.Edit.ImportAction, v.Edit.Imported = recordURL(county, r.ID)+"/docx#edit", v.Imported
	}
	if v.Pending && pm.Review {
		v.ReviewStage = "初审"
		if r.Status == StatusPendingSecond {
			v.ReviewStage = "复审"
		}
		switch {
		case v.IsAuthor:
			v.ReviewBlocked = "您是该信息的撰稿人，不能审查自己撰写的信息（谁公开谁审查，撰稿与审查分离）。"
		case r.Status == StatusPendingSecond && r.FirstReviewerID == me.UserID:
			v.ReviewBlocked = "您已完成该信息的初审，复审须由初审以外的人员进行。"
		default:
			v.CanReview = true
		}
	}
	if pm.Publish && r.Status == StatusApproved {
		switch {
		case r.Attribute != AttributeProactive:
			v.PublishNote = "该信息的公开属性为“" + AttributeTitle(r.Attribute) + "”，不主动公开。"
		case v.IsAuthor:
			v.PublishNote = "您是该信息的撰稿人，不能发布自己撰写的信息，请由其他审查人员发布。"
		default:
			v.CanPublish = true
		}
	}
	v.CanWithdraw = pm.Publish && r.Status == StatusPublished
	if r.Status == StatusPublished {
		v.PublicURL = "/portal/" + county + "/disclosures/" + strconv.FormatInt(r.ID, 10)
	}
	for i := len(rv.Reviews) - 1; i >= 0; i-- {
		if rv.Reviews[i].Stage > 0 {
			if rv.Reviews[i].Decision == "reject" && r.Status == StatusRejected {
				rev := rv.Reviews[i]
				v.LastRejection = &rev
			}
			break
		}
	}
	// The review view: the stored text escaped, findings marked, masks shown.
	v.TitleSegments = Highlight("title", r.Title, rv.ScanFindings, rv.Redactions)
	v.BodySegments = Highlight("body", r.Body, rv.ScanFindings, rv.Redactions)
	v.BodyRendered = RenderHighlighted("body", r.Body, rv.ScanFindings, rv.Redactions, p.api.svc.SanitizeHTML)
	for _, a := range rv.Attachments {
		field := fmt.Sprintf("attachment:%d", a.ID)
		v.Attachments = append(v.Attachments, attachmentSegments{Attachment: a,
			Segments: Highlight(field, a.FileName, rv.ScanFindings, rv.Redactions)})
	}
	masked := map[string]bool{}
	for _, red := range rv.Redactions {
		masked[maskKey(red)] = true
	}
	if ticked != nil {
		masked = ticked
	}
	covered := map[string]bool{}
	for i, f := range rv.ScanFindings {
		row := findingRow{N: i + 1, Kind: f.Kind, Where: findingWhere(f, rv.Attachments), Text: f.Text,
			Excerpt: f.Excerpt, InContents: f.AttachmentID != 0, InBody: f.Field == "body"}
		if !row.InContents {
			row.Key = maskKey(Redaction{Field: f.Field, Start: f.Start, End: f.End})
			row.Checked = masked[row.Key]
			covered[row.Key] = true
		}
		v.Findings = append(v.Findings, row)
	}
	for _, id := range attachmentsToCheck(rv.ScanFindings) {
		for _, a := range rv.Attachments {
			if a.ID == id {
				v.ToCheck = append(v.ToCheck, attachmentCheck{ID: id, FileName: a.FileName,
					Checked: slices.Contains(v.Review.CheckedAttachments, id)})
			}
		}
	}
	for _, red := range sortedRedactions(rv.Redactions) {
		key := maskKey(red)
		if covered[key] {
			continue
		}
		covered[key] = true
		v.OtherMasks = append(v.OtherMasks, maskRow{Where: where(red.Field, red.Start, red.End, rv.Attachments),
			Text: SpanText(fieldTextOf(r, rv.Attachments, red.Field), red.Start, red.End), Key: key, Checked: masked[key]})
	}
	// What the public sees (or will see): masks applied, markup sanitized.
	if r.Status == StatusPublished || r.Status == StatusWithdrawn {
		v.PreviewTitle = r.PublishedTitle
		v.PreviewBody = template.HTML(p.api.svc.SanitizeHTML(r.PublishedBody)) // #nosec G203 -- sanitized just now
	} else {
		v.PreviewTitle = MaskedPreview("title", r.Title, rv.Redactions)
		v.PreviewBody = template.HTML(p.api.svc.SanitizeHTML(MaskedPreview("body", r.Body, rv.Redactions))) // #nosec G203 -- sanitized just now
	}
	known := map[string]bool{"title": true, "category": true, "body": true, "formed_on": true, "attribute": true,
		"withheld_reason": true, "opinion": true, "decision": true, "phrases": true, "mask": true, "file": true, "reason": true, "docx": true,
		"checked_attachments": true}
	for k, msg := range v.Errors {
		if !known[k] {
			v.OtherErrs = append(v.OtherErrs, msg)
		}
	}
	sort.Strings(v.OtherErrs)
	return p.pages.Render(c, p.tpl["console_record"], web.View{Title: r.Title, Region: county, Flash: flash, Data: v})
}

// doneFlash is the notice after a redirect back to the record page.
func doneFlash(done string) string {
	return map[string]string{
		"created":   "草稿已保存。可以继续修改、添加附件，完成后提交保密审查。",
		"saved":     "修改已保存。",
		"attached":  "附件已添加。",
		"submitted": "已提交保密审查。",
		"approved":  "审查结论已记录：通过。",
		"second":    "初审通过，已转复审。",
		"rejected":  "审查结论已记录：不通过，已退回撰稿人。",
		"published": "已发布到公众门户。",
		"withdrawn": "已从公众门户撤回。",
	}[done]
}

func (p *Pages) loadRecord(c *fiber.Ctx) (RecordView, error) {
	id, err := web.PathID(c, "id")
	if err != nil {
		return RecordView{}, err
	}
	return p.api.svc.Get(c.UserContext(), c.Params("county"), id)
}

func (p *Pages) showRecord(c *fiber.Ctx) error {
	rv, err := p.loadRecord(c)
	if err != nil {
		return err
	}
	return p.renderRecord(c, rv, recordView{}, nil, nil, doneFlash(c.Query("done")))
}

// refused shows the record page again with a refused form's error.
func (p *Pages) refused(c *fiber.Ctx, failed string, err error, v recordView, ticked map[string]bool, form *recordForm) error {
	msg, fields, err := formError(c, err)
	if err != nil {
		return err
	}
	rv, gerr := p.loadRecord(c)
	if gerr != nil {
		return gerr
	}
	v.Failed, v.Error, v.Errors = failed, msg, fields
	return p.renderRecord(c, rv, v, ticked, form, "")
}

func (p *Pages) submitEdit(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	form := readRecordForm(c)
	if _, err := p.api.svc.Update(c.UserContext(), county, id, ActorOf(c), form.input()); err != nil {
		return p.refused(c, "edit", err, recordView{}, nil, &form)
	}
	return c.Redirect(recordURL(county, id)+"?done=saved", fiber.StatusSeeOther)
}

func (p *Pages) submitForReview(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	if _, err := p.api.svc.Submit(c.UserContext(), county, id, ActorOf(c)); err != nil {
		return p.refused(c, "submit", err, recordView{}, nil, nil)
	}
	return c.Redirect(recordURL(county, id)+"?done=submitted", fiber.StatusSeeOther)
}

func (p *Pages) submitAttachment(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	fh, ferr := c.FormFile("file")
	switch {
	case ferr != nil:
		err = apperr.InvalidField("file", "请选择要上传的文件")
	case fh.Size > MaxAttachmentBytes:
		err = &apperr.Error{Status: fiber.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "附件不能超过10MB",
			Fields: map[string]string{"file": "附件不能超过10MB"}}
	default:
		var data []byte
		if data, err = upload.Read(fh, MaxAttachmentBytes); err != nil {
			return err
		}
		_, err = p.api.svc.AddAttachment(c.UserContext(), county, id, ActorOf(c), fh.Filename, data)
	}
	if err != nil {
		return p.refused(c, "attach", err, recordView{}, nil, nil)
	}
	return c.Redirect(recordURL(county, id)+"?done=attached#attachments", fiber.StatusSeeOther)
}

// submitReview records the reviewer's decision: the findings ticked to be
// masked, and every occurrence of the phrases typed (one a line), become
// the record's masks.
func (p *Pages) submitReview(c *fiber.Ctx) error {
	rv, err := p.loadRecord(c)
	if err != nil {
		return err
	}
	county := c.Params("county")
	form := reviewForm{Opinion: c.FormValue("opinion"), Phrases: c.FormValue("phrases")}
	ticked := map[string]bool{}
	var reds []Redaction
	errs := map[string]string{}
	for _, v := range formValues(c, "checked_attachment") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs["checked_attachments"] = "附件确认有误，请刷新页面后重新勾选"
			continue
		}
		form.CheckedAttachments = append(form.CheckedAttachments, id)
	}
	for _, key := range formValues(c, "mask") {
		red, ok := parseMaskKey(key)
		if !ok {
			errs["mask"] = "遮盖位置有误，请刷新页面后重新勾选"
			continue
		}
		if !ticked[key] {
			ticked[key] = true
			reds = append(reds, red)
		}
	}
	var missing []string
	for _, line := range strings.Split(form.Phrases, "\n") {
		phrase := strings.TrimSpace(line)
		if phrase == "" {
			continue
		}
		if strings.ContainsAny(phrase, "<>") {
			errs["phrases"] = "遮盖文字不能包含尖括号"
			continue
		}
		found := false
		fields := []string{"title", "body"}
		for _, a := range rv.Attachments {
			fields = append(fields, fmt.Sprintf("attachment:%d", a.ID))
		}
		for _, field := range fields {
			for _, red := range PhraseRedactions(field, fieldTextOf(rv.Record, rv.Attachments, field), phrase) {
				found = true
				if key := maskKey(red); !ticked[key] {
					ticked[key] = true
					reds = append(reds, red)
				}
			}
		}
		if !found {
			missing = append(missing, "“"+phrase+"”")
		}
	}
	if len(missing) > 0 && errs["phrases"] == "" {
		errs["phrases"] = "标题、正文和附件名称中没有找到" + strings.Join(missing, "、")
	}
	decision := c.FormValue("decision")
	web.SetAuditDetail(c, "review "+decision)
	if len(errs) > 0 {
		err = apperr.Invalid("遮盖设置有误，请按提示修改", errs)
	} else {
		rv, err = p.api.svc.Review(c.UserContext(), county, rv.ID, ActorOf(c), ReviewInput{Decision: decision,
			Opinion: form.Opinion, Redactions: reds, CheckedAttachments: form.CheckedAttachments})
	}
	if err != nil {
		return p.refused(c, "review", err, recordView{Review: form}, ticked, nil)
	}
	done := "approved"
	switch {
	case rv.Status == StatusRejected:
		done = "rejected"
	case rv.Status == StatusPendingSecond:
		done = "second"
	}
	return c.Redirect(recordURL(county, rv.ID)+"?done="+done, fiber.StatusSeeOther)
}

// formValues is every value of a repeated form field.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	if form, err := c.MultipartForm(); err == nil && form != nil {
		out = append(out, form.Value[name]...)
	}
	return out
}

func (p *Pages) submitPublish(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	if _, err := p.api.svc.Publish(c.UserContext(), county, id, ActorOf(c)); err != nil {
		return p.refused(c, "publish", err, recordView{}, nil, nil)
	}
	return c.Redirect(recordURL(county, id)+"?done=published", fiber.StatusSeeOther)
}

func (p *Pages) submitWithdraw(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	reason := strings.TrimSpace(c.FormValue("reason"))
	if _, err := p.api.svc.Withdraw(c.UserContext(), county, id, ActorOf(c), reason); err != nil {
		return p.refused(c, "withdraw", err, recordView{WithdrawNote: reason}, nil, nil)
	}
	return c.Redirect(recordURL(county, id)+"?done=withdrawn", fiber.StatusSeeOther)
}

// --- the printable review record ---

type maskLine struct {
	Where, Text string
}

type reviewEntry struct {
	Review
	FindingRows []findingRow
	Masks       []maskLine
}

type reviewsView struct {
	County       string
	R            RecordView
	CategoryName string
	Entries      []reviewEntry
	PrintedAt    string
	RecordURL    string
}

func (p *Pages) showReviews(c *fiber.Ctx) error {
	rv, err := p.loadRecord(c)
	if err != nil {
		return err
	}
	ctx, county := c.UserContext(), c.Params("county")
	items, err := p.categories(ctx, county)
	if err != nil {
		return err
	}
	v := reviewsView{County: county, R: rv, CategoryName: categoryNames(items)[rv.Category],
		PrintedAt: web.FormatBeijing(time.Now()), RecordURL: recordURL(county, rv.ID)}
	for _, rev := range rv.Reviews {
		e := reviewEntry{Review: rev}
		for i, f := range rev.Findings {
			e.FindingRows = append(e.FindingRows, findingRow{N: i + 1, Kind: f.Kind, Text: f.Text,
				Where: findingWhere(f, rv.Attachments), Excerpt: f.Excerpt, InContents: f.AttachmentID != 0, HandChecked: f.Checked})
		}
		// Offsets are those of the text reviewed: a finding of the same
		// review names it; otherwise the current text does only when the
		// record has not been resubmitted since.
		sameRound := rv.SubmittedAt != nil && rev.SubmittedAt.Equal(*rv.SubmittedAt)
		for _, red := range sortedRedactions(rev.Redactions) {
			line := maskLine{Where: where(red.Field, red.Start, red.End, rv.Attachments)}
			for _, f := range rev.Findings {
				if f.Field == red.Field && f.Start == red.Start && f.End == red.End {
					line.Text = f.Text
				}
			}
			if line.Text == "" && sameRound {
				line.Text = SpanText(fieldTextOf(rv.Record, rv.Attachments, red.Field), red.Start, red.End)
			}
			if line.Text == "" {
				line.Text = "（信息此后已修改，原文不再保存）"
			}
			e.Masks = append(e.Masks, line)
		}
		v.Entries = append(v.Entries, e)
	}
	return p.render(c, "console_reviews", web.View{Title: "保密审查记录：" + rv.Title, Region: county, Data: v})
}

// sortedRedactions orders spans as a reader meets them: the title, the
// body, then the attachments' names.
func sortedRedactions(list []Redaction) []Redaction {
	order := func(field string) int {
		switch field {
		case "title":
			return 0
		case "body":
			return 1
		}
		return 2
	}
	out := append([]Redaction(nil), list...)
	sort.SliceStable(out, func(i, j int) bool {
		if oi, oj := order(out[i].Field), order(out[j].Field); oi != oj {
			return oi < oj
		}
		if out[i].Field != out[j].Field {
			return out[i].Field < out[j].Field
		}
		return out[i].Start < out[j].Start
	})
	return out
}

// --- settings ---

type settingsView struct {
	County       string
	Settings     Settings
	Terms        string
	CanConfigure bool
	Saved        bool
	Error        string
	Errors       map[string]string
}

func (p *Pages) renderSettings(c *fiber.Ctx, v settingsView) error {
	county := c.Params("county")
	ok, err := p.can(c, "disclosure:configure")
	if err != nil {
		return err
	}
	v.County, v.CanConfigure = county, ok
	if v.Errors == nil {
		st, err := p.api.svc.Settings(c.UserContext(), county)
		if err != nil {
			return err
		}
		v.Settings, v.Terms = st, strings.Join(st.Terms, "\n")
	}
	return p.render(c, "console_settings", web.View{Title: "保密审查设置", Region: county, Data: v})
}

func (p *Pages) showSettings(c *fiber.Ctx) error {
	return p.renderSettings(c, settingsView{Saved: c.Query("saved") == "1"})
}

func (p *Pages) submitSettings(c *fiber.Ctx) error {
	county := c.Params("county")
	st := Settings{SecondReview: c.FormValue("second_review") != ""}
	terms := c.FormValue("terms")
	for _, t := range strings.Split(terms, "\n") {
		st.Terms = append(st.Terms, strings.TrimSpace(t))
	}
	if _, err := p.api.svc.SaveSettings(c.UserContext(), county, ActorOf(c), st); err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		// Name the line of a refused term (terms[i] counts every line typed).
		out := map[string]string{}
		for k, m := range fields {
			var i int
			if n, _ := fmt.Sscanf(k, "terms[%d]", &i); n == 1 {
				out["terms"] = fmt.Sprintf("第%d行：%s", i+1, m)
				continue
			}
			out[k] = m
		}
		return p.renderSettings(c, settingsView{Settings: st, Terms: terms, Error: msg, Errors: out})
	}
	return c.Redirect("/counties/"+county+"/disclosure-settings?saved=1", fiber.StatusSeeOther)
}

// --- requests for information, staff side ---

type requestRow struct {
	InfoRequest
	Light string
}

type requestsView struct {
	County    string
	Rows      []requestRow
	Total     int
	Page      int
	PageCount int
	PrevURL   string
	NextURL   string
	Status    string
	Tabs      []listTab
}

// light is a request's warning now: red past the deadline, yellow when it
// falls on the next working day or today.
func (p *Pages) light(r InfoRequest) string {
	if r.Status != RequestReceived || r.Deadline == "" {
		return ""
	}
	today := p.api.svc.today()
	due := mustDate(r.Deadline)
	switch {
	case today.After(due):
		return "red"
	case !due.After(p.api.svc.cal.NextWorkday(rbac.ProvinceOf(r.CountyCode), today)):
		return "yellow"
	}
	return ""
}

func (p *Pages) showRequests(c *fiber.Ctx) error {
	ctx, county := c.UserContext(), c.Params("county")
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	status := c.Query("status", RequestReceived)
	if status == "all" {
		status = ""
	} else if !slices.Contains(RequestStatuses, status) {
		return apperr.InvalidField("status", "状态应为 received、correcting、answered 或 all")
	}
	list, total, err := p.api.svc.ListRequests(ctx, county, status, page, perPage)
	if err != nil {
		return err
	}
	v := requestsView{County: county, Total: total, Page: page, Status: status, PageCount: (total + perPage - 1) / perPage}
	for _, r := range list {
		v.Rows = append(v.Rows, requestRow{InfoRequest: r, Light: p.light(r)})
	}
	key := status
	if key == "" {
		key = "all"
	}
	for _, t := range []struct{ Key, Title string }{{RequestReceived, "办理中"}, {RequestAwaitingCorrection, "待补正"},
		{RequestAnswered, "已答复"}, {"all", "全部"}} {
		v.Tabs = append(v.Tabs, listTab{Key: t.Key, Title: t.Title, Current: t.Key == key,
			URL: "/counties/" + county + "/info-requests?status=" + t.Key})
	}
	pageURL := func(n int) string { return fmt.Sprintf("/counties/%s/info-requests?status=%s&page=%d", county, key, n) }
	if page > 1 {
		v.PrevURL = pageURL(page - 1)
	}
	if page < v.PageCount {
		v.NextURL = pageURL(page + 1)
	}
	return p.render(c, "console_requests", web.View{Title: "依申请公开", Region: county, Data: v})
}

// outcomeGroup is an answer category in the outcome select: a single option,
// or an optgroup of its sub-reasons (value "outcome/reason").
type outcomeGroup struct {
	Title   string
	Value   string
	Options []option
	// Selected is for a single option.
	Selected bool
}

func outcomeGroups(selected string) []outcomeGroup {
	var out []outcomeGroup
	for _, o := range Outcomes {
		g := outcomeGroup{Title: o.Title}
		if len(o.Reasons) == 0 {
			g.Value, g.Selected = o.Code, selected == o.Code
		}
		for _, r := range o.Reasons {
			val := o.Code + "/" + r.Code
			g.Options = append(g.Options, option{Value: val, Title: r.Title, Selected: val == selected})
		}
		out = append(out, g)
	}
	return out
}

type requestView struct {
	County       string
	R            InfoRequest
	Light        string
	Outcomes     []outcomeGroup
	Answer       string
	ExtendReason string
	// ExtendWorkdays is the length typed into the extension form.
	ExtendWorkdays string
	Date           string // the date typed into a correction form that failed
	// CorrectionContent and DueOn are what the correction form asks: what
	// to correct and by when (条例 第三十条).
	CorrectionContent, DueOn string
	CanAnswer                bool
	CanExtend                bool
	// CanAskCorrection: the 7 working days of 条例 第三十条 may not have run
	// out (the service checks); CanRecordCorrected: the request awaits it.
	CanAskCorrection, CanRecordCorrected bool
	Failed                               string
	Error                                string
	Errors                               map[string]string
}

func (p *Pages) renderRequest(c *fiber.Ctx, v requestView, choice, flash string) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	r, err := p.api.svc.GetRequest(c.UserContext(), county, id)
	if err != nil {
		return err
	}
	pm, err := p.perms(c)
	if err != nil {
		return err
	}
	name, err := p.api.countyName(c.UserContext(), county)
	if err != nil {
		return err
	}
	written.Fill(r.Notices, name)
	v.County, v.R, v.Light, v.Outcomes = county, r, p.light(r), outcomeGroups(choice)
	v.CanAnswer = pm.Write && (r.Status == RequestReceived || r.Status == RequestAwaitingCorrection)
	v.CanExtend = pm.Extend && r.Status == RequestReceived && !r.Extended && r.Deadline != ""
	if v.ExtendWorkdays == "" {
		v.ExtendWorkdays = strconv.Itoa(ExtensionWorkdays)
	}
	v.CanAskCorrection = pm.Write && r.Status == RequestReceived && r.CorrectionNotifiedOn == nil
	v.CanRecordCorrected = pm.Write && r.Status == RequestAwaitingCorrection
	if v.Date == "" {
		v.Date = calendar.FormatDate(p.api.svc.today())
	}
	return p.render(c, "console_request", web.View{Title: "政府信息公开申请 " + r.TrackingNo, Region: county, Flash: flash, Data: v})
}

func (p *Pages) showRequest(c *fiber.Ctx) error {
	flash := map[string]string{"answered": "答复已记录。", "extended": "答复期限已延长。",
		"correction": "已记录补正告知：在收到补正后的申请前，答复期限不计算。", "corrected": "已记录收到补正：答复期限自次日起重新计算。"}[c.Query("done")]
	return p.renderRequest(c, requestView{}, "", flash)
}

func (p *Pages) submitAnswer(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	choice := c.FormValue("outcome")
	code, reason, _ := strings.Cut(choice, "/")
	answer := c.FormValue("answer")
	_, err = p.api.svc.Answer(c.UserContext(), county, id, ActorOf(c), AnswerInput{Outcome: code, Reason: reason, Answer: answer})
	if err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderRequest(c, requestView{Failed: "answer", Error: msg, Errors: fields, Answer: answer}, choice, "")
	}
	return c.Redirect("/counties/"+county+"/info-requests/"+strconv.FormatInt(id, 10)+"?done=answered", fiber.StatusSeeOther)
}

func (p *Pages) submitExtend(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	reason, days := c.FormValue("reason"), strings.TrimSpace(c.FormValue("workdays"))
	in := ExtensionInput{Reason: reason}
	if days != "" {
		if in.Workdays, err = strconv.Atoi(days); err != nil || in.Workdays == 0 {
			in.Workdays = -1 // refused by the service, naming the field
		}
	}
	if _, err := p.api.svc.ExtendRequest(c.UserContext(), county, id, ActorOf(c), in); err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderRequest(c, requestView{Failed: "extend", Error: msg, Errors: fields, ExtendReason: reason, ExtendWorkdays: days}, "", "")
	}
	return c.Redirect("/counties/"+county+"/info-requests/"+strconv.FormatInt(id, 10)+"?done=extended", fiber.StatusSeeOther)
}

// submitCorrection records that the requester was told to correct the
// request, what to correct and by when, and issues the notice.
func (p *Pages) submitCorrection(c *fiber.Ctx) error {
	in := CorrectionInput{NotifiedOn: c.FormValue("notified_on"), Content: c.FormValue("content"), DueOn: c.FormValue("due_on")}
	return p.submitCorrectionStep(c, "correction", func(ctx context.Context, county string, id int64, by Actor) (InfoRequest, error) {
		// The form asks for what 第三十条 says the notice must state; the
		// API takes them optionally (its contract is older).
		missing := map[string]string{}
		if strings.TrimSpace(in.Content) == "" {
			missing["content"] = "请一次性说明需要补正的事项（条例第三十条）"
		}
		if strings.TrimSpace(in.DueOn) == "" {
			missing["due_on"] = "请给出合理的补正期限（条例第三十条）"
		}
		if len(missing) > 0 {
			return InfoRequest{}, apperr.Invalid("补正告知内容不全", missing)
		}
		return p.api.svc.AskCorrection(ctx, county, id, by, in)
	}, requestView{Date: in.NotifiedOn, CorrectionContent: in.Content, DueOn: in.DueOn})
}

// submitCorrected records the corrected request's arrival.
func (p *Pages) submitCorrected(c *fiber.Ctx) error {
	date := c.FormValue("received_on")
	return p.submitCorrectionStep(c, "corrected", func(ctx context.Context, county string, id int64, by Actor) (InfoRequest, error) {
		return p.api.svc.Corrected(ctx, county, id, by, date)
	}, requestView{Date: date})
}

// submitCorrectionStep runs one step of a correction and goes back to the
// request page; a refusal comes back on the page with typed (what was typed).
func (p *Pages) submitCorrectionStep(c *fiber.Ctx, step string,
	do func(context.Context, string, int64, Actor) (InfoRequest, error), typed requestView) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	county := c.Params("county")
	if _, err := do(c.UserContext(), county, id, ActorOf(c)); err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		typed.Failed, typed.Error, typed.Errors = step, msg, fields
		return p.renderRequest(c, typed, "", "")
	}
	return c.Redirect("/counties/"+county+"/info-requests/"+strconv.FormatInt(id, 10)+"?done="+step, fiber.StatusSeeOther)
}

// showNoticePrint is the print-ready page of a written notice of the
// request, addressed to the requester (so for staff only; the tracking page
// shows the notice without the addressee).
func (p *Pages) showNoticePrint(c *fiber.Ctx) error {
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	nid, err := web.PathID(c, "notice")
	if err != nil {
		return err
	}
	ctx, county := c.UserContext(), c.Params("county")
	r, n, err := p.api.svc.RequestNotice(ctx, county, id, nid)
	if err != nil {
		return err
	}
	name, err := p.api.countyName(ctx, county)
	if err != nil {
		return err
	}
	page, err := written.PrintHTML(written.Compose(n, written.Addressing{CountyName: name, Addressee: r.RequesterName,
		TrackingLabel: "申请编号", TrackingNo: r.TrackingNo, SubjectLabel: "所需信息", SubjectText: r.Description, ReceivedOn: r.ReceivedOn}))
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(page)
}

// --- the public portal ---

type portalRow struct {
	PublicRecord
	CategoryName string
}

type portalListView struct {
	County     tenants.County
	Rows       []portalRow
	Categories []option
	Category   string
	Total      int
	Page       int
	PageCount  int
	PrevURL    string
	NextURL    string
}

func (p *Pages) county(c *fiber.Ctx) (tenants.County, error) {
	return p.api.tenants.County(c.UserContext(), c.Params("county"))
}

func (p *Pages) showPortalList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	county, err := p.county(c)
	if err != nil {
		return err
	}
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	items, err := p.categories(ctx, county.Code)
	if err != nil {
		return err
	}
	names := categoryNames(items)
	category := strings.TrimSpace(c.Query("category"))
	if _, ok := names[category]; category != "" && !ok {
		category = ""
	}
	list, total, err := p.api.svc.ListPublished(ctx, county.Code, category, page, perPage)
	if err != nil {
		return err
	}
	v := portalListView{County: county, Category: category, Total: total, Page: page,
		PageCount: (total + perPage - 1) / perPage, Categories: categoryOptions(items, category)}
	for _, r := range list {
		v.Rows = append(v.Rows, portalRow{PublicRecord: r, CategoryName: names[r.Category]})
	}
	pageURL := func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if category != "" {
			q.Set("category", category)
		}
		return "/portal/" + county.Code + "/disclosures?" + q.Encode()
	}
	if page > 1 {
		v.PrevURL = pageURL(page - 1)
	}
	if page < v.PageCount {
		v.NextURL = pageURL(page + 1)
	}
	return p.render(c, "portal_list", web.View{Title: "政府信息公开 · " + county.Name, Data: v})
}

type portalRecordView struct {
	County       tenants.County
	R            PublicRecord
	CategoryName string
	Body         template.HTML
}

func (p *Pages) showPortalRecord(c *fiber.Ctx) error {
	ctx := c.UserContext()
	county, err := p.county(c)
	if err != nil {
		return err
	}
	id, err := web.PathID(c, "id")
	if err != nil {
		return err
	}
	r, err := p.api.svc.GetPublished(ctx, county.Code, id)
	if err != nil {
		return err
	}
	items, err := p.categories(ctx, county.Code)
	if err != nil {
		return err
	}
	// Sanitized when published; sanitized again so nothing stored can ever
	// run in a visitor's browser.
	body := template.HTML(p.api.svc.SanitizeHTML(r.Body)) // #nosec G203 -- sanitized just now
	return p.render(c, "portal_record", web.View{Title: r.Title, Data: portalRecordView{County: county, R: r,
		CategoryName: categoryNames(items)[r.Category], Body: body}})
}

type requestFormView struct {
	County tenants.County
	Form   RequestInput
	Forms  []option
	Types  []option // who asks (RequesterTypes)
	Error  string
	Errors map[string]string
	// Challenge is what the page's script must solve before it submits.
	Challenge challenge.Challenge
}

func (p *Pages) renderRequestForm(c *fiber.Ctx, v requestFormView) error {
	county, err := p.county(c)
	if err != nil {
		return err
	}
	v.County = county
	for _, f := range PreferredForms {
		v.Forms = append(v.Forms, option{Value: f.Code, Title: f.Title, Selected: f.Code == v.Form.PreferredForm})
	}
	for _, t := range RequesterTypes {
		v.Types = append(v.Types, option{Value: t.Code, Title: t.Title, Selected: t.Code == v.Form.RequesterType})
	}
	if v.Challenge, err = p.api.challenges.Issue(c.UserContext(), challenge.Form(challenge.KindInfoRequest, county.Code)); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.render(c, "portal_request", web.View{Title: "政府信息公开申请 · " + county.Name, Data: v})
}

func (p *Pages) showRequestForm(c *fiber.Ctx) error { return p.renderRequestForm(c, requestFormView{}) }

// submitRequestForm files a request for information; without a solved
// challenge nothing is stored and the form comes back as it was typed.
func (p *Pages) submitRequestForm(c *fiber.Ctx) error {
	county := c.Params("county")
	in := RequestInput{Name: c.FormValue("name"), Contact: c.FormValue("contact"), Description: c.FormValue("description"),
		PreferredForm: c.FormValue("preferred_form"), RequesterType: c.FormValue("requester_type")}
	if err := p.api.challenges.CheckPage(c, challenge.Form(challenge.KindInfoRequest, county)); err != nil {
		msg, _, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderRequestForm(c, requestFormView{Form: in, Error: msg})
	}
	if in.RequesterType == "" {
		// The form asks it (the API may leave it out, see RequestInput).
		msg := "请选择申请人类型"
		c.Status(fiber.StatusBadRequest)
		return p.renderRequestForm(c, requestFormView{Form: in, Error: msg, Errors: map[string]string{"requester_type": msg}})
	}
	r, err := p.api.svc.FileRequest(c.UserContext(), county, in)
	if err != nil {
		msg, fields, err := formError(c, err)
		if err != nil {
			return err
		}
		return p.renderRequestForm(c, requestFormView{Form: in, Error: msg, Errors: fields})
	}
	return c.Redirect("/portal/"+county+"/info-requests/track?submitted=1&no="+url.QueryEscape(r.TrackingNo), fiber.StatusSeeOther)
}

type trackView struct {
	County    tenants.County
	No        string
	Found     *RequestStatus
	Submitted bool
	NotFound  bool
}

// maxTrackingNo bounds what is looked up ("GK", a county code, a dash, ten characters).
const maxTrackingNo = 32

func (p *Pages) showTrack(c *fiber.Ctx) error {
	county, err := p.county(c)
	if err != nil {
		return err
	}
	v := trackView{County: county, No: strings.ToUpper(strings.TrimSpace(c.Query("no")))}
	if v.No != "" {
		var st RequestStatus
		var err error = apperr.ErrNotFound
		if len(v.No) <= maxTrackingNo {
			st, err = p.api.svc.TrackRequest(c.UserContext(), county.Code, county.Name, v.No)
		}
		switch {
		case err == nil:
			v.Found, v.Submitted = &st, c.Query("submitted") == "1"
		case errors.Is(err, apperr.ErrNotFound):
			v.NotFound = true
			c.Status(fiber.StatusNotFound)
		default:
			return err
		}
	}
	return p.render(c, "portal_track", web.View{Title: "申请查询 · " + county.Name, Data: v})
}
