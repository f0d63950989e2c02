package http

import (
	"context"
	"net/http"
	"net/url"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// UserAdmin is what the admin pages need beyond flare.UserService.
type UserAdmin interface {
	flare.UserService
	Users(ctx context.Context, agencyID string) ([]*flare.User, error)
	UnlockUser(ctx context.Context, id string) error
	DisableUser(ctx context.Context, id string) error
}

// newUserRequest is the body of POST /api/v1/users.
type newUserRequest struct {
	Email string       `json:"email"`
	Roles []flare.Role `json:"roles"`
}

// newUserResponse answers it with the one-time enrolment link.
type newUserResponse struct {
	User          *flare.User `json:"user"`
	EnrolmentLink string      `json:"enrolment_link"`
}

func (s *Server) enrolmentLink(token string) string {
	base, err := url.Parse(s.cfg.BaseURL)
	if err != nil || base.Host == "" {
		return "/enrol/" + token
	}
	return base.JoinPath("/enrol/" + token).String()
}

func (s *Server) createUser(r *http.Request, email string, roles []flare.Role) (*newUserResponse, error) {
	me, _ := userFrom(r.Context())
	u := &flare.User{AgencyID: me.AgencyID, Email: email, Roles: roles}
	token, err := s.cfg.Users.CreateUser(r.Context(), u)
	if err != nil {
		return nil, err
	}
	return &newUserResponse{User: u, EnrolmentLink: s.enrolmentLink(token)}, nil
}

func (s *Server) handleAPIUsers(w http.ResponseWriter, r *http.Request) {
	me, _ := userFrom(r.Context())
	users, err := s.cfg.Users.Users(r.Context(), me.AgencyID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if users == nil {
		users = []*flare.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) handleAPICreateUser(w http.ResponseWriter, r *http.Request) {
	var req newUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.createUser(r, req.Email, req.Roles)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

// handleAPIUserAction unlocks or disables a user.
func (s *Server) handleAPIUserAction(w http.ResponseWriter, r *http.Request) {
	if err := s.userAction(r, r.PathValue("action"), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) userAction(r *http.Request, action, id string) error {
	switch action {
	case "unlock":
		return s.cfg.Users.UnlockUser(r.Context(), id)
	case "disable":
		return s.cfg.Users.DisableUser(r.Context(), id)
	}
	return flare.Errorf(flare.ENOTFOUND, "no such action")
}

func (s *Server) handleUsersPage(w http.ResponseWriter, r *http.Request) {
	s.renderUsersPage(w, r, http.StatusOK, html.UsersView{})
}

func (s *Server) renderUsersPage(w http.ResponseWriter, r *http.Request, status int, view html.UsersView) {
	me, _ := userFrom(r.Context())
	users, err := s.cfg.Users.Users(r.Context(), me.AgencyID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view.Page = s.cfg.Renderer.NewPage(r, "users.title")
	view.Users, view.Roles, view.MeID = users, flare.Roles(), me.ID
	s.render(w, r, status, "users", view)
}

func (s *Server) handleUsersForm(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	var roles []flare.Role
	for _, v := range r.PostForm["role"] {
		roles = append(roles, flare.Role(v))
	}
	res, err := s.createUser(r, r.PostForm.Get("email"), roles)
	if err != nil {
		if flare.ErrorCodeOf(err) == flare.EINVALID || flare.ErrorCodeOf(err) == flare.ECONFLICT {
			s.renderUsersPage(w, r, ErrorStatus(flare.ErrorCodeOf(err)), html.UsersView{ErrorMessage: flare.ErrorMessageOf(err), Email: r.PostForm.Get("email")})
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.renderUsersPage(w, r, http.StatusCreated, html.UsersView{NewUser: res.User, EnrolmentLink: res.EnrolmentLink})
}

func (s *Server) handleUserActionForm(w http.ResponseWriter, r *http.Request) {
	if err := s.userAction(r, r.PathValue("action"), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}
