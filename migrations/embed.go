// Package migrations embeds the numbered SQL files that build the schema.
// Files are never edited once they land on main; a change is a new file.
package migrations

import "embed"

// FS holds every NNNN_name.up.sql / .down.sql pair.
//
//go:embed *.sql
var FS embed.FS
