package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"vanthu/internal/registry"
)

// A world like the demo province's, without a database.
func testWorld() *world {
	w := &world{merger: d(2025, 7, 1), topicByDay: newTopicIndex(), clerk: 1, leader: 2}
	w.provinces = []issuer{{name: "Tỉnh ủy Lào Cai", symbol: "TU", unitID: 75, position: "Bí thư"}}
	w.oldProv = [2]issuer{{name: "Tỉnh ủy Lào Cai", symbol: "TU", unitID: 16}, {name: "Tỉnh ủy Yên Bái", symbol: "TU", unitID: 20}}
	w.central = []issuer{{name: "Văn phòng Trung ương Đảng", symbol: "VPTW", unitID: 4}, {name: "Đảng ủy các cơ quan Đảng Trung ương", symbol: "ĐUCCQĐTW", unitID: 10}}
	w.bodies = []issuer{{name: "Ban Tổ chức Tỉnh ủy Lào Cai", symbol: "BTCTU", unitID: 3419}}
	w.communes = []issuer{{name: "Đảng ủy xã Tả Van", symbol: "ĐU", unitID: 375}}
	w.recipients = []unitRef{
		{id: 75, name: "Tỉnh ủy Lào Cai", level: "province", register: 1},
		{id: 3419, name: "Ban Tổ chức Tỉnh ủy Lào Cai", level: "body", register: 2},
		{id: 375, name: "Đảng ủy xã Tả Van", level: "commune", register: 3},
	}
	ws := make([]float64, len(docTypes))
	for i, t := range docTypes {
		ws[i] = t.weight
	}
	w.typeCum = cumulative(ws)
	return w
}

// Every generated symbol must be one the server accepts, or registrations
// in the benchmark fail with 422.
func TestGeneratedMetadataIsValid(t *testing.T) {
	w := testWorld()
	now := time.Now()
	for i := range 20000 {
		r := rand.New(rand.NewPCG(uint64(i), 1))
		u := w.recipients[i%len(w.recipients)]
		at := d(2024, 1, 2).Add(time.Duration(r.Int64N(int64(now.Sub(d(2024, 1, 2))))))
		row := w.generate(r, u, at, int32(i+1), now)
		sym, err := registry.ComposeSymbol(row.codeNumber, row.codeNotation)
		if err != nil || sym.Text != row.symbol {
			t.Fatalf("symbol %q (%s + %s): %v, composed %q", row.symbol, row.codeNumber, row.codeNotation, err, sym.Text)
		}
		if strings.TrimSpace(row.subject) == "" || row.organName == "" || row.typeName == "" {
			t.Fatalf("empty metadata: %+v", row)
		}
		if row.issued.After(at) || row.due != nil && row.due.Before(row.issued) {
			t.Fatalf("dates out of order: issued %v arrived %v due %v", row.issued, at, row.due)
		}
		if strings.Contains(row.subject, "57-NQ/TW") && at.Before(d(2025, 1, 1)) {
			t.Fatalf("Nghị quyết 57 cited before it existed: %s (%v)", row.subject, at)
		}
	}
}
