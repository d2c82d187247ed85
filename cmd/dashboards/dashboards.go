package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// file is one generated dashboard.
type file struct {
	Name string
	Data []byte
}

// render builds every dashboard and encodes it the way it is committed.
func render() ([]file, error) {
	var out []file
	for _, d := range []struct {
		name  string
		build func() *dashboard.DashboardBuilder
	}{
		{"pilot-province-timeliness.json", timelinessDashboard},
		{"pilot-service-health.json", serviceDashboard},
	} {
		built, err := d.build().Build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.name, err)
		}
		// Every panel names the data source its targets use.
		for _, p := range built.Panels {
			if p.Panel != nil && p.Panel.Datasource == nil {
				ds := promDS
				p.Panel.Datasource = &ds
			}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // keep PromQL's <, > and & readable in the files
		enc.SetIndent("", "  ")
		if err := enc.Encode(built); err != nil {
			return nil, fmt.Errorf("%s: %w", d.name, err)
		}
		out = append(out, file{Name: d.name, Data: unescapeHTML(buf.Bytes())})
	}
	return out, nil
}

// unescapeHTML turns the \u003c, \u003e and \u0026 escapes that the SDK's
// own JSON encoding leaves in the queries back into <, > and &, so the files
// read like the PromQL they hold. An escaped backslash is copied as it is.
func unescapeHTML(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' || i+1 == len(data) {
			out = append(out, data[i])
			continue
		}
		if i+6 <= len(data) && data[i+1] == 'u' {
			switch string(data[i+2 : i+6]) {
			case "003c", "003C":
				out, i = append(out, '<'), i+5
				continue
			case "003e", "003E":
				out, i = append(out, '>'), i+5
				continue
			case "0026":
				out, i = append(out, '&'), i+5
				continue
			}
		}
		out, i = append(out, data[i], data[i+1]), i+1
	}
	return out
}

// The panels query the Prometheus data source chosen in the dashboard's
// datasource variable; Grafana's provisioning makes the bundled one the default.
var promDS = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

func datasourceVariable() *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder("datasource").Label("数据源").Type("prometheus")
}

// multiVariable is a label_values variable with "All" (matching every value).
func multiVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	all := "$__all"
	allText := "All"
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Definition(query).
		Current(dashboard.VariableOption{Selected: cog.ToPtr(true),
			Text: dashboard.StringOrArrayOfString{ArrayOfString: []string{allText}}, Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{all}}}).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc)
}

// query is a Prometheus target drawn over time.
func query(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(promDS).RefId(ref).Expr(expr).LegendFormat(legend).Range()
}

// instant is a Prometheus target evaluated once, at the end of the range.
func instant(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(promDS).RefId(ref).Expr(expr).LegendFormat(legend).Instant()
}

// table is an instant target whose result is shown as table columns.
func tableQuery(ref, expr string) *prometheus.DataqueryBuilder {
	return instant(ref, expr, "__auto").Format(prometheus.PromQueryFormatTable)
}

func targets(qs ...*prometheus.DataqueryBuilder) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], len(qs))
	for i, q := range qs {
		out[i] = q
	}
	return out
}

// step is a threshold: the colour from value up.
func step(value float64, color string) dashboard.Threshold {
	return dashboard.Threshold{Value: &value, Color: color}
}

// thresholds colours values with base below the first step.
func thresholds(base string, steps ...dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
		Steps(append([]dashboard.Threshold{{Value: nil, Color: base}}, steps...))
}

func tableLegend() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeTable).
		Placement(common.LegendPlacementBottom).ShowLegend(true).Calcs([]string{"lastNotNull", "max"})
}

func noFooter() *common.TableFooterOptionsBuilder {
	return common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"})
}

func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)
}

// mergeColumns joins table targets on their labels and names the value
// columns (Value #A, Value #B, … in target order).
func mergeColumns(hide []string, names ...string) []dashboard.DataTransformerConfig {
	rename := map[string]any{}
	for i, n := range names {
		rename["Value #"+string(rune('A'+i))] = n
	}
	exclude := map[string]any{"Time": true}
	for _, h := range hide {
		exclude[h] = true
	}
	return []dashboard.DataTransformerConfig{
		{Id: "merge", Options: map[string]any{}},
		{Id: "organize", Options: map[string]any{"excludeByName": exclude, "renameByName": rename}},
	}
}

func unitOverride(unit string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "unit", Value: unit}}
}

// panelIDs numbers the panels of one dashboard from 1.
type panelIDs struct{ n uint32 }

func (p *panelIDs) next() uint32 { p.n++; return p.n }

// sel is a selector of metric with the given matchers (each like county=~"$county").
func sel(metric string, matchers ...string) string {
	if len(matchers) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(matchers, ",") + "}"
}
