package redaktor

import "fmt"

// Invite errors, each wrapping a domain sentinel.
var (
	ErrInviteUsed    = fmt.Errorf("invite already used: %w", ErrConflict)
	ErrInviteExpired = fmt.Errorf("invite expired: %w", ErrInvalid)
	ErrInviteRevoked = fmt.Errorf("invite revoked: %w", ErrInvalid)
)

// Redeemed is the outcome of opening an invite.
type Redeemed struct {
	Invite Invite
	// Role is the person's role on the page now; "" when Again and they
	// left the page since.
	Role Role
	// Again: the person had used this invite before; nothing changed now.
	Again bool
}
