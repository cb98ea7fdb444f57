package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
	"minyi/survey"
)

// The poll builder: a poll's forms as sections of one page, each list pasted as text.
// Templates prefill it; sections are added and removed by posting the page back, so it
// works without JavaScript and never loses what was typed.

// builder is the page as typed.
type builder struct {
	Template string
	Previous string // the poll this is a further round of
	Title    string
	Year     string // 考核年度; empty: proposed from the title on saving
	UnitID   string
	Groups   string
	Quorum   string
	MinGroup string // fewest ballots a group's results are shown with; empty: the default
	Contact  string // whom voters ask when a token is refused
	Lang     string // the voter pages' language: zh or en
	Tellers  string // one a line
	TellerQ  string // how many of them open the box
	// KeyHolder: ballot.KeyTellers, KeyOrganizer or KeyServer; empty as the page first
	// shows, read as the tellers when any are typed and the organizer's device otherwise.
	KeyHolder string
	Forms     []builderForm
}

// builderForm is one section: the fields of its kind are used, the others stay empty.
type builderForm struct {
	Kind      ballot.Kind
	Title     string
	Subjects  string // evaluation
	Grades    string
	Probation bool
	Mutual    bool // 工作互评: subjects are units, groups are units, none rates its own
	Score     bool // convert grades to points
	// Thresholds as typed ("2/3"; Shortlist a whole number; PassBase "expected" or "turnout").
	Adjust, Dismiss, ProbationT, FlagBelow, Shortlist, SecondRound, PassOver, PassBase, DisagreeAbove string
	Positions                                                                                         string // recommendation
	Shape                                                                                             string
	WriteIns                                                                                          bool
	Nominees                                                                                          string // approval
	Seats                                                                                             string
	Overall                                                                                           string // review
	Cadres                                                                                            string
	Questions                                                                                         string // survey
	Indicators                                                                                        string // scoring
	Step                                                                                              string // scoring: tenths of a point, as ballot.ScoreSteps
}

// defaults fills the thresholds of RULES.md where none is typed.
func (f *builderForm) defaults() {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&f.Adjust, ballot.DefaultAdjustBelow.String())
	set(&f.Dismiss, ballot.DefaultDismissAbove.String())
	set(&f.ProbationT, ballot.DefaultProbationAbove.String())
	set(&f.FlagBelow, ballot.DefaultFlagBelow.String())
	set(&f.Shortlist, strconv.Itoa(ballot.DefaultShortlist))
	set(&f.SecondRound, ballot.DefaultSecondRoundBelow.String())
	set(&f.PassOver, ballot.DefaultPassOver.String())
	set(&f.PassBase, ballot.BaseExpected)
	set(&f.DisagreeAbove, ballot.DefaultDisagreeAbove.String())
	set(&f.Step, strconv.Itoa(ballot.DefaultScoreStep))
}

// scoreSteps are the steps the builder offers, coarsest first.
var scoreSteps = []struct{ Value, Label string }{{"10", i18n.N("1分（整数）")}, {"5", i18n.N("0.5分")}, {"2", i18n.N("0.2分")}, {"1", i18n.N("0.1分")}}

// keyHolders are the builder's choices of who holds the key.
var keyHolders = []struct{ Value, Label, Hint string }{
	{ballot.KeyOrganizer, ballot.KeyHolderLabel(ballot.KeyOrganizer), i18n.N("开始投票前在您本人的手机或电脑上生成密钥并保存备份，开箱时用它")},
	{ballot.KeyTellers, i18n.N("监票人（共同开箱）"), i18n.N("在上面填写监票人，开箱须其中若干位在各自的设备上共同完成")},
	{ballot.KeyServer, ballot.KeyHolderLabel(ballot.KeyServer), i18n.N("服务器可以解开任何一张选票；只适用于全部为问卷的投票活动，选票页和各类文件都将注明")},
}

