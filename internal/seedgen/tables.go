package seedgen

// The fixed vocabulary of the synthetic region. Cities and specialties are
// real categories; every hospital, person and product built from them is
// invented.

// region is the template of a territory: a province and its cities, the
// first city weighted as the regional centre.
type region struct {
	name     string
	province string
	cities   []city
}

type city struct {
	name string // pinyin, what filters and reports use
	zh   string // for hospital names
}

var regions = []region{
	{"Zhejiang North", "Zhejiang", []city{{"Hangzhou", "杭州"}, {"Shaoxing", "绍兴"}}},
	{"Zhejiang South", "Zhejiang", []city{{"Ningbo", "宁波"}, {"Wenzhou", "温州"}}},
	{"Jiangsu South", "Jiangsu", []city{{"Nanjing", "南京"}, {"Suzhou", "苏州"}}},
	{"Jiangsu Central", "Jiangsu", []city{{"Wuxi", "无锡"}, {"Changzhou", "常州"}}},
	{"Anhui", "Anhui", []city{{"Hefei", "合肥"}, {"Wuhu", "芜湖"}}},
	{"Fujian", "Fujian", []city{{"Fuzhou", "福州"}, {"Xiamen", "厦门"}}},
}

// tier describes hospitals of one grade: how common they are, how many
// people and departments they have, how big their departments are, and how
// likely they list a new product.
type tier struct {
	name        string
	share       float64 // of all hospitals
	staffWeight float64 // relative headcount
	beds        [2]int
	departments int     // clinical departments, the first n of specialties
	scale       float64 // department volume relative to a 3B hospital
	vps         int     // vice presidents (one more with probability 1/2 where 1)
	listed      float64 // probability a product is listed
	private     float64 // probability of private ownership
}

var tiers = []tier{
	{"3A", 0.30, 3.0, [2]int{1500, 3500}, 12, 1.6, 2, 0.60, 0.00},
	{"3B", 0.25, 1.8, [2]int{800, 1500}, 10, 1.0, 2, 0.45, 0.05},
	{"2A", 0.30, 1.0, [2]int{400, 800}, 8, 0.6, 1, 0.35, 0.15},
	{"2B", 0.15, 0.6, [2]int{150, 400}, 6, 0.35, 1, 0.25, 0.35},
}

// specialty is a clinical specialty with the base volumes of its department
// in a 3B hospital and the ranges its potential inputs are drawn from.
type specialty struct {
	key      string // the HCP/department specialty value
	dept     string // department name
	opd      float64
	beds     float64
	share    [2]float64 // indication share
	turnover [2]float64 // patients per bed per month
}

// specialties in the order smaller hospitals have them: a 2B hospital has
// the first six.
var specialties = []specialty{
	{"cardiology", "心血管内科", 900, 60, [2]float64{0.15, 0.40}, [2]float64{3.5, 5.5}},
	{"respiratory", "呼吸与危重症医学科", 850, 55, [2]float64{0.10, 0.30}, [2]float64{3.0, 5.0}},
	{"gastroenterology", "消化内科", 800, 50, [2]float64{0.08, 0.25}, [2]float64{3.5, 5.5}},
	{"endocrinology", "内分泌科", 750, 35, [2]float64{0.20, 0.45}, [2]float64{2.5, 4.0}},
	{"neurology", "神经内科", 700, 55, [2]float64{0.08, 0.25}, [2]float64{2.5, 4.5}},
	{"nephrology", "肾内科", 450, 40, [2]float64{0.15, 0.40}, [2]float64{2.5, 4.0}},
	{"oncology", "肿瘤科", 600, 70, [2]float64{0.10, 0.35}, [2]float64{4.0, 6.0}},
	{"infectious_disease", "感染科", 400, 35, [2]float64{0.05, 0.20}, [2]float64{3.0, 5.0}},
	{"geriatrics", "老年医学科", 350, 45, [2]float64{0.10, 0.30}, [2]float64{2.0, 3.5}},
	{"rheumatology", "风湿免疫科", 350, 25, [2]float64{0.05, 0.20}, [2]float64{2.0, 3.5}},
	{"hematology", "血液科", 300, 40, [2]float64{0.05, 0.20}, [2]float64{2.5, 4.5}},
	{"general_surgery", "普外科", 700, 80, [2]float64{0.03, 0.12}, [2]float64{4.0, 6.0}},
}

