package catalog

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"safetypilot/modules/apperr"
)

// The shipped content: the 2026 clean-up suggestions of the eleven basic
// powers, starter templates of the kept ones, the bureau's proactive-
// disclosure items, starter penalty items of the 安全生产法 and the list of
// discretion instruments. It is data, each legal statement with its sources
// (content/sources.json); see the README's "Legal sources of the shipped
// content".
//
//go:embed content/*.json
var contentFS embed.FS

// Markers in shipped text. A field still holding one cannot be published:
// 待填写 is local (the bureau's name, telephone, address, complaint
// channel); 待核实 is a legal fact the shipped data could not confirm.
const (
	MarkerLocal  = "【待填写"
	MarkerVerify = "【待核实"
)

// Verification levels of a shipped legal statement.
const (
	Verified   = "verified"
	Partial    = "partial"
	Unverified = "unverified"
)

// Source is one public source the shipped content cites.
type Source struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	Confirms string `json:"confirms"`
}

// Suggestion is the shipped 2026 clean-up suggestion of one basic power.
type Suggestion struct {
	Code            string   `json:"code"`
	PowerType       string   `json:"power_type"`
	SuggestedStatus string   `json:"suggested_status"`
	Reason          string   `json:"reason"`
	Law             string   `json:"law"`
	Article         string   `json:"article"`
	ChangedBy       string   `json:"changed_by"`
	MovedTo         string   `json:"moved_to"`
	Verification    string   `json:"verification"`
	Note            string   `json:"note"`
	SourceIDs       []string `json:"sources"`
	Sources         []Source `json:"-"`
}

// Template is the starter content of one item, as a province edits it and a
// county receives it.
type Template struct {
	Code      string   `json:"code"`
	Category  string   `json:"category"`
	Name      string   `json:"name"`
	Content   Content  `json:"content"`
	Draft     bool     `json:"draft"`
	Note      string   `json:"note,omitempty"`
	Verify    string   `json:"verification,omitempty"`
	SourceIDs []string `json:"sources"`
}

// Instrument is a discretion instrument a standard's version may name.
type Instrument struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	DocNo      string   `json:"doc_no"`
	Status     string   `json:"status"`
	RepealedBy string   `json:"repealed_by"`
	Patterns   []string `json:"patterns"`
	SourceIDs  []string `json:"sources"`
}

// Shipped is every piece of shipped content, parsed and cross-checked once.
type Shipped struct {
	Sources     map[string]Source
	Suggestions []Suggestion
	Templates   []Template // in catalog order: basic powers, then GK…, then CF-AQ-…
	Instruments []Instrument
}

type penaltyRange struct {
	ID        string   `json:"id"`
	Target    string   `json:"target"`
	Stage     string   `json:"stage"`
	Violation string   `json:"violation"`
	Text      string   `json:"text"`
	Kinds     []string `json:"kinds"`
	Min       int64    `json:"min"`
	Max       int64    `json:"max"`
}

type penaltyFixed struct {
	ID        string `json:"id"`
	Target    string `json:"target"`
	Violation string `json:"violation"`
	Tiers     []struct {
		Level      string   `json:"level"`
		Conditions string   `json:"conditions"`
		Kinds      []string `json:"kinds"`
	} `json:"tiers"`
}