// ruleForm is the section as far as the rules' wording goes: its grades and thresholds,
// the defaults standing in for a threshold that does not parse (that one is refused on
// saving, with its name).
func (f builderForm) ruleForm() ballot.Form {
	r := func(v string, def ballot.Ratio) ballot.Ratio {
		if x, err := ballot.ParseWeight(v); err == nil && x.Valid() {
			return x
		}
		return def
	}
	grades, ok := ballot.GradeSet(f.Grades)
	if !ok {
		grades = ballot.IndividualGrades()
	}
	return ballot.Form{Kind: f.Kind, Evaluation: &ballot.Evaluation{Grades: grades, Probation: f.Probation,
		AdjustBelow: r(f.Adjust, ballot.DefaultAdjustBelow), DismissAbove: r(f.Dismiss, ballot.DefaultDismissAbove), ProbationAbove: r(f.ProbationT, ballot.DefaultProbationAbove)}}
}

// Rule is an evaluation rule's sentence as this section sets it, worded by ballot.
func (f builderForm) Rule(code string) string {
	rf := f.ruleForm()
	return rf.RuleText(code)
}

// GoodLabel and BadLabel name the chosen grade set's good and bad grades (「好和较好」).
func (f builderForm) GoodLabel() string { return f.ruleForm().Evaluation.GoodLabel() }

// BadLabel is "" for a grade set without a bad grade (teams).
func (f builderForm) BadLabel() string { return f.ruleForm().Evaluation.BadLabel() }

// YearHint is the year the builder proposes for the title as typed now.
func (b builder) YearHint() int { return ballot.AssessmentYear(b.Title, time.Now()) }

// YearText is YearHint as a sentence shows it: a year is not a number to group (2,026).
func (b builder) YearText() string { return strconv.Itoa(b.YearHint()) }

// thresholds are a section's thresholds as read from the builder.
type thresholds struct {
	Adjust, Dismiss, Probation ballot.Ratio // evaluation: 建议调整, 建议免职, 不宜正式任职
	FlagBelow, SecondRound     ballot.Ratio // recommendation: 得票未过半, 建议二次推荐
	PassOver                   ballot.Ratio // approval: 通过
	DisagreeAbove              ballot.Ratio // review: 不认同率
}

// thresholds reads the typed thresholds; a bad one names itself.
func (f builderForm) thresholds() (thresholds, error) {
	var th thresholds
	for _, t := range []struct {
		name, v string
		dst     *ballot.Ratio
	}{{i18n.N("建议调整"), f.Adjust, &th.Adjust}, {i18n.N("建议免职"), f.Dismiss, &th.Dismiss}, {i18n.N("不宜正式任职"), f.ProbationT, &th.Probation},
		{i18n.N("得票未过半"), f.FlagBelow, &th.FlagBelow}, {i18n.N("建议二次推荐"), f.SecondRound, &th.SecondRound}, {i18n.N("通过"), f.PassOver, &th.PassOver},
		{i18n.N("不认同率"), f.DisagreeAbove, &th.DisagreeAbove}} {
		r, err := ballot.ParseWeight(t.v)
		if err != nil {
			return th, ballot.Errorf(ballot.EINVALID, "“%s”的阈值“%s”应写成分数（如2/3）、小数或百分数", t.name, t.v)
		}
		*t.dst = r
	}
	return th, nil
}

// pollTemplate is a preset of the builder for a common meeting.
type pollTemplate struct {
	Key, Label, Hint string
	build            func(p *i18n.Printer) builder
}

// allStaff is the one group of a template that asks everyone present.
var allStaff = i18n.N("全体参会人员 50")

