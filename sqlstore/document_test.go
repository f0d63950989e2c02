package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// jpegWithGPS is a small JPEG carrying an EXIF segment with a marker where
// a camera would put GPS coordinates.
func jpegWithGPS(t *testing.T, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := append([]byte("Exif\x00\x00GPSLatitude "), marker...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	return append(append(append([]byte{}, b[:2]...), append(seg, payload...)...), b[2:]...)
}

const pdfMarker = "MARKER-contract-91c2"

func tinyPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + pdfMarker + "\n%%EOF\n")
}

func TestDocuments(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		f := newWorkFixture(t, dbURL)
		ctx := as(f.user)
		contract := &flare.Document{CaseID: f.kase.ID, Filename: `C:\fakepath\contract Maria.pdf`, Description: "Signed in Kampala"}
		if err := f.docs.AddDocument(ctx, contract, "application/pdf", tinyPDF()); err != nil {
			t.Fatal(err)
		}
		if contract.ID == "" || contract.Filename != "contract Maria.pdf" || contract.ContentType != "application/pdf" ||
			contract.Size != int64(len(tinyPDF())) || len(contract.SHA256) != 64 || contract.UploadedBy != f.user.ID {
			t.Fatalf("added = %+v", contract)
		}
		photo := &flare.Document{CaseID: f.kase.ID, Filename: "site.jpg"}
		if err := f.docs.AddDocument(ctx, photo, "image/jpeg", jpegWithGPS(t, "MARKER-gps-0a0b")); err != nil {
			t.Fatal(err)
		}
		docs, err := f.docs.Documents(ctx, f.kase.ID)
		if err != nil || len(docs) != 2 || docs[0].ID != photo.ID || docs[1].Filename != contract.Filename ||
			docs[1].Description != "Signed in Kampala" || docs[1].SHA256 != contract.SHA256 {
			t.Fatalf("documents = %+v, %v", docs, err)
		}
		d, content, err := f.docs.DocumentContent(ctx, contract.ID)
		if err != nil || !bytes.Equal(content, tinyPDF()) || d.Filename != contract.Filename {
			t.Fatalf("download = %v, %d bytes", err, len(content))
		}
		// The photo was re-encoded: no EXIF, no GPS.
		_, content, err = f.docs.DocumentContent(ctx, photo.ID)
		if err != nil || bytes.Contains(content, []byte("Exif")) || bytes.Contains(content, []byte("MARKER-gps")) {
			t.Fatalf("stored photo keeps its metadata (err %v)", err)
		}
		if _, err := jpeg.Decode(bytes.NewReader(content)); err != nil {
			t.Fatalf("stored photo is not a JPEG: %v", err)
		}

		// Nothing readable in the table: not the content, name or description.
		err = f.db.InTx(context.Background(), func(tx *sql.Tx) error {
			rows, err := tx.Query(`SELECT filename, description, sha256, content FROM documents`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var a, b, c, e []byte
				if err := rows.Scan(&a, &b, &c, &e); err != nil {
					return err
				}
				all := string(a) + string(b) + string(c) + string(e)
				for _, m := range []string{pdfMarker, "Maria", "Kampala", contract.SHA256, "GPSLatitude"} {
					if strings.Contains(all, m) {
						t.Errorf("%q stored in plaintext", m)
					}
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}

		// Refusals name the field and store nothing: no row, no data key.
		rows, keys := f.count(t, `SELECT COUNT(*) FROM documents`), f.count(t, `SELECT COUNT(*) FROM data_keys`)
		small := f.docs.WithMaxSize(1024)
		for _, tc := range []struct {
			name, declared, filename string
			content                  []byte
			want                     string
		}{
			{"html", "text/html", "x.html", []byte("<!DOCTYPE html><script>alert(1)</script>"), flare.FileUnsupportedType},
			{"png called pdf", "application/pdf", "x.pdf", jpegWithGPS(t, "x"), flare.FileUnsupportedType},
			{"pdf named jpg", "", "x.jpg", tinyPDF(), flare.FileUnsupportedType},
			{"exe", "application/octet-stream", "x.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), flare.FileUnsupportedType},
			{"too large", "text/plain", "x.txt", bytes.Repeat([]byte("a"), 1025), flare.FileTooLarge},
			{"latin-1 text", "text/plain", "x.txt", []byte("caf\xe9"), flare.FileUnsupportedType},
		} {
			err := small.AddDocument(ctx, &flare.Document{CaseID: f.kase.ID, Filename: tc.filename}, tc.declared, tc.content)
			if fe, ok := err.(*flare.Error); !ok || fe.Code != flare.EINVALID || fe.Fields["file"] != tc.want {
				t.Errorf("%s: error %v, want file %s", tc.name, err, tc.want)
			}
		}
		wantCode(t, small.AddDocument(ctx, &flare.Document{CaseID: f.kase.ID}, "", nil), flare.EINVALID, "file")
		f.docs.WithMaxSize(flare.DefaultMaxDocumentSize)
		// Another agency cannot add, list or download; an analyst neither.
		wantCode(t, f.docs.AddDocument(as(f.stranger), &flare.Document{CaseID: f.kase.ID}, "application/pdf", tinyPDF()), flare.ENOTFOUND, "")
		_, _, err = f.docs.DocumentContent(as(f.stranger), contract.ID)
		wantCode(t, err, flare.ENOTFOUND, "")
		_, err = f.docs.Documents(asRole(f.agency, flare.RoleAnalyst), f.kase.ID)
		wantCode(t, err, flare.EFORBIDDEN, "")
		if r, k := f.count(t, `SELECT COUNT(*) FROM documents`), f.count(t, `SELECT COUNT(*) FROM data_keys`); r != rows || k != keys {
			t.Errorf("refused uploads left %d rows and %d keys behind", r-rows, k-keys)
		}
		// Audit: 2 creates, 2 listed + 2 downloads, 3 denials.
		if c, r, d := f.audits(t, "document", "create", "ok"), f.audits(t, "document", "read", "ok"),
			f.count(t, `SELECT COUNT(*) FROM audit_entries WHERE record_type = 'document' AND outcome = 'denied'`); c != 2 || r != 4 || d != 3 {
			t.Errorf("audit: %d creates, %d reads, %d denials; want 2, 4, 3", c, r, d)
		}
	})
}
