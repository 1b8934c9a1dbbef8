package redaktor

import (
	"strings"
	"time"
)

// Role is what a person may do on one page. People serve several pages,
// with a role on each.
type Role string

const (
	// RoleChief directs the page: approves, schedules, manages the team.
	RoleChief Role = "chief"
	// RoleModerator prepares drafts and submits them for approval.
	RoleModerator Role = "moderator"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleChief || r == RoleModerator }

// Page is one official page ("госпаблик") with its Telegram channel.
type Page struct {
	ID        string
	Title     string
	TimeZone  string // IANA name; the page's slots and times are read in it
	Slots     Slots
	ChannelID int64 // 0 until a chief editor links the channel
	// ChannelUsername is set for public channels; links to posts use it.
	ChannelUsername string
	ChannelTitle    string
	// WeeklyGoal is how many posts a week the page aims for; 0 means the
	// default (DefaultWeeklyGoal).
	WeeklyGoal int
	CreatedBy  int64
	CreatedAt  time.Time
	// Archived pages publish nothing; their history and team are kept, and
	// an admin may restore them.
	Archived   bool      `json:",omitempty"`
	ArchivedAt time.Time `json:",omitzero"`
}

// DefaultWeeklyGoal is the posts-per-week goal of a page that set none:
// regional centres ask for a post every other day at least.
const DefaultWeeklyGoal = 3

// Goal returns the page's weekly goal.
func (p Page) Goal() int {
	if p.WeeklyGoal <= 0 {
		return DefaultWeeklyGoal
	}
	return p.WeeklyGoal
}

// HasChannel reports whether a channel is linked.
func (p Page) HasChannel() bool { return p.ChannelID != 0 }

// Location returns the page's time zone, falling back to fallback when the
// stored name is unknown to this machine.
func (p Page) Location(fallback *time.Location) *time.Location {
	if p.TimeZone == "" {
		return fallback
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return fallback
	}
	return loc
}

// SameTitle reports whether two page titles name the same page for a
// person: case and spacing do not count.
func SameTitle(a, b string) bool {
	return NormalTitle(a) == NormalTitle(b)
}

// NormalTitle is a title in lower case with single spaces.
func NormalTitle(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// Member is a person's role on a page.
type Member struct {
	PageID string
	UserID int64
	Role   Role
	Name   string
}

// User is what the bot remembers of a person who wrote to it.
type User struct {
	ID       int64
	Name     string
	Username string
	Lang     string // Telegram language code: "ru", "en", ...
	// CurrentPage is the page new drafts go to; people switch it with /pages.
	CurrentPage string
}

// Invite is a one-time link that gives its opener a role on a page.
type Invite struct {
	Code      string
	PageID    string
	Role      Role
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    int64 // 0 until used
	UsedAt    time.Time
}

// InviteTTL is how long an invite link stays valid.
const InviteTTL = 72 * time.Hour

// PageCreationTTL is how long the link that makes the first chief editor of a
// new page stays valid. It is given to an admin who forwards it, so it
// lives as long as an invite.
const PageCreationTTL = InviteTTL