// LoadShipped parses the embedded content and checks that every item cites
// known sources, names a known item and is valid content.
func LoadShipped() (*Shipped, error) {
	read := func(name string, v any) error {
		b, err := contentFS.ReadFile("content/" + name)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("catalog content %s: %w", name, err)
		}
		return nil
	}
	var src struct {
		About   string   `json:"_about"`
		Sources []Source `json:"sources"`
	}
	var cleanup struct {
		About string       `json:"_about"`
		AsOf  string       `json:"as_of"`
		Items []Suggestion `json:"items"`
	}
	var tmpl struct {
		About string `json:"_about"`
		Items []struct {
			Code      string   `json:"code"`
			SourceIDs []string `json:"sources"`
			Content   Content  `json:"content"`
		} `json:"items"`
	}
	var info struct {
		About string `json:"_about"`
		Items []struct {
			Code         string   `json:"code"`
			Name         string   `json:"name"`
			Clause       string   `json:"clause"`
			Verification string   `json:"verification"`
			Note         string   `json:"note"`
			SourceIDs    []string `json:"sources"`
			Summary      string   `json:"summary"`
		} `json:"items"`
	}
	var pen struct {
		About           string `json:"_about"`
		Law             string `json:"law"`
		Version         string `json:"version"`
		DiscretionBasis string `json:"discretion_basis"`
		Items           []struct {
			Code         string         `json:"code"`
			Article      string         `json:"article"`
			Name         string         `json:"name"`
			Verification string         `json:"verification"`
			Note         string         `json:"note"`
			SourceIDs    []string       `json:"sources"`
			Ranges       []penaltyRange `json:"ranges"`
			Fixed        []penaltyFixed `json:"fixed"`
		} `json:"items"`
	}
	for name, v := range map[string]any{"sources.json": &src, "cleanup.json": &cleanup, "templates.json": &tmpl,
		"disclosure_items.json": &info, "penalties.json": &pen} {
		if err := read(name, v); err != nil {
			return nil, err
		}
	}
	out := &Shipped{Sources: map[string]Source{}, Instruments: instruments}
	for _, s := range src.Sources {
		if s.ID == "" || s.Title == "" || s.Confirms == "" {
			return nil, fmt.Errorf("catalog content: source %q lacks title or what it confirms", s.ID)
		}
		if _, dup := out.Sources[s.ID]; dup {
			return nil, fmt.Errorf("catalog content: source %q listed twice", s.ID)
		}
		out.Sources[s.ID] = s
	}
	known := func(what string, ids []string, verification string) error {
		if len(ids) == 0 && verification != Unverified {
			return fmt.Errorf("catalog content: %s cites no source but is not marked unverified", what)
		}
		for _, id := range ids {
			if _, ok := out.Sources[id]; !ok {
				return fmt.Errorf("catalog content: %s cites unknown source %q", what, id)
			}
		}
		switch verification {
		case Verified, Partial, Unverified:
			return nil
		}
		return fmt.Errorf("catalog content: %s has verification %q", what, verification)
	}
	for _, s := range instruments {
		if err := known("instrument "+s.ID, s.SourceIDs, Verified); err != nil {
			return nil, err
		}
	}

	// Clean-up suggestions: one per basic power, in catalog order.
	byCode := map[string]Suggestion{}
	for _, s := range cleanup.Items {
		if err := known("clean-up "+s.Code, s.SourceIDs, s.Verification); err != nil {
			return nil, err
		}
		b, ok := basicItem(s.Code)
		if !ok || b.Category != CategoryPower {
			return nil, fmt.Errorf("catalog content: clean-up names %q, not a basic power", s.Code)
		}
		if InventoryTitle(s.SuggestedStatus) == s.SuggestedStatus || PowerTypeTitle(s.PowerType) == s.PowerType {
			return nil, fmt.Errorf("catalog content: clean-up %s: status %q or power type %q unknown", s.Code, s.SuggestedStatus, s.PowerType)
		}
		if s.Verification != Verified && s.Note == "" {
			return nil, fmt.Errorf("catalog content: clean-up %s is %s but says nothing of what is unconfirmed", s.Code, s.Verification)
		}
		for _, id := range s.SourceIDs {
			s.Sources = append(s.Sources, out.Sources[id])
		}
		byCode[s.Code] = s
	}
	for _, b := range basicCatalog {
		if b.Category != CategoryPower {
			continue
		}
		s, ok := byCode[b.Code]
		if !ok {
			return nil, fmt.Errorf("catalog content: no clean-up suggestion for %s", b.Code)
		}
		out.Suggestions = append(out.Suggestions, s)
	}

	// Basic powers: the written template where there is one, else content
	// built from the suggestion (a cancelled or moved power still shows its
	// legal ground and its outcome).
	written := map[string]int{}
	for i, t := range tmpl.Items {
		written[t.Code] = i
	}
	for _, s := range out.Suggestions {
		b, _ := basicItem(s.Code)
		t := Template{Code: s.Code, Category: CategoryPower, Name: b.Name, Verify: s.Verification, SourceIDs: s.SourceIDs}
		if i, ok := written[s.Code]; ok {
			w := tmpl.Items[i]
			if err := known("template "+w.Code, w.SourceIDs, Partial); err != nil {
				return nil, err
			}
			t.Content, t.SourceIDs = w.Content, w.SourceIDs
			if t.Content.InventoryStatus != s.SuggestedStatus {
				return nil, fmt.Errorf("catalog content: template %s says %q, the clean-up suggests %q", s.Code, t.Content.InventoryStatus, s.SuggestedStatus)
			}
			delete(written, s.Code)
		} else {
			if s.SuggestedStatus == "kept" || s.SuggestedStatus == "adjusted" {
				return nil, fmt.Errorf("catalog content: %s is %s but has no written template", s.Code, s.SuggestedStatus)
			}
			t.Content = Content{
				Summary:           s.Reason,
				PowerType:         s.PowerType,
				ImplementingBody:  "【待填写：本县（市、区）应急管理局全称】",
				LegalBasis:        s.Law + s.Article,
				LegalBasisVersion: s.ChangedBy,
				InventoryStatus:   s.SuggestedStatus,
				InventoryReason:   s.Reason + movedTo(s.MovedTo),
				Complaint:         "【待填写：监督投诉渠道】",
			}
		}
		out.Templates = append(out.Templates, t)
	}
	if len(written) > 0 {
		return nil, fmt.Errorf("catalog content: templates for items without a clean-up suggestion: %v", written)
	}

	for _, it := range info.Items {
		if err := known("disclosure item "+it.Code, it.SourceIDs, it.Verification); err != nil {
			return nil, err
		}
		out.Templates = append(out.Templates, Template{Code: it.Code, Category: CategoryInformation, Name: it.Name,
			Verify: it.Verification, Note: it.Note, SourceIDs: it.SourceIDs, Content: Content{
				Summary:         it.Summary + "（公开依据：《中华人民共和国政府信息公开条例》" + it.Clause + "）",
				ResponsibleUnit: "【待填写：承办股室】",
				Channel:         "【待填写：公开渠道（如县人民政府门户网站政府信息公开专栏）】",
				TimeLimit:       "自该信息形成或者变更之日起20个工作日内（《中华人民共和国政府信息公开条例》第二十六条）",
				DisclosureMode:  Proactive,
			}})
	}

	for _, p := range pen.Items {
		if err := known("penalty "+p.Code, p.SourceIDs, p.Verification); err != nil {
			return nil, err
		}
		c := Content{
			Summary: MarkerVerify + "：草案，由省级按本省应急管理行政处罚裁量权基准调整后删除本标记】" + p.Name +
				"。罚款幅度依" + pen.Law + p.Article + "（" + pen.Version + "），对单位和对责任人员分列。",
			PowerType:         "CF",
			ImplementingBody:  "【待填写：本县（市、区）应急管理局全称】",
			LegalBasis:        pen.Law + p.Article,
			LegalBasisVersion: pen.Version,
			Complaint:         "【待填写：监督投诉渠道】",
			InventoryStatus:   "kept",
		}
		for _, r := range p.Ranges {
			c.Discretion = append(c.Discretion, draftStandard(pen.Law+p.Article, pen.DiscretionBasis, r))
		}
		for _, f := range p.Fixed {
			st := Standard{ID: f.ID, Violation: f.Violation + targetSuffix(f.Target),
				LegalProvision: MarkerVerify + "：违反的义务条款】", PenaltyBasis: pen.Law + p.Article,
				LegalBasisVersion: pen.DiscretionBasis}
			for _, t := range f.Tiers {
				st.Tiers = append(st.Tiers, Tier{Level: t.Level, Conditions: t.Conditions, PenaltyKinds: t.Kinds})
			}
			c.Discretion = append(c.Discretion, st)
		}
		out.Templates = append(out.Templates, Template{Code: p.Code, Category: CategoryPower, Name: p.Name, Content: c,
			Draft: true, Verify: p.Verification, Note: p.Note, SourceIDs: p.SourceIDs})
	}

	seen := map[string]bool{}
	for _, t := range out.Templates {
		if seen[t.Code] {
			return nil, fmt.Errorf("catalog content: template %s twice", t.Code)
		}
		seen[t.Code] = true
		if !isBasic(t.Code) {
			if err := ValidateNewItem(t.Code, t.Category, t.Name); err != nil {
				return nil, fmt.Errorf("catalog content: template %s: %w", t.Code, err)
			}
		}
		if err := t.Content.Validate(t.Category); err != nil {
			if ae, ok := apperr.As(err); ok {
				return nil, fmt.Errorf("catalog content: template %s is not valid content: %v", t.Code, ae.Fields)
			}
			return nil, fmt.Errorf("catalog content: template %s: %w", t.Code, err)
		}
	}
	return out, nil
}

