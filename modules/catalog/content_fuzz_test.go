package catalog

import (
	"encoding/json"
	"testing"
)

// FuzzContentValidate: any JSON a client may save as an item's content is
// validated for every category, as a draft and for publishing, without
// panicking.
func FuzzContentValidate(f *testing.F) {
	f.Add([]byte(`{"summary":"说明","disclosure_mode":"proactive","time_limit":"20个工作日"}`))
	f.Add([]byte(`{"power_type":"行政许可","statutory_limit_workdays":20,"promised_limit_workdays":30,"steps":[{"name":"受理"}]}`))
	f.Add([]byte(`{"statutory_limit_workdays":-1,"steps":[{},{"name":"\u0000"}],"materials":[{"name":""}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Content
		if json.Unmarshal(body, &c) != nil {
			return
		}
		for _, cat := range []string{CategoryInformation, CategoryPower, CategoryService, "", "other"} {
			draft, publish := c, c
			_ = draft.Validate(cat)
			_ = publish.ValidateForPublishing(cat)
		}
	})
}
