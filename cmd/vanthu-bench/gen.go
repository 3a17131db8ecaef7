package main

// Realistic Vietnamese metadata for incoming documents of a provincial
// Party committee and its communes: types from the catalogue, subjects
// composed from the phrases clerks actually type, issuers from the unit
// tree and the provincial administration, symbols in the Party and State
// forms (96-CV/VPTU, 1234/UBND-VX).

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// docType is a document type of the catalogue with how often it arrives.
type docType struct {
	name, code string
	weight     float64
	leads      []string // how a clerk starts the subject of this type
}

var docTypes = []docType{
	{"Công văn", "CV", 30, []string{"Về việc ", "V/v ", "Về việc "}},
	{"Kế hoạch", "KH", 12, []string{"Kế hoạch ", "", "Kế hoạch "}},
	{"Báo cáo", "BC", 14, []string{"Báo cáo kết quả ", "Báo cáo tình hình ", "Báo cáo sơ kết ", "Báo cáo tổng kết ", ""}},
	{"Thông báo", "TB", 9, []string{"Thông báo kết luận của Ban Thường vụ Tỉnh ủy về ", "Thông báo ý kiến của Thường trực Tỉnh ủy về ", "Thông báo về "}},
	{"Giấy mời", "GM", 9, []string{"Mời dự hội nghị ", "Mời dự hội nghị trực tuyến ", "Mời dự buổi làm việc về "}},
	{"Quyết định", "QĐ", 7, []string{"Quyết định về việc ", "Về việc thành lập Ban Chỉ đạo ", "Về việc ban hành Quy chế "}},
	{"Hướng dẫn", "HD", 4, []string{"Hướng dẫn thực hiện ", "Hướng dẫn "}},
	{"Nghị quyết", "NQ", 2.5, []string{"Nghị quyết về ", "Nghị quyết chuyên đề về "}},
	{"Kết luận", "KL", 2.5, []string{"Kết luận về ", "Kết luận của Bộ Chính trị về "}},
	{"Tờ trình", "TTr", 2, []string{"Tờ trình về việc ", "Tờ trình đề nghị "}},
	{"Chương trình", "CTr", 2, []string{"Chương trình hành động thực hiện ", "Chương trình công tác về "}},
	{"Chỉ thị", "CT", 1, []string{"Chỉ thị về tăng cường sự lãnh đạo của Đảng đối với "}},
	{"Quy định", "QĐ", 1, []string{"Quy định về ", "Quy định thực hiện "}},
	{"Đề án", "ĐA", 1, []string{"Đề án ", "Đề án về "}},
	{"Thông tri", "TT", 0.5, []string{"Thông tri về "}},
	{"Biên bản", "BB", 0.5, []string{"Biên bản hội nghị ", "Biên bản làm việc về "}},
	{"Phương án", "PA", 0.5, []string{"Phương án ", "Phương án về "}},
}

// topic is what a document is about, from a day on (Nghị quyết 57 is
// dated 22/12/2024: nobody wrote about it in 2024).
type topic struct {
	text   string
	from   time.Time
	weight float64
}

func d(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, vnZone) }

