package main

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// instanceMatch limits a selector to the replicas chosen in $instance.
const instanceMatch = `instance=~"$instance"`

// probeRoutes are the routes of probes and scrapes: their answers (a 503 of
// /readyz while the database is away) are not errors users see.
const probeRoutes = `route!~"/metrics|/healthz|/readyz"`

// requestRate is the requests per second of all selected replicas (each
// replica counts its own requests, so they are summed).
func requestRate(by string, matchers ...string) string {
	return sumBy(by, fmt.Sprintf("rate(%s[$__rate_interval])", sel("pilot_http_requests_total", append([]string{instanceMatch}, matchers...)...)))
}

func latencyQuantile(q, by string) string {
	return fmt.Sprintf("histogram_quantile(%s, sum by (%s) (rate(%s[$__rate_interval])))",
		q, by, sel("pilot_http_request_duration_seconds_bucket", instanceMatch))
}

// serviceDashboard is the operators' view of the replicas.
func serviceDashboard() *dashboard.DashboardBuilder {
	ids := &panelIDs{}
	b := dashboard.NewDashboardBuilder("SafetyPilot 服务健康").
		Uid("pilot-service-health").
		Description("请求量、错误率、延迟、数据库连接池、定时任务和进程资源，按副本（instance）可选。").
		Tags([]string{"safetypilot", "service"}).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Time("now-6h", "now").
		Timezone("Asia/Shanghai").
		Refresh("1m").
		WithVariable(datasourceVariable()).
		WithVariable(multiVariable("instance", "副本", "label_values(pilot_http_requests_total, instance)"))

	b.WithRow(dashboard.NewRowBuilder("请求").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("请求速率（按状态码）").
		Description("各副本每秒请求数之和，按 HTTP 状态码。").
		Span(8).Height(8).Unit(units.RequestsPerSecond).Min(0).Legend(tableLegend()).
		WithTarget(query("A", requestRate("code"), "{{code}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("5xx 错误率").
		Description("5xx 应答占全部请求的比例（不含 /metrics、/healthz、/readyz）。告警 HighErrorRate 在 5% 以上持续 10 分钟时触发。").
		Span(8).Height(8).Unit(units.PercentUnit).Min(0).Legend(tableLegend()).
		Thresholds(thresholds("green", step(0.05, "red"))).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed)).
		WithTarget(query("A", fmt.Sprintf("%s / (%s > 0)", requestRate("", `code=~"5.."`, probeRoutes), requestRate("", probeRoutes)), "5xx 比例")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("延迟 P50 / P90 / P99").
		Description("所有路由的请求耗时分位数（由直方图估算）。").
		Span(8).Height(8).Unit(units.Seconds).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", latencyQuantile("0.5", "le"), "P50"),
			query("B", latencyQuantile("0.9", "le"), "P90"),
			query("C", latencyQuantile("0.99", "le"), "P99"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("最慢的 10 个路由（P90）").
		Span(12).Height(9).Unit(units.Seconds).Min(0).Legend(tableLegend()).
		WithTarget(query("A", "topk(10, "+latencyQuantile("0.9", "le, method, route")+")", "{{method}} {{route}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("请求最多的 10 个路由").
		Span(12).Height(9).Unit(units.RequestsPerSecond).Min(0).Legend(tableLegend()).
		WithTarget(query("A", "topk(10, "+requestRate("method, route")+")", "{{method}} {{route}}")))

	b.WithRow(dashboard.NewRowBuilder("数据库").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("数据库就绪（按副本）").
		Description("pilot_database_ready：采集时与 GET /readyz 同样的检查（数据库可达且迁移已是最新）通过为 1，否则为 0。告警 DatabaseNotReady。").
		Span(8).Height(8).Min(0).Max(1).Decimals(0).Legend(tableLegend()).
		Thresholds(thresholds("red", step(1, "green"))).
		WithTarget(query("A", "min by (instance) ("+sel("pilot_database_ready", instanceMatch)+")", "{{instance}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("连接池：使用中 / 空闲 / 上限").
		Description("每个副本各有自己的连接池（go_sql_*，db_name 为方言）。").
		Span(8).Height(8).Unit(units.Short).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", "sum by (instance) ("+sel("go_sql_in_use_connections", instanceMatch)+")", "{{instance}} 使用中"),
			query("B", "sum by (instance) ("+sel("go_sql_idle_connections", instanceMatch)+")", "{{instance}} 空闲"),
			query("C", "sum by (instance) ("+sel("go_sql_max_open_connections", instanceMatch)+")", "{{instance}} 上限"),
		)))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("连接池：等待").
		Description("每秒因连接池已满而等待连接的次数，以及每秒累计的等待时间。").
		Span(8).Height(8).Min(0).Legend(tableLegend()).
		Targets(targets(
			query("A", "sum by (instance) (rate("+sel("go_sql_wait_count_total", instanceMatch)+"[$__rate_interval]))", "{{instance}} 等待次数/秒"),
			query("B", "sum by (instance) (rate("+sel("go_sql_wait_duration_seconds_total", instanceMatch)+"[$__rate_interval]))", "{{instance}} 等待秒数/秒"),
		)))

	b.WithRow(dashboard.NewRowBuilder("定时任务").Id(ids.next()))
	b.WithPanel(stat.NewPanelBuilder().Id(ids.next()).Title("距上次成功").
		Description("pilot_job_last_success_timestamp_seconds 从数据库读取，各副本相同，取 max。超期扫描（overdue）每 5 分钟一次，15 分钟未成功即告警 OverdueJobNotSucceeding。").
		Span(8).Height(8).Unit(units.DurationSeconds).ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto).GraphMode(common.BigValueGraphModeNone).
		Thresholds(thresholds("blue")).
		OverrideByName("overdue", []dashboard.DynamicConfigValue{{Id: "thresholds", Value: map[string]any{"mode": "absolute",
			"steps": []any{map[string]any{"value": nil, "color": "green"}, map[string]any{"value": 900, "color": "red"}}}}}).
		WithTarget(instant("A", "time() - max by (job) (pilot_job_last_success_timestamp_seconds)", "{{job}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("任务运行（每小时，按结果）").
		Description("此前一小时各副本启动的任务运行次数之和（每个时刻只有一个副本运行某任务）。").
		Span(8).Height(8).Unit(units.Short).Min(0).Legend(tableLegend()).
		WithTarget(query("A", "sum by (job, status) (increase(pilot_job_runs_total[1h]))", "{{job}} {{status}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("上次成功运行的耗时").
		Span(8).Height(8).Unit(units.Seconds).Min(0).Legend(tableLegend()).
		WithTarget(query("A", "max by (job) (pilot_job_last_duration_seconds)", "{{job}}")))

	b.WithRow(dashboard.NewRowBuilder("进程").Id(ids.next()))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("CPU").
		Span(8).Height(8).Unit("percentunit").Min(0).Legend(tableLegend()).
		WithTarget(query("A", "rate("+sel("process_cpu_seconds_total", instanceMatch)+"[$__rate_interval])", "{{instance}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("常驻内存").
		Span(8).Height(8).Unit(units.BytesIEC).Min(0).Legend(tableLegend()).
		WithTarget(query("A", sel("process_resident_memory_bytes", instanceMatch), "{{instance}}")))
	b.WithPanel(timeseries.NewPanelBuilder().Id(ids.next()).Title("Goroutine").
		Span(8).Height(8).Unit(units.Short).Min(0).Legend(tableLegend()).
		WithTarget(query("A", sel("go_goroutines", instanceMatch), "{{instance}}")))
	return b
}
