package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Standard is the quantified discretion standard (裁量基准) of one violation
// under a penalty item. It carries its own legal basis and version, since the
// 2010 rules the notice cites were superseded in 2024 (应急〔2024〕90号).
type Standard struct {
	ID                string `json:"id"`
	Violation         string `json:"violation"`
	LegalProvision    string `json:"legal_provision"`
	PenaltyBasis      string `json:"penalty_basis"`
	LegalBasisVersion string `json:"legal_basis_version"`
	// StatutoryFine is the fine range the law itself sets for this
	// violation and target (optional); every tier's fine must lie inside it.
	StatutoryFine *Range   `json:"statutory_fine,omitempty"`
	Tiers         []Tier   `json:"tiers"`
	Aggravating   []string `json:"aggravating"`
	Mitigating    []string `json:"mitigating"`
}

// Tier is one level of discretion (裁量阶次) with its conditions and penalty.
type Tier struct {
	Level                        string   `json:"level"`
	Conditions                   string   `json:"conditions"`
	PenaltyKinds                 []string `json:"penalty_kinds"`
	Fine                         *Range   `json:"fine,omitempty"`
	RequiresHearing              bool     `json:"requires_hearing"`
	RequiresCollectiveDiscussion bool     `json:"requires_collective_discussion"`
	// AppliesTo says whom the tier's penalty is for: TierOrganization (the
	// 生产经营单位), TierIndividual (a natural person: the responsible
	// persons, 主要负责人 and other 直接责任人员, or an individual operator),
	// or "" for either, as tiers stored before the field existed read.
	AppliesTo string `json:"applies_to,omitempty"`
}

// Whom a tier applies to (Tier.AppliesTo).
const (
	TierOrganization = "organization"
	TierIndividual   = "individual"
)

// AppliesToParty reports whether the tier may be chosen for a party of kind
// (TierOrganization or TierIndividual).
func (t Tier) AppliesToParty(kind string) bool { return t.AppliesTo == "" || t.AppliesTo == kind }

// Range is a fine range in yuan. An inclusive bound reads 以上/以下 (the number
// itself is in), an exclusive one 超过/不满 (it is not).
type Range struct {
	Min          int64 `json:"min"`
	Max          int64 `json:"max"`
	MinInclusive bool  `json:"min_inclusive"`
	MaxInclusive bool  `json:"max_inclusive"`
}

// Contains reports whether amount lies in the range, honouring the bounds.
func (r Range) Contains(amount int64) bool {
	lowOK := amount > r.Min || (r.MinInclusive && amount == r.Min)
	highOK := amount < r.Max || (r.MaxInclusive && amount == r.Max)
	return lowOK && highOK
}

// overlaps reports whether two ranges share any amount.
func (r Range) overlaps(o Range) bool {
	a, b := r, o
	if b.Min < a.Min || (b.Min == a.Min && b.MinInclusive && !a.MinInclusive) {
		a, b = b, a
	}
	// a starts first; they overlap when b starts before a ends.
	if b.Min < a.Max {
		return true
	}
	return b.Min == a.Max && a.MaxInclusive && b.MinInclusive
}

// covers reports whether every amount of o lies in r.
func (r Range) covers(o Range) bool {
	lowOK := o.Min > r.Min || (o.Min == r.Min && (r.MinInclusive || !o.MinInclusive))
	highOK := o.Max < r.Max || (o.Max == r.Max && (r.MaxInclusive || !o.MaxInclusive))
	return lowOK && highOK
}

// Describe writes the range the way Chinese penalty rules do.
func (r Range) Describe() string {
	low := Yuan(r.Min) + "以上"
	if !r.MinInclusive {
		low = "超过" + Yuan(r.Min)
	}
	high := Yuan(r.Max) + "以下"
	if !r.MaxInclusive {
		high = "不满" + Yuan(r.Max)
	}
	if r.Min == 0 && r.MinInclusive {
		return high + "罚款"
	}
	return low + high + "罚款"
}

