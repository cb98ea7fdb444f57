package ballot

import "testing"

// A group's region is written in brackets before its name, read back as it was written
// (a next round starts from the text), and a slash in a name stays part of the name.
func TestGroupRegionLines(t *testing.T) {
	groups, err := GroupsFromLines("【杭州市】西湖区政务服务中心 120\n[宁波市] 海曙区窗口 30 0.25\n正/副处级干部 20\n［温州市］鹿城区 5")
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{{Name: "西湖区政务服务中心", Region: "杭州市", Expected: 120}, {Name: "海曙区窗口", Region: "宁波市", Expected: 30}, {Name: "正/副处级干部", Expected: 20}, {Name: "鹿城区", Region: "温州市", Expected: 5}}
	for i, g := range groups {
		if g.Name != want[i].Name || g.Region != want[i].Region || g.Expected != want[i].Expected {
			t.Fatalf("line %d read as %+v, want %+v", i+1, g, want[i])
		}
	}
	if groups[1].Weight == nil || groups[1].Weight.String() != "1/4" {
		t.Fatalf("the weight after a region: %v", groups[1].Weight)
	}
	for _, g := range groups {
		back, err := GroupsFromLines(GroupLine(g))
		if err != nil || len(back) != 1 || back[0].Name != g.Name || back[0].Region != g.Region || back[0].Expected != g.Expected {
			t.Fatalf("%q read back as %+v (%v)", GroupLine(g), back, err)
		}
	}
}