var topics = []topic{
	{"triển khai Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia", d(2024, 12, 23), 6},
	{"đẩy mạnh chuyển đổi số trong các cơ quan Đảng", d(2024, 1, 1), 3},
	{"ứng dụng công nghệ thông tin, chuyển đổi số trong hoạt động của các cơ quan đảng, đoàn thể", d(2024, 1, 1), 2},
	{"thực hiện Đề án 06 về phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia", d(2024, 1, 1), 1.5},
	{"thực hiện nhiệm vụ chuyển đổi số, xây dựng chính quyền số", d(2024, 1, 1), 1.5},
	{"công tác xây dựng Đảng và hệ thống chính trị", d(2024, 1, 1), 6},
	{"phòng, chống tham nhũng, lãng phí, tiêu cực", d(2024, 1, 1), 5},
	{"công tác kiểm tra, giám sát và thi hành kỷ luật đảng", d(2024, 1, 1), 4},
	{"tổ chức đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng", d(2024, 6, 1), 4},
	{"lấy ý kiến góp ý dự thảo các văn kiện trình Đại hội XIV của Đảng", d(2025, 6, 1), 2},
	{"sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả theo Nghị quyết số 18-NQ/TW", d(2024, 11, 25), 4},
	{"tổ chức chính quyền địa phương hai cấp", d(2025, 4, 15), 3},
	{"triển khai Nghị quyết số 66-NQ/TW về đổi mới công tác xây dựng và thi hành pháp luật", d(2025, 5, 1), 1.5},
	{"triển khai Nghị quyết số 68-NQ/TW về phát triển kinh tế tư nhân", d(2025, 5, 5), 1.5},
	{"công tác phát triển đảng viên", d(2024, 1, 1), 3},
	{"công tác dân vận của hệ thống chính trị", d(2024, 1, 1), 2},
	{"đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh theo Chỉ thị số 05-CT/TW", d(2024, 1, 1), 2.5},
	{"bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch", d(2024, 1, 1), 2.5},
	{"công tác cán bộ, quy hoạch cán bộ lãnh đạo, quản lý", d(2024, 1, 1), 3},
	{"kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên", d(2024, 1, 1), 3},
	{"thu, nộp, quản lý và sử dụng đảng phí", d(2024, 1, 1), 1.5},
	{"công tác văn thư, lưu trữ và bảo vệ bí mật nhà nước", d(2024, 1, 1), 2},
	{"cải cách hành chính trong các cơ quan đảng", d(2024, 1, 1), 1.5},
	{"phòng, chống thiên tai, tìm kiếm cứu nạn", d(2024, 1, 1), 1.5},
	{"khắc phục hậu quả cơn bão số 3 (Yagi) và mưa lũ, sạt lở đất", d(2024, 9, 8), 2},
	{"xây dựng nông thôn mới và giảm nghèo bền vững", d(2024, 1, 1), 2},
	{"thực hiện Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi", d(2024, 1, 1), 2},
	{"tuyên truyền kỷ niệm 95 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - 03/02/2025)", d(2024, 11, 1), 1},
	{"tổng kết 40 năm thực hiện công cuộc đổi mới", d(2024, 3, 1), 1},
	{"công tác quốc phòng, quân sự địa phương", d(2024, 1, 1), 1.5},
	{"công tác bảo vệ chính trị nội bộ", d(2024, 1, 1), 1.5},
	{"phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh", d(2024, 1, 1), 3},
	{"công tác thi đua, khen thưởng", d(2024, 1, 1), 2},
	{"công tác tiếp công dân, giải quyết khiếu nại, tố cáo", d(2024, 1, 1), 1.5},
	{"thực hành tiết kiệm, chống lãng phí", d(2024, 1, 1), 1.5},
	{"công tác bảo vệ sức khỏe cán bộ", d(2024, 1, 1), 0.5},
	{"tổ chức các hoạt động kỷ niệm Ngày Quốc khánh 2/9", d(2024, 6, 1), 1},
}

// verbs start topics that take no action word before them.
var verbs = []string{"triển khai", "thực hiện", "tổ chức", "đẩy mạnh", "lấy ý kiến", "khắc phục", "kiểm điểm", "tuyên truyền", "tổng kết", "thực hành", "ứng dụng", "sắp xếp", "xây dựng", "bảo vệ", "phòng, chống", "thu, nộp"}

var actions = []string{"triển khai ", "tăng cường ", "đẩy mạnh ", "tổ chức ", "thực hiện ", "sơ kết ", "tổng kết ", "", "", ""}

// issuer is who sent a document.
type issuer struct {
	name     string
	symbol   string // party: issuer part after the slash; state: organ code
	unitID   int64  // 0 for organisations outside the unit tree
	state    bool   // writes State symbols (1234/UBND-VX)
	position string // signer's position
}