// Yuan formats an amount, in 万元 when it is a whole number of ten thousands.
func Yuan(v int64) string {
	if v != 0 && v%10000 == 0 {
		return strconv.FormatInt(v/10000, 10) + "万元"
	}
	return strconv.FormatInt(v, 10) + "元"
}

const maxFine = 100_000_000_000 // 1000亿元: anything larger is a typing error

func validateStandards(list []Standard, powerType string, f fieldErrors) {
	if len(list) > 0 && powerType != "" && powerType != "CF" {
		f.add("discretion", "只有行政处罚事项可以填写裁量基准")
	}
	ids := map[string]bool{}
	for i, s := range list {
		p := fmt.Sprintf("discretion[%d]", i)
		if s.ID == "" || len(s.ID) > 32 || strings.ContainsAny(s.ID, " /?#") {
			f.add(p+".id", "请填写编号（不超过32个字符，不含空格和斜杠）")
		} else if ids[s.ID] {
			f.add(p+".id", "编号重复：%s", s.ID)
		}
		ids[s.ID] = true
		for field, v := range map[string]string{"violation": s.Violation, "legal_provision": s.LegalProvision, "penalty_basis": s.PenaltyBasis} {
			if strings.TrimSpace(v) == "" {
				f.add(p+"."+field, "不能为空")
			}
			f.checkText(p+"."+field, v, 4000)
		}
		if strings.TrimSpace(s.LegalBasisVersion) == "" {
			f.add(p+".legal_basis_version", "请填写依据的版本（如 应急〔2024〕90号）")
		} else if in, repealed := repealedInstrument(s.LegalBasisVersion); repealed {
			f.add(p+".legal_basis_version", "%s已废止（由%s替代），请改按现行基准填写", in.Title, in.RepealedBy)
		}
		if r := s.StatutoryFine; r != nil && (r.Min < 0 || r.Max > maxFine || r.Min > r.Max) {
			f.add(p+".statutory_fine", "法定罚款幅度有误")
		}
		if len(s.Tiers) == 0 {
			f.add(p+".tiers", "至少填写一个裁量阶次")
		}
		for j, t := range s.Tiers {
			tp := fmt.Sprintf("%s.tiers[%d]", p, j)
			if strings.TrimSpace(t.Level) == "" {
				f.add(tp+".level", "请填写阶次名称（如 轻微、一般、较重、严重）")
			}
			for k := 0; k < j; k++ {
				if s.Tiers[k].Level == t.Level && t.Level != "" {
					f.add(tp+".level", "阶次名称与第%d个阶次重复", k+1)
				}
			}
			f.checkText(tp+".level", t.Level, 32) // discretion_decisions.tier_level is VARCHAR(32)
			if t.AppliesTo != "" && t.AppliesTo != TierOrganization && t.AppliesTo != TierIndividual {
				f.add(tp+".applies_to", "适用对象应为 organization（单位）或 individual（个人、责任人员），或留空")
			}
			if strings.TrimSpace(t.Conditions) == "" {
				f.add(tp+".conditions", "请填写适用情形")
			}
			if len(t.PenaltyKinds) == 0 && t.Fine == nil {
				f.add(tp+".penalty_kinds", "请填写处罚种类或罚款幅度")
			}
			if r := t.Fine; r != nil {
				switch {
				case r.Min < 0 || r.Max < 0:
					f.add(tp+".fine", "罚款金额不能为负数")
				case r.Max > maxFine:
					f.add(tp+".fine", "罚款金额过大")
				case r.Min > r.Max || (r.Min == r.Max && !(r.MinInclusive && r.MaxInclusive)):
					f.add(tp+".fine", "罚款幅度的下限应小于上限")
				}
			}
			if t.Fine != nil && s.StatutoryFine != nil && !s.StatutoryFine.covers(*t.Fine) {
				f.add(tp+".fine", "罚款幅度超出法定幅度（%s）", s.StatutoryFine.Describe())
			}
			for k := 0; k < j; k++ {
				o := s.Tiers[k]
				// Tiers for the organisation and for the responsible persons
				// are separate scales and may share amounts.
				sameParty := t.AppliesTo == "" || o.AppliesTo == "" || t.AppliesTo == o.AppliesTo
				if sameParty && t.Fine != nil && o.Fine != nil && t.Fine.overlaps(*o.Fine) {
					f.add(tp+".fine", "罚款幅度与第%d个阶次（%s）重叠", k+1, o.Level)
				}
			}
		}
	}
}

