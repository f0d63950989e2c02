package flare

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxDocumentSize is the largest document accepted unless the
// operator sets another limit (serve --max-document-size).
const DefaultMaxDocumentSize = 10 << 20

// MaxImagePixels caps the pixels of an uploaded image, so that a small file
// that decodes to a huge bitmap cannot exhaust memory (security checklist
// R-IH2: "image pixel-count cap").
const MaxImagePixels = 40_000_000

// Document is a file kept with a case: a scanned contract, a pay slip, a
// photo of a workplace. Its content, filename and description are sealed
// under the document's own data key; HTCDS 2.0 has no attachment record,
// so the names are Flare's own.
type Document struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// Filename is the name the file was uploaded under, without any
	// directory; it is only ever shown, never used to store the file.
	Filename string `json:"filename"`
	// ContentType is decided from the content (DocumentType), never from
	// the name or what the client said.
	ContentType string `json:"content_type"`
	// Size is the stored content's size in bytes.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 of the stored content.
	SHA256      string `json:"sha256"`
	Description string `json:"description,omitempty"`
	// UploadedBy is the user who added it (empty for the console).
	UploadedBy string    `json:"uploaded_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// documentTypes is the allow-list of document types, with the file name
// extensions that go with each (security checklist R-IH2: "type decided by
// content sniffing plus an allow-list, not by extension").
var documentTypes = map[string][]string{
	"application/pdf": {".pdf"},
	"image/jpeg":      {".jpg", ".jpeg", ".jfif"},
	"image/png":       {".png"},
	"text/plain":      {".txt", ".text"},
	docxType:          {".docx"},
	odtType:           {".odt"},
}

// The word-processing types: both are ZIP archives, told apart (and from
// any other archive) by what they hold, not by their name.
const (
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	odtType  = "application/vnd.oasis.opendocument.text"
)

// DocumentTypes returns the allowed content types.
func DocumentTypes() []string {
	return []string{"application/pdf", "image/jpeg", "image/png", "text/plain", docxType, odtType}
}

// DocumentExtensions returns the file name extensions of the allowed types,
// for the accept attribute of an upload field.
func DocumentExtensions() []string {
	var out []string
	for _, t := range DocumentTypes() {
		out = append(out, documentTypes[t]...)
	}
	return out
}

// The values of Error.Fields["file"] that say why a file was refused, so
// that the HTTP layer can answer 413 or 415.
const (
	FileTooLarge        = "too_large"
	FileUnsupportedType = "unsupported_type"
)

func fileError(kind, format string, args ...any) *Error {
	e := FieldError("file", format, args...)
	e.Fields["file"] = kind
	return e
}

// DocumentType decides the type of content: it sniffs the content
// (http.DetectContentType) and accepts only the allow-list. The type the
// client declared and the one the file name's extension implies must agree
// with what the content is, where they say anything: a PNG named
// "contract.pdf" is refused, not stored under the wrong type.
func DocumentType(declared, filename string, content []byte) (string, error) {
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(content))
	if sniffed == "application/zip" {
		var err error
		if sniffed, err = officeType(content); err != nil {
			return "", err
		}
	}
	if _, ok := documentTypes[sniffed]; !ok {
		return "", fileError(FileUnsupportedType, "this kind of file (%s) is not accepted: send a PDF, a JPEG or PNG image, a plain text file, or a DOCX or ODT document", sniffed)
	}
	if sniffed == "text/plain" && !utf8.Valid(content) {
		return "", fileError(FileUnsupportedType, "a text file must be in UTF-8")
	}
	if d, _, err := mime.ParseMediaType(declared); err == nil && d != "" && d != "application/octet-stream" {
		if d == "image/pjpeg" || d == "image/jpg" {
			d = "image/jpeg"
		}
		if d != sniffed {
			return "", fileError(FileUnsupportedType, "the file is said to be %s but its content is %s", d, sniffed)
		}
	}
	if ext := strings.ToLower(path.Ext(filename)); ext != "" && extensionKnown(ext) {
		for _, e := range documentTypes[sniffed] {
			if e == ext {
				return sniffed, nil
			}
		}
		return "", fileError(FileUnsupportedType, "the file name ends in %s but its content is %s", ext, sniffed)
	}
	return sniffed, nil
}

// officeType tells a DOCX or ODT document from any other ZIP archive by its
// entries, reading only their names and ODT's small "mimetype" entry (so
// no amount of compressed data is ever inflated here). A document with
// macros (a VBA project, ODF Basic or scripts) is refused: a file kept as
// evidence has no need to run code on the reader's machine.
func officeType(content []byte) (string, error) {
	refuse := func(why string) (string, error) {
		return "", fileError(FileUnsupportedType, "%s", why)
	}
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return refuse("the archive cannot be read")
	}
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if strings.HasSuffix(name, "vbaproject.bin") || strings.HasPrefix(name, "basic/") || strings.HasPrefix(name, "scripts/") {
			return refuse("documents with macros are not accepted: save it without macros, or as PDF")
		}
		names[f.Name] = f
	}
	if names["[Content_Types].xml"] != nil && names["word/document.xml"] != nil {
		return docxType, nil
	}
	if f := names["mimetype"]; f != nil && f.UncompressedSize64 < 100 {
		rc, err := f.Open()
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if string(b) == odtType {
				return odtType, nil
			}
		}
	}
	return refuse("archives are not accepted (only DOCX and ODT documents)")
}

func extensionKnown(ext string) bool {
	for _, exts := range documentTypes {
		for _, e := range exts {
			if e == ext {
				return true
			}
		}
	}
	return false
}

// PrepareDocument checks an upload and returns the content to store: it
// cleans the filename and description, refuses content over maxSize bytes
// or of a type not on the allow-list, re-encodes images (which drops EXIF
// metadata such as GPS positions and caps their pixel count, checklist
// R-IH2), and sets d's ContentType, Size and SHA256 from what is stored.
func PrepareDocument(d *Document, declared string, content []byte, maxSize int64) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxDocumentSize
	}
	d.Filename = cleanFilename(d.Filename)
	d.Description = CleanText(d.Description)
	switch {
	case d.CaseID == "":
		return nil, FieldError("case_id", "is required")
	case len(content) == 0:
		return nil, FieldError("file", "is empty: choose a file to upload")
	case int64(len(content)) > maxSize:
		return nil, fileError(FileTooLarge, "is larger than %d bytes (%s)", maxSize, HumanSize(maxSize))
	case utf8.RuneCountInString(d.Description) > MaxNameLength*5:
		return nil, FieldError("description", "is longer than %d characters", MaxNameLength*5)
	}
	ct, err := DocumentType(declared, d.Filename, content)
	if err != nil {
		return nil, err
	}
	if d.Filename == "" {
		d.Filename = "document" + documentTypes[ct][0]
	}
	if ct == "image/jpeg" || ct == "image/png" {
		if content, err = reencodeImage(ct, content); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(content)
	d.ContentType, d.Size, d.SHA256 = ct, int64(len(content)), hex.EncodeToString(sum[:])
	return content, nil
}

// cleanFilename keeps the last element of a path (browsers on Windows may
// send "C:\fakepath\x.pdf"), as one clean line of at most MaxNameLength
// runes, keeping the extension when it shortens.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = CleanLine(name)
	if utf8.RuneCountInString(name) > MaxNameLength {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:MaxNameLength-utf8.RuneCountInString(ext)]) + ext
	}
	if strings.Trim(name, ".") == "" {
		return ""
	}
	return name
}

// reencodeImage decodes an image and encodes it again: only the pixels
// survive, not the metadata a camera or phone wrote into the file.
func reencodeImage(ct string, content []byte) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(content))
	if err != nil {
		return nil, fileError(FileUnsupportedType, "the image cannot be read: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fileError(FileTooLarge, "the image has more than %d pixels", MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(content))
	if err != nil {
		return nil, fileError(FileUnsupportedType, "the image cannot be read: %v", err)
	}
	var buf bytes.Buffer
	if ct == "image/png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return nil, Errorf(EINTERNAL, "re-encode image: %v", err)
	}
	return buf.Bytes(), nil
}

// HumanSize writes a byte count for people: "10 MiB", "1.5 MiB", "512 KiB".
func HumanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// DocumentService keeps the documents of cases, sealed.
type DocumentService interface {
	// AddDocument checks content with PrepareDocument and stores it with
	// d, setting d's ID and CreatedAt; the document and its audit entry
	// are one transaction.
	AddDocument(ctx context.Context, d *Document, declaredType string, content []byte) error
	// Documents returns the documents of a case (without content), newest
	// first.
	Documents(ctx context.Context, caseID string) ([]*Document, error)
	// DocumentContent returns a document with its decrypted content.
	DocumentContent(ctx context.Context, id string) (*Document, []byte, error)
}
