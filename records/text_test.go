package records

import (
	"strings"
	"testing"
	"time"
)

// Register lines, posts and notes are cleaned like every other text: look-alike names are
// one name, and control characters are refused naming the field.
func TestRecordsTextAtTheDoor(t *testing.T) {
	c := Cadre{Name: "张\u200b　三", Gender: " 男 ", Post: "\u202e办公室\t主任"}
	if err := c.Validate(); err != nil || c.Name != "张三" || c.Gender != "男" || c.Post != "办公室 主任" {
		t.Fatalf("%+v, %v", c, err)
	}
	for _, bad := range []struct {
		c    Cadre
		want string
	}{
		{Cadre{Name: "张\x00三"}, "姓名含有不可见的控制字符"},
		{Cadre{Name: "\u200b"}, "姓名只有空白或不可见的字符"},
		{Cadre{Name: "张三", Post: "局长\x1b"}, "职务含有不可见的控制字符"},
		{Cadre{Name: "张\xff"}, "姓名含有无法识别的字符"},
	} {
		if err := bad.c.Validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %s", bad.c.Name, err, bad.want)
		}
	}
	rows := [][]string{{"姓名", "性别", "出生年份", "现任职务"}, {"李\u200d四", "女", "1980", "科长"}, {"李四", "女", "1980", "科长"}}
	if _, err := CadresFromRows(rows); err == nil || !strings.Contains(err.Error(), "第 3 行：与第 2 行重复") {
		t.Errorf("look-alike rows: %v", err)
	}
	if err := (&Selection{Post: "\u200b"}).Validate(); err == nil || !strings.Contains(err.Error(), "拟任职务只有空白") {
		t.Errorf("selection: %v", err)
	}
	st := Step{Kind: "考察", Date: time.Now(), Note: " 考察组\u202e意见 \r\n\r\n\r\n 同意 "}
	if err := st.Validate(); err != nil || st.Note != "考察组意见\n\n同意" {
		t.Errorf("step %q, %v", st.Note, err)
	}
	if err := (&Step{Kind: "考察", Date: time.Now(), Note: "意见\x00"}).Validate(); err == nil || !strings.Contains(err.Error(), "说明含有不可见的控制字符") {
		t.Errorf("step with NUL: %v", err)
	}
}
