package catalog

import (
	"strings"
	"testing"

	"safetypilot/modules/apperr"
)

// completePower is a power item that may be published as it is.
func completePower() Content {
	return Content{
		Summary:                "烟花爆竹零售经营许可",
		PowerType:              "XK",
		ItemCode:               "XK-274",
		ImplementingBody:       "县应急管理局",
		LegalBasis:             "《烟花爆竹安全管理条例》第十九条",
		LegalBasisVersion:      "国务院令第455号（2016年修订）",
		Conditions:             "有符合规定的经营场所",
		Materials:              []Material{{Name: "申请书", Copies: 1}, {Name: "营业执照复印件", Copies: 1, Note: "加盖公章"}},
		Fees:                   "不收费",
		StatutoryLimitWorkdays: 20,
		PromisedLimitWorkdays:  13,
		SpecialSteps:           []SpecialStep{{Name: "现场核查", LimitWorkdays: 5}},
		Consultation:           "0551-12345678",
		Complaint:              "12345 政务服务热线",
		Steps: []Step{
			{Name: "受理", Post: "受理窗口", Authority: "对申请材料是否齐全、是否符合法定形式进行审查",
				Procedure: "收到申请材料后当场核对，材料齐全的出具受理通知书；不齐全的一次性告知需要补正的全部内容", LimitWorkdays: 1},
			{Name: "审查", Post: "业务科室审查岗", Authority: "审查经营场所和储存设施是否符合安全条件",
				Procedure: "书面审查申请材料，必要时组织两名以上执法人员现场核查，提出审查意见", LimitWorkdays: 10},
			{Name: "决定", Post: "分管局长", Authority: "作出准予或者不予许可的决定",
				Procedure: "审核审查意见后签发决定；不予许可的书面说明理由，并告知申请人依法申请行政复议或者提起行政诉讼的权利", LimitWorkdays: 2},
		},
		InventoryStatus: "kept",
	}
}

// completePenalty is a penalty item with its discretion standard.
func completePenalty() Content {
	c := completePower()
	c.PowerType = "CF"
	c.Discretion = []Standard{penaltyStandard()}
	return c
}

// completeInformation is an information item that may be published.
func completeInformation() Content {
	return Content{
		Summary:         "本县安全生产监督检查情况",
		ResponsibleUnit: "县应急管理局办公室",
		Channel:         "县政府门户网站",
		TimeLimit:       "信息形成之日起20个工作日内",
		DisclosureMode:  Proactive,
	}
}

