// Package labels says in Chinese (zh-CN, the default for reports) or
// English what kolgraph's enum values and default wording mean: segments,
// levels, playbooks, cadences and kinds of contact, decision-chain stages,
// positions, roles, listing statuses and the report's own headings. Ids and
// codes are never translated; their meanings are.
//
// English is the source: T(lang, s) returns the Chinese of an English
// label it knows, and s itself for English or for text it does not know
// (a playbook an administrator wrote, say).
package labels

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a report or label language.
type Lang string

// The languages.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Parse reads a language argument: zh, zh-CN, zh-Hans (any case) are ZH,
// en and its regional forms EN; "" is def. ok is false for anything else.
func Parse(s string, def Lang) (Lang, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, true
	}
	tag, err := language.Parse(s)
	if err != nil {
		return def, false
	}
	switch base, _ := tag.Base(); base.String() {
	case "zh":
		return ZH, true
	case "en":
		return EN, true
	}
	return def, false
}

// FromAcceptLanguage picks ZH or EN from an Accept-Language header by its
// preferences; def when the header is empty or prefers neither.
func FromAcceptLanguage(header string, def Lang) Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return def
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return def
	}
	if i == 0 {
		return ZH
	}
	return EN
}

// T returns s in lang: the Chinese of a known English label for ZH, s
// otherwise.
func T(lang Lang, s string) string {
	if lang != ZH {
		return s
	}
	if z, ok := zh[s]; ok {
		return z
	}
	return s
}

// AccessFirst is the playbook of an account at a hospital where product
// is not listed (status: its listing status, "" for no record), in lang.
func AccessFirst(lang Lang, product, status string) string {
	if status == "" {
		status = "no listing record"
	}
	if lang == ZH {
		return "准入优先：" + product + "在本院" + T(ZH, status) + "，先推进决策链（科室提议、药剂科审核、药事会、采购、院领导签批），再推广"
	}
	return "Access first: " + product + " is not listed here (" + status + "); work the decision chain (proposal, pharmacy review, P&T, procurement, sign-off) before promoting it"
}

