package ballot

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"

	"minyi/i18n"
)

// State is where a poll is in its life: draft → open → closed → counted.
type State string

const (
	Draft   State = "draft"
	Open    State = "open"
	Closed  State = "closed"
	Counted State = "counted"
)

// Label is the state as organizers and voters read it.
func (s State) Label() string {
	switch s {
	case Draft:
		return i18n.N("未开始")
	case Open:
		return i18n.N("投票中")
	case Closed:
		return i18n.N("已结束")
	case Counted:
		return i18n.N("已计票")
	}
	return string(s)
}

// Votable explains why a poll in this state takes no ballot; nil when it is open.
func (s State) Votable() error {
	switch s {
	case Open:
		return nil
	case Draft:
		return Errorf(ENOTOPEN, "投票尚未开始，请等待主持人宣布开始投票后刷新本页")
	}
	return Errorf(ECLOSED, "投票已结束，不再接受选票")
}

// DefaultQuorum is 2/3 of 应到 (RULES: quorum, 2014 Q&A on the 条例; 青海 2020 办法).
var DefaultQuorum = R(2, 3)

// Poll is one meeting's vote: the forms every voter fills, the voter groups with their
// expected counts, and the settings the count applies.
type Poll struct {
	ID     string  `json:"id"`
	UnitID string  `json:"unit_id"`
	Title  string  `json:"title"`
	State  State   `json:"state"`
	Forms  []Form  `json:"forms"`
	Groups []Group `json:"groups"`
	Quorum Ratio   `json:"quorum"`
	// Rehearsal: the poll runs as a 模拟测评 with test tokens, to be wiped before the real run.
	Rehearsal bool `json:"rehearsal,omitempty"`
	// Year is the assessment year (年度) the results are filed under; see AssessmentYear.
	Year int `json:"year,omitempty"`
	// PreviousRound is the poll this one is a further round of (二次推荐).
	PreviousRound string `json:"previous_round,omitempty"`
	// Tellers (监票人) hold the poll key k-of-n: TellerQuorum of them open the box together.
	// None: the organizer's own device holds it (see KeyHolder).
	Tellers      []string `json:"tellers,omitempty"`
	TellerQuorum int      `json:"teller_quorum,omitempty"`
	// KeyHolder is who holds the poll's key (keyholder.go); Normalize fills it from the
	// tellers. KeyServer only as an explicit choice for a poll of surveys.
	KeyHolder string `json:"key_holder,omitempty"`
	// MinGroup is the fewest ballots a voter group needs for its results to be shown on
	// their own row; smaller groups are pooled (see ResultGroups). 0 means DefaultMinGroup.
	MinGroup int `json:"min_group,omitempty"`
	// Contact is whom a voter asks when a token is refused (「如有疑问请联系：组织部 张三
	// 1380000xxxx」): shown on the used, voided and not-open pages of this poll.
	Contact string `json:"contact,omitempty"`
	// Lang is the language its voters' pages are shown in, LangZh or LangEn; a voter may
	// still switch. Empty is Chinese.
	Lang string `json:"lang,omitempty"`
}

// The languages a poll's voter pages can be set to.
const (
	LangZh = "zh"
	LangEn = "en"
)

// CheckLang checks a poll's language setting.
func CheckLang(lang string) error {
	switch lang {
	case "", LangZh, LangEn:
		return nil
	}
	return Errorf(EINVALID, "投票页面语言只能是 zh（中文）或 en（英文）")
}

// MaxContact bounds a poll's contact line: one line on a phone, two at most.
const MaxContact = 60

// MaxTellers bounds the number of tellers.
const MaxTellers = 20

