// Command dashboards writes the Grafana dashboards of the service, built in Go
// with grafana-foundation-sdk, as JSON files that Grafana provisions on start:
//
//	go run ./cmd/dashboards                 # writes deploy/grafana/dashboards/*.json
//	go run ./cmd/dashboards -out DIR        # somewhere else
//
// The files are committed; a test fails when they differ from what this
// command generates, when a query does not parse as PromQL, or when a query
// names a metric the service does not export.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", filepath.Join("deploy", "grafana", "dashboards"), "folder to write the dashboard JSON files to")
	flag.Parse()
	files, err := render()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dashboards:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "dashboards:", err)
		os.Exit(1)
	}
	for _, f := range files {
		path := filepath.Join(*out, f.Name)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "dashboards:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}
