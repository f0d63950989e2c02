package http

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// FuzzDecodeReportForm: the portal form decoder never panics, and what it
// accepts is a report whose Validate either passes or names a field
// (security checklist R-IH1).
func FuzzDecodeReportForm(f *testing.F) {
	ct, body := multipartReport(f, reportValues("tok", "fz"), []byte("%PDF-1.4"))
	f.Add(ct, body.Bytes())
	f.Add("application/x-www-form-urlencoded", []byte(reportValues("tok", "x").Encode()))
	f.Add("application/x-www-form-urlencoded", []byte("people=-1&danger=maybe&sign=x&token="+strings.Repeat("a", 101)))
	f.Add("multipart/form-data; boundary=zz", []byte("--zz\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--zz--\r\n"))
	f.Add("text/plain", []byte("text=hi"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		form, err := decodeReportForm(ct, bytes.NewReader(body))
		if err != nil {
			if flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		if err := form.Report.Validate(); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("Validate: %v", err)
		}
		for _, f := range form.Files {
			if _, err := sniffUpload(f); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("sniff: %v", err)
			}
		}
	})
}

// FuzzSniffUpload: the upload sniffer never panics, accepts only the
// allow-listed types, and re-encodes images.
func FuzzSniffUpload(f *testing.F) {
	f.Add(jpegWithGPS(f))
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"))
	f.Add([]byte("GIF89a"))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := sniffUpload(data)
		if err != nil {
			if flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		switch a.ContentType {
		case "image/jpeg", "image/png":
			if bytes.Contains(a.Data, []byte("Exif")) {
				t.Fatal("re-encoded image holds EXIF")
			}
		case "application/pdf":
		default:
			t.Fatalf("accepted %s", a.ContentType)
		}
	})
}

// FuzzDecodePartnerReport: the partner API decoder never panics and
// refuses with invalid input only.
func FuzzDecodePartnerReport(f *testing.F) {
	f.Add([]byte(`{"text":"x","people":3,"danger":true,"signs":["locked_in"],"sector":"fishing"}`))
	f.Add([]byte(`{"text":"x","signs":["nope"]}`))
	f.Add([]byte(`{"text":1}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := decodePartnerReport(bytes.NewReader(body))
		if err != nil {
			if flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		if r.Text == "" || r.Channel != flare.ChannelPartner {
			t.Fatalf("accepted %+v", r)
		}
	})
}