func (p *Poll) checkTellers() error {
	if len(p.Tellers) == 0 {
		if p.TellerQuorum != 0 {
			return Errorf(EINVALID, "设定监票人人数时请填写监票人姓名")
		}
		return nil
	}
	if len(p.Tellers) > MaxTellers {
		return Errorf(EINVALID, "监票人不能超过%d位", MaxTellers)
	}
	seen := map[string]bool{}
	for i, t := range p.Tellers {
		if t == "" || NameLen(t) > MaxNameLen || seen[NameKey(t)] {
			return Errorf(EINVALID, "第%d位监票人的姓名为空、过长或重复", i+1)
		}
		seen[NameKey(t)] = true
	}
	if p.TellerQuorum < 1 || p.TellerQuorum > len(p.Tellers) {
		return Errorf(EINVALID, "开箱所需监票人数应在1到%d之间", len(p.Tellers))
	}
	return nil
}

// Group is a voter category (参评类别) with its expected number of voters (应到).
type Group struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Expected int    `json:"expected"`
	// Weight of the group in weighted results (RULES: 民主测评 weights); all groups have
	// one or none does, and they sum to exactly 1.
	Weight *Ratio `json:"weight,omitempty"`
	// Unit the group's voters belong to: they never evaluate a subject of that unit
	// (RULES: 工作互评, 001 §26).
	Unit string `json:"unit,omitempty"`
	// Region (地区) the group is shown under: a survey of hundreds of groups is read by
	// region, each with its subtotal. Empty for none.
	Region string `json:"region,omitempty"`
}

// Limits on a poll's definition; they keep a page printable and a ballot small.
const (
	MaxTitle  = 100
	MaxGroups = 50
	// MaxRegion is the longest region name, in characters.
	MaxRegion = 30
	// MaxSurveyGroups is the most groups of a poll of surveys alone: a province-wide 满意度
	// survey counts each unit or region as a group, hundreds of them, and prints no
	// page per group.
	MaxSurveyGroups = 500
	MaxExpected     = 100000
	MaxForms        = 10
)

// Normalize trims names, fills default settings and gives forms and their lines stable ids.
func (p *Poll) Normalize() {
	_ = p.cleanTexts() // what it refuses stays as typed, for Validate to name
	p.Title = strings.TrimSpace(p.Title)
	if !p.Quorum.Valid() {
		p.Quorum = DefaultQuorum
	}
	for i := range p.Groups {
		p.Groups[i].Name = strings.TrimSpace(p.Groups[i].Name)
		p.Groups[i].Region = strings.TrimSpace(p.Groups[i].Region)
	}
	for i := range p.Tellers {
		p.Tellers[i] = NormalizeName(p.Tellers[i])
	}
	if len(p.Tellers) > 0 && p.TellerQuorum == 0 {
		p.TellerQuorum = len(p.Tellers)/2 + 1 // a majority unless set
	}
	p.KeyHolder = strings.TrimSpace(p.KeyHolder)
	if p.KeyHolder == "" {
		p.KeyHolder = p.Holder()
	}
	for i := range p.Forms {
		f := &p.Forms[i]
		if f.ID == "" {
			f.ID = fmt.Sprintf("f%d", i+1)
		}
		f.Title = strings.TrimSpace(f.Title)
		if k := f.kind(); k != nil {
			k.normalize()
		}
	}
}