func TestContentValidate(t *testing.T) {
	cases := []struct {
		name     string
		category string
		base     func() Content
		edit     func(c *Content)
		fields   []string // nil: valid
	}{
		{"complete power item", CategoryPower, completePower, func(c *Content) {}, nil},
		{"empty draft", CategoryPower, func() Content { return Content{} }, func(c *Content) {}, nil},
		{"complete penalty item", CategoryPower, completePenalty, func(c *Content) {}, nil},
		{"complete information item", CategoryInformation, completeInformation, func(c *Content) {}, nil},

		// Time limits.
		{"promised 14 of statutory 20 exceeds two thirds", CategoryPower, completePower,
			func(c *Content) { c.PromisedLimitWorkdays = 14 }, []string{"promised_limit_workdays"}},
		{"promised 13 of statutory 20 is at most two thirds", CategoryPower, completePower,
			func(c *Content) { c.PromisedLimitWorkdays = 13 }, nil},
		{"promised exactly two thirds", CategoryPower, completePower,
			func(c *Content) { c.StatutoryLimitWorkdays, c.PromisedLimitWorkdays = 30, 20 }, nil},
		{"promised one over two thirds", CategoryPower, completePower,
			func(c *Content) { c.StatutoryLimitWorkdays, c.PromisedLimitWorkdays = 30, 21 }, []string{"promised_limit_workdays"}},
		{"promised equal to statutory", CategoryPower, completePower,
			func(c *Content) { c.PromisedLimitWorkdays = 20 }, []string{"promised_limit_workdays"}},
		{"promised without statutory", CategoryPower, func() Content { return Content{} },
			func(c *Content) { c.PromisedLimitWorkdays = 5 }, []string{"statutory_limit_workdays"}},
		{"negative statutory", CategoryPower, completePower,
			func(c *Content) { c.StatutoryLimitWorkdays = -1; c.Steps = nil }, []string{"statutory_limit_workdays"}},
		{"negative promised", CategoryPower, completePower,
			func(c *Content) { c.PromisedLimitWorkdays = -3 }, []string{"promised_limit_workdays"}},
		{"negative extension", CategoryPower, completePower,
			func(c *Content) { c.ExtensionWorkdays = -10 }, []string{"extension_workdays"}},
		{"absurdly long limit", CategoryPower, completePower,
			func(c *Content) { c.ExtensionWorkdays = 3651 }, []string{"extension_workdays"}},

		// Flowchart steps. A draft keeps incomplete steps; publishing asks for the rest.
		{"draft step without post", CategoryPower, completePower,
			func(c *Content) { c.Steps[0].Post = "" }, nil},
		{"draft step without name, authority, procedure or limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1] = Step{Post: "业务科室审查岗"} }, nil},
		{"draft step with nothing but a procedure", CategoryPower, completePower,
			func(c *Content) {
				c.Steps = append(c.Steps, Step{Procedure: "制作送达回证，直接送达或邮寄送达"})
			}, nil},
		{"negative step limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays = -1 }, []string{"steps[1].limit_workdays"}},
		{"excluded step beyond any limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays, c.Steps[1].ExcludedFromLimit = 10_000_000, true }, []string{"steps[1].limit_workdays"}},
		{"excluded step just past the bound", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays, c.Steps[1].ExcludedFromLimit = MaxLimitWorkdays+1, true }, []string{"steps[1].limit_workdays"}},
		{"counted steps exceed statutory limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays = 18 }, []string{"steps"}},
		{"counted steps equal to statutory limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays = 17 }, nil},
		{"excluded steps are not counted", CategoryPower, completePower,
			func(c *Content) {
				c.Steps = append(c.Steps, Step{Name: "专家评审", Post: "专家组", LimitWorkdays: 30, ExcludedFromLimit: true})
			}, nil},
		{"counted step beyond the limit even with an excluded one", CategoryPower, completePower,
			func(c *Content) {
				c.Steps = append(c.Steps, Step{Name: "专家评审", Post: "专家组", LimitWorkdays: 30, ExcludedFromLimit: true},
					Step{Name: "送达", Post: "窗口", LimitWorkdays: 8})
			}, []string{"steps"}},
		{"steps without statutory limit are not summed", CategoryPower, completePower,
			func(c *Content) {
				c.StatutoryLimitWorkdays, c.PromisedLimitWorkdays = 0, 0
				c.Steps[1].LimitWorkdays = 100
			}, nil},
		{"too many steps", CategoryPower, completePower,
			func(c *Content) {
				c.Steps = nil
				for i := 0; i < 51; i++ {
					c.Steps = append(c.Steps, Step{Name: "环节", Post: "岗位", ExcludedFromLimit: true})
				}
			}, []string{"steps"}},
		{"overlong step procedure", CategoryPower, completePower,
			func(c *Content) { c.Steps[0].Procedure = strings.Repeat("程", 2001) }, []string{"steps[0].procedure"}},
		{"overlong step authority", CategoryPower, completePower,
			func(c *Content) { c.Steps[2].Authority = strings.Repeat("权", 2001) }, []string{"steps[2].authority"}},
		{"step procedure of 2000 characters", CategoryPower, completePower,
			func(c *Content) { c.Steps[0].Procedure = strings.Repeat("程", 2000) }, nil},

		// Inventory and power type.
		{"cancelled without reason", CategoryPower, completePower,
			func(c *Content) { c.InventoryStatus = "cancelled" }, []string{"inventory_reason"}},
		{"delegated with blank reason", CategoryPower, completePower,
			func(c *Content) { c.InventoryStatus, c.InventoryReason = "delegated", "   " }, []string{"inventory_reason"}},
		{"transferred with reason", CategoryPower, completePower,
			func(c *Content) {
				c.InventoryStatus, c.InventoryReason = "transferred", "职责划转至县市场监管局"
			}, nil},
		{"adjusted with reason", CategoryPower, completePower,
			func(c *Content) { c.InventoryStatus, c.InventoryReason = "adjusted", "合并办理" }, nil},
		{"kept without reason", CategoryPower, completePower,
			func(c *Content) { c.InventoryStatus, c.InventoryReason = "kept", "" }, nil},
		{"unknown inventory status", CategoryPower, completePower,
			func(c *Content) { c.InventoryStatus, c.InventoryReason = "merged", "合并" }, []string{"inventory_status"}},
		{"unknown power type", CategoryPower, completePower,
			func(c *Content) { c.PowerType = "XX" }, []string{"power_type"}},
		{"power type codes are upper case", CategoryPower, completePower,
			func(c *Content) { c.PowerType = "xk" }, []string{"power_type"}},
		{"power type given by title", CategoryPower, completePower,
			func(c *Content) { c.PowerType = "行政许可" }, []string{"power_type"}},
		{"unknown disclosure mode", CategoryInformation, completeInformation,
			func(c *Content) { c.DisclosureMode = "sometimes" }, []string{"disclosure_mode"}},
		{"on-request disclosure", CategoryInformation, completeInformation,
			func(c *Content) { c.DisclosureMode = OnRequest }, nil},

		// Materials and special steps.
		{"material without name", CategoryPower, completePower,
			func(c *Content) { c.Materials[1].Name = " " }, []string{"materials[1].name"}},
		{"material with negative copies", CategoryPower, completePower,
			func(c *Content) { c.Materials[0].Copies = -1 }, []string{"materials[0].copies"}},
		{"special step without name", CategoryPower, completePower,
			func(c *Content) { c.SpecialSteps[0].Name = "" }, []string{"special_steps[0].name"}},
		{"special step with negative limit", CategoryPower, completePower,
			func(c *Content) { c.SpecialSteps[0].LimitWorkdays = -2 }, []string{"special_steps[0].limit_workdays"}},
		{"special step beyond any limit", CategoryPower, completePower,
			func(c *Content) { c.SpecialSteps[0].LimitWorkdays = 1<<31 - 1 }, []string{"special_steps[0].limit_workdays"}},
		{"overlong fees", CategoryPower, completePower,
			func(c *Content) { c.Fees = strings.Repeat("费", maxText+1) }, []string{"fees"}},
		{"fees at the length limit", CategoryPower, completePower,
			func(c *Content) { c.Fees = strings.Repeat("费", maxText) }, nil},

		// Information items carry no power data.
		{"information item with steps", CategoryInformation, completeInformation,
			func(c *Content) { c.Steps = []Step{{Name: "受理", Post: "窗口"}} }, []string{"power_type"}},
		{"information item with power type", CategoryInformation, completeInformation,
			func(c *Content) { c.PowerType = "XK" }, []string{"power_type"}},
		{"information item with discretion", CategoryInformation, completeInformation,
			func(c *Content) { c.Discretion = []Standard{penaltyStandard()} }, []string{"power_type"}},

		// Discretion standards.
		{"discretion on a licence item", CategoryPower, completePower,
			func(c *Content) { c.Discretion = []Standard{penaltyStandard()} }, []string{"discretion"}},
		{"discretion on a draft without type", CategoryPower, func() Content { return Content{} },
			func(c *Content) { c.Discretion = []Standard{penaltyStandard()} }, nil},
		{"tier min above max", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[2].Fine = &Range{Min: 60000, Max: 50000, MaxInclusive: true} },
			[]string{"discretion[0].tiers[2].fine"}},
		{"empty tier range with exclusive bound", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[2].Fine = &Range{Min: 60000, Max: 60000, MinInclusive: true} },
			[]string{"discretion[0].tiers[2].fine"}},
		{"single-amount tier", CategoryPower, completePenalty,
			func(c *Content) {
				c.Discretion[0].Tiers[2].Fine = &Range{Min: 60000, Max: 60000, MinInclusive: true, MaxInclusive: true}
			}, nil},
		{"negative fine", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[0].Fine.Min = -100 }, []string{"discretion[0].tiers[0].fine"}},
		{"fine too large", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[2].Fine.Max = maxFine + 1 }, []string{"discretion[0].tiers[2].fine"}},
		{"overlapping tiers", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[1].Fine.MinInclusive = true }, []string{"discretion[0].tiers[1].fine"}},
		{"overlapping tiers listed out of order", CategoryPower, completePenalty,
			func(c *Content) {
				c.Discretion[0].Tiers[2].Fine = &Range{Min: 5000, Max: 8000, MinInclusive: true, MaxInclusive: true}
			},
			[]string{"discretion[0].tiers[2].fine"}},
		{"touching tiers with an exclusive bound", CategoryPower, completePenalty,
			func(c *Content) {
				c.Discretion[0].Tiers[0].Fine.MaxInclusive = false
				c.Discretion[0].Tiers[1].Fine.MinInclusive = true
			}, nil},
		{"overlap in the second standard", CategoryPower, completePenalty,
			func(c *Content) {
				s := penaltyStandard()
				s.ID = "CF-001-2"
				s.Tiers[2].Fine.Min = 20000
				c.Discretion = append(c.Discretion, s)
			}, []string{"discretion[1].tiers[2].fine"}},
		{"tiers for the organisation and for the responsible persons may share amounts", CategoryPower, completePenalty,
			func(c *Content) {
				for i := range c.Discretion[0].Tiers {
					c.Discretion[0].Tiers[i].AppliesTo = TierOrganization
				}
				c.Discretion[0].Tiers = append(c.Discretion[0].Tiers, Tier{Level: "责任人员", Conditions: "主要负责人未组织培训",
					PenaltyKinds: []string{"罚款"}, Fine: &Range{Min: 2000, Max: 20000, MinInclusive: true, MaxInclusive: true}, AppliesTo: TierIndividual})
			}, nil},
		{"a tier for either party still may not overlap", CategoryPower, completePenalty,
			func(c *Content) {
				c.Discretion[0].Tiers = append(c.Discretion[0].Tiers, Tier{Level: "责任人员", Conditions: "主要负责人未组织培训",
					PenaltyKinds: []string{"罚款"}, Fine: &Range{Min: 2000, Max: 20000, MinInclusive: true, MaxInclusive: true}, AppliesTo: TierIndividual})
			}, []string{"discretion[0].tiers[4].fine"}},
		{"unknown applies_to", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[0].AppliesTo = "company" }, []string{"discretion[0].tiers[0].applies_to"}},
		{"duplicate standard ids", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion = append(c.Discretion, penaltyStandard()) }, []string{"discretion[1].id"}},
		{"standard without id", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].ID = "" }, []string{"discretion[0].id"}},
		{"standard id with a slash", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].ID = "a/b" }, []string{"discretion[0].id"}},
		{"standard without tiers", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers = nil }, []string{"discretion[0].tiers"}},
		{"standard without violation and version", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Violation, c.Discretion[0].LegalBasisVersion = "", " " },
			[]string{"discretion[0].violation", "discretion[0].legal_basis_version"}},
		{"tier without level and conditions", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[1].Level, c.Discretion[0].Tiers[1].Conditions = "", "" },
			[]string{"discretion[0].tiers[1].level", "discretion[0].tiers[1].conditions"}},
		{"tier level longer than 32 characters", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[1].Level = strings.Repeat("较", 33) },
			[]string{"discretion[0].tiers[1].level"}},
		{"tier level of 32 characters", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[1].Level = strings.Repeat("较", 32) }, nil},
		{"tier without penalty", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[3].PenaltyKinds = nil }, []string{"discretion[0].tiers[3].penalty_kinds"}},
		{"tier with only a fine", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion[0].Tiers[1].PenaltyKinds = nil }, nil},

		// Several rules at once are all reported.
		{"several errors", CategoryPower, completePower,
			func(c *Content) {
				c.PromisedLimitWorkdays = 14
				c.Steps[0].LimitWorkdays = -1
				c.InventoryStatus = "cancelled"
				c.PowerType = "ZZ"
			}, []string{"promised_limit_workdays", "steps[0].limit_workdays", "inventory_reason", "power_type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			content := c.base()
			c.edit(&content)
			err := content.Validate(c.category)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			assertFields(t, err, c.fields...)
		})
	}
}

