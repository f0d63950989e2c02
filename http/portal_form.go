package http

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// Limits of the portal form (security checklist R-IH2).
const (
	// maxPortalFields bounds the text part of the form.
	maxPortalFields = 64 << 10
	// maxPortalBody bounds the whole request: the text plus every file.
	maxPortalBody = maxPortalFields + sqlstore.MaxAttachments*(sqlstore.MaxAttachmentBytes+4<<10)
	// maxPixels caps a decoded image, so a small file cannot expand into
	// gigabytes of pixels (a decompression bomb).
	maxPixels = 40_000_000
)

// reportForm is the decoded portal form.
type reportForm struct {
	Report *flare.Report
	Token  string
	Files  [][]byte
}

// errTooLarge says the upload is over the limit.
var errTooLarge = flare.FieldError("attachments", "the files are too large")

// decodeReportForm reads the portal form, URL-encoded or multipart, from
// body into a report. It never writes to disk: file parts are read into
// memory up to their cap, so nothing of a refused upload is left anywhere
// (http.Request.ParseMultipartForm would spill large parts to temporary
// files). Bad input is an invalid-input error naming the field.
func decodeReportForm(contentType string, body io.Reader) (*reportForm, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "the form could not be read")
	}
	vals := url.Values{}
	var files [][]byte
	switch mt {
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(io.LimitReader(body, maxPortalFields+1))
		if err != nil {
			return nil, readError(err)
		}
		if len(b) > maxPortalFields {
			return nil, flare.FieldError("text", "is too long")
		}
		if vals, err = url.ParseQuery(string(b)); err != nil {
			return nil, flare.Errorf(flare.EINVALID, "the form could not be read")
		}
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, flare.Errorf(flare.EINVALID, "the form could not be read")
		}
		if vals, files, err = readMultipart(multipart.NewReader(body, params["boundary"])); err != nil {
			return nil, err
		}
	default:
		return nil, flare.Errorf(flare.EINVALID, "the form could not be read")
	}
	return formToReport(vals, files)
}

// readError maps a body read error: over the MaxBytesReader cap is "too
// large"; anything else is a form that could not be read.
func readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errTooLarge
	}
	return flare.Errorf(flare.EINVALID, "the form could not be read")
}

func readMultipart(mr *multipart.Reader) (url.Values, [][]byte, error) {
	vals := url.Values{}
	var files [][]byte
	textBytes := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return vals, files, nil
		}
		if err != nil {
			return nil, nil, readError(err)
		}
		name := p.FormName()
		if p.FileName() != "" || name == "attachment" {
			if name != "attachment" {
				return nil, nil, flare.FieldError("attachments", "unexpected file field")
			}
			b, err := io.ReadAll(io.LimitReader(p, sqlstore.MaxAttachmentBytes+1))
			if err != nil {
				return nil, nil, readError(err)
			}
			if len(b) == 0 {
				continue // no file chosen
			}
			if len(b) > sqlstore.MaxAttachmentBytes {
				return nil, nil, errTooLarge
			}
			if len(files) == sqlstore.MaxAttachments {
				return nil, nil, flare.FieldError("attachments", "too many files")
			}
			files = append(files, b)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p, int64(maxPortalFields-textBytes+1)))
		if err != nil {
			return nil, nil, readError(err)
		}
		textBytes += len(b)
		if textBytes > maxPortalFields {
			return nil, nil, flare.FieldError("text", "is too long")
		}
		vals.Add(name, string(b))
	}
}

// formToReport maps form values to a report, refusing values that no form
// of ours sends.
func formToReport(v url.Values, files [][]byte) (*reportForm, error) {
	r := &flare.Report{
		Text: v.Get("text"), Country: v.Get("country"), Region: v.Get("region"), Town: v.Get("town"),
		Workplace: v.Get("workplace"), Sector: v.Get("sector"), Relationship: v.Get("relationship"),
		Contact: v.Get("contact"), Signs: v["sign"],
	}
	switch v.Get("danger") {
	case "yes":
		r.Danger = true
	case "no", "":
	default:
		return nil, flare.FieldError("danger", "must be yes or no")
	}
	if p := strings.TrimSpace(v.Get("people")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, flare.FieldError("people", "must be a number")
		}
		r.People = n
	}
	tok := v.Get("token")
	if len(tok) > 100 {
		return nil, flare.Errorf(flare.EINVALID, "the form could not be read")
	}
	return &reportForm{Report: r, Token: tok, Files: files}, nil
}

// sniffUpload decides a file's type from its content (never its name or
// declared type) against the allow-list, and re-encodes images, which drops
// EXIF, GPS and every other metadata block (R-IH2). PDFs are kept as sent.
func sniffUpload(data []byte) (*flare.Attachment, error) {
	ct := http.DetectContentType(data)
	switch ct {
	case "image/jpeg", "image/png":
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, flare.FieldError("attachments", "an image could not be read")
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
			return nil, flare.FieldError("attachments", "an image is too large")
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, flare.FieldError("attachments", "an image could not be read")
		}
		var out bytes.Buffer
		if ct == "image/png" {
			err = png.Encode(&out, img)
		} else {
			err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
		}
		if err != nil {
			return nil, flare.FieldError("attachments", "an image could not be read")
		}
		if out.Len() > sqlstore.MaxAttachmentBytes {
			return nil, errTooLarge
		}
		return &flare.Attachment{ContentType: ct, Data: out.Bytes()}, nil
	case "application/pdf":
		return &flare.Attachment{ContentType: ct, Data: data}, nil
	}
	return nil, flare.FieldError("attachments", "only JPEG and PNG images and PDF files are accepted")
}
