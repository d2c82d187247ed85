package inspections

import "testing"

func TestMaskText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"contact and phone", "负责人张联系（13800000001）在场", "负责人＊＊＊（＊＊＊）在场"},
		{"a mobile the register does not know", "举报人电话13912345678", "举报人电话＊＊＊"},
		{"an inspector's name", "由王执法现场检查", "由＊＊＊现场检查"},
		{"a one-character name is left", "张在场", "张在场"},
		{"nothing personal", "仓库超量储存烟花爆竹", "仓库超量储存烟花爆竹"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maskText(tc.in, []string{"张联系", "13800000001", "王执法", "张"}); got != tc.want {
				t.Errorf("maskText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