var pollTemplates = []pollTemplate{
	{"recommendation", i18n.N("民主推荐（会议推荐）"), i18n.N("一个或多个职位，划票推荐，可另推他人；得票率、前三名、过半数提示"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("民主推荐"), Groups: p.T("班子成员 7\n中层干部 25\n职工代表 40"), Forms: []builderForm{
			{Kind: ballot.KindRecommendation, Title: p.T("民主推荐表"), Shape: ballot.ShapeMark, WriteIns: true}}}
	}},
	{"annual", i18n.N("年度考核民主测评（领导班子+领导干部）"), i18n.N("班子按好/较好/一般/差，领导干部按优秀/称职/基本称职/不称职"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("年度考核民主测评"), Groups: p.T("上级领导 3\n班子成员 7\n中层干部 25\n职工代表 40"), Forms: []builderForm{
			{Kind: ballot.KindEvaluation, Title: p.T("领导班子民主测评表"), Grades: "team", Subjects: p.T("领导班子"), Score: true,
				Indicators: p.T("思想政治建设 25 领导水平 25 工作实绩 25 反腐倡廉 25")},
			{Kind: ballot.KindEvaluation, Title: p.T("领导干部民主测评表"), Grades: "individual"}}}
	}},
	{"probation", i18n.N("试用期满民主测评"), i18n.N("优秀和称职票未超过三分之二的，提示“不宜正式任职”"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("试用期满民主测评"), Groups: p.T(allStaff), Forms: []builderForm{
			{Kind: ballot.KindEvaluation, Title: p.T("试用期满干部民主测评表"), Grades: "individual", Probation: true}}}
	}},
	{"review", i18n.N("一报告两评议"), i18n.N("选人用人工作总体评价，新提拔干部认同度评议（含“不了解”）"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("选人用人工作“一报告两评议”"), Groups: p.T(allStaff), Forms: []builderForm{
			{Kind: ballot.KindReview, Title: p.T("选人用人工作民主评议表"), Overall: p.T("对本单位（地区）选人用人工作的总体评价")}}}
	}},
	{"approval", i18n.N("常委会票决"), i18n.N("逐一或差额票决，同意票超过应到人数半数为通过"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("常委会票决"), Groups: p.T("常委会委员 11"), Quorum: "2/3", Forms: []builderForm{
			{Kind: ballot.KindApproval, Title: p.T("票决表"), Seats: "0"}}}
	}},
	{"satisfaction", i18n.N("满意度测评"), i18n.N("量表题（满意/基本满意/不满意/不了解）、评分、矩阵和意见建议"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("满意度测评"), Groups: p.T(allStaff), Forms: []builderForm{{Kind: ballot.KindSurvey, Title: p.T("满意度测评表"),
			Questions: "[量表] 对本单位领导班子的总体满意度\n满意\n基本满意\n不满意\n不了解\n\n[矩阵] 对以下方面工作的评价\n等次：好 较好 一般 差\n思想政治建设\n领导水平\n工作实绩\n反腐倡廉\n\n[填空 200] 意见和建议"}}}
	}},
	{"survey", i18n.N("空白问卷"), i18n.N("单选、多选、量表、0–10评分、矩阵、填空，按需编写"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("问卷调查"), Groups: p.T(allStaff), Forms: []builderForm{{Kind: ballot.KindSurvey, Title: p.T("调查问卷")}}}
	}},
	{"scoring", i18n.N("述职述廉测评打分"), i18n.N("按德能勤绩廉分项打分，给出平均分和去掉最高最低分后的平均分"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("述职述廉测评"), Groups: p.T(allStaff), Forms: []builderForm{{Kind: ballot.KindScoring, Title: p.T("述职述廉测评打分表"),
			Indicators: p.T("德 20 能 20 勤 20 绩 20 廉 20")}}}
	}},
	{"mutual", i18n.N("工作互评"), i18n.N("各单位互相测评，参评类别按单位划分，不测评本单位"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("机关科室工作互评"), Groups: p.T("办公室 8\n组织科 6\n宣传科 6"), Forms: []builderForm{
			{Kind: ballot.KindEvaluation, Title: p.T("工作互评表"), Grades: "team", Subjects: p.T("办公室\n组织科\n宣传科"), Mutual: true}}}
	}},
	{"evaluation", i18n.N("领导干部民主测评"), i18n.N("一张测评表，逐人选择等次"), func(p *i18n.Printer) builder {
		return builder{Title: p.T("民主测评"), Groups: p.T(allStaff), Forms: []builderForm{
			{Kind: ballot.KindEvaluation, Title: p.T("领导干部民主测评表"), Grades: "individual"}}}
	}},
}