func movedTo(s string) string {
	if s == "" {
		return ""
	}
	return "（承接：" + s + "）"
}

func targetSuffix(target string) string {
	if target == "person" {
		return "（对责任人员）"
	}
	return "（对单位）"
}

// draftStandard turns one statutory fine range into a draft standard whose
// three tiers split the range into thirds, rounded to 1,000 yuan. The
// statutory range itself is kept, so no tier can leave it.
func draftStandard(provision, basis string, r penaltyRange) Standard {
	statutory := Range{Min: r.Min, Max: r.Max, MinInclusive: true, MaxInclusive: true}
	step := (r.Max - r.Min) / 3
	step = (step + 500) / 1000 * 1000
	a, b := r.Min+step, r.Min+2*step
	names := [3]string{"一般", "较重", "严重"}
	if r.Min == 0 {
		names = [3]string{"轻微", "一般", "严重"}
	}
	conds := [3]string{
		"（草案）" + r.Stage + "：违法情节较轻，主动改正或者配合调查",
		"（草案）" + r.Stage + "：一般情形",
		"（草案）" + r.Stage + "：情节严重、拒不配合或者一年内再次违法",
	}
	bounds := [3]Range{
		{Min: r.Min, Max: a, MinInclusive: true, MaxInclusive: true},
		{Min: a, Max: b, MinInclusive: false, MaxInclusive: true},
		{Min: b, Max: r.Max, MinInclusive: false, MaxInclusive: true},
	}
	st := Standard{ID: r.ID, Violation: r.Violation + targetSuffix(r.Target),
		LegalProvision: MarkerVerify + "：违反的义务条款】", PenaltyBasis: provision + "：" + r.Text,
		LegalBasisVersion: basis, StatutoryFine: &statutory}
	for i := range names {
		fine := bounds[i]
		st.Tiers = append(st.Tiers, Tier{Level: names[i], Conditions: conds[i], PenaltyKinds: r.Kinds, Fine: &fine})
	}
	return st
}

