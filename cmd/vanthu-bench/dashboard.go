package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// measureDashboards times the leaders' dashboard over the whole seed: the
// JSON API and the HTML page (charts, tables) of the province leader for
// this year by month, the API over every year by week, and a commune
// leader's. Target: p95 <= 300 ms.
func measureDashboards(ctx context.Context, cfg *benchConfig, srv *server, c *client, leaderTok string) ([]result, error) {
	communeTok, err := srv.token(ctx, cfg, "bithu.xa1")
	if err != nil {
		return nil, err
	}
	allTime := url.Values{"from": {"2024-01-01"}, "period": {"week"}}.Encode()
	var out []result
	for _, sc := range []struct {
		name, tok, path string
		target          bool
	}{
		{"dashboard API, province, this year by month", leaderTok, "/api/v1/dashboard", true},
		{"dashboard page, province, this year by month", leaderTok, "/reports/dashboard", true},
		{"dashboard API, province, 2024 to today by week", leaderTok, "/api/v1/dashboard?" + allTime, true},
		{"dashboard page, province, 2024 to today by week", leaderTok, "/reports/dashboard?" + allTime, true},
		{"dashboard API, commune leader, this year", communeTok, "/api/v1/dashboard", true},
	} {
		logf("dashboard: GET %s (%d warm-up, %d measured)…", sc.path, cfg.warmup, cfg.requests)
		res, body, err := c.readScenario(ctx, sc.name, sc.tok, cfg.warmup, cfg.requests, func(int) string { return sc.path })
		if err != nil {
			return nil, err
		}
		if sc.target {
			res.Target = "p95 <= 300 ms"
			res.Pass = boolp(res.Errors == 0 && res.P95ms <= ms(targetDashP95))
		}
		var d struct {
			UnitsCounted int `json:"units_counted"`
			Totals       struct {
				Received, Done, Open int64
				Issued               int64
			} `json:"totals"`
			OverdueNow int64 `json:"overdue_now"`
			Series     []json.RawMessage
			ByPerson   []json.RawMessage `json:"by_person"`
		}
		if json.Unmarshal(body, &d) == nil {
			res.Note = fmt.Sprintf("%d units, %d received, %d done, %d open, %d issued, %d overdue now, %d periods, %d people",
				d.UnitsCounted, d.Totals.Received, d.Totals.Done, d.Totals.Open, d.Totals.Issued, d.OverdueNow, len(d.Series), len(d.ByPerson))
		} else {
			res.Note = fmt.Sprintf("%d KB of HTML", len(body)/1024)
		}
		out = append(out, res)
	}
	return out, nil
}