var stateIssuers = []issuer{
	{name: "Ủy ban nhân dân tỉnh Lào Cai", symbol: "UBND", state: true, position: "Chủ tịch"},
	{name: "Ủy ban nhân dân tỉnh Lào Cai", symbol: "UBND", state: true, position: "Phó Chủ tịch"},
	{name: "Hội đồng nhân dân tỉnh Lào Cai", symbol: "HĐND", state: true, position: "Chủ tịch"},
	{name: "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lào Cai", symbol: "MTTQ", state: true, position: "Chủ tịch"},
	{name: "Sở Nội vụ tỉnh Lào Cai", symbol: "SNV", state: true, position: "Giám đốc"},
	{name: "Sở Tài chính tỉnh Lào Cai", symbol: "STC", state: true, position: "Giám đốc"},
	{name: "Sở Khoa học và Công nghệ tỉnh Lào Cai", symbol: "SKHCN", state: true, position: "Giám đốc"},
	{name: "Sở Giáo dục và Đào tạo tỉnh Lào Cai", symbol: "SGDĐT", state: true, position: "Giám đốc"},
	{name: "Sở Y tế tỉnh Lào Cai", symbol: "SYT", state: true, position: "Phó Giám đốc"},
	{name: "Công an tỉnh Lào Cai", symbol: "CAT", state: true, position: "Giám đốc"},
	{name: "Bộ Chỉ huy Quân sự tỉnh Lào Cai", symbol: "BCH", state: true, position: "Chỉ huy trưởng"},
	{name: "Tỉnh đoàn Lào Cai", symbol: "TĐTN", state: true, position: "Bí thư"},
	{name: "Hội Liên hiệp Phụ nữ tỉnh Lào Cai", symbol: "HLHPN", state: true, position: "Chủ tịch"},
	{name: "Liên đoàn Lao động tỉnh Lào Cai", symbol: "LĐLĐ", state: true, position: "Chủ tịch"},
	{name: "Văn phòng Chính phủ", symbol: "VPCP", state: true, position: "Bộ trưởng, Chủ nhiệm"},
	{name: "Bộ Nội vụ", symbol: "BNV", state: true, position: "Thứ trưởng"},
	{name: "Bộ Khoa học và Công nghệ", symbol: "BKHCN", state: true, position: "Thứ trưởng"},
}

var stateDepts = []string{"NC", "VX", "KT", "TH", "XDCQ", "TCCB"}