// pharmacy is the specialty index of the pharmacy department.
var pharmacy = len(specialties)

const (
	pharmacyKey  = "pharmacy"
	pharmacyName = "药学部"
)

// related pairs specialties whose departments refer patients to each other
// (e.g. diabetic kidney disease between endocrinology and nephrology).
var related = map[string][]string{
	"cardiology":         {"nephrology", "endocrinology", "geriatrics", "neurology"},
	"respiratory":        {"oncology", "infectious_disease", "geriatrics"},
	"gastroenterology":   {"oncology", "general_surgery", "infectious_disease"},
	"endocrinology":      {"nephrology", "cardiology", "geriatrics"},
	"neurology":          {"cardiology", "geriatrics"},
	"nephrology":         {"endocrinology", "cardiology", "rheumatology"},
	"oncology":           {"respiratory", "gastroenterology", "hematology", "general_surgery"},
	"infectious_disease": {"respiratory", "gastroenterology", "hematology"},
	"geriatrics":         {"cardiology", "neurology", "endocrinology"},
	"rheumatology":       {"nephrology", "hematology"},
	"hematology":         {"oncology", "rheumatology"},
	"general_surgery":    {"gastroenterology", "oncology"},
}

// Hospital names: city + an invented two-character name + a suffix.
var (
	nameFirst  = []rune("明仁华博康瑞恒嘉启清禾景云泽德弘安怡睿和")
	nameSecond = []rune("德和康济泽安宁源沅澜馨仁华信远泰")
	nameSuffix = []string{"医院", "人民医院", "中心医院", "中西医结合医院"}
)

// Person names: common surnames, most frequent first (sampled with a
// Zipf-like weight), and given-name characters.
var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉鑫宇晨浩欣怡佳思雨博子轩涵睿嘉俊晓海林斌颖丹波宁春雪琳凯鹏峰亮飞志国鸿婷倩悦哲翔彬慧琦薇")
)

// Products are invented; their indications decide which specialties'
// departments they serve.
//
// Market access: national insurance (医保) is decided nationally, so a
// product in it is reimbursed wherever it is listed; key monitoring
// (重点监控) lists are kept by the large hospitals, which put the costly
// oncology drug on theirs.
type productSpec struct {
	id, name          string
	indications       []string
	specialties       []string
	nationalInsurance bool
	keyMonitoringAt   []string // hospital tiers that keep it on their key-monitoring list
}

var products = []productSpec{
	{"RX01", "Cardiolix (卡迪力)", []string{"heart failure with reduced ejection fraction", "resistant hypertension"},
		[]string{"cardiology", "nephrology", "geriatrics"}, true, nil},
	{"RX02", "Pulmotinib (普莫替尼)", []string{"EGFR-mutant non-small cell lung cancer"},
		[]string{"oncology", "respiratory"}, true, []string{"3A", "3B"}},
	{"RX03", "Glucoretin (格鲁瑞汀)", []string{"type 2 diabetes", "diabetic kidney disease"},
		[]string{"endocrinology", "nephrology"}, false, nil},
}

// KOL evidence values, in the order they are listed.
var kolEvidence = []string{"guideline_author", "society_role", "congress_speaker", "trial_investigator"}

// kolEvidenceOdds: per KOL level (national, regional, local), the
// probability of each kolEvidence value.
var kolEvidenceOdds = [3][4]float64{
	{0.95, 0.90, 0.90, 0.70},
	{0.15, 0.70, 0.80, 0.50},
	{0.00, 0.15, 0.70, 0.40},
}
