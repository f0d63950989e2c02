package flare

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func fileKind(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Fields != nil {
		return e.Fields["file"]
	}
	return ""
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDocumentType(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%%EOF\n")
	jpg := func() []byte {
		var buf bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 2, 2))
		img.Set(0, 0, color.White)
		_ = jpeg.Encode(&buf, img, nil)
		return buf.Bytes()
	}()
	tests := []struct {
		name, declared, filename string
		content                  []byte
		want, kind               string
	}{
		{"pdf", "application/pdf", "a.pdf", pdf, "application/pdf", ""},
		{"pdf, no declared type", "", "a.PDF", pdf, "application/pdf", ""},
		{"pdf as octet-stream, no extension", "application/octet-stream", "scan", pdf, "application/pdf", ""},
		{"jpeg as pjpeg", "image/pjpeg", "a.jpeg", jpg, "image/jpeg", ""},
		{"png", "image/png", "a.png", pngBytes(t, 2, 2), "image/png", ""},
		{"text with charset", "text/plain; charset=utf-8", "a.txt", []byte("héllo"), "text/plain", ""},
		{"unknown extension is not a claim", "", "a.scan", pdf, "application/pdf", ""},
		{"html", "text/html", "a.html", []byte("<!doctype html><p>x"), "", FileUnsupportedType},
		{"html named txt", "text/plain", "a.txt", []byte("<html><body>x"), "", FileUnsupportedType},
		{"declared pdf, is text", "application/pdf", "a.pdf", []byte("hello"), "", FileUnsupportedType},
		{"png named pdf", "", "a.pdf", pngBytes(t, 2, 2), "", FileUnsupportedType},
		{"zip", "application/zip", "a.zip", []byte("PK\x03\x04rest"), "", FileUnsupportedType},
		{"gif", "image/gif", "a.gif", []byte("GIF89a......"), "", FileUnsupportedType},
		{"text not utf-8", "", "a.txt", []byte("caf\xe9 cr\xe8me"), "", FileUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DocumentType(tc.declared, tc.filename, tc.content)
			if got != tc.want || fileKind(err) != tc.kind {
				t.Fatalf("DocumentType = %q, %v; want %q, %q", got, err, tc.want, tc.kind)
			}
		})
	}
}

func TestPrepareDocument(t *testing.T) {
	d := &Document{CaseID: "c", Filename: `C:\fakepath\` + strings.Repeat("é", 300) + ".pdf", Description: " note \u202e"}
	out, err := PrepareDocument(d, "application/pdf", []byte("%PDF-1.4\n"), 0)
	if err != nil || len(out) != 9 || d.Size != 9 || d.ContentType != "application/pdf" || len(d.SHA256) != 64 ||
		!strings.HasSuffix(d.Filename, ".pdf") || len([]rune(d.Filename)) != MaxNameLength || d.Description != "note" {
		t.Fatalf("prepared = %+v, %v", d, err)
	}
	d = &Document{CaseID: "c", Filename: "..."}
	if _, err := PrepareDocument(d, "", []byte("plain words"), 0); err != nil || d.Filename != "document.txt" {
		t.Fatalf("nameless = %+v, %v", d, err)
	}
	if _, err := PrepareDocument(&Document{CaseID: "c"}, "", []byte("0123456789"), 9); fileKind(err) != FileTooLarge {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := PrepareDocument(&Document{CaseID: "c"}, "", pngBytes(t, 8000, 6000), 0); fileKind(err) != FileTooLarge {
		t.Fatalf("48 Mpx image: %v", err)
	}
	if _, err := PrepareDocument(&Document{CaseID: "c"}, "", nil, 0); ErrorCodeOf(err) != EINVALID {
		t.Fatalf("empty: %v", err)
	}
	// A PNG with a text chunk (as editors write metadata) loses it.
	img := pngBytes(t, 4, 4)
	data := []byte("tEXtGPS\x0012.3456")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)-4))
	chunk = binary.BigEndian.AppendUint32(append(chunk, data...), crc32.ChecksumIEEE(data))
	withMeta := append(append(append([]byte{}, img[:33]...), chunk...), img[33:]...)
	out, err = PrepareDocument(&Document{CaseID: "c", Filename: "p.png"}, "image/png", withMeta, 0)
	if err != nil || bytes.Contains(out, []byte("GPS")) {
		t.Fatalf("re-encoded png keeps its text chunk (err %v)", err)
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{10 << 20: "10 MiB", 3 << 19: "1.5 MiB", 4096: "4 KiB", 300: "300 B"} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzPrepareDocument: the upload sniffer never panics, and what it
// accepts is on the allow-list, within the limit and hashed (checklist
// R-IH1).
func FuzzPrepareDocument(f *testing.F) {
	f.Add("application/pdf", "a.pdf", []byte("%PDF-1.4\n"))
	f.Add("image/png", "a.png", pngBytes(f, 3, 3))
	f.Add("text/plain", "a.txt", []byte("hello"))
	f.Add("image/jpeg", "a.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add("", "", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, declared, name string, content []byte) {
		d := &Document{CaseID: "c", Filename: name}
		out, err := PrepareDocument(d, declared, content, 1<<16)
		if err != nil {
			if ErrorCodeOf(err) != EINVALID {
				t.Fatalf("error code %q: %v", ErrorCodeOf(err), err)
			}
			return
		}
		if _, ok := documentTypes[d.ContentType]; !ok || d.Size != int64(len(out)) || len(d.SHA256) != 64 || d.Filename == "" {
			t.Fatalf("accepted %+v", d)
		}
	})
}

func zipOf(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOfficeDocuments(t *testing.T) {
	docx := zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w:document/>"})
	odt := zipOf(t, [2]string{"mimetype", odtType}, [2]string{"content.xml", "<office:document-content/>"})
	tests := []struct {
		name, declared, filename string
		content                  []byte
		want                     string
	}{
		{"docx", docxType, "a.docx", docx, docxType},
		{"docx as octet-stream", "application/octet-stream", "a.docx", docx, docxType},
		{"odt", odtType, "a.odt", odt, odtType},
		{"docx named odt", "", "a.odt", docx, ""},
		{"docm", "", "a.docx", zipOf(t, [2]string{"[Content_Types].xml", ""}, [2]string{"word/document.xml", ""}, [2]string{"word/vbaProject.bin", "x"}), ""},
		{"odt with basic", "", "a.odt", zipOf(t, [2]string{"mimetype", odtType}, [2]string{"Basic/Standard/Module1.xml", "x"}), ""},
		{"plain zip", "application/zip", "a.zip", zipOf(t, [2]string{"a.txt", "x"}), ""},
		{"ods", "", "a.ods", zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}), ""},
		{"broken zip", "", "a.docx", []byte("PK\x03\x04garbage"), ""},
	}
	for _, tc := range tests {
		got, err := DocumentType(tc.declared, tc.filename, tc.content)
		if got != tc.want || (tc.want == "") != (fileKind(err) == FileUnsupportedType) {
			t.Errorf("%s: DocumentType = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