func TestContentValidateForPublishing(t *testing.T) {
	cases := []struct {
		name     string
		category string
		base     func() Content
		edit     func(c *Content)
		fields   []string
	}{
		{"complete power item", CategoryPower, completePower, func(c *Content) {}, nil},
		{"complete service item", CategoryService, completePower, func(c *Content) { c.PowerType = "GG" }, nil},
		{"complete penalty item", CategoryPower, completePenalty, func(c *Content) {}, nil},
		{"complete information item", CategoryInformation, completeInformation, func(c *Content) {}, nil},
		{"empty power item", CategoryPower, func() Content { return Content{} }, func(c *Content) {},
			[]string{"power_type", "implementing_body", "legal_basis", "inventory_status", "complaint"}},
		{"empty information item", CategoryInformation, func() Content { return Content{} }, func(c *Content) {},
			[]string{"summary", "responsible_unit", "channel", "time_limit", "disclosure_mode"}},
		{"missing legal basis", CategoryPower, completePower, func(c *Content) { c.LegalBasis = " " }, []string{"legal_basis"}},
		{"missing implementing body", CategoryPower, completePower, func(c *Content) { c.ImplementingBody = "" }, []string{"implementing_body"}},
		{"missing complaint channel", CategoryPower, completePower, func(c *Content) { c.Complaint = "" }, []string{"complaint"}},
		{"missing inventory status", CategoryPower, completePower, func(c *Content) { c.InventoryStatus = "" }, []string{"inventory_status"}},
		{"missing power type", CategoryPower, completePower, func(c *Content) { c.PowerType = "" }, []string{"power_type"}},
		{"kept item without limits and steps", CategoryPower, completePower,
			func(c *Content) { c.StatutoryLimitWorkdays, c.PromisedLimitWorkdays, c.Steps = 0, 0, nil },
			[]string{"statutory_limit_workdays", "promised_limit_workdays", "steps"}},
		{"adjusted item without promised limit", CategoryPower, completePower,
			func(c *Content) {
				c.InventoryStatus, c.InventoryReason, c.PromisedLimitWorkdays = "adjusted", "调整", 0
			},
			[]string{"promised_limit_workdays"}},
		{"cancelled item needs no limits or steps", CategoryPower, completePower,
			func(c *Content) {
				c.InventoryStatus, c.InventoryReason = "cancelled", "国发〔2013〕19号取消"
				c.StatutoryLimitWorkdays, c.PromisedLimitWorkdays, c.Steps = 0, 0, nil
			}, nil},
		{"penalty item without discretion", CategoryPower, completePenalty,
			func(c *Content) { c.Discretion = nil }, []string{"discretion"}},
		// A draft that is not even valid reports the draft rules first.
		// What a draft may not hold and what publishing asks for, together:
		// the editor lists every problem at once.
		{"invalid draft", CategoryPower, completePower,
			func(c *Content) { c.PromisedLimitWorkdays = 14; c.LegalBasis = "" }, []string{"legal_basis", "promised_limit_workdays"}},
		{"information item with a step", CategoryInformation, completeInformation,
			func(c *Content) { c.Steps = []Step{{Name: "审核", Post: "办公室"}} }, []string{"power_type"}},

		// Every step of a published flowchart has its 岗位、权限、程序和时限 (and a name).
		{"step without post", CategoryPower, completePower,
			func(c *Content) { c.Steps[0].Post = "" }, []string{"steps[0].post"}},
		{"step with a blank post", CategoryPower, completePower,
			func(c *Content) { c.Steps[2].Post = "  \t" }, []string{"steps[2].post"}},
		{"step without authority", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].Authority = "" }, []string{"steps[1].authority"}},
		{"step without procedure", CategoryPower, completePower,
			func(c *Content) { c.Steps[2].Procedure = "" }, []string{"steps[2].procedure"}},
		{"step with a blank procedure", CategoryPower, completePower,
			func(c *Content) { c.Steps[0].Procedure = "　" }, []string{"steps[0].procedure"}},
		{"step without time limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays = 0 }, []string{"steps[1].limit_workdays"}},
		{"step without name", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].Name = "" }, []string{"steps[1].name"}},
		{"excluded step without time limit", CategoryPower, completePower,
			func(c *Content) {
				c.Steps = append(c.Steps, Step{Name: "专家评审", Post: "专家组", Authority: "对技术问题提出评审意见",
					Procedure: "组织三名以上专家书面评审", ExcludedFromLimit: true})
			}, []string{"steps[3].limit_workdays"}},
		{"empty step reports each part", CategoryPower, completePower,
			func(c *Content) { c.Steps = append(c.Steps, Step{}) },
			[]string{"steps[3].name", "steps[3].post", "steps[3].authority", "steps[3].procedure", "steps[3].limit_workdays"}},
		{"missing parts of several steps", CategoryPower, completePower,
			func(c *Content) { c.Steps[0].Authority, c.Steps[2].Procedure, c.Steps[2].LimitWorkdays = "", "", 0 },
			[]string{"steps[0].authority", "steps[2].procedure", "steps[2].limit_workdays"}},
		{"cancelled item with an incomplete step", CategoryPower, completePower,
			func(c *Content) {
				c.InventoryStatus, c.InventoryReason = "cancelled", "国发〔2013〕19号取消"
				c.Steps[1].Procedure = ""
			}, []string{"steps[1].procedure"}},
		{"step limits summing to the statutory limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays = 17 }, nil},
		{"step limits over the statutory limit", CategoryPower, completePower,
			func(c *Content) { c.Steps[1].LimitWorkdays = 18 }, []string{"steps"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			content := c.base()
			c.edit(&content)
			err := content.ValidateForPublishing(c.category)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("ValidateForPublishing: %v", err)
				}
				return
			}
			assertFields(t, err, c.fields...)
		})
	}
}