// Calculation is the calculator's answer for a violation and its circumstances.
type Calculation struct {
	StandardID                   string   `json:"standard_id"`
	Tier                         Tier     `json:"tier"`
	Range                        *Range   `json:"range,omitempty"`
	RangeText                    string   `json:"range_text,omitempty"`
	Explanation                  []string `json:"explanation"`
	RequiresHearing              bool     `json:"requires_hearing"`
	RequiresCollectiveDiscussion bool     `json:"requires_collective_discussion"`
}

// CalculationInput names the violation, the tier whose conditions the facts
// meet, and which listed circumstances apply.
type CalculationInput struct {
	StandardID  string   `json:"standard_id"`
	TierLevel   string   `json:"tier_level"`
	Aggravating []string `json:"aggravating"`
	Mitigating  []string `json:"mitigating"`
}

// Calculate narrows the tier's fine range: mitigating circumstances alone
// point to its lower half (从轻), aggravating ones alone to its upper half
// (从重); with both or neither the whole range applies.
func Calculate(s Standard, in CalculationInput) (Calculation, error) {
	f := fieldErrors{}
	var tier *Tier
	for i := range s.Tiers {
		if s.Tiers[i].Level == in.TierLevel {
			tier = &s.Tiers[i]
		}
	}
	if tier == nil {
		f.add("tier_level", "该违法行为没有名为“%s”的裁量阶次", in.TierLevel)
	}
	known := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	for i, a := range in.Aggravating {
		if !known(s.Aggravating, a) {
			f.add(fmt.Sprintf("aggravating[%d]", i), "不是该基准列明的从重情节：%s", a)
		}
	}
	for i, m := range in.Mitigating {
		if !known(s.Mitigating, m) {
			f.add(fmt.Sprintf("mitigating[%d]", i), "不是该基准列明的从轻情节：%s", m)
		}
	}
	if err := f.err(); err != nil {
		return Calculation{}, err
	}
	out := Calculation{StandardID: s.ID, Tier: *tier, RequiresHearing: tier.RequiresHearing,
		RequiresCollectiveDiscussion: tier.RequiresCollectiveDiscussion}
	out.Explanation = append(out.Explanation, fmt.Sprintf("违法行为：%s；适用阶次：%s（%s）", s.Violation, tier.Level, tier.Conditions))
	if tier.Fine != nil {
		r := *tier.Fine
		mid := r.Min + (r.Max-r.Min)/2
		switch {
		case len(in.Mitigating) > 0 && len(in.Aggravating) == 0:
			r.Max, r.MaxInclusive = mid, true
			out.Explanation = append(out.Explanation, "具有从轻情节（"+strings.Join(in.Mitigating, "、")+"），在阶次幅度的下半段内裁量")
		case len(in.Aggravating) > 0 && len(in.Mitigating) == 0:
			r.Min, r.MinInclusive = mid, true
			out.Explanation = append(out.Explanation, "具有从重情节（"+strings.Join(in.Aggravating, "、")+"），在阶次幅度的上半段内裁量")
		case len(in.Aggravating) > 0:
			out.Explanation = append(out.Explanation, "从重与从轻情节并存，在阶次全幅度内综合裁量")
		default:
			out.Explanation = append(out.Explanation, "无从重、从轻情节，在阶次全幅度内裁量")
		}
		out.Range, out.RangeText = &r, r.Describe()
	}
	if len(tier.PenaltyKinds) > 0 {
		out.Explanation = append(out.Explanation, "处罚种类："+strings.Join(tier.PenaltyKinds, "、"))
	}
	if tier.RequiresHearing {
		out.Explanation = append(out.Explanation, "应当告知当事人有要求听证的权利")
	}
	if tier.RequiresCollectiveDiscussion {
		out.Explanation = append(out.Explanation, "须经行政机关负责人集体讨论决定")
	}
	return out, nil
}
