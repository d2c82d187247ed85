package main

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// countyMatch limits a selector to the counties chosen in $county.
const countyMatch = `county=~"$county"`

// countyGauge is a gauge read from the database, per county. Every replica
// reports the same value, so max keeps it once where sum would multiply it
// by the number of replicas.
func countyGauge(metric string) string {
	return fmt.Sprintf("max by (county) (%s)", sel(metric, countyMatch))
}

// selectedGauge adds countyGauge up over the selected counties (different
// counties, never different replicas of one county).
func selectedGauge(metric string) string {
	return fmt.Sprintf("sum(%s)", countyGauge(metric))
}

// counterIncrease is what all replicas counted in window: each counts only
// what it did itself, so the replicas are summed.
func counterIncrease(by, metric, window string, matchers ...string) string {
	return sumBy(by, fmt.Sprintf("increase(%s[%s])", sel(metric, matchers...), window))
}

// sumBy is sum(expr), or sum by (by) (expr) when by is set.
func sumBy(by, expr string) string {
	if by == "" {
		return "sum(" + expr + ")"
	}
	return "sum by (" + by + ") (" + expr + ")"
}

func completedIn(timeliness, window string) string {
	return fmt.Sprintf("increase(%s[%s])", sel("pilot_cases_completed_total", countyMatch, `timeliness="`+timeliness+`"`), window)
}

// onTimeRate is on_time / (on_time + late) of the cases delivered within
// window, grouped by by ("" for the whole selection). A county whose
// deliveries were all late has no on_time series: "or 0 * late" makes its
// rate 0 rather than missing. Where nothing was delivered there is no rate.
func onTimeRate(by, window string) string {
	return fmt.Sprintf("%s / (%s > 0)",
		sumBy(by, completedIn("on_time", window)+" or 0 * "+completedIn("late", window)),
		counterIncrease(by, "pilot_cases_completed_total", window, countyMatch, `timeliness=~"on_time|late"`))
}

// processingQuantile is the q-quantile of working days from receipt to
// decision per catalog item, over window (the histogram has no county label).
func processingQuantile(q, window string) string {
	return fmt.Sprintf("histogram_quantile(%s, sum by (le, item) (rate(pilot_case_processing_workdays_bucket[%s])))", q, window)
}

func processingMean(window string) string {
	return fmt.Sprintf("sum by (item) (rate(pilot_case_processing_workdays_sum[%s])) / sum by (item) (rate(pilot_case_processing_workdays_count[%s]))", window, window)
}

const (
	descGauge = "在办、临近到期和超期件数在每次采集时从数据库读取，各副本数值相同：按县取 max，不跨副本相加。"
	descRate  = "按时办结率 = 按时办结 ÷（按时办结 + 超期办结），来自 pilot_cases_completed_total 在时间窗内的增量（各副本计数相加）。"
	descItem  = "办理用时（工作日，自收件至作出决定）只按事项统计，不分县，不受“县（区）”选择影响。"
)