// TestStepMessagesNameTheStep: the editor lists the errors at the top of a
// long form, away from the fields, so each message of a step says which step
// (counted from 1, as the form shows them) and which part is missing.
func TestStepMessagesNameTheStep(t *testing.T) {
	c := completePower()
	c.Steps[0].Post, c.Steps[1].Authority, c.Steps[2].Procedure, c.Steps[2].LimitWorkdays = "", "", "", 0
	e, ok := apperr.As(c.ValidateForPublishing(CategoryPower))
	if !ok {
		t.Fatalf("no validation error")
	}
	for field, want := range map[string]string{
		"steps[0].post":           "请填写第1步的办理岗位",
		"steps[1].authority":      "请填写第2步的办理权限",
		"steps[2].procedure":      "请填写第3步的办理程序",
		"steps[2].limit_workdays": "请填写第3步的办理时限（至少1个工作日）",
	} {
		if got := e.Fields[field]; got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	c = completePower()
	c.Steps[1].LimitWorkdays = -2
	if e, _ := apperr.As(c.Validate(CategoryPower)); e == nil || !strings.Contains(e.Fields["steps[1].limit_workdays"], "第2步") {
		t.Errorf("draft message of a negative step limit does not name the step: %v", e)
	}
}

func TestValidateNewItem(t *testing.T) {
	cases := []struct {
		code, category, name string
		fields               []string
	}{
		{"CF-001", CategoryPower, "对未按规定培训从业人员的处罚", nil},
		{"X1", CategoryService, "安全生产咨询", nil},
		{"21", CategoryInformation, "安全生产约谈情况", nil},
		{"ABCDEFGHIJ123456", CategoryPower, "十六位编码", nil},
		{"ABCDEFGHIJ1234567", CategoryPower, "十七位编码", []string{"code"}},
		{"", CategoryPower, "无编码", []string{"code"}},
		{"-CF", CategoryPower, "连字符开头", []string{"code"}},
		{"CF 001", CategoryPower, "含空格", []string{"code"}},
		{"CF/001", CategoryPower, "含斜杠", []string{"code"}},
		{"处罚1", CategoryPower, "中文编码", []string{"code"}},
		{"CF-002", "penalty", "类别错误", []string{"category"}},
		{"CF-003", "", "类别为空", []string{"category"}},
		{"CF-004", CategoryPower, "  ", []string{"name"}},
		{"CF-005", CategoryPower, strings.Repeat("名", 201), []string{"name"}},
		{"CF-006", CategoryPower, strings.Repeat("名", 200), nil},
		{"", "", "", []string{"code", "category", "name"}},
	}
	for _, c := range cases {
		err := ValidateNewItem(c.code, c.category, c.name)
		if c.fields == nil {
			if err != nil {
				t.Errorf("ValidateNewItem(%q, %q, %q): %v", c.code, c.category, c.name, err)
			}
			continue
		}
		t.Run(c.code+"/"+c.category, func(t *testing.T) { assertFields(t, err, c.fields...) })
	}
}

func TestPowerTypesAndStatuses(t *testing.T) {
	if len(PowerTypes) != 11 {
		t.Fatalf("%d power types, want 11", len(PowerTypes))
	}
	want := map[string]string{"XK": "行政许可", "CF": "行政处罚", "QZ": "行政强制", "ZS": "行政征收", "GF": "行政给付",
		"JC": "行政检查", "QR": "行政确认", "JL": "行政奖励", "CJ": "行政裁决", "QT": "其他行政权力", "GG": "公共服务"}
	for _, p := range PowerTypes {
		if want[p.Code] != p.Title || PowerTypeTitle(p.Code) != p.Title {
			t.Errorf("power type %s = %q, want %q", p.Code, p.Title, want[p.Code])
		}
		delete(want, p.Code)
	}
	if len(want) != 0 {
		t.Errorf("missing power types %v", want)
	}
	statuses := map[string]string{"kept": "保留", "cancelled": "取消", "adjusted": "调整", "delegated": "下放", "transferred": "转移"}
	if len(InventoryStatuses) != len(statuses) {
		t.Fatalf("%d inventory statuses", len(InventoryStatuses))
	}
	for _, s := range InventoryStatuses {
		if statuses[s.Code] != s.Title || InventoryTitle(s.Code) != s.Title {
			t.Errorf("inventory status %s = %q", s.Code, s.Title)
		}
	}
}

func TestSummarize(t *testing.T) {
	view := func(category, powerType, status string) ItemView {
		return ItemView{Item: Item{Category: category}, Content: Content{PowerType: powerType, InventoryStatus: status}}
	}
	inv := Summarize([]ItemView{
		view(CategoryInformation, "", ""),
		view(CategoryPower, "XK", "kept"),
		view(CategoryPower, "XK", "kept"),
		view(CategoryPower, "XK", "cancelled"),
		view(CategoryPower, "CF", "kept"),
		view(CategoryService, "GG", "delegated"),
		view(CategoryPower, "", ""),
		view(CategoryPower, "QR", ""),
	})
	if inv.Total != 7 || inv.Unassessed != 2 {
		t.Errorf("total %d unassessed %d, want 7 and 2", inv.Total, inv.Unassessed)
	}
	if want := map[string]int{"XK": 3, "CF": 1, "GG": 1}; !equalCounts(inv.ByType, want) {
		t.Errorf("by type %v, want %v", inv.ByType, want)
	}
	if want := map[string]int{"kept": 3, "cancelled": 1, "delegated": 1}; !equalCounts(inv.ByStatus, want) {
		t.Errorf("by status %v, want %v", inv.ByStatus, want)
	}
	want := []InventoryCount{{"XK", "kept", 2}, {"XK", "cancelled", 1}, {"CF", "kept", 1}, {"GG", "delegated", 1}}
	if len(inv.Cells) != len(want) {
		t.Fatalf("cells %v, want %v", inv.Cells, want)
	}
	for i := range want {
		if inv.Cells[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, inv.Cells[i], want[i])
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
