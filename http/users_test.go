package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

func (b *browser) json(method, path, body string) (*http.Response, string) {
	b.t.Helper()
	return b.jsonIfMatch(method, path, body, "")
}

// jsonIfMatch sends a JSON request with an If-Match header when etag is set.
func (b *browser) jsonIfMatch(method, path, body, etag string) (*http.Response, string) {
	b.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	req.RemoteAddr = b.remote
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestAdminManagesUsers(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			admin := f.signedIn(t, f.agency, flare.RoleAdmin)

			res, body := admin.json("POST", "/api/v1/users", `{"email":"new.caseworker@labour.example","roles":["caseworker"]}`)
			var created newUserResponse
			if res.StatusCode != 201 || json.Unmarshal([]byte(body), &created) != nil ||
				!regexp.MustCompile(`^https://flare\.example/enrol/[A-Za-z0-9_-]{43}$`).MatchString(created.EnrolmentLink) {
				t.Fatalf("create user = %d %s", res.StatusCode, body)
			}
			if created.User.AgencyID != f.agency.ID {
				t.Fatalf("user created in agency %s, want the admin's", created.User.AgencyID)
			}
			res, body = admin.do("GET", "/admin/users", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "new.caseworker@labour.example") {
				t.Fatalf("users page = %d", res.StatusCode)
			}
			res, body = admin.do("POST", "/admin/users", url.Values{"email": {"page.user@labour.example"}, "role": {"inspector", "supervisor"}})
			if res.StatusCode != 201 || !strings.Contains(body, "https://flare.example/enrol/") {
				t.Fatalf("create through the page = %d", res.StatusCode)
			}
			res, _ = admin.do("POST", "/admin/users/"+created.User.ID+"/disable", url.Values{})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("disable through the page = %d", res.StatusCode)
			}
			if res, _ := admin.json("POST", "/api/v1/users/"+created.User.ID+"/unlock", ""); res.StatusCode != 204 {
				t.Fatalf("unlock = %d", res.StatusCode)
			}

			// An inspector of the same agency may not; another agency's
			// admin does not even find the user.
			inspector := f.signedIn(t, f.agency, flare.RoleInspector)
			if res, _ := inspector.json("POST", "/api/v1/users", `{"email":"x@labour.example","roles":["admin"]}`); res.StatusCode != 403 {
				t.Errorf("inspector creating a user = %d, want 403", res.StatusCode)
			}
			if res, _ := inspector.do("GET", "/admin/users", nil); res.StatusCode != 403 {
				t.Errorf("inspector on the users page = %d, want 403", res.StatusCode)
			}
			otherAdmin := f.signedIn(t, f.otherAgency(t), flare.RoleAdmin)
			if res, _ := otherAdmin.json("POST", "/api/v1/users/"+created.User.ID+"/disable", ""); res.StatusCode != 404 {
				t.Errorf("another agency's admin disabling = %d, want 404", res.StatusCode)
			}
		})
	}
}

// otherAgency is the fixture's police agency, which owns otherCase.
func (f *staffFixture) otherAgency(t *testing.T) *flare.Agency {
	t.Helper()
	a, err := sqlstore.NewAgencyService(f.db).Agency(t.Context(), f.otherCase.AgencyID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStaffHomeByRole(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	for role, want := range map[flare.Role][]string{
		flare.RoleAdmin:     {`href="/admin/users"`},
		flare.RoleInspector: {`href="/cases"`},
		flare.RoleAnalyst:   {`href="/statistics"`},
		flare.RoleIntake:    {`href="/cases"`, `href="/tasks"`},
	} {
		res, body := f.signedIn(t, f.agency, role).do("GET", "/app", nil)
		for _, w := range want {
			if res.StatusCode != 200 || !strings.Contains(body, w) {
				t.Errorf("%s home = %d, lacks %q", role, res.StatusCode, w)
			}
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	var v newUserRequest
	tests := []struct{ body, want string }{
		{``, "empty"},
		{`{"email": }`, "malformed JSON"},
		{`{"email": 5}`, "email: must be string"},
		{`{"emial": "x"}`, "emial: is not a known field"},
		{`{"email": "x"} {"email": "y"}`, "nothing after it"},
		{`{"email": "x"`, "ends too early"},
	}
	for _, tt := range tests {
		err := decodeJSONBody(bytes.NewBufferString(tt.body), &v)
		if flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("decode %q = %v, want invalid %q", tt.body, err, tt.want)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.example","roles":["admin"]}`, `{}`, `[]`, `{"roles":[1]}`, `nul`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v newUserRequest
		err := decodeJSONBody(strings.NewReader(body), &v)
		if err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("decode error is not invalid input: %v", err)
		}
	})
}
