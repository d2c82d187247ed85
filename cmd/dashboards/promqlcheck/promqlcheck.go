// Package promqlcheck reads the PromQL of the committed Grafana dashboards
// and Prometheus rules so that tests can parse it, list the metrics it names
// and evaluate it. It is used by the tests of cmd/dashboards and cmd/pilotd.
package promqlcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// Query is one PromQL expression and where it was found.
type Query struct {
	File  string // base name of the dashboard or rule file
	Where string // panel title and refId, variable name or rule name
	Expr  string // as written, Grafana variables and all
	// Variable marks the selector of a variable's label_values: it lists
	// label values and is not drawn, so replicas need no aggregation.
	Variable bool
}

func (q Query) String() string { return q.File + ": " + q.Where + ": " + q.Expr }

// DashboardDir is the folder of the committed dashboards relative to the
// repository root.
var DashboardDir = filepath.Join("deploy", "grafana", "dashboards")

// DashboardQueries returns the expression of every target of every panel
// (rows' nested panels included) and the metric selector of every query
// variable of the *.json dashboards in dir, in file and panel order.
func DashboardQueries(dir string) ([]Query, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []Query
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var d struct {
			Panels     []panel `json:"panels"`
			Templating struct {
				List []struct {
					Type  string `json:"type"`
					Name  string `json:"name"`
					Query any    `json:"query"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		name := filepath.Base(path)
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				for _, t := range p.Targets {
					out = append(out, Query{File: name, Where: fmt.Sprintf("panel %q target %s", p.Title, t.RefID), Expr: t.Expr})
				}
				walk(p.Panels)
			}
		}
		walk(d.Panels)
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			q, ok := v.Query.(string)
			if !ok {
				if m, isMap := v.Query.(map[string]any); isMap {
					q, _ = m["query"].(string)
				}
			}
			expr, err := variableSelector(q)
			if err != nil {
				return nil, fmt.Errorf("%s: variable %s: %w", name, v.Name, err)
			}
			out = append(out, Query{File: name, Where: "variable " + v.Name, Expr: expr, Variable: true})
		}
	}
	return out, nil
}

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

var labelValues = regexp.MustCompile(`^\s*label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)
var queryResult = regexp.MustCompile(`^\s*query_result\((.+)\)\s*$`)

// variableSelector is the PromQL inside a Grafana Prometheus variable query:
// label_values(SELECTOR, label) or query_result(EXPR). Other forms (such as
// label_values(label) over every metric) are refused: they name no metric
// that could be checked.
func variableSelector(q string) (string, error) {
	if m := labelValues.FindStringSubmatch(q); m != nil {
		return m[1], nil
	}
	if m := queryResult.FindStringSubmatch(q); m != nil {
		return m[1], nil
	}
	return "", fmt.Errorf("unsupported variable query %q", q)
}

// RuleQueries returns the expression of every rule of a Prometheus rule file.
func RuleQueries(path string) ([]Query, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Query
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out = append(out, Query{File: filepath.Base(path), Where: g.Name + "/" + r.Alert + r.Record, Expr: r.Expr})
		}
	}
	return out, nil
}

// Values are what tests put in place of Grafana's variables: a multi-value
// selection of two counties (as Grafana formats it for a regex matcher) and
// every replica.
var Values = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "1m",
	"__range":         "1d",
	"__range_s":       "86400",
	"county":          "(340102|340103)",
	"instance":        ".*",
}

var variable = regexp.MustCompile(`\$\{([a-zA-Z0-9_]+)(?::[a-zA-Z]+)?\}|\$([a-zA-Z0-9_]+)|\[\[([a-zA-Z0-9_]+)\]\]`)