func templateByKey(key string) (pollTemplate, bool) {
	for _, t := range pollTemplates {
		if t.Key == key {
			return t, true
		}
	}
	return pollTemplate{}, false
}

var quorums = []struct{ Value, Label string }{
	{"2/3", i18n.N("三分之二（默认）")}, {"1/2", i18n.N("二分之一")}, {"3/4", i18n.N("四分之三")}, {"4/5", i18n.N("五分之四")},
}

// addable are the kinds of section a builder can add.
var addable = []ballot.Kind{ballot.KindRecommendation, ballot.KindEvaluation, ballot.KindReview, ballot.KindApproval, ballot.KindScoring, ballot.KindSurvey}

func newSection(p *i18n.Printer, k ballot.Kind) builderForm {
	f := builderForm{Kind: k, Title: p.T("%s表", p.T(k.Label())), Shape: ballot.ShapeMark, WriteIns: true, Grades: "individual", Seats: "0"}
	f.defaults()
	if k == ballot.KindReview {
		f.Overall = p.T("对本单位（地区）选人用人工作的总体评价")
	}
	return f
}

func (s *Server) pollNewPage(c *fiber.Ctx) error {
	t, ok := templateByKey(c.Query("template"))
	if !ok {
		return s.page(c, fiber.StatusOK, "staff/poll_templates", fiber.Map{"Title": tr(c, "新建投票活动"), "Templates": pollTemplates})
	}
	b := t.build(pr(c))
	b.Template = t.Key
	for i := range b.Forms {
		b.Forms[i].defaults()
	}
	if b.Quorum == "" {
		b.Quorum = "2/3"
	}
	return s.renderBuilder(c, fiber.StatusOK, b, nil)
}

func (s *Server) renderBuilder(c *fiber.Ctx, status int, b builder, err error) error {
	me := meOf(c)
	t, _ := templateByKey(b.Template)
	data := fiber.Map{"Title": tr(c, "新建投票活动"), "B": b, "Template": t, "Quorums": quorums, "MinGroupDefault": ballot.DefaultMinGroup, "MinGroupLeast": ballot.MinMinGroup, "GradeSets": ballot.GradeSets,
		"Addable": addable, "MaxForms": ballot.MaxForms, "ScoreSteps": scoreSteps, "KeyHolders": keyHolders, "Holder": b.holder(), "ContactMax": ballot.MaxContact}
	if me.Role == store.RoleAdmin {
		units, uerr := s.store.Units(c.UserContext())
		if uerr != nil {
			return uerr
		}
		data["Units"] = units
	}
	if err != nil {
		data["Error"] = errText(pr(c), err)
	}
	if msg, ok := c.Locals("flash").(string); ok {
		data["Notice"] = msg
	}
	return s.page(c, status, "staff/poll_new", data)
}

