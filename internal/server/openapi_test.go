package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/config"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/server"
)

// TestOpenAPICoversEveryRoute walks the real router: every /api/v1 route
// must be in the OpenAPI document, and every documented operation must be
// a route.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Config: cfg,
		DB: pgtest.NewPool(t), Store: s3test.NewStore(t), Version: "test-openapi"})
	h := srv.Handler()
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("Handler() is a %T, not a chi router", h)
	}
	routed := map[string]bool{}
	err = chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(route, "/")
		if strings.HasPrefix(route, "/api/v1") && !strings.HasSuffix(route, "*") && route != "/api/v1" {
			routed[method+" "+route] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(routed) < 5 {
		t.Fatalf("walk found only %v: the router was not walked into /api/v1", routed)
	}

	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	resp, err := http.Get(hs.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET openapi.json = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(raw) {
		t.Fatal("openapi.json is not valid JSON")
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string `json:"title"`
			Version string `json:"version"`
		} `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if doc.Info.Title == "" || doc.Info.Version != "test-openapi" {
		t.Errorf("info = %+v", doc.Info)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			documented[strings.ToUpper(method)+" "+path] = true
			var o struct {
				Summary   string                     `json:"summary"`
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || o.Summary == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s: operation without summary or responses (%v)", method, path, err)
			}
		}
	}
	var missing, stale []string
	for r := range routed {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routed[d] {
			stale = append(stale, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json (add them to apiOperations): %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("openapi.json documents routes that do not exist: %v", stale)
	}

	// Every $ref points at a schema that exists.
	var refs []string
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if s, ok := val.(string); ok && k == "$ref" {
					refs = append(refs, s)
				}
				collect(val)
			}
		case []any:
			for _, val := range x {
				collect(val)
			}
		}
	}
	var whole any
	_ = json.Unmarshal(raw, &whole)
	collect(whole)
	if len(refs) == 0 {
		t.Fatal("no $ref found")
	}
	for _, r := range refs {
		name, ok := strings.CutPrefix(r, "#/components/schemas/")
		if _, exists := doc.Components.Schemas[name]; !ok || !exists {
			t.Errorf("$ref %q does not resolve", r)
		}
	}
	if !slices.Contains(refs, "#/components/schemas/Problem") {
		t.Error("errors are not documented as Problem")
	}
}
