package html

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFiles embed.FS

// asset is one static file, served under a URL that contains a hash of its
// content so browsers may cache it forever and a new release is never
// shadowed by an old cached copy.
type asset struct {
	name        string // e.g. "css/flare.css"
	url         string // e.g. "/static/css/flare.3f2a9c1d0b4e.css"
	contentType string
	body        []byte
}

// Assets maps static file names to their hashed URLs and serves them.
type Assets struct {
	byName map[string]*asset
	byURL  map[string]*asset
}

// AssetPrefix is where static files are served.
const AssetPrefix = "/static/"

// LoadAssets hashes every embedded static file.
func LoadAssets() (*Assets, error) {
	a := &Assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		as := &asset{name: name, url: AssetPrefix + hashed, contentType: ct, body: body}
		a.byName[name] = as
		a.byURL[as.url] = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of a static file, or an error for a name that
// does not exist, so a typo in a template fails at render time in tests.
func (a *Assets) URL(name string) (string, error) {
	as, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return as.url, nil
}

// ServeHTTP serves a static file by its hashed URL.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	as, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", as.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(as.body))
}
