package http

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes: every /api/v1 route in routes.go is in the
// OpenAPI document with its method, and the document names no route that
// does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, m := range regexp.MustCompile(`HandleFunc\("([A-Z]+) /api/v1(/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		routes = append(routes, strings.ToLower(m[1])+" "+m[2])
	}
	if len(routes) < 5 {
		t.Fatalf("found only %d API routes in routes.go", len(routes))
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented = append(documented, method+" "+path)
			}
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	if !slices.Equal(routes, documented) {
		t.Fatalf("routes and OpenAPI differ:\nroutes:     %v\ndocumented: %v", routes, documented)
	}
	s := newTestServer(t, "sqlite")
	res := s.get(t, "/api/v1/openapi.json")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET openapi.json = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
