package audit

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Verification is the result of checking the hash chain.
type Verification struct {
	Checked       int64  // entries examined
	OK            bool   // the whole chain and its head are intact
	FirstBrokenID int64  // when !OK: the first entry found altered, unlinked or missing
	Reason        string // when !OK: what is wrong, in English
}

// Verify reads every entry in id order (the order of the chain) inside one
// read-only snapshot and checks that each entry's hash matches its contents,
// that each entry links to the hash of the entry before it (the first to the
// empty hash), and that the chain head names the last entry. It stops at the
// first problem. Gaps in the ids alone are not tampering: a rolled-back
// transaction consumes an id.
//
// The chain proves that entries were not altered, removed or inserted one
// by one; someone able to rewrite the whole table and the head can forge a
// new chain, which only a copy of the head kept elsewhere reveals.
func (l *Log) Verify(ctx context.Context) (Verification, error) {
	var v Verification
	err := pgx.BeginTxFunc(ctx, l.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var err error
			v, err = verify(ctx, tx)
			return err
		})
	if err != nil {
		return Verification{}, fmt.Errorf("audit: verify: %w", err)
	}
	return v, nil
}

func verify(ctx context.Context, tx pgx.Tx) (Verification, error) {
	var headID int64
	var headHash []byte
	if err := tx.QueryRow(ctx, "SELECT last_id, last_hash FROM audit_head").Scan(&headID, &headHash); err != nil {
		return Verification{}, fmt.Errorf("read chain head: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT id, prev_hash, hash,
		       audit_digest(prev_hash, id, at, actor_id, actor_login, action, outcome, object_type,
		                    object_id, unit_id, ip, user_agent, request_id, details) = hash
		FROM audit_log
		ORDER BY id`)
	if err != nil {
		return Verification{}, err
	}
	defer rows.Close()

	var (
		v         Verification
		id        int64
		lastID    int64
		prevHash  = []byte{} // the first entry links to the empty hash
		hash      []byte
		rowPrev   []byte
		digestOK  bool
		beyondID  int64 // first entry after the one the head names
		brokenAt  int64
		brokenWhy string
	)
	for rows.Next() {
		if err := rows.Scan(&id, &rowPrev, &hash, &digestOK); err != nil {
			return Verification{}, err
		}
		v.Checked++
		switch {
		case !digestOK:
			brokenAt, brokenWhy = id, fmt.Sprintf("entry %d: hash does not match its contents", id)
		case !bytes.Equal(rowPrev, prevHash):
			brokenAt, brokenWhy = id, fmt.Sprintf(
				"entry %d: previous-hash link broken (an entry before it was removed or altered)", id)
		}
		if brokenAt != 0 {
			break
		}
		if beyondID == 0 && id > headID {
			beyondID = id
		}
		// Keep our own copy: the row's buffers belong to the driver.
		prevHash = append(prevHash[:0:0], hash...)
		lastID = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Verification{}, err
	}
	if brokenAt != 0 {
		v.FirstBrokenID, v.Reason = brokenAt, brokenWhy
		return v, nil
	}
	if headID != lastID || !bytes.Equal(headHash, prevHash) {
		v.Reason = "chain head does not match the last entry"
		switch {
		case headID > lastID:
			v.FirstBrokenID = headID
			v.Reason += fmt.Sprintf(" (entries removed at the end: the head names entry %d, the last entry is %d)", headID, lastID)
		case headID < lastID:
			v.FirstBrokenID = beyondID
			v.Reason += fmt.Sprintf(" (entries from %d on were not appended through the chain head, which names entry %d)", beyondID, headID)
		default:
			v.FirstBrokenID = lastID
			v.Reason += fmt.Sprintf(" (entry %d was replaced)", lastID)
		}
		return v, nil
	}
	v.OK = true
	return v, nil
}