// Concrete replaces Grafana's variables in expr by values; a variable
// without a value is an error.
func Concrete(expr string, values map[string]string) (string, error) {
	var missing []string
	out := variable.ReplaceAllStringFunc(expr, func(m string) string {
		sub := variable.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no value for Grafana variable(s) %s in %q", strings.Join(missing, ", "), expr)
	}
	return out, nil
}

// Parse parses a concrete expression as PromQL (the parser's default
// options: no experimental functions).
func Parse(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(expr)
}

// MetricNames lists the metric names the expression selects, sorted and
// without repeats. A selector without a fixed name (a regex on __name__) is
// an error: what it selects cannot be checked.
func MetricNames(expr parser.Expr) ([]string, error) {
	seen := map[string]bool{}
	var err error
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName {
				if m.Type != labels.MatchEqual {
					err = fmt.Errorf("selector %s has no fixed metric name", vs)
				}
				name = m.Value
			}
		}
		if name != "" {
			seen[name] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// AddMatcher returns expr with name=value added to every selector, printed
// back as PromQL.
func AddMatcher(expr parser.Expr, name, value string) (string, error) {
	m, err := labels.NewMatcher(labels.MatchEqual, name, value)
	if err != nil {
		return "", err
	}
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			vs.LabelMatchers = append(vs.LabelMatchers, m)
		}
		return nil
	})
	return expr.String(), nil
}

// DatabaseGauges are the gauges the service reads from the database at
// scrape time: every replica reports the same value (README, Decisions).
var DatabaseGauges = []string{
	"pilot_cases_open", "pilot_cases_due_soon", "pilot_cases_overdue",
	"pilot_disclosure_review_backlog", "pilot_disclosure_overdue",
	"pilot_info_requests_open", "pilot_info_requests_due_soon", "pilot_info_requests_overdue",
	"pilot_job_last_success_timestamp_seconds", "pilot_job_last_duration_seconds",
	"pilot_calendar_year_loaded",
	"pilot_ratings", "pilot_ratings_satisfied", "pilot_rectifications_open", "pilot_rectifications_overdue",
	"pilot_inspections_assigned", "pilot_inspection_rectifications_open", "pilot_inspection_rectifications_overdue",
	"pilot_inspection_results_unpublished_overdue",
	"pilot_publicity_pending", "pilot_publicity_overdue",
	"pilot_penalty_cases_open", "pilot_penalty_cases_overdue", "pilot_penalty_payments_overdue", "pilot_penalty_fines_decided_yuan",
	"pilot_penalty_enforcement_overdue",
	"pilot_onspot_decisions", "pilot_onspot_unfiled", "pilot_onspot_deposits_overdue",
}

// IsDatabaseGauge tells whether name is one of DatabaseGauges.
func IsDatabaseGauge(name string) bool {
	for _, g := range DatabaseGauges {
		if g == name {
			return true
		}
	}
	return false
}

// isCounterSeries tells a counter or a histogram's cumulative series by name.
func isCounterSeries(name string) bool {
	for _, suffix := range []string{"_total", "_bucket", "_sum", "_count"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// CheckAggregation finds what would count a replica's figures more than
// once or read a counter raw: a database gauge whose nearest enclosing
// aggregation is not max or min (sum, avg or count across replicas, or no
// aggregation at all, which shows one series per replica), and a counter or
// histogram series that is not the range of rate, irate or increase.
func CheckAggregation(expr parser.Expr) []error {
	var errs []error
	parser.Inspect(expr, func(node parser.Node, path []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		switch {
		case IsDatabaseGauge(vs.Name):
			var agg *parser.AggregateExpr
			for i := len(path) - 1; i >= 0 && agg == nil; i-- {
				agg, _ = path[i].(*parser.AggregateExpr)
			}
			if agg == nil || (agg.Op != parser.MAX && agg.Op != parser.MIN) {
				errs = append(errs, fmt.Errorf("%s is read from the database and identical on every replica: aggregate it with max (by county), not %s", vs, aggName(agg)))
			}
		case isCounterSeries(vs.Name):
			ok := false
			if n := len(path); n >= 2 {
				if _, isRange := path[n-1].(*parser.MatrixSelector); isRange {
					if call, isCall := path[n-2].(*parser.Call); isCall {
						switch call.Func.Name {
						case "rate", "irate", "increase":
							ok = true
						}
					}
				}
			}
			if !ok {
				errs = append(errs, fmt.Errorf("%s is a counter: use it in rate() or increase() (then sum across replicas)", vs))
			}
		}
		return nil
	})
	return errs
}

func aggName(agg *parser.AggregateExpr) string {
	if agg == nil {
		return "no aggregation"
	}
	return agg.Op.String()
}