var (
	surnames = []string{"Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lò", "Giàng", "Sùng", "Hà", "Vàng", "Đinh"}
	middles  = []string{"Văn", "Thị", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Hữu", "Ngọc", "Thị Thu", "Văn", "A"}
	givens   = []string{"Hùng", "Dũng", "Hà", "Lan", "Hương", "Tuấn", "Sơn", "Bình", "Phong", "Mai", "Thảo", "Trung", "Hải", "Long", "Nam", "Huy", "Chính", "Thắng", "Vinh", "Yến", "Páo", "Chử", "Quyết", "Hiền"}
	partyPos = []string{"Bí thư", "Phó Bí thư", "Phó Bí thư Thường trực", "Chánh Văn phòng", "Phó Chánh Văn phòng", "Trưởng ban", "Phó Trưởng ban", "Chủ nhiệm"}
)

// unitRef is a unit of the demo province that receives documents.
type unitRef struct {
	id       int64
	name     string
	symbol   string
	level    string // province, body, commune
	from, to time.Time
	weight   float64
	register int64
}

// world is everything the generator draws from.
type world struct {
	recipients []unitRef // units that register incoming documents
	central    []issuer  // central bodies
	provinces  []issuer  // the province (current) and its predecessors
	bodies     []issuer  // the province's bodies
	communes   []issuer  // its communes
	oldProv    [2]issuer // former provincial committees (to 30/6/2025)
	clerk      int64     // created_by
	leader     int64     // presented_to
	merger     time.Time // 1/7/2025
	typeCum    []float64 // cumulative weights of docTypes
	topicByDay func(time.Time) ([]topic, []float64)
}

func cumulative(ws []float64) []float64 {
	c := make([]float64, len(ws))
	s := 0.0
	for i, w := range ws {
		s += w
		c[i] = s
	}
	return c
}

func pick(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// docRow is one generated document, in the COPY column order.
type docRow struct {
	unitID, registerID int64
	period             string
	number             int32
	arrived            time.Time
	status, typeName   string
	typeCode           string
	codeNumber         string
	codeNotation       string
	symbol             string
	issued             time.Time
	organName          string
	organUnit          *int64
	subject            string
	pages              int32
	signerPos, signer  string
	priority           string
	confidentiality    string
	due                *time.Time
	presentedTo        *int64
	completed          *time.Time
	createdBy          int64
}

var copyColumns = []string{"direction", "unit_id", "register_id", "number_period", "number_series", "arrival_number", "arrived_at",
	"status", "type_name", "type_code", "code_number", "code_notation", "symbol", "issued_date", "organ_name", "organ_unit_id",
	"subject", "page_amount", "signer_position", "signer_full_name", "priority", "confidentiality", "due_date",
	"presented_to", "completed_at", "created_by", "created_at", "updated_at"}

func (d *docRow) values() []any {
	return []any{"incoming", d.unitID, d.registerID, d.period, "", d.number, d.arrived,
		d.status, d.typeName, d.typeCode, d.codeNumber, d.codeNotation, d.symbol, d.issued, d.organName, d.organUnit,
		d.subject, d.pages, d.signerPos, d.signer, d.priority, d.confidentiality, d.due,
		d.presentedTo, d.completed, d.createdBy, d.arrived, d.arrived}
}

// generate fills the metadata of the document that arrived at `at` in
// recipient u with arrival number n; r is the document's own source of
// randomness, so a load is reproducible.
func (w *world) generate(r *rand.Rand, u unitRef, at time.Time, n int32, now time.Time) docRow {
	dt := docTypes[pick(r, w.typeCum)]
	row := docRow{unitID: u.id, registerID: u.register, period: fmt.Sprint(at.In(vnZone).Year()), number: n, arrived: at,
		typeName: dt.name, typeCode: dt.code, createdBy: w.clerk}
	if dt.name == "Quy định" && at.Before(d(2026, 1, 1)) {
		row.typeCode = "QĐi" // catalogue 66-QĐ/TW until 2025
	}

	iss := w.issuerFor(r, u, dt, at)
	row.organName = iss.name
	if iss.unitID != 0 {
		id := iss.unitID
		row.organUnit = &id
	}
	num := fmt.Sprint(1 + r.IntN(1200))
	switch {
	case iss.state && dt.code == "CV":
		row.codeNotation = iss.symbol + "-" + oneOf(r, stateDepts)
	case iss.state:
		row.codeNotation = dt.code + "-" + iss.symbol
	default:
		row.codeNotation = row.typeCode + "/" + iss.symbol
	}
	row.codeNumber = num
	if iss.state {
		row.symbol = num + "/" + row.codeNotation
	} else {
		row.symbol = num + "-" + row.codeNotation
	}
	// Issued one to six days before arrival. (Never "today": the server
	// compares a date at 00:00 UTC with the current instant, so a Vietnam
	// "today" is refused between 00:00 and 07:00 Vietnam time.)
	row.issued = at.In(vnZone).AddDate(0, 0, -1-r.IntN(6))
	row.issued = time.Date(row.issued.Year(), row.issued.Month(), row.issued.Day(), 0, 0, 0, 0, time.UTC)
	row.subject = w.subject(r, dt, at)
	row.pages = int32(1 + r.IntN(12) + r.IntN(12)*r.IntN(2))
	row.signerPos = iss.position
	if row.signerPos == "" {
		row.signerPos = oneOf(r, partyPos)
	}
	row.signer = oneOf(r, surnames) + " " + oneOf(r, middles) + " " + oneOf(r, givens)

	switch p := r.Float64(); {
	case p < 0.88:
		row.priority = "thuong"
	case p < 0.97:
		row.priority = "khan"
	case p < 0.995:
		row.priority = "thuong_khan"
	default:
		row.priority = "hoa_toc"
	}
	switch c := r.Float64(); {
	case c < 0.975:
		row.confidentiality = "none"
	case c < 0.995:
		row.confidentiality = "mat"
	case c < 0.9995:
		row.confidentiality = "toi_mat"
	default:
		row.confidentiality = "tuyet_mat"
	}
	if r.Float64() < 0.35 || row.priority != "thuong" {
		days := 3 + r.IntN(28)
		if row.priority != "thuong" {
			days = 1 + r.IntN(5)
		}
		due := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
		row.due = &due
	}

	// Status by age: old documents are done, recent ones in hand.
	age := now.Sub(at)
	var cut [3]float64 // cumulative 03, 04, 05; the rest 06
	switch {
	case age < 14*24*time.Hour:
		cut = [3]float64{0.40, 0.70, 0.95}
	case age < 60*24*time.Hour:
		cut = [3]float64{0.10, 0.35, 0.70}
	case age < 365*24*time.Hour:
		cut = [3]float64{0.03, 0.10, 0.20}
	default:
		cut = [3]float64{0.01, 0.03, 0.05}
	}
	switch s := r.Float64(); {
	case s < cut[0]:
		row.status = "03"
	case s < cut[1]:
		row.status = "04"
	case s < cut[2]:
		row.status = "05"
	default:
		row.status = "06"
	}
	if row.status != "03" && u.level == "province" {
		l := w.leader
		row.presentedTo = &l
	}
	if row.status == "06" {
		c := at.Add(time.Duration(1+r.IntN(30*24)) * time.Hour)
		if c.After(now) {
			c = now
		}
		row.completed = &c
	}
	return row
}

// issuerFor picks who sent a document of type dt to u.
func (w *world) issuerFor(r *rand.Rand, u unitRef, dt docType, at time.Time) issuer {
	merged := !at.Before(w.merger)
	provinceIssuer := func() issuer {
		if merged {
			return w.provinces[0]
		}
		return w.oldProv[r.IntN(2)]
	}
	bodyIssuer := func() issuer {
		b := oneOf(r, w.bodies)
		if merged {
			return b
		}
		// Before the merger the bodies were the former provinces' own.
		old := w.oldProv[r.IntN(2)]
		place := strings.TrimPrefix(old.name, "Tỉnh ủy ")
		return issuer{name: strings.TrimSuffix(b.name, " Lào Cai") + " " + place, symbol: b.symbol, position: b.position}
	}
	partyOnly := dt.code == "NQ" || dt.code == "CT" || dt.code == "KL" || dt.code == "QĐ" && dt.name == "Quy định" || dt.code == "TT"
	x := r.Float64()
	if u.level == "commune" {
		switch {
		case partyOnly && x < 0.3, x < 0.05:
			return oneOf(r, w.central)
		case x < 0.45:
			return provinceIssuer()
		case x < 0.70:
			return bodyIssuer()
		case partyOnly || x < 0.80:
			return oneOf(r, w.communes)
		default:
			if r.IntN(3) == 0 {
				return issuer{name: "Ủy ban nhân dân " + strings.TrimPrefix(u.name, "Đảng ủy "), symbol: "UBND", state: true, position: "Chủ tịch"}
			}
			return oneOf(r, stateIssuers)
		}
	}
	switch {
	case x < 0.30 || partyOnly && x < 0.7:
		return oneOf(r, w.central)
	case u.level != "province" && x < 0.45:
		return provinceIssuer()
	case x < 0.55 || partyOnly:
		return bodyIssuer()
	case x < 0.75:
		return oneOf(r, w.communes)
	default:
		return oneOf(r, stateIssuers)
	}
}

// subject composes a trích yếu: the type's lead, perhaps an action, the
// topic, perhaps a period or place.
func (w *world) subject(r *rand.Rand, dt docType, at time.Time) string {
	ts, cum := w.topicByDay(at)
	t := ts[pick(r, cum)]
	lead := oneOf(r, dt.leads)
	var b strings.Builder
	b.WriteString(lead)
	if lead == "" || strings.HasSuffix(lead, "việc ") || strings.HasPrefix(lead, "Kế hoạch") || lead == "V/v " {
		verb := false
		for _, v := range verbs {
			verb = verb || strings.HasPrefix(t.text, v)
		}
		if !verb {
			b.WriteString(oneOf(r, actions))
		}
	}
	b.WriteString(t.text)
	y := at.In(vnZone).Year()
	switch s := r.IntN(12); s {
	case 0, 1:
		fmt.Fprintf(&b, " năm %d", y)
	case 2:
		fmt.Fprintf(&b, " năm %d", y+1)
	case 3:
		fmt.Fprintf(&b, " quý %s năm %d", []string{"I", "II", "III", "IV"}[(int(at.Month())-1)/3], y)
	case 4:
		fmt.Fprintf(&b, " 6 tháng đầu năm %d", y)
	case 5:
		b.WriteString(" trên địa bàn tỉnh")
	case 6:
		b.WriteString(" giai đoạn 2026 - 2030")
	case 7:
		b.WriteString(" nhiệm kỳ 2025 - 2030")
	}
	s := b.String()
	// The first letter is a capital, as typed.
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}

// newTopicIndex precomputes, per month, the topics already current.
func newTopicIndex() func(time.Time) ([]topic, []float64) {
	type entry struct {
		ts  []topic
		cum []float64
	}
	cache := map[int]entry{}
	for y := 2023; y <= 2027; y++ {
		for m := 1; m <= 12; m++ {
			start := d(y, m, 1)
			var e entry
			var ws []float64
			for _, t := range topics {
				if !t.from.After(start) {
					e.ts = append(e.ts, t)
					ws = append(ws, t.weight)
				}
			}
			e.cum = cumulative(ws)
			cache[y*100+m] = e
		}
	}
	return func(at time.Time) ([]topic, []float64) {
		t := at.In(vnZone)
		e, ok := cache[t.Year()*100+int(t.Month())]
		if !ok {
			e = cache[2026*100+1]
		}
		return e.ts, e.cum
	}
}
