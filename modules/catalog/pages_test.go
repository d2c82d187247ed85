package catalog

import (
	"fmt"
	"testing"
)

// TestErrorLinks: the list at the top of the item form follows the form's
// order, links each error to its field and says what an error is about when
// its message does not.
func TestErrorLinks(t *testing.T) {
	cases := []struct {
		name     string
		category string
		errs     map[string]string
		want     []errorLink
	}{
		{"no errors", CategoryPower, map[string]string{}, []errorLink{}},
		{"step fields in form order, each linked to its input", CategoryPower, map[string]string{
			"steps[2].procedure":      "请填写第3步的办理程序",
			"steps[0].authority":      "请填写第1步的办理权限",
			"steps[2].limit_workdays": "请填写第3步的办理时限（至少1个工作日）",
			"steps[0].post":           "请填写第1步的办理岗位",
		}, []errorLink{
			{"step-0-post", "请填写第1步的办理岗位"},
			{"step-0-authority", "请填写第1步的办理权限"},
			{"step-2-limit", "请填写第3步的办理时限（至少1个工作日）"},
			{"step-2-procedure", "请填写第3步的办理程序"},
		}},
		{"rows past the tenth sort by number", CategoryPower, map[string]string{
			"steps[10].name": "请填写第11步的环节名称", "steps[9].name": "请填写第10步的环节名称",
		}, []errorLink{{"step-9-name", "请填写第10步的环节名称"}, {"step-10-name", "请填写第11步的环节名称"}}},
		{"fields before lists, labelled when the message does not name them", CategoryPower, map[string]string{
			"steps":                   "各计时环节时限之和（21个工作日）超过法定时限（20个工作日）",
			"promised_limit_workdays": "承诺时限应比法定时限至少缩短三分之一（不超过13个工作日）",
			"extension_workdays":      "时限不能为负数",
			"materials[1].name":       "材料名称不能为空",
			"power_type":              "请选择职权类型",
			"discretion":              "行政处罚事项须填写裁量基准",
		}, []errorLink{
			{"power_type", "请选择职权类型"},
			{"promised_limit_workdays", "承诺时限应比法定时限至少缩短三分之一（不超过13个工作日）"},
			{"extension_workdays", "可延长期限：时限不能为负数"},
			{"materials", "第2项材料：材料名称不能为空"},
			{"steps", "办理环节：各计时环节时限之和（21个工作日）超过法定时限（20个工作日）"},
			{"discretion", "行政处罚事项须填写裁量基准"},
		}},
		{"summary of an information item", CategoryInformation, map[string]string{"summary": "请填写公开的具体内容"},
			[]errorLink{{"summary", "请填写公开的具体内容"}}},
		{"an error of no field is listed without a link", CategoryPower, map[string]string{"content": "该事项尚未填写内容，不能发布"},
			[]errorLink{{"", "该事项尚未填写内容，不能发布"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := errorLinks(c.errs, c.category); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("errorLinks:\n got %v\nwant %v", got, c.want)
			}
		})
	}
}