func basicItem(code string) (BasicItem, bool) {
	for _, b := range basicCatalog {
		if b.Code == code {
			return b, true
		}
	}
	return BasicItem{}, false
}

// Suggestion returns the shipped clean-up suggestion of a basic power.
func (s *Shipped) Suggestion(code string) (Suggestion, bool) {
	for _, x := range s.Suggestions {
		if x.Code == code {
			return x, true
		}
	}
	return Suggestion{}, false
}

// Template returns the shipped template of an item.
func (s *Shipped) Template(code string) (Template, bool) {
	for _, t := range s.Templates {
		if t.Code == code {
			return t, true
		}
	}
	return Template{}, false
}

// SourcesOf resolves source ids, in the order given.
func (s *Shipped) SourcesOf(ids []string) []Source {
	out := make([]Source, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.Sources[id])
	}
	return out
}

// AllSourceIDs lists every source id, sorted (the README lists them all).
func (s *Shipped) AllSourceIDs() []string {
	ids := make([]string, 0, len(s.Sources))
	for id := range s.Sources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// instruments is the shipped list of discretion instruments, read once from
// the embedded data and never changed; a malformed file stops the program at
// start (the package's tests read it first).
var instruments = mustInstruments()

// shipped is the whole shipped content, parsed and checked once; nil with
// shippedErr set when the embedded data is malformed (NewService refuses to
// start then, and the package's tests report why).
var shipped, shippedErr = LoadShipped()

func mustInstruments() []Instrument {
	b, err := contentFS.ReadFile("content/instruments.json")
	if err != nil {
		panic(err)
	}
	var v struct {
		About       string       `json:"_about"`
		Instruments []Instrument `json:"instruments"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		panic(fmt.Errorf("catalog content instruments.json: %w", err))
	}
	return v.Instruments
}

// CurrentInstruments lists the discretion instruments in force, for pages
// that tell a clerk what to cite.
func CurrentInstruments() []Instrument {
	var out []Instrument
	for _, in := range instruments {
		if in.Status == "current" {
			out = append(out, in)
		}
	}
	return out
}

// repealedInstrument reports the repealed instrument a version names, if any.
func repealedInstrument(version string) (Instrument, bool) {
	for _, in := range instruments {
		if in.Status != "repealed" {
			continue
		}
		for _, p := range in.Patterns {
			if strings.Contains(version, p) {
				return in, true
			}
		}
	}
	return Instrument{}, false
}

// CleanupCodes are the basic powers the shipped clean-up covers.
func CleanupCodes() map[string]bool {
	out := map[string]bool{}
	if shipped != nil {
		for _, sg := range shipped.Suggestions {
			out[sg.Code] = true
		}
	}
	return out
}
