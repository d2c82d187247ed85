package catalog

// basicCatalog is the national basic catalog of the 2011 notice's attachment
// (县级政府依托电子政务平台开展政务公开和政务服务事项基本目录, the parts on work
// safety): category 1, the government-information items 1–20, and category 2,
// the work-safety administrative powers 274–284. Names are exactly the notice's.
var basicCatalog = []BasicItem{
	{Code: "1", Category: CategoryInformation, Name: "行政法规、规章和规范性文件"},
	{Code: "2", Category: CategoryInformation, Name: "国民经济和社会发展规划、专项计划、区域规划及相关政策"},
	{Code: "3", Category: CategoryInformation, Name: "国民经济和社会发展统计信息"},
	{Code: "4", Category: CategoryInformation, Name: "财政预算、决算报告"},
	{Code: "5", Category: CategoryInformation, Name: "行政事业性收费的项目、依据、标准"},
	{Code: "6", Category: CategoryInformation, Name: "政府集中采购项目的目录、标准及实施情况"},
	{Code: "7", Category: CategoryInformation, Name: "行政许可的事项、依据、条件、数量、程序、期限以及申请行政许可需要提交的全部材料目录及办理情况"},
	{Code: "8", Category: CategoryInformation, Name: "重大建设项目的批准和实施情况"},
	{Code: "9", Category: CategoryInformation, Name: "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"},
	{Code: "10", Category: CategoryInformation, Name: "突发公共事件的应急预案、预警信息及应对情况"},
	{Code: "11", Category: CategoryInformation, Name: "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"},
	{Code: "12", Category: CategoryInformation, Name: "城乡建设和管理的重大事项"},
	{Code: "13", Category: CategoryInformation, Name: "社会公益事业建设情况"},
	{Code: "14", Category: CategoryInformation, Name: "征收或者征用土地、房屋拆迁及其补偿、补助费用的发放、使用情况"},
	{Code: "15", Category: CategoryInformation, Name: "抢险救灾、优抚、社会捐助、彩票公益金等款物的管理、使用和分配情况"},
	{Code: "16", Category: CategoryInformation, Name: "贯彻落实国家关于农村工作政策情况"},
	{Code: "17", Category: CategoryInformation, Name: "乡（镇）土地利用总体规划、宅基地使用的审核情况"},
	{Code: "18", Category: CategoryInformation, Name: "乡（镇）的债权债务、筹资筹劳情况"},
	{Code: "19", Category: CategoryInformation, Name: "乡（镇）集体企业及其他乡镇经济实体承包、租赁、拍卖等情况"},
	{Code: "20", Category: CategoryInformation, Name: "执行计划生育政策情况"},
	{Code: "274", Category: CategoryPower, Name: "烟花爆竹经营（零售）许可证核发"},
	{Code: "275", Category: CategoryPower, Name: "依法由县级政府办理的危险化学品经营（不包括有储存设施的）许可证核发"},
	{Code: "276", Category: CategoryPower, Name: "第三类非药品类易制毒化学品经营备案"},
	{Code: "277", Category: CategoryPower, Name: "矿山建设项目和用于生产、储存危险物品的建设项目安全设施设计审查"},
	{Code: "278", Category: CategoryPower, Name: "矿山建设项目和用于生产、储存危险物品的建设项目安全设施竣工验收"},
	{Code: "279", Category: CategoryPower, Name: "职业病危害严重的建设项目职业病防护设施设计审查"},
	{Code: "280", Category: CategoryPower, Name: "建设项目职业病防护设施竣工验收"},
	{Code: "281", Category: CategoryPower, Name: "生产经营单位安全生产事故应急救援预案备案"},
	{Code: "282", Category: CategoryPower, Name: "用人单位职业病危害项目申报"},
	{Code: "283", Category: CategoryPower, Name: "重大危险源备案"},
	{Code: "284", Category: CategoryPower, Name: "职业病危害预评价报告审核"},
}