// Validate checks a poll definition before it is saved; messages name the offending line.
func (p *Poll) Validate() error {
	if err := p.cleanTexts(); err != nil {
		return err
	}
	n := utf8.RuneCountInString(p.Title)
	if n == 0 {
		return Errorf(EINVALID, "请填写投票活动名称")
	}
	if n > MaxTitle {
		return Errorf(EINVALID, "投票活动名称不能超过%d个字", MaxTitle)
	}
	if err := CheckContact(p.Contact); err != nil {
		return err
	}
	if err := CheckLang(p.Lang); err != nil {
		return err
	}
	if err := checkThreshold(i18n.N("法定人数"), p.Quorum); err != nil {
		return err
	}
	if p.Year != 0 {
		if err := CheckYear(p.Year); err != nil {
			return err
		}
	}
	if len(p.Groups) == 0 {
		return Errorf(EINVALID, "请至少设置一个参评类别（如“职工代表 50”）")
	}
	if most := p.maxGroups(); len(p.Groups) > most {
		return Errorf(EINVALID, "参评类别不能超过%d个", most)
	}
	seen := map[string]bool{}
	for i, g := range p.Groups {
		if g.Name == "" {
			return Errorf(EINVALID, "第%d个参评类别缺少名称", i+1)
		}
		if utf8.RuneCountInString(g.Name) > 30 {
			return Errorf(EINVALID, "参评类别“%s”名称过长（不超过30字）", g.Name)
		}
		if seen[g.Name] {
			return Errorf(EINVALID, "参评类别“%s”重复", g.Name)
		}
		seen[g.Name] = true
		if utf8.RuneCountInString(g.Region) > MaxRegion {
			return Errorf(EINVALID, "参评类别“%s”的地区名称过长（不超过%d字）", g.Name, MaxRegion)
		}
		if g.Expected < 1 || g.Expected > MaxExpected {
			return Errorf(EINVALID, "参评类别“%s”的应到人数应在1到%d之间", g.Name, MaxExpected)
		}
	}
	if p.MinGroup != 0 && p.MinGroup < MinMinGroup {
		return Errorf(EINVALID, "分类统计的最少人数不能少于%d人（不填则为%d人）", MinMinGroup, DefaultMinGroup)
	}
	if p.MinGroup > MaxExpected {
		return Errorf(EINVALID, "分类统计的最少人数不能超过%d人", MaxExpected)
	}
	if err := p.checkWeights(); err != nil {
		return err
	}
	if err := p.checkTellers(); err != nil {
		return err
	}
	if len(p.Forms) == 0 {
		return Errorf(EINVALID, "投票活动至少需要一张表")
	}
	if err := p.checkKeyHolder(); err != nil {
		return err
	}
	if len(p.Forms) > MaxForms {
		return Errorf(EINVALID, "一次投票活动最多%d张表", MaxForms)
	}
	ids := map[string]bool{}
	for i := range p.Forms {
		f := &p.Forms[i]
		if ids[f.ID] {
			return Errorf(EINVALID, "表的编号“%s”重复", f.ID)
		}
		if err := checkIDs(i18n.N("表"), f.ID); err != nil {
			return err
		}
		ids[f.ID] = true
		if err := f.validate(); err != nil {
			return err
		}
	}
	return nil
}

// Weighted reports whether the groups carry weights.
func (p *Poll) Weighted() bool { return len(p.Groups) > 0 && p.Groups[0].Weight != nil }

func (p *Poll) checkWeights() error {
	sum := new(big.Rat)
	n := 0
	for _, g := range p.Groups {
		if g.Weight == nil {
			continue
		}
		n++
		if !g.Weight.Valid() || g.Weight.Num <= 0 || g.Weight.Num > g.Weight.Den {
			return Errorf(EINVALID, "参评类别“%s”的权重应大于0且不超过1", g.Name)
		}
		sum.Add(sum, big.NewRat(g.Weight.Num, g.Weight.Den))
	}
	if n != 0 && n != len(p.Groups) {
		return Errorf(EINVALID, "要么每个参评类别都设权重，要么都不设")
	}
	if n != 0 && sum.Cmp(big.NewRat(1, 1)) != 0 {
		return Errorf(EINVALID, "各参评类别的权重之和应为1，现在是%s", sum.FloatString(4))
	}
	return nil
}

// Warnings lists what the organizer should know but may accept.
func (p *Poll) Warnings() []string {
	var w []string
	for _, e := range p.Notices() {
		w = append(w, e.Message)
	}
	return w
}

// Notices are the Warnings as messages a page can say again in its reader's language.
func (p *Poll) Notices() []*Error {
	var w []*Error
	n := p.ResultMinGroup()
	for _, g := range p.Groups {
		if g.Expected < n {
			w = append(w, Errorf(EINVALID, "参评类别“%s”应到人数少于%d人，其结果将与其他人数不足的类别合并统计，不单列", g.Name, n))
		}
	}
	return w
}

