package printout

import (
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/xuri/excelize/v2"
)

// TaskSheetName is the name of the task list's worksheet.
const TaskSheetName = "Danh sách công việc"

// TaskRow is one task of an exported list.
type TaskRow struct {
	ID        int64
	Title     string
	Assigner  string
	Lead      string
	Cooperate string
	StartDate time.Time // calendar dates
	DueDate   time.Time
	Status    string // Vietnamese
	Progress  int    // 0–100
	Priority  string // Vietnamese
	Overdue   bool
	Source    string // Vietnamese, with the document's symbol when known
	Result    string
}

// TaskSheet is an exported task list; Rows are consumed once, in order.
type TaskSheet struct {
	Title string // e.g. "Việc của tôi"
	Rows  iter.Seq2[TaskRow, error]
}

var taskColumns = []struct {
	title string
	width float64
}{
	{"STT", 6}, {"Mã", 8}, {"Tên công việc", 50}, {"Người giao", 22}, {"Chủ trì", 24}, {"Phối hợp", 28},
	{"Ngày giao", 12}, {"Hạn hoàn thành", 13}, {"Trạng thái", 16}, {"Tiến độ (%)", 10}, {"Độ ưu tiên", 12},
	{"Nguồn giao việc", 26}, {"Kết quả", 40},
}

// TasksXLSX writes the tasks as an XLSX workbook: a title line, a bold
// frozen header, then one row per task with dates as Excel dates
// (dd/mm/yyyy) and overdue due dates in red. Rows are streamed.
func TasksXLSX(w io.Writer, s TaskSheet) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TaskSheetName); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: oneLine(s.Title), Creator: "Vanthu", Language: "vi-VN"}); err != nil {
		return err
	}
	border := []excelize.Border{
		{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1},
	}
	font := &excelize.Font{Family: "Times New Roman", Size: 12}
	style := func(st excelize.Style) int {
		if st.Font == nil {
			st.Font = font
		}
		if st.Border == nil {
			st.Border = border
		}
		id, err := f.NewStyle(&st)
		if err != nil {
			panic(fmt.Sprintf("printout: bad sheet style: %v", err)) // constant styles: a bug, not input
		}
		return id
	}
	dateFmt := "dd/mm/yyyy"
	var (
		titleStyle = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 14, Bold: true}, Border: []excelize.Border{}})
		header     = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
		text   = style(excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		number = style(excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
		date   = style(excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
		late   = style(excelize.Style{CustomNumFmt: &dateFmt, Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true, Color: "B42318"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	)
	sw, err := f.NewStreamWriter(TaskSheetName)
	if err != nil {
		return err
	}
	for i, c := range taskColumns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A3", ActiveCell: "A3", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: titleStyle, Value: oneLine(s.Title)}}, excelize.RowOpts{Height: 24}); err != nil {
		return err
	}
	head := make([]any, len(taskColumns))
	for i, c := range taskColumns {
		head[i] = excelize.Cell{StyleID: header, Value: c.title}
	}
	if err := sw.SetRow("A2", head, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	str := func(v string) excelize.Cell { return excelize.Cell{StyleID: text, Value: clean(v)} }
	day := func(t time.Time, st int) excelize.Cell {
		if t.IsZero() {
			return excelize.Cell{StyleID: st}
		}
		y, m, d := t.Date()
		return excelize.Cell{StyleID: st, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	}
	row := 3
	n := 0
	values := make([]any, len(taskColumns))
	for r, err := range s.Rows {
		if err != nil {
			return err
		}
		n++
		dueStyle := date
		if r.Overdue {
			dueStyle = late
		}
		values[0] = excelize.Cell{StyleID: number, Value: n}
		values[1] = excelize.Cell{StyleID: number, Value: r.ID}
		values[2] = str(oneLine(r.Title))
		values[3] = str(oneLine(r.Assigner))
		values[4] = str(oneLine(r.Lead))
		values[5] = str(oneLine(r.Cooperate))
		values[6] = day(r.StartDate, date)
		values[7] = day(r.DueDate, dueStyle)
		values[8] = str(r.Status)
		values[9] = excelize.Cell{StyleID: number, Value: r.Progress}
		values[10] = str(r.Priority)
		values[11] = str(oneLine(r.Source))
		values[12] = str(r.Result)
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
		row++
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
