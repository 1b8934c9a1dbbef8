package redaktor

import "time"

// AuditAction names one kind of team action a page's audit log keeps.
type AuditAction string

const (
	AuditPageCreated     AuditAction = "page_created"
	AuditInviteMade      AuditAction = "invite_made"
	AuditInviteRevoked   AuditAction = "invite_revoked"
	AuditJoined          AuditAction = "joined"
	AuditRoleChanged     AuditAction = "role_changed"
	AuditRemoved         AuditAction = "removed"
	AuditChannelLinked   AuditAction = "channel_linked"
	AuditChannelUnlinked AuditAction = "channel_unlinked"
	AuditPublished       AuditAction = "published"
	AuditDeleted         AuditAction = "deleted"   // an author dropped a draft
	AuditCancelled       AuditAction = "cancelled" // a chief editor took a post off
	AuditArchived        AuditAction = "archived"
	AuditRestored        AuditAction = "restored"
	AuditRenamed         AuditAction = "renamed"
)

// AuditEntry is one line of a page's audit log. It holds people's ids,
// never their names: names are looked up when the log is shown, so a
// person the bot forgot shows as a former member.
type AuditEntry struct {
	At      time.Time
	ActorID int64 // who acted; 0 for the bot itself
	Action  AuditAction
	UserID  int64  // whom it concerns (joined, role, removal, whose invite), 0 if nobody
	Role    Role   // the role given, invited to or taken away
	PostID  string // publication, deletion
	Note    string // a title, a channel's name: never a person's data
}

// AuditKeep is how many of a page's latest team actions are kept and shown.
const AuditKeep = 50