// readBuilder reads the posted page.
func readBuilder(c *fiber.Ctx) builder {
	b := builder{Template: c.FormValue("template"), Previous: c.FormValue("previous"), Title: c.FormValue("title"), UnitID: c.FormValue("unit_id"),
		Groups: c.FormValue("groups"), Quorum: c.FormValue("quorum", "2/3"), Year: c.FormValue("year"), Tellers: c.FormValue("tellers"), TellerQ: c.FormValue("teller_quorum"),
		MinGroup: c.FormValue("min_group"), KeyHolder: c.FormValue("key_holder"), Contact: c.FormValue("contact"), Lang: c.FormValue("lang")}
	for i := 0; i < ballot.MaxForms; i++ {
		v := func(name string) string { return c.FormValue(fmt.Sprintf("f%d_%s", i, name)) }
		if v("kind") == "" {
			continue
		}
		b.Forms = append(b.Forms, builderForm{Kind: ballot.Kind(v("kind")), Title: v("title"),
			Subjects: v("subjects"), Grades: v("grades"), Probation: v("probation") == "1", Mutual: v("mutual") == "1", Score: v("score") == "1",
			Adjust: v("t_adjust"), Dismiss: v("t_dismiss"), ProbationT: v("t_probation"), FlagBelow: v("t_flag_below"), Shortlist: v("t_shortlist"),
			SecondRound: v("t_second_round"), PassOver: v("t_pass_over"), PassBase: v("t_pass_base"), DisagreeAbove: v("t_disagree"),
			Positions: v("positions"), Shape: v("shape"), WriteIns: v("writeins") == "1",
			Nominees: v("nominees"), Seats: v("seats"), Overall: v("overall"), Cadres: v("cadres"), Questions: v("questions"), Indicators: v("indicators"), Step: v("step")})
	}
	return b
}

func (s *Server) pollCreate(c *fiber.Ctx) error {
	b := readBuilder(c)
	if k := c.FormValue("add"); k != "" {
		if len(b.Forms) < ballot.MaxForms {
			b.Forms = append(b.Forms, newSection(pr(c), ballot.Kind(k)))
		}
		return s.renderBuilder(c, fiber.StatusOK, b, nil)
	}
	if target := c.FormValue("import"); target != "" {
		return s.builderImport(c, b, target)
	}
	if r := c.FormValue("remove"); r != "" {
		if i, err := strconv.Atoi(r); err == nil && i >= 0 && i < len(b.Forms) {
			b.Forms = append(b.Forms[:i], b.Forms[i+1:]...)
		}
		return s.renderBuilder(c, fiber.StatusOK, b, nil)
	}
	p, err := b.poll()
	if err == nil {
		err = s.createPoll(c, p)
	}
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT || code == ballot.ETOOBIG {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, err)
	} else if err != nil {
		return err
	}
	msg := tr(c, "已保存。请发放投票凭证，并在会上宣布开始投票。")
	for _, w := range p.Notices() {
		msg += tr(c, " 注意：%s", errText(pr(c), w))
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}

// builderImport fills one list of the page from an uploaded sheet. A sheet with a bad row
// changes nothing and says which row.
func (s *Server) builderImport(c *fiber.Ctx, b builder, target string) error {
	var i int
	var list string
	if _, err := fmt.Sscanf(strings.Replace(target, "_", " ", 1), "f%d %s", &i, &list); err != nil || i < 0 || i >= len(b.Forms) {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, ballot.Errorf(ballot.EINVALID, "不能导入到这里"))
	}
	fh, err := c.FormFile(target + "_file")
	if err != nil {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, ballot.Errorf(ballot.EINVALID, "请先选择要导入的 Excel 或 CSV 文件"))
	}
	text, err := importList(list, fh)
	if err != nil {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, ballot.Errorf(ballot.ErrorCode(err), "导入“%s”失败，未作任何改动。%s", fh.Filename, ballot.Cause{Err: err}))
	}
	f := &b.Forms[i]
	switch list {
	case "subjects":
		f.Subjects = text
	case "positions":
		f.Positions = text
	case "nominees":
		f.Nominees = text
	case "cadres":
		f.Cadres = text
	case "questions":
		f.Questions = text
	}
	c.Locals("flash", tr(c, "已从“%s”导入，请核对后保存。", fh.Filename))
	return s.renderBuilder(c, fiber.StatusOK, b, nil)
}

