package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/printout"
	"vanthu/internal/tasks"
)

// maxTaskExportRows bounds one export of the task list.
const maxTaskExportRows = 10000

// taskExportXLSX exports the task list with its tab and filters, in the
// list's order, as a spreadsheet.
func (s *Server) taskExportXLSX(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	vals := map[string]string{}
	for _, k := range taskFilterKeys {
		vals[k] = strings.TrimSpace(q.Get(k))
	}
	if vals["tab"] == "" {
		vals["tab"] = tasks.TabMine
	}
	f, err := taskFilter(vals)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.tasks.Count(ctx, sub, f, maxTaskExportRows+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if n > maxTaskExportRows {
		s.writeError(w, r, errTaskExportTooLarge)
		return
	}
	title := "Danh sách công việc"
	for _, t := range tasks.Tabs {
		if t.Key == f.Tab {
			title += " – " + t.Label
		}
	}
	today := tasks.Today()
	rows := 0
	sheet := printout.TaskSheet{Title: title + " (ngày " + today.Format("02/01/2006") + ")",
		Rows: func(yield func(printout.TaskRow, error) bool) {
			f.Limit, f.Cursor = 500, ""
			for {
				page, err := s.tasks.List(ctx, sub, f)
				if err != nil {
					yield(printout.TaskRow{}, err)
					return
				}
				for _, it := range page.Items {
					rows++
					if !yield(taskRow(it, today), nil) {
						return
					}
				}
				if page.NextCursor == "" {
					return
				}
				f.Cursor = page.NextCursor
			}
		}}
	var buf bytes.Buffer
	if err := printout.TasksXLSX(&buf, sheet); err != nil {
		s.writeError(w, r, err)
		return
	}
	details := map[string]any{"format": "xlsx", "rows": rows}
	for _, k := range taskFilterKeys {
		if v := vals[k]; v != "" {
			if len(v) > 200 {
				v = v[:200]
			}
			details[k] = v
		}
	}
	s.recordAudit(r, audit.Entry{Action: "task.export", Outcome: audit.OutcomeSuccess, ObjectType: "task", Details: details})
	writeDownload(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"Công việc "+today.Format("02-01-2006")+".xlsx", false, buf.Bytes())
}

var errTaskExportTooLarge = apperr.Invalid(fmt.Sprintf("Danh sách có hơn %s công việc, quá nhiều để xuất một lần: vui lòng lọc bớt (theo trạng thái, hạn hoặc nhóm).",
	groupThousands(maxTaskExportRows)), map[string]string{"status": "Vui lòng lọc bớt."})

func taskRow(it tasks.Item, today time.Time) printout.TaskRow {
	status := tasks.StatusLabel(it.Status)
	if it.Late() {
		status += " (muộn)"
	}
	return printout.TaskRow{ID: it.ID, Title: it.Title, Assigner: it.AssignerName, Lead: it.Lead, Cooperate: it.Cooperate,
		StartDate: it.StartDate, DueDate: it.DueDate, Status: status, Progress: it.Progress, Priority: tasks.PriorityLabel(it.Priority),
		Overdue: it.Overdue(today), Source: tasks.SourceLabel(it.Source), Result: it.Result}
}
