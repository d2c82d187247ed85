package penalties

import (
	"reflect"
	"strings"
	"testing"
)

// TestFieldTitles: every field of a step has a title on the case page, so
// a refusal never shows staff the API's name of a field.
func TestFieldTitles(t *testing.T) {
	typ := reflect.TypeOf(ActionInput{})
	for i := 0; i < typ.NumField(); i++ {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if got := FieldTitle(name); got == "填写内容" {
			t.Errorf("field %s has no title", name)
		}
	}
	for key, want := range map[string]string{
		"fine_yuan":                "罚款",
		"investigators[0].user_id": "执法人员1",
		"investigators[1].cert_no": "执法人员2的执法证号",
		"reviewed_by":              "法制审核人员",
		"decided_by":               "作出决定的负责人",
		"no_such_field":            "填写内容",
	} {
		if got := FieldTitle(key); got != want {
			t.Errorf("FieldTitle(%q) = %q, want %q", key, got, want)
		}
	}
}