// timelinessDashboard is the province leadership's view of the counties.
func timelinessDashboard() *dashboard.DashboardBuilder {
	ids := &panelIDs{}
	b := dashboard.NewDashboardBuilder("试点县办件时效（全省）").
		Uid("pilot-province-timeliness").
		Description("各试点县行政权力事项办件的按时办结率、超期与临近到期、在办件、办理用时，以及政务公开与依申请公开的积压。").
		Tags([]string{"safetypilot", "timeliness"}).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Time("now-30d", "now").
		Timezone("Asia/Shanghai").
		Refresh("5m").
		WithVariable(datasourceVariable()).
		WithVariable(multiVariable("county", "县（区）", "label_values(pilot_cases_open, county)"))

	b.WithRow(dashboard.NewRowBuilder("总览（所选县区、所选时间范围）").Id(ids.next()))
	b.WithPanel(stat.NewPanelBuilder().Id(ids.next()).Title("按时办结率").Description(descRate).
		Span(4).Height(5).Unit(units.PercentUnit).Decimals(1).Min(0).Max(1).
		Thresholds(lowIsBad(0.9, 0.95)).
		ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto).GraphMode(common.BigValueGraphModeNone).
		WithTarget(instant("A", onTimeRate("", "$__range"), "按时办结率")))
	b.WithPanel(stat.NewPanelBuilder().Id(ids.next()).Title("办结件数").
		Description("所选时间范围内办结（送达）的办件数，各副本计数相加。").
		Span(4).Height(5).Unit(units.Short).Decimals(0).
		Thresholds(thresholds("blue")).ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto).GraphMode(common.BigValueGraphModeNone).
		WithTarget(instant("A", "round("+counterIncrease("", "pilot_cases_completed_total", "$__range", countyMatch)+")", "办结")))
	b.WithPanel(stat.NewPanelBuilder().Id(ids.next()).Title("收件数").
		Description("所选时间范围内收件数，各副本计数相加。").
		Span(4).Height(5).Unit(units.Short).Decimals(0).
		Thresholds(thresholds("blue")).ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto).GraphMode(common.BigValueGraphModeNone).
		WithTarget(instant("A", "round("+counterIncrease("", "pilot_cases_received_total", "$__range", countyMatch)+")", "收件")))
	for _, g := range []struct {
		title, metric string
		colors        *dashboard.ThresholdsConfigBuilder
	}{
		{"在办件", "pilot_cases_open", thresholds("blue")},
		{"临近到期", "pilot_cases_due_soon", thresholds("green", step(1, "yellow"))},
		{"已超期", "pilot_cases_overdue", thresholds("green", step(1, "red"))},
	} {
		b.WithPanel(stat.NewPanelBuilder().Id(ids.next()).Title(g.title).Description(descGauge).
			Span(4).Height(5).Unit(units.Short).Decimals(0).Thresholds(g.colors).
			ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto).GraphMode(common.BigValueGraphModeArea).
			WithTarget(query("A", selectedGauge(g.metric), g.title)))
	}

	b.WithRow(dashboard.NewRowBuilder("各县（区）情况").Id(ids.next()))
	b.WithPanel(table.NewPanelBuilder().Id(ids.next()).Title("各县（区）办件一览").
		Description(descGauge+descRate).
		Span(24).Height(8).Footer(noFooter()).
		Targets(targets(
			tableQuery("A", countyGauge("pilot_cases_open")),
			tableQuery("B", countyGauge("pilot_cases_due_soon")),
			tableQuery("C", countyGauge("pilot_cases_overdue")),
			tableQuery("D", "round("+counterIncrease("county", "pilot_cases_completed_total", "$__range", countyMatch)+")"),
			tableQuery("E", onTimeRate("county", "$__range")),
		)).
		Transformations(mergeColumns(nil, "在办件", "临近到期", "已超期", "办结件数", "按时办结率")).
		OverrideByName("按时办结率", append(unitOverride(units.PercentUnit),
			dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: map[string]any{"type": "color-background"}},
			dashboard.DynamicConfigValue{Id: "thresholds", Value: map[string]any{"mode": "absolute", "steps": []any{
				map[string]any{"value": nil, "color": "red"}, map[string]any{"value": 0.9, "color": "yellow"},
				map[string]any{"value": 0.95, "color": "green"}}}})).
		OverrideByName("已超期", []dashboard.DynamicConfigValue{
			{Id: "custom.cellOptions", Value: map[string]any{"type": "color-text"}},
			{Id: "thresholds", Value: map[string]any{"mode": "absolute", "steps": []any{
				map[string]any{"value": nil, "color": "green"}, map[string]any{"value": 1, "color": "red"}}}}}))
	b.WithPanel(bargauge.NewPanelBuilder().Id(ids.next()).Title("各县（区）按时办结率").Description(descRate).
		Span(8).Height(9).Unit(units.PercentUnit).Decimals(1).Min(0).Max(1).
		Thresholds(lowIsBad(0.9, 0.95)).Orientation(common.VizOrientationHorizontal).
		DisplayMode(common.BarGaugeDisplayModeGradient).ReduceOptions(lastValue()).
		WithTarget(instant("A", onTimeRate("county", "$__range"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("各县（区）超期件").Description(descGauge).
		Span(8).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		WithTarget(query("A", countyGauge("pilot_cases_overdue"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("各县（区）临近到期件").Description(descGauge).
		Span(8).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		WithTarget(query("A", countyGauge("pilot_cases_due_soon"), "{{county}}")))

	b.WithRow(dashboard.NewRowBuilder("趋势").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("按时办结率（近 7 天滚动）").
		Description(descRate + "每个点是此前 7 天内办结的办件。").
		Span(12).Height(9).Unit(units.PercentUnit).Min(0).Max(1).Legend(tableLegend()).
		Thresholds(lowIsBad(0.9, 0.95)).
		WithTarget(query("A", onTimeRate("county", "7d"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("每日收件与办结").
		Description("此前 24 小时的收件数和办结数（所选县区合计，各副本计数相加）。").
		Span(12).Height(9).Unit(units.Short).Min(0).Legend(tableLegend()).Interval("1h").
		Targets(targets(
			query("A", counterIncrease("", "pilot_cases_received_total", "1d", countyMatch), "收件"),
			query("B", counterIncrease("", "pilot_cases_completed_total", "1d", countyMatch, `timeliness="on_time"`), "按时办结"),
			query("C", counterIncrease("", "pilot_cases_completed_total", "1d", countyMatch, `timeliness="late"`), "超期办结"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("在办件（按县区）").Description(descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		WithTarget(query("A", countyGauge("pilot_cases_open"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("办理用时 P90（按事项，近 7 天滚动）").Description(descItem).
		Span(12).Height(9).Unit("工作日").Min(0).Legend(tableLegend()).
		WithTarget(query("A", processingQuantile("0.9", "7d"), "事项 {{item}}")))

	b.WithRow(dashboard.NewRowBuilder("办理用时（按事项，所选时间范围）").Id(ids.next()))
	b.WithPanel(table.NewPanelBuilder().Id(ids.next()).Title("办理用时（工作日）").Description(descItem+"分位数由直方图估算。").
		Span(24).Height(8).Decimals(1).Footer(noFooter()).
		Targets(targets(
			tableQuery("A", processingQuantile("0.5", "$__range")),
			tableQuery("B", processingQuantile("0.9", "$__range")),
			tableQuery("C", processingQuantile("0.95", "$__range")),
			tableQuery("D", processingMean("$__range")),
			tableQuery("E", "round(sum by (item) (increase(pilot_case_processing_workdays_count[$__range])))"),
		)).
		Transformations(mergeColumns(nil, "P50", "P90", "P95", "平均", "办结件数")).
		OverrideByName("item", []dashboard.DynamicConfigValue{{Id: "displayName", Value: "事项编码"}}).
		OverrideByName("办结件数", []dashboard.DynamicConfigValue{{Id: "decimals", Value: 0}}))

	b.WithRow(dashboard.NewRowBuilder("政务公开与依申请公开").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("待保密审查的公开信息").
		Description("等待保密审查（一审或二审）的公开信息条数。" + descGauge).
		Span(8).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		WithTarget(query("A", countyGauge("pilot_disclosure_review_backlog"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("逾期未公开的主动公开信息").
		Description("形成后超过 20 个工作日仍未公开的主动公开信息。" + descGauge).
		Span(8).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(1, "red"))).
		WithTarget(query("A", countyGauge("pilot_disclosure_overdue"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("依申请公开：待答复、临近到期、已超期").
		Description("所选县区合计。" + descGauge).
		Span(8).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", selectedGauge("pilot_info_requests_open"), "待答复"),
			query("B", selectedGauge("pilot_info_requests_due_soon"), "临近到期"),
			query("C", selectedGauge("pilot_info_requests_overdue"), "已超期"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("双公示：待公示、已超期").
		Description("准予行政许可和行政处罚决定，应在决定后 7 个工作日内公示。所选县区合计。" + descGauge).
		Span(8).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(1, "red"))).
		Targets(targets(
			query("A", selectedGauge("pilot_publicity_pending"), "待公示"),
			query("B", selectedGauge("pilot_publicity_overdue"), "已超期"),
		)))

	b.WithRow(dashboard.NewRowBuilder("政务服务好差评").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("满意率（按县区）").
		Description("评价为非常满意、满意、基本满意的件数 ÷ 评价总数；经省级申诉复核剔除的评价不计。尚无评价的县区没有数值。" + descGauge).
		Span(12).Height(9).Unit(units.PercentUnit).Min(0).Max(1).Legend(tableLegend()).
		Thresholds(lowIsBad(0.9, 0.95)).
		WithTarget(query("A", satisfactionRate(), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("差评整改：整改中、已超期").
		Description("“不满意”“非常不满意”评价的整改，期限为评价后 15 个工作日。所选县区合计。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", selectedGauge("pilot_rectifications_open"), "整改中"),
			query("B", selectedGauge("pilot_rectifications_overdue"), "已超期"),
		)))

	b.WithRow(dashboard.NewRowBuilder("双随机抽查").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("责令限期整改：待复查、已超期").
		Description("双随机抽查中责令限期整改、尚未复查的检查；整改期限届满仍未复查的为已超期。所选县区合计。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", selectedGauge("pilot_inspection_rectifications_open"), "待复查"),
			query("B", selectedGauge("pilot_inspection_rectifications_overdue"), "已超期"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("待检查与逾期未公开的抽查结果").
		Description("已抽取尚未记录的检查，以及检查结束后超过 20 个工作日仍未公开的结果。所选县区合计。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(1, "red"))).
		Targets(targets(
			query("A", selectedGauge("pilot_inspections_assigned"), "待检查"),
			query("B", selectedGauge("pilot_inspection_results_unpublished_overdue"), "逾期未公开"),
		)))
	b.WithRow(dashboard.NewRowBuilder("行政处罚").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("行政处罚：办理中、超过决定期限").
		Description("尚未作出决定的处罚案件，及其中超过决定期限（立案之日起九十日，经批准延长的按延长后期限；《行政处罚法》第六十条）的件数。所选县区合计。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", selectedGauge("pilot_penalty_cases_open"), "办理中"),
			query("B", selectedGauge("pilot_penalty_cases_overdue"), "超过决定期限"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("逾期未缴纳罚款（按县区）").
		Description("已送达的处罚决定中，超过缴款期限（收到决定书之日起十五日，第六十七条）仍未缴纳罚款的件数；逾期每日加处3%罚款（第七十二条）。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(1, "red"))).
		WithTarget(query("A", countyGauge("pilot_penalty_payments_overdue"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("罚款逾期未申请法院强制执行（按县区）").
		Description("罚款未缴纳、已超过申请人民法院强制执行期限（当事人起诉期限六个月届满后三个月内，《行政强制法》第五十三条）仍未申请的件数；有行政复议或诉讼的不计。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(1, "red"))).
		WithTarget(query("A", countyGauge("pilot_penalty_enforcement_overdue"), "{{county}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("当场处罚：决定、待备案").
		Description("简易程序当场作出的行政处罚决定（《行政处罚法》第五十一条），及其中尚未报所属行政机关确认备案（第五十二条第三款）的件数。所选县区合计。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", selectedGauge("pilot_onspot_decisions"), "当场处罚决定"),
			query("B", selectedGauge("pilot_onspot_unfiled"), "待备案"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("当场收缴罚款逾期未缴付（按县区）").
		Description("当场收缴的罚款未在收缴之日起二个工作日内交至行政机关，或交至后二个工作日内未缴付指定银行（第七十一条、第八十五条）的件数，以超期检查亮红灯为准。" + descGauge).
		Span(12).Height(9).Unit(units.Short).Decimals(0).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(1, "red"))).
		WithTarget(query("A", countyGauge("pilot_onspot_deposits_overdue"), "{{county}}")))
	return b
}

// satisfactionRate is satisfied / ratings per county (好差评 满意率); a county
// without ratings has no rate rather than 0.
func satisfactionRate() string {
	return fmt.Sprintf("%s / (%s > 0)", countyGauge("pilot_ratings_satisfied"), countyGauge("pilot_ratings"))
}

// lowIsBad colours a rate red below bad, yellow below good and green above.
func lowIsBad(bad, good float64) *dashboard.ThresholdsConfigBuilder {
	return thresholds("red", step(bad, "yellow"), step(good, "green"))
}