// zh maps English labels to Chinese: the meanings, in the words a Chinese
// key-account team uses.
var zh = map[string]string{
	// Segments and levels.
	"A": "A类", "B": "B类", "C": "C类", "D": "D类",
	"unclassified": "未分级",
	"hcp":          "医生", "department": "科室", "hospital": "医院",

	// HCP-level playbooks (account.DefaultMatrixConfig).
	"Co-develop the department's joint three-year plan with this physician: research, patient management, performance goals":               "与该医生共同制定科室三年联合计划：科研、患者管理、业绩目标",
	"Patient-education and digital content programmes for this physician's patients":                                                       "为该医生的患者开展患者教育与数字化内容项目",
	"Academic engagement: expert exchanges and case discussions; speaker and advisor roles only from the compliant speaker-candidate list": "学术互动：专家交流与病例讨论；讲者与顾问只从合规讲者候选名单中选择",
	"Low-touch digital enablement: e-detailing and online medical education":                                                               "低频数字化赋能：电子拜访与线上医学教育",
	// Department-level playbooks.
	"Joint multi-year department plan with the department head: research, patient management, performance goals": "与科主任共同制定科室多年联合计划：科研、患者管理、业绩目标",
	"Department patient-education programme and digital content for its clinics":                                 "科室患者教育项目及门诊数字化内容",
	"Department academic meetings and case discussions; speakers only from the compliant candidate list":         "科室学术会议与病例讨论；讲者只从合规候选名单中选择",
	"Digital enablement for the department's physicians":                                                         "面向科室医生的数字化赋能",
	// Hospital-level playbooks.
	"Key account: a hospital-level partnership across its prescribing departments, with the listing and the decision chain kept warm": "重点客户：覆盖各处方科室的院级合作，持续维护准入与决策链",
	"Growth account: widen use across the prescribing departments and secure the listing":                                             "增长客户：扩大在各处方科室的使用，确保准入",
	"Influence account: engage its experts and committee members through academic exchange":                                           "影响力客户：通过学术交流联系其专家与委员会成员",
	"Maintenance account: keep the listing and supply, reach its departments through digital channels":                                "维护客户：保持准入与供应，通过数字化渠道覆盖各科室",

	// Cadences and kinds of contact.
	"every 2 weeks":                               "每两周",
	"monthly":                                     "每月",
	"quarterly":                                   "每季度",
	"digital only":                                "仅数字化",
	"a deep conversation on the joint plan":       "围绕联合计划的深度沟通",
	"an academic exchange":                        "一次学术交流",
	"a product training":                          "一次产品培训",
	"digital channels only, no visits":            "仅数字化渠道，不拜访",
	"an account review with the department heads": "与科主任们的客户回顾",
	"an academic exchange with its experts":       "与其专家的学术交流",
	"an account review":                           "客户回顾",

	// Decision-chain stages and their access playbooks.
	"the head of a department that would prescribe it proposes the product":  "由拟使用该产品的科室主任提议",
	"the pharmacy department reviews the product":                            "药剂科审核该产品",
	"the DRG committee assesses the cost impact under DRG/DIP payment":       "DRG委员会评估在DRG/DIP支付下的费用影响",
	"the pharmacy & therapeutics committee decides on the formulary listing": "药事管理与药物治疗学委员会决定是否进入处方集",
	"the procurement committee selects the product for purchase":             "采购委员会决定采购",
	"the president signs the listing":                                        "院长签批进院",
	"PROPOSE":                                                                "科室提议",
	"PHARMACY_REVIEW":                                                        "药剂科审核",
	"DRG_REVIEW":                                                             "DRG评估",
	"PT_DECISION":                                                            "药事会决策",
	"PROCUREMENT":                                                            "采购",
	"SIGN_OFF":                                                               "院领导签批",
	"Bring the pharmacy the evidence dossier, the budget-impact model and the listing application; ask for the pharmacy review": "向药剂科提交循证资料、预算影响模型和进院申请，请求药剂科审核",
	"Show the cost per DRG/DIP case with and without the product; agree how it fits the department's case budget":               "展示使用与不使用本品时每个DRG/DIP病例的费用，商定其如何纳入科室病例预算",
	"Brief the P&T members on clinical value and guideline position before the committee meets":                                 "在药事会召开前向委员介绍临床价值和指南地位",
	"Settle supply, price and tender terms with procurement":                                                                    "与采购商定供应、价格和招标条款",
	"Present the strategic fit and the partnership plan to the hospital leadership":                                             "向医院领导汇报战略契合度与合作计划",

	// Positions and roles.
	"president":         "院长",
	"vice_president":    "副院长",
	"pharmacy_director": "药剂科主任",
	"department_head":   "科主任",
	"deputy_head":       "副主任",
	"staff":             "科员",
	"physician":         "医生",
	"pharmacist":        "药师",
	"nurse":             "护士",
	"administrator":     "行政",
	"chair":             "主任委员",
	"secretary":         "秘书",
	"member":            "委员",
	"chief":             "主任医师",
	"associate_chief":   "副主任医师",
	"attending":         "主治医师",
	"resident":          "住院医师",
	"national":          "全国级",
	"regional":          "区域级",
	"local":             "地方级",

	// Listing statuses.
	"listed":            "已进院",
	"pending":           "进院中",
	"not_listed":        "未进院",
	"delisted":          "已退出",
	"no listing record": "无进院记录",

	// The speaker compliance rule (account.SpeakerSelectionRule).
	"Prescribing potential is never an input to choosing speakers or advisors: candidates are ranked on influence and expertise only (KOL level, KOL evidence, title, specialty). Segment membership, sales and potential play no part.": "处方潜力从不作为选择讲者或顾问的依据：候选人只按影响力和专业度排序（KOL级别、KOL依据、职称、专科）。分级、销量和潜力均不参与。",

	// Scope words (tiering's scope names).
	"Territory":       "辖区",
	"All hospitals":   "全部医院",
	"All territories": "全部辖区",

	// Report headings.
	"Tiering report": "客户分级报告",
	"Summary":        "摘要",
	"Scope":          "范围",
	"Product":        "产品",
	"Level":          "层级",
	"Graph version":  "图版本",
	"Generated":      "生成时间",
	// Account plans (internal/planreport).
	"Account plan":                     "客户计划",
	"Status":                           "状态",
	"Period":                           "周期",
	"Updated":                          "更新",
	"Goals":                            "年度目标",
	"Year":                             "年份",
	"Goal":                             "目标",
	"Target":                           "指标",
	"Objectives":                       "联合科室计划",
	"Objective":                        "目标内容",
	"Area":                             "领域",
	"Measure":                          "衡量方式",
	"Stakeholders":                     "关键人",
	"Role":                             "角色",
	"Next action":                      "下一步",
	"Due":                              "截止",
	"Cited paths":                      "引用的影响路径",
	"Path id":                          "路径 ID",
	"Strength":                         "强度",
	"strength":                         "强度",
	"Entry":                            "起点",
	"Hops":                             "路径",
	"Health":                           "当前状态",
	"Replacement":                      "替代路径",
	"Notes":                            "备注",
	"draft":                            "草稿",
	"active":                           "执行中",
	"closed":                           "已关闭",
	"research":                         "科研合作",
	"patient_management":               "患者管理",
	"performance":                      "业绩目标",
	"unchanged":                        "未变",
	"weakened":                         "减弱",
	"strengthened":                     "增强",
	"broken at hop %d: %s":             "在第 %d 跳断开：%s",
	"%s: strength %s then, %s now":     "%s：引用时强度 %s，现在 %s",
	"from the contacts of %s (tie %s)": "从 %s 的联系人出发（关系强度 %s）",
	"from the contacts of %s":          "从 %s 的联系人出发",
	"%s is outside your territories":   "%s 不在你的辖区内",
	"user %s was deleted":              "用户 %s 已删除",
	"%s left":                          "%s 已离开",
	"%s no longer knows %s":            "%s 已不再认识 %s",
	"the tie %s → %s was removed":      "%s → %s 的影响关系已删除",
	// The settings a report states (internal/settings).
	"Settings version":                  "配置版本",
	"Influence weights":                 "影响力权重",
	"DRG/DIP correction":                "DRG/DIP 校正方式",
	"DRG/DIP enrollment threshold":      "DRG/DIP 入组率阈值",
	"DRG/DIP largest reduction":         "DRG/DIP 最大下调",
	"Weeks per month":                   "每月周数",
	"Group influence":                   "科室/医院影响力取值",
	"Pareto fraction":                   "帕累托比例",
	"linear":                            "线性",
	"step":                              "阶梯",
	"max":                               "最大值",
	"sum":                               "求和",
	"mean":                              "平均值",
	"Segment":                           "分级",
	"Accounts":                          "客户数",
	"Playbook":                          "策略",
	"Cadence":                           "拜访频率",
	"Contact":                           "接触方式",
	"Cut-offs":                          "分级阈值",
	"Potential cut-off":                 "潜力阈值",
	"Influence cut-off":                 "影响力阈值",
	"ID":                                "编号",
	"Name":                              "姓名/名称",
	"Hospital":                          "医院",
	"Department":                        "科室",
	"Title":                             "职称",
	"KOL level":                         "KOL级别",
	"Owner":                             "负责人",
	"Listing":                           "准入状态",
	"At risk":                           "DRG风险",
	"Key monitoring":                    "重点监控",
	"National insurance":                "医保",
	"Potential (patients/month)":        "潜力（患者/月）",
	"Actual (prescriptions/month)":      "实际处方（张/月）",
	"Opportunity (per month)":           "机会（每月）",
	"Penetration":                       "渗透率",
	"3-month trend":                     "近3个月趋势",
	"Influence":                         "影响力",
	"Influence percentile":              "影响力百分位",
	"Next visit by":                     "下次拜访截止",
	"Top influence paths":               "最强影响路径",
	"Note":                              "备注",
	"yes":                               "是",
	"Access first":                      "准入优先",
	"The 20/80 line":                    "20/80线",
	"Departments at risk under DRG/DIP": "DRG/DIP风险科室",
	"Enrollment rate":                   "入组率",
	"Payment model":                     "支付方式",
	"Hottest heat-map cells":            "热力图最热单元",
	"Heat":                              "热度",
	"Compliant speaker shortlist":       "合规讲者候选名单",
	"Score":                             "得分",
	"Access stakeholders":               "准入关键人",
	"Stage":                             "环节",
	"Unclassified accounts":             "未分级客户",
	"none":                              "无",
}
