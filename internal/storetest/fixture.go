package storetest

import (
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// fixtureTime is the UpdatedAt of every fixture edge; nanoseconds are set so
// that a store truncating to seconds or milliseconds is caught.
var fixtureTime = time.Date(2024, 5, 1, 8, 30, 0, 123456789, time.UTC)

func ptr[T any](v T) *T { return &v }

// Fixture returns a new copy of the contract suite's hand-written graph:
//
//	territories T1 (H001, H002), T2 (H003)
//	H001 上海瑞金医院 Ruijin Hospital  3A Shanghai  D001-01 心内科 (P001 P002), D001-02 药剂科 (P003 P009)
//	H002 Zhongshan Hospital         3A Shanghai  D002-01 Cardiology (P004 P005 P010)
//	H003 广州南方医院 Nanfang Hospital 3B Guangzhou D003-01 肿瘤科 (P006 P007), D003-02 药剂科 (P008)
//	committees C001, C002 (H001), C003 (H003); products PR01..PR03 (PR03 listed nowhere)
//	indication shares D001-01 (PR01 0.4, PR02 0.05), D002-01 (PR01 1), D003-01 (PR02 0.25)
//	users U01 (knows P001 P002 P005), U02 (knows P006), U03 (no contacts)
//	influences (from -> to): P001->P002 P003 P006; P003->P001; P009->P001 P003;
//	P002->P004; P004->P005 P010; P006->P007; P008->P006; P010->P001
//
// Records are listed out of id order on purpose, so that a store which
// returns them in insertion order fails the ordering checks. Tests may
// modify the result freely.
func Fixture() *kolgraph.ChangeSet {
	return &kolgraph.ChangeSet{
		Territories: []*kolgraph.Territory{
			{ID: "T2", Name: "华南 South China"},
			{ID: "T1", Name: "华东 East China"},
		},
		Hospitals: []*kolgraph.Hospital{
			{ID: "H003", Name: "广州南方医院 Nanfang Hospital", Tier: "3B", Province: "Guangdong", City: "Guangzhou",
				Beds: 1800, Ownership: "public", PaymentModel: "FFS", TerritoryID: "T2"},
			{ID: "H001", Name: "上海瑞金医院 Ruijin Hospital", Tier: "3A", Province: "Shanghai", City: "Shanghai",
				Beds: 3000, Ownership: "public", PaymentModel: "DRG", TerritoryID: "T1"},
			{ID: "H002", Name: "Zhongshan Hospital", Tier: "3A", Province: "Shanghai", City: "Shanghai",
				Beds: 2500, Ownership: "private", PaymentModel: "DIP", TerritoryID: "T1"},
		},
		Departments: []*kolgraph.Department{
			{ID: "D003-02", HospitalID: "H003", Name: "药剂科", Specialty: "pharmacy"},
			{ID: "D001-01", HospitalID: "H001", Name: "心内科 Cardiology", Specialty: "cardiology",
				WeeklyOutpatients: ptr(1200), IndicationShare: ptr(0.35), ManagedBeds: ptr(80),
				BedTurnover: ptr(3.5), DischargePenetration: ptr(0.6), DRGEnrollmentRate: ptr(0.45),
				CompetitorPenetration: ptr(0.3), PolicySensitivity: ptr(0.7)},
			// All potential inputs missing: they must come back nil, not zero.
			{ID: "D001-02", HospitalID: "H001", Name: "药剂科 Pharmacy", Specialty: "pharmacy"},
			// Zero values set: they must come back as pointers to zero.
			{ID: "D002-01", HospitalID: "H002", Name: "Cardiology", Specialty: "cardiology",
				WeeklyOutpatients: ptr(0), IndicationShare: ptr(0.0), ManagedBeds: ptr(40),
				BedTurnover: ptr(1.0), DRGEnrollmentRate: ptr(1.0), PolicySensitivity: ptr(0.0)},
			{ID: "D003-01", HospitalID: "H003", Name: "肿瘤科 Oncology", Specialty: "oncology",
				WeeklyOutpatients: ptr(900), IndicationShare: ptr(0.5), ManagedBeds: ptr(120),
				BedTurnover: ptr(2.25), DischargePenetration: ptr(0.4)},
		},
		HCPs: []*kolgraph.HCP{
			{ID: "P007", Name: "Wang Lei", Role: kolgraph.RolePhysician, Title: "resident",
				Specialty: "oncology", DepartmentID: "D003-01", HospitalID: "H003"},
			{ID: "P001", Name: "王伟", Role: kolgraph.RolePhysician, Title: "chief", Position: "department_head",
				Specialty: "cardiology", DepartmentID: "D001-01", HospitalID: "H001",
				KOLLevel: kolgraph.KOLNational, KOLEvidence: []string{"guideline_author", "society_chair"},
				Phone: "+86 138 0000 0001", Email: "wang.wei@example.cn", WeChat: "wangwei_md"},
			{ID: "P010", Name: "ZHANG Min", Role: kolgraph.RolePhysician, Title: "attending",
				Specialty: "cardiology", DepartmentID: "D002-01", HospitalID: "H002"},
			{ID: "P002", Name: "李娜", Role: kolgraph.RolePhysician, Title: "attending",
				Specialty: "cardiology", DepartmentID: "D001-01", HospitalID: "H001"},
			{ID: "P003", Name: "王芳", Role: kolgraph.RolePharmacist, Position: "pharmacy_director",
				Specialty: "pharmacy", DepartmentID: "D001-02", HospitalID: "H001",
				KOLLevel: kolgraph.KOLRegional, KOLEvidence: []string{"congress_speaker"}},
			{ID: "P004", Name: "Zhang Wei", Role: kolgraph.RolePhysician, Title: "chief", Position: "president",
				Specialty: "cardiology", DepartmentID: "D002-01", HospitalID: "H002", KOLLevel: kolgraph.KOLLocal},
			{ID: "P005", Name: "Chen Jie", Role: kolgraph.RoleNurse,
				Specialty: "cardiology", DepartmentID: "D002-01", HospitalID: "H002"},
			{ID: "P006", Name: "刘洋", Role: kolgraph.RolePhysician, Title: "associate_chief", Position: "department_head",
				Specialty: "oncology", DepartmentID: "D003-01", HospitalID: "H003",
				KOLLevel: kolgraph.KOLRegional, KOLEvidence: []string{"society_role"}},
			{ID: "P009", Name: "孙丽", Role: kolgraph.RoleAdministrator, Position: "vice_president",
				DepartmentID: "D001-02", HospitalID: "H001"},
			{ID: "P008", Name: "赵敏", Role: kolgraph.RolePharmacist, Position: "pharmacy_director",
				Specialty: "pharmacy", DepartmentID: "D003-02", HospitalID: "H003"},
		},
		Committees: []*kolgraph.Committee{
			{ID: "C003", Name: "P&T Committee", Kind: kolgraph.CommitteePT, HospitalID: "H003"},
			{ID: "C002", Name: "采购委员会", Kind: kolgraph.CommitteeProcurement, HospitalID: "H001"},
			{ID: "C001", Name: "药事管理与药物治疗学委员会", Kind: kolgraph.CommitteePT, HospitalID: "H001"},
		},
		Memberships: []kolgraph.Membership{
			{HCPID: "P009", CommitteeID: "C002", Role: "chair"},
			{HCPID: "P009", CommitteeID: "C001", Role: "member"},
			{HCPID: "P001", CommitteeID: "C002", Role: "member"},
			{HCPID: "P003", CommitteeID: "C001", Role: "secretary"},
			{HCPID: "P001", CommitteeID: "C001", Role: "chair"},
			{HCPID: "P008", CommitteeID: "C003", Role: "member"},
			{HCPID: "P006", CommitteeID: "C003", Role: "chair"},
		},
		Products: []*kolgraph.Product{
			{ID: "PR02", Name: "Oncomab", Indications: []string{"NSCLC", "乳腺癌 breast cancer"}, Specialties: []string{"oncology"}},
			{ID: "PR01", Name: "Cardiostat", Indications: []string{"heart failure"}, Specialties: []string{"cardiology"}},
			{ID: "PR03", Name: "Nolist"},
		},
		Listings: []kolgraph.Listing{
			{HospitalID: "H003", ProductID: "PR02", Status: "listed", Since: "2022-06-01", KeyMonitoring: true, NationalInsurance: true},
			{HospitalID: "H001", ProductID: "PR02", Status: "pending"},
			{HospitalID: "H002", ProductID: "PR01", Status: "not_listed"},
			// ReplacesWholeRecord writes it again without the flag: it must read back false.
			{HospitalID: "H001", ProductID: "PR01", Status: "listed", Since: "2023-01-15", NationalInsurance: true},
		},
		IndicationShares: []kolgraph.ProductShare{
			{DepartmentID: "D003-01", ProductID: "PR02", Share: 0.25},
			{DepartmentID: "D001-01", ProductID: "PR02", Share: 0.05},
			// 1.0 is a float that some servers return as an integer.
			{DepartmentID: "D002-01", ProductID: "PR01", Share: 1},
			{DepartmentID: "D001-01", ProductID: "PR01", Share: 0.4},
		},
		Users: []*kolgraph.User{
			{ID: "U02", Name: "Strategist Li", Role: "strategist", Territories: []string{"T1", "T2"}},
			{ID: "U01", Name: "陈经理", Role: "kam", Territories: []string{"T1"}},
			{ID: "U03", Name: "Viewer", Role: "viewer"},
		},
		Knows: []kolgraph.Knows{
			{UserID: "U01", HCPID: "P005", Strength: 0.5},
			{UserID: "U02", HCPID: "P006", Strength: 0.6},
			{UserID: "U01", HCPID: "P002", Strength: 0.8},
			{UserID: "U01", HCPID: "P001", Strength: 0.3},
		},
		Influences: []*kolgraph.Influence{
			inf("P010", "P001", 1.0, kolgraph.InfluenceCoAuthor, "co-authored 2023 guideline"),
			inf("P006", "P007", 0.9, kolgraph.InfluenceMentor, ""),
			inf("P001", "P006", 0.35, kolgraph.InfluenceSocietyPeer, "CSC board"),
			inf("P001", "P003", 0.6, kolgraph.InfluenceCommitteePeer, "P&T C001"),
			inf("P001", "P002", 0.9, kolgraph.InfluenceReportsTo, "P002 reports to P001"),
			inf("P003", "P001", 0.4, kolgraph.InfluenceCommitteePeer, "P&T C001"),
			inf("P009", "P003", 0.8, kolgraph.InfluenceReportsTo, ""),
			inf("P009", "P001", 0.7, kolgraph.InfluenceReportsTo, ""),
			inf("P002", "P004", 0.3, kolgraph.InfluenceReferral, "referrals 2023"),
			inf("P004", "P010", 0.5, kolgraph.InfluenceMentor, ""),
			inf("P004", "P005", 0.8, kolgraph.InfluenceReportsTo, ""),
			inf("P008", "P006", 0.5, kolgraph.InfluenceCommitteePeer, "P&T C003"),
		},
	}
}

func inf(from, to string, w float64, kind, evidence string) *kolgraph.Influence {
	return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kind, Evidence: evidence, UpdatedAt: fixtureTime}
}