// holder is the key holder the page shows as chosen.
func (b builder) holder() string {
	if b.KeyHolder != "" {
		return b.KeyHolder
	}
	if strings.TrimSpace(b.Tellers) != "" {
		return ballot.KeyTellers
	}
	return ballot.KeyOrganizer
}

// poll turns the page into a poll definition; a list that does not parse names its
// section and line.
func (b builder) poll() (*ballot.Poll, error) {
	groups, err := ballot.GroupsFromLines(b.Groups)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINVALID, "参评类别%s", ballot.Cause{Err: err})
	}
	q, err := ballot.ParseRatio(b.Quorum)
	if err != nil {
		return nil, err
	}
	p := &ballot.Poll{UnitID: b.UnitID, Title: b.Title, Groups: groups, Quorum: q, PreviousRound: b.Previous, Contact: b.Contact, Lang: b.Lang}
	if v := strings.TrimSpace(halfWidth(b.Year)); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "考核年度“%s”应为四位数年份，如 2025", b.Year)
		}
		p.Year = y
	}
	if v := strings.TrimSpace(halfWidth(b.MinGroup)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "分类统计最少人数请填写整数（不少于%d）", ballot.MinMinGroup)
		}
		p.MinGroup = n
	}
	for _, line := range strings.Split(b.Tellers, "\n") {
		if name := strings.TrimSpace(line); name != "" {
			p.Tellers = append(p.Tellers, name)
		}
	}
	if v := strings.TrimSpace(b.TellerQ); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "开箱所需监票人数请填写整数")
		}
		p.TellerQuorum = n
	}
	p.KeyHolder = b.KeyHolder
	for _, bf := range b.Forms {
		if bf.Kind == ballot.KindEvaluation && bf.Mutual {
			for i := range p.Groups { // 工作互评: each group is the unit of its name
				p.Groups[i].Unit = p.Groups[i].Name
			}
		}
	}
	for i, bf := range b.Forms {
		f, err := bf.form()
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "第%d张表（%s）的%s", i+1, strings.TrimSpace(bf.Title), ballot.Cause{Err: err})
		}
		p.Forms = append(p.Forms, f)
	}
	return p, nil
}

