package webui

import (
	"net/http"
	"net/url"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
)

var memberFields = []string{"email", "name", "role", "password"}

// membersView is the data of the members page.
type membersView struct {
	Form    *form
	Members []access.Member
	Roles   []option
	// Added is the member just added and, when Lifeline generated their
	// password, that password, shown once.
	Added     *access.Member
	Generated string
}

func roleOptions() []option {
	labels := map[access.Role]string{
		access.Owner:      "Owner: everything, including members and tokens",
		access.Maintainer: "Maintainer: changes products, releases, devices and support periods",
		access.Viewer:     "Viewer: reads only",
	}
	out := make([]option, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = option{Value: string(r), Label: labels[r]}
	}
	return out
}

// members lists the organisation's members; owners can change them.
func (u *UI) members(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("member", url.Values{"role": {string(access.Viewer)}}, memberFields...)
	u.renderMembers(w, r, m, http.StatusOK, f, nil, "")
}

func (u *UI) renderMembers(w http.ResponseWriter, r *http.Request, m *member, status int, f *form, added *access.Member, generated string) {
	ms, err := u.svc.Members(r.Context(), m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := membersView{Form: f, Members: ms, Roles: roleOptions(), Added: added, Generated: generated}
	u.render(w, r, status, "members.html", m.page("Members", "members", v))
}

// addMember adds a person, creating their account if they have none. A
// generated password is shown on the result page, once; it is not a
// redirect, so the password never travels in an address.
func (u *UI) addMember(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("member", formValues(r, "email", "name", "role"), memberFields...)
	in := service.NewMember{Email: f.Get("email"), Name: f.Get("name"), Role: access.Role(f.Get("role")), Password: r.PostForm.Get("password")}
	added, generated, err := u.svc.AddMember(r.Context(), m.P, in)
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.renderMembers(w, r, m, status, f, nil, "")
		return
	}
	u.renderMembers(w, r, m, http.StatusOK, newForm("member", url.Values{"role": {string(access.Viewer)}}, memberFields...), &added, generated)
}

// setMemberRole changes a member's role.
func (u *UI) setMemberRole(w http.ResponseWriter, r *http.Request, m *member) {
	if _, err := u.svc.SetMemberRole(r.Context(), m.P, r.PathValue("user"), access.Role(r.PostForm.Get("role"))); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/members", "member_role")
}

// removeMember removes a member.
func (u *UI) removeMember(w http.ResponseWriter, r *http.Request, m *member) {
	if err := u.svc.RemoveMember(r.Context(), m.P, r.PathValue("user")); err != nil {
		u.fail(w, r, err)
		return
	}
	if r.PathValue("user") == m.P.UserID {
		// Removing oneself leaves the session in no organisation.
		redirectDone(w, r, "/ui/", "member_removed")
		return
	}
	redirectDone(w, r, "/ui/members", "member_removed")
}
