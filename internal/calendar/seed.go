package calendar

// The official working-day calendars of cadres, civil servants and public
// employees (cán bộ, công chức, viên chức) for 2025, 2026 and 2027.
//
// The rules: Bộ luật Lao động 2019 (Labour Code), Article 112(1) gives
// Tết Dương lịch 1 day (1/1), Tết Âm lịch 5 days, Giỗ Tổ Hùng Vương 1 day
// (10/3 lunar), Ngày Chiến thắng 1 day (30/4), Quốc tế Lao động 1 day (1/5)
// and Quốc khánh 2 days (2/9 and one day next to it); Nghị quyết
// 28/2026/QH16 (in force 1/7/2026) adds Ngày Văn hóa Việt Nam, 24/11.
// Article 111(3): a holiday that falls on the weekly rest day (Saturday or
// Sunday for public offices) is made up by a day off on the next working
// day. Each year the Prime Minister (through the Government Office, VPCP)
// and the Ministry of Home Affairs (Bộ Nội vụ; the Ministry of Labour,
// BLĐTBXH, until 2025) fix which five days of Tết, which day next to 2/9,
// and any swap of a working day for a Saturday.
//
// The table holds only what changes a day's working status: weekdays off
// (kind holiday) and weekend days worked (kind workday). A holiday that
// falls on a weekend is not listed; its day off in lieu is. Lunar dates
// were computed with the Vietnamese lunar calendar (UTC+7) and match the
// notices: Tết Ất Tỵ 29/01/2025, Tết Bính Ngọ 17/02/2026, Tết Đinh Mùi
// 06/02/2027; Giỗ Tổ 07/04/2025 (Monday), 26/04/2026 (Sunday),
// 16/04/2027 (Friday).
//
// Rows that no published notice covers yet are derived from the Labour
// Code alone and their names end in "(dự kiến)"; administrators correct
// them on the calendar screen once the notice appears.

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SeedDay is one row of the official calendars, with the legal source it
// comes from.
type SeedDay struct {
	Day    time.Time
	Kind   Kind
	Name   string
	Source string
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Sources.
const (
	srcCode   = "Bộ luật Lao động 2019, Điều 112 khoản 1"
	srcInLieu = "Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112 khoản 1 (nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần)"

	// 2025: Tết Ất Tỵ 25/1–2/2 (five weekdays 27–31/1, no make-up day);
	// 30/4–4/5 with Friday 2/5 swapped for Saturday 26/4; Quốc khánh
	// 30/8–2/9 (Monday 1/9 and Tuesday 2/9).
	src2025 = "Công văn 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ; Thông báo 6150/TB-BLĐTBXH của Bộ Lao động – Thương binh và Xã hội"

	// 2026: Tết Dương lịch 1–4/1 with Friday 2/1 swapped for Saturday
	// 10/1; Tết Bính Ngọ 14–22/2 (five weekdays 16–20/2); Giỗ Tổ on
	// Sunday 26/4, off Monday 27/4; 30/4–1/5 Thursday and Friday, no swap;
	// Quốc khánh 29/8–2/9 with Monday 31/8 swapped for Saturday 22/8;
	// Ngày Văn hóa Việt Nam Tuesday 24/11, one day, no swap.
	src2026NewYear = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
	src2026        = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ (theo ý kiến của Thủ tướng Chính phủ)"
	src2026April   = "Công văn 3383/BNV-CVL ngày 10/4/2026 của Bộ Nội vụ (không hoán đổi ngày làm việc dịp 30/4–1/5)"
	srcCulture2026 = "Nghị quyết 28/2026/QH16 (hiệu lực 01/7/2026); Công văn 10065/VPCP-KGVX ngày 02/10/2026 của Văn phòng Chính phủ"

	// 2027: Tết Đinh Mùi 4–10/2 (Thursday to Wednesday, seven days: five
	// weekdays off, the two Tết days on the weekend made up within them), and
	// Quốc khánh 2–5/9 (Thursday 2/9 and Friday 3/9), both from the
	// Government Office's letter of 2/10/2026. The rest of 2027 has no
	// notice yet: Labour Code only, "(dự kiến)".
	src2027        = "Công văn 10065/VPCP-KGVX ngày 02/10/2026 của Văn phòng Chính phủ"
	src2027Planned = "Dự kiến theo Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112 khoản 1 (chưa có thông báo lịch nghỉ năm 2027)"
	srcCulture2027 = "Dự kiến theo Nghị quyết 28/2026/QH16 (chưa có thông báo lịch nghỉ năm 2027)"
)

// official is the seed data, in date order.
var official = []SeedDay{
	// 2025.
	{date(2025, 1, 1), Holiday, "Tết Dương lịch", srcCode},
	{date(2025, 1, 27), Holiday, "Tết Nguyên đán Ất Tỵ (28 tháng Chạp)", src2025},
	{date(2025, 1, 28), Holiday, "Tết Nguyên đán Ất Tỵ (29 tháng Chạp, giao thừa)", src2025},
	{date(2025, 1, 29), Holiday, "Tết Nguyên đán Ất Tỵ (mùng 1)", src2025},
	{date(2025, 1, 30), Holiday, "Tết Nguyên đán Ất Tỵ (mùng 2)", src2025},
	{date(2025, 1, 31), Holiday, "Tết Nguyên đán Ất Tỵ (mùng 3)", src2025},
	{date(2025, 4, 7), Holiday, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", srcCode},
	{date(2025, 4, 26), Workday, "Làm bù cho ngày nghỉ thứ Sáu 02/5/2025 (dịp 30/4–1/5)", src2025},
	{date(2025, 4, 30), Holiday, "Ngày Chiến thắng (30/4)", srcCode},
	{date(2025, 5, 1), Holiday, "Ngày Quốc tế Lao động (1/5)", srcCode},
	{date(2025, 5, 2), Holiday, "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/4/2025)", src2025},
	{date(2025, 9, 1), Holiday, "Quốc khánh (ngày liền kề 2/9)", src2025},
	{date(2025, 9, 2), Holiday, "Quốc khánh (2/9)", srcCode},

	// 2026.
	{date(2026, 1, 1), Holiday, "Tết Dương lịch", srcCode},
	{date(2026, 1, 2), Holiday, "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01/2026)", src2026NewYear},
	{date(2026, 1, 10), Workday, "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026 (dịp Tết Dương lịch)", src2026NewYear},
	{date(2026, 2, 16), Holiday, "Tết Nguyên đán Bính Ngọ (29 tháng Chạp, giao thừa)", src2026},
	{date(2026, 2, 17), Holiday, "Tết Nguyên đán Bính Ngọ (mùng 1)", src2026},
	{date(2026, 2, 18), Holiday, "Tết Nguyên đán Bính Ngọ (mùng 2)", src2026},
	{date(2026, 2, 19), Holiday, "Tết Nguyên đán Bính Ngọ (mùng 3)", src2026},
	{date(2026, 2, 20), Holiday, "Tết Nguyên đán Bính Ngọ (mùng 4)", src2026},
	{date(2026, 4, 27), Holiday, "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật 26/4/2026)", srcInLieu},
	{date(2026, 4, 30), Holiday, "Ngày Chiến thắng (30/4)", src2026April},
	{date(2026, 5, 1), Holiday, "Ngày Quốc tế Lao động (1/5)", src2026April},
	{date(2026, 8, 22), Workday, "Làm bù cho ngày nghỉ thứ Hai 31/8/2026 (dịp Quốc khánh)", src2026},
	{date(2026, 8, 31), Holiday, "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)", src2026},
	{date(2026, 9, 1), Holiday, "Quốc khánh (ngày liền kề 2/9)", src2026},
	{date(2026, 9, 2), Holiday, "Quốc khánh (2/9)", srcCode},
	{date(2026, 11, 24), Holiday, "Ngày Văn hóa Việt Nam (24/11)", srcCulture2026},

	// 2027.
	{date(2027, 1, 1), Holiday, "Tết Dương lịch (dự kiến)", src2027Planned},
	{date(2027, 2, 4), Holiday, "Tết Nguyên đán Đinh Mùi (28 tháng Chạp)", src2027},
	{date(2027, 2, 5), Holiday, "Tết Nguyên đán Đinh Mùi (29 tháng Chạp, giao thừa)", src2027},
	{date(2027, 2, 8), Holiday, "Tết Nguyên đán Đinh Mùi (mùng 3)", src2027},
	{date(2027, 2, 9), Holiday, "Tết Nguyên đán Đinh Mùi (mùng 4)", src2027},
	{date(2027, 2, 10), Holiday, "Tết Nguyên đán Đinh Mùi (mùng 5)", src2027},
	{date(2027, 4, 16), Holiday, "Giỗ Tổ Hùng Vương (10/3 âm lịch) (dự kiến)", src2027Planned},
	{date(2027, 4, 30), Holiday, "Ngày Chiến thắng (30/4) (dự kiến)", src2027Planned},
	{date(2027, 5, 3), Holiday, "Nghỉ bù Ngày Quốc tế Lao động (1/5 là thứ Bảy) (dự kiến)", src2027Planned},
	{date(2027, 9, 2), Holiday, "Quốc khánh (2/9)", src2027},
	{date(2027, 9, 3), Holiday, "Quốc khánh (ngày liền kề 2/9)", src2027},
	{date(2027, 11, 24), Holiday, "Ngày Văn hóa Việt Nam (24/11) (dự kiến)", srcCulture2027},
}

// Official returns the official calendars Seed inserts, in date order.
func Official() []SeedDay { return append([]SeedDay(nil), official...) }

// Seed inserts the official calendars and returns how many days it added.
// A day already listed is left as it is, so Seed can run again (after an
// administrator changed or removed some days it restores only the removed
// ones).
func Seed(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	days := make([]time.Time, len(official))
	kinds := make([]string, len(official))
	names := make([]string, len(official))
	for i, d := range official {
		days[i], kinds[i], names[i] = d.Day, string(d.Kind), d.Name
	}
	tag, err := pool.Exec(ctx, `
		INSERT INTO calendar_days (day, kind, name)
		SELECT * FROM unnest($1::date[], $2::text[], $3::text[])
		ON CONFLICT (day) DO NOTHING`, days, kinds, names)
	if err != nil {
		return 0, fmt.Errorf("calendar: seed: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
