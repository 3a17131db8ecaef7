// Package web renders Vanthu's pages. Components are pure: they format what
// handlers give them and do no I/O. Static assets are embedded.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
)

//go:embed static
var staticFS embed.FS

// Static is the tree served under /static/.
var Static, _ = fs.Sub(staticFS, "static")

// assetVersion changes whenever any static file does, so browsers may cache
// assets for long and still see a new release at once.
var assetVersion = func() string {
	h := sha256.New()
	var names []string
	_ = fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(Static, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}()

// Asset returns the versioned URL of a static file.
func Asset(name string) string {
	return "/static/" + name + "?v=" + assetVersion
}