func (bf builderForm) form() (ballot.Form, error) {
	f := ballot.Form{Kind: bf.Kind, Title: bf.Title}
	bf.defaults()
	th, err := bf.thresholds()
	if err != nil {
		return f, err
	}
	switch bf.Kind {
	case ballot.KindEvaluation:
		subjects, err := ballot.SubjectsFromLines(bf.Subjects)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "测评对象%s", ballot.Cause{Err: err})
		}
		grades, ok := ballot.GradeSet(bf.Grades)
		if !ok {
			return f, ballot.Errorf(ballot.EINVALID, "测评等次请从列表中选择")
		}
		if bf.Mutual {
			for i := range subjects {
				subjects[i].Unit = subjects[i].Name
			}
		}
		indicators, err := ballot.IndicatorsFromText(bf.Indicators)
		if err != nil {
			return f, err
		}
		f.Evaluation = &ballot.Evaluation{Subjects: subjects, Grades: grades, Probation: bf.Probation, Indicators: indicators,
			AdjustBelow: th.Adjust, DismissAbove: th.Dismiss, ProbationAbove: th.Probation}
		if bf.Score {
			if len(grades) != len(ballot.DefaultPoints()) {
				return f, ballot.Errorf(ballot.EINVALID, "折算分数需要四个等次")
			}
			f.Evaluation.Points = ballot.DefaultPoints()
		}
	case ballot.KindRecommendation:
		positions, err := ballot.PositionsFromText(bf.Positions)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "推荐职位%s", ballot.Cause{Err: err})
		}
		for i := range positions {
			positions[i].WriteIns = bf.WriteIns
		}
		n, err := strconv.Atoi(strings.TrimSpace(bf.Shortlist))
		if err != nil || n < 1 {
			return f, ballot.Errorf(ballot.EINVALID, "进入差额考察的人数应为正整数")
		}
		f.Recommendation = &ballot.Recommendation{Shape: bf.Shape, Positions: positions, FlagBelow: th.FlagBelow, Shortlist: n, SecondRoundBelow: th.SecondRound}
	case ballot.KindApproval:
		nominees, err := ballot.CandidatesFromLines(bf.Nominees)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "表决对象%s", ballot.Cause{Err: err})
		}
		seats, err := strconv.Atoi(strings.TrimSpace(bf.Seats))
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "应选人数请填写整数（逐一表决填0）")
		}
		f.Approval = &ballot.Approval{Nominees: nominees, Seats: seats, PassOver: th.PassOver, PassBase: bf.PassBase}
	case ballot.KindReview:
		cadres, err := ballot.SubjectsFromLines(bf.Cadres)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "评议干部%s", ballot.Cause{Err: err})
		}
		f.Review = &ballot.Review{Overall: bf.Overall, Cadres: cadres, DisagreeAbove: th.DisagreeAbove}
	case ballot.KindScoring:
		subjects, err := ballot.SubjectsFromLines(bf.Subjects)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "打分对象%s", ballot.Cause{Err: err})
		}
		indicators, err := ballot.IndicatorsFromText(bf.Indicators)
		if err != nil {
			return f, err
		}
		step, err := strconv.Atoi(strings.TrimSpace(bf.Step))
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "分数的最小单位请从列表中选择")
		}
		f.Scoring = &ballot.Scoring{Subjects: subjects, Indicators: indicators, Step: step}
	case ballot.KindSurvey:
		q, err := survey.FromText(bf.Questions)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "问卷%s", err.Error())
		}
		f.Survey = &ballot.Survey{Questionnaire: q}
	default:
		return f, ballot.Errorf(ballot.EINVALID, "不支持的表类型“%s”", bf.Kind)
	}
	return f, nil
}

// pollNextRound opens the builder for a further round of a counted recommendation: the
// same groups and quorum, each recommendation form's positions with the candidates the
// count shortlisted, for the organizer to confirm.
func (s *Server) pollNextRound(c *fiber.Ctx) error {
	p := pollOf(c)
	t, _, err := s.store.Tally(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	b := builder{Previous: p.ID, Title: tr(c, "%s（第二轮）", p.Title), UnitID: p.UnitID, Quorum: p.Quorum.String(), Year: strconv.Itoa(p.Year), Contact: p.Contact, Lang: p.Lang}
	// The same people hold the next round's key (a new key, made in a new ceremony).
	b.KeyHolder = p.Holder()
	if len(p.Tellers) > 0 {
		b.Tellers, b.TellerQ = strings.Join(p.Tellers, "\n"), strconv.Itoa(p.TellerQuorum)
	}
	if p.MinGroup != 0 {
		b.MinGroup = strconv.Itoa(p.MinGroup)
	}
	var groups []string
	for _, g := range p.Groups {
		groups = append(groups, ballot.GroupLine(g))
	}
	b.Groups = strings.Join(groups, "\n")
	for i, f := range p.Forms {
		if f.Recommendation == nil || t.Forms[i].Recommendation == nil {
			continue
		}
		bf := newSection(pr(c), ballot.KindRecommendation)
		bf.Title, bf.Shape = f.Title, f.Recommendation.Shape
		bf.Positions = ballot.PositionsText(f.Recommendation.NextRound(t.Forms[i].Recommendation))
		b.Forms = append(b.Forms, bf)
	}
	if len(b.Forms) == 0 {
		return ballot.Errorf(ballot.ECONFLICT, "这次投票没有民主推荐表，不能发起第二轮推荐")
	}
	c.Locals("flash", tr(c, "已按第一轮得票前列（含并列）预填各职位人选，请核对、增删后保存。"))
	return s.renderBuilder(c, fiber.StatusOK, b, nil)
}