// Group returns the voter group with the given id.
func (p *Poll) Group(id string) (Group, bool) {
	for _, g := range p.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// Expected is the poll's total 应到.
func (p *Poll) Expected() int {
	n := 0
	for _, g := range p.Groups {
		n += g.Expected
	}
	return n
}

// QuorumNeeded is ⌈应到 × q⌉, the smallest turnout that meets the quorum (RULES: quorum).
func (p *Poll) QuorumNeeded() int {
	e := int64(p.Expected())
	return int((e*p.Quorum.Num + p.Quorum.Den - 1) / p.Quorum.Den)
}

// Kind is the kind of a form.
type Kind string

// The kinds of form.
const (
	KindEvaluation     Kind = "evaluation"     // 民主测评
	KindRecommendation Kind = "recommendation" // 民主推荐
	KindApproval       Kind = "approval"       // 表决 / 票决
	KindReview         Kind = "review"         // 一报告两评议
)

// Label is the kind as organizers read it.
func (k Kind) Label() string {
	switch k {
	case KindEvaluation:
		return i18n.N("民主测评")
	case KindRecommendation:
		return i18n.N("民主推荐")
	case KindApproval:
		return i18n.N("表决")
	case KindReview:
		return i18n.N("评议")
	case KindSurvey:
		return i18n.N("问卷")
	case KindScoring:
		return i18n.N("述职测评打分")
	}
	return string(k)
}

// Form is one ballot paper of a poll. Exactly one of the kind fields is set.
type Form struct {
	ID             string          `json:"id"`
	Kind           Kind            `json:"kind"`
	Title          string          `json:"title"`
	Evaluation     *Evaluation     `json:"evaluation,omitempty"`
	Recommendation *Recommendation `json:"recommendation,omitempty"`
	Approval       *Approval       `json:"approval,omitempty"`
	Review         *Review         `json:"review,omitempty"`
	Survey         *Survey         `json:"survey,omitempty"`
	Scoring        *Scoring        `json:"scoring,omitempty"`
}

// formKind is what every kind of form provides: its definition's checks, the rule that
// judges a filled form, and its counter. One rule, one place.
type formKind interface {
	normalize()
	validate() error
	check(ff *FilledForm) ([]Spoilt, error)
	counter(groups []Group) formCounter
	plainLines(lb lineBound, own string) // the longest marks of each line for a group of unit own (padding.go)
}

// kind returns the form's kind-specific part, nil when the kind and its field disagree.
func (f *Form) kind() formKind {
	switch {
	case f.Kind == KindEvaluation && f.Evaluation != nil:
		return f.Evaluation
	case f.Kind == KindRecommendation && f.Recommendation != nil:
		return f.Recommendation
	case f.Kind == KindApproval && f.Approval != nil:
		return f.Approval
	case f.Kind == KindReview && f.Review != nil:
		return f.Review
	case f.Kind == KindSurvey && f.Survey != nil:
		return f.Survey
	case f.Kind == KindScoring && f.Scoring != nil:
		return f.Scoring
	}
	return nil
}

func (f *Form) validate() error {
	if utf8.RuneCountInString(f.Title) > MaxTitle {
		return Errorf(EINVALID, "表名不能超过%d个字", MaxTitle)
	}
	k := f.kind()
	if k == nil {
		return Errorf(EINVALID, "表“%s”的类型“%s”与内容不符或不受支持", f.Title, f.Kind)
	}
	if err := k.validate(); err != nil {
		if f.Title != "" {
			return Errorf(EINVALID, "%s：%s", f.Title, Cause{Err: err})
		}
		return err
	}
	return nil
}

// Ballot is one voter's filled forms. Lines maps a line of a form (a subject, a position,
// a question) to the options marked on it; more than one mark is possible on paper and is
// judged by the form's rule, not by the shape of the data.
type Ballot struct {
	Forms []FilledForm `json:"forms"`
}

// FilledForm is one filled ballot paper.
type FilledForm struct {
	Form  string              `json:"form"`
	Lines map[string][]string `json:"lines"`
	own   string              // the voter group's unit while the form is checked
}

// Spoilt is a line of a ballot that counts as invalid for that line only (RULES: 废票).
// Blank lines are the ones a voter may leave so on purpose, after confirming; the others
// (too many marks, two opinions) are refused at a voter's submission and exist only on
// paper.
type Spoilt struct {
	Form   string `json:"form"`
	Line   string `json:"line"`
	Label  string `json:"label"`
	Reason string `json:"reason"`
	Blank  bool   `json:"blank,omitempty"`
	// Format and Args are what a formatted Reason was made of, so that it can be said in
	// the voter's language; a Reason without them is its own message ID.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// spoiltf is a spoilt line whose reason is formatted.
func spoiltf(line, label, format string, args ...any) Spoilt {
	return Spoilt{Line: line, Label: label, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// idRE is what an id of a form or a line may look like: it travels in form field names.
var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func checkIDs(what string, ids ...string) error {
	for _, id := range ids {
		if !idRE.MatchString(id) {
			return Errorf(EINVALID, "%s编号“%s”无效（只能用字母、数字、下划线和减号）", what, id)
		}
	}
	return nil
}

// Check validates a filled ballot against the poll. It is the one rule used both when a
// voter submits and when the box is counted. A malformed ballot (unknown form, line or
// option) is an error; a line that breaks its form's rule is returned as Spoilt and the
// rest of the ballot still counts.
func (p *Poll) Check(b *Ballot) ([]Spoilt, error) { return p.CheckGroup("", b) }

// CheckGroup is Check for a ballot cast in the given voter group: lines about the group's
// own unit must be absent (工作互评).
func (p *Poll) CheckGroup(group string, b *Ballot) ([]Spoilt, error) {
	g, _ := p.Group(group)
	return p.checkUnit(g.Unit, b)
}

// checkUnit is CheckGroup for a voter of the given unit ("" for none).
func (p *Poll) checkUnit(unit string, b *Ballot) ([]Spoilt, error) {
	for i := range b.Forms {
		b.Forms[i].own = unit
	}
	if len(b.Forms) != len(p.Forms) {
		return nil, Errorf(EINVALID, "选票应包含%d张表，收到%d张", len(p.Forms), len(b.Forms))
	}
	if err := b.cleanWriteIns(); err != nil {
		return nil, err
	}
	var spoilt []Spoilt
	for i := range p.Forms {
		f := &p.Forms[i]
		ff := &b.Forms[i]
		if ff.Form != f.ID {
			return nil, Errorf(EINVALID, "第%d张表应为“%s”", i+1, f.ID)
		}
		k := f.kind()
		if k == nil {
			return nil, Errorf(EINVALID, "不支持的表类型“%s”", f.Kind)
		}
		s, err := k.check(ff)
		if err != nil {
			return nil, err
		}
		for j := range s {
			s[j].Form = f.ID
		}
		spoilt = append(spoilt, s...)
	}
	return spoilt, nil
}

// CheckContact checks a poll's contact line (already cleaned by CleanText): short, so it
// fits the refusal page of a phone.
func CheckContact(contact string) error {
	if utf8.RuneCountInString(contact) > MaxContact {
		return Errorf(EINVALID, "联系方式不能超过%d个字", MaxContact)
	}
	return nil
}

// maxGroups is the most groups the poll may have: more for a poll of surveys alone.
func (p *Poll) maxGroups() int {
	for _, f := range p.Forms {
		if f.Kind != KindSurvey {
			return MaxGroups
		}
	}
	if len(p.Forms) == 0 {
		return MaxGroups
	}
	return MaxSurveyGroups
}
