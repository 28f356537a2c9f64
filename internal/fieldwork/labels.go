package fieldwork

import (
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// zh holds the Chinese of this package's labels; cadences, segments and
// other shared wording come from package labels.
var zh = map[string]string{
	"Visit":                            "拜访",
	"Call plan":                        "拜访计划",
	"Hospital":                         "医院",
	"Department":                       "科室",
	"Cadence":                          "拜访节奏",
	"Contact":                          "沟通方式",
	"Overdue":                          "逾期",
	"Date":                             "日期",
	"Account ID":                       "客户编号",
	"Name":                             "姓名",
	"Segment":                          "分级",
	"Overdue days":                     "逾期天数",
	"KAM":                              "KAM",
	"Month":                            "月份",
	"As of":                            "截至",
	"Planned visits":                   "计划拜访",
	"Workload":                         "工作量",
	"Capacity":                         "产能",
	"Utilisation":                      "产能利用率",
	"Within capacity":                  "未超出产能",
	"Overdue accounts":                 "逾期客户",
	"Last visit":                       "上次拜访",
	"Next due":                         "应拜访日期",
	"never":                            "从未拜访",
	"Activity ROI":                     "学术活动投入产出",
	"Activity":                         "活动",
	"Activities":                       "活动",
	"Kind":                             "类型",
	"Budget":                           "预算",
	"Actual cost":                      "实际费用",
	"Cost share":                       "费用占比",
	"Cost share target":                "费用占比目标",
	"Attendees":                        "参会人数",
	"Before window":                    "活动前窗口",
	"Before":                           "活动前处方",
	"After window":                     "活动后窗口",
	"After":                            "活动后处方",
	"Lift":                             "处方提升",
	"Lift target":                      "处方提升目标",
	"Compliance flags":                 "合规提示",
	"provisional":                      "暂定",
	"unknown":                          "未知",
	"Cap per attendee":                 "人均费用上限",
	"Cap per HCP a year":               "每位医生年度费用上限",
	"Windows (months before / after)":  "窗口（活动前／后月数）",
	"CNY":                              "元",
	kolgraph.ActivityDepartmentMeeting: "科室会",
	kolgraph.ActivityCityMeeting:       "城市会",
	kolgraph.ActivityRegionalCongress:  "区域学术会议",
	kolgraph.ActivityOnline:            "线上会议",
}

// en holds the English of the codes this package shows.
var en = map[string]string{
	kolgraph.ActivityDepartmentMeeting: "department meeting",
	kolgraph.ActivityCityMeeting:       "city meeting",
	kolgraph.ActivityRegionalCongress:  "regional congress",
	kolgraph.ActivityOnline:            "online session",
}

// t returns s in lang: this package's Chinese, else package labels'.
func t(lang labels.Lang, s string) string {
	if lang == labels.ZH {
		if z, ok := zh[s]; ok {
			return z
		}
	}
	if e, ok := en[s]; ok && lang != labels.ZH {
		return e
	}
	return labels.T(lang, s)
}

// langOf is lang, Chinese when unset (the reports' default).
func langOf(lang labels.Lang) labels.Lang {
	if lang == labels.EN {
		return labels.EN
	}
	return labels.ZH
}
