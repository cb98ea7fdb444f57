package server

import (
	"minyi/ballot"
	"minyi/i18n"
)

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

func newSection(p *i18n.Printer, k ballot.Kind) builderForm {
	f := builderForm{Kind: k, Title: p.T("%s表", p.T(k.Label())), Shape: ballot.ShapeMark, WriteIns: true, Grades: "individual", Seats: "0"}
	f.defaults()
	if k == ballot.KindReview {
		f.Overall = p.T("对本单位（地区）选人用人工作的总体评价")
	}
	return f
}
