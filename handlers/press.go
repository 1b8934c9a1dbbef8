package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redaktor/redaktor"
)

// A button carries a short action and the ids it acts on, within Telegram's
// 64 bytes: "ap:42:7" is "approve post 42 seen at revision 7". Anything can
// arrive here (any client can send any data for a message it holds), so
// parsing is strict and every press is checked again against roles.
type press struct {
	act    string
	postID string
	rev    int64
	pageID string
	userID int64
	arg    string
}

// Post buttons: act:postID:rev:pageID (see postData).
const (
	btnSubmit      = "sb"
	btnPropose     = "pt"
	btnDelete      = "dl"
	btnApproveSlot = "ap"
	btnApproveAt   = "at"
	btnPublishNow  = "pn"
	btnChanges     = "rc"
	btnReject      = "rj"
	btnNewVersion  = "nv"
	btnHistory     = "hi"
	btnReschedule  = "qt"
	btnCancel      = "qc"
	btnRetry       = "rt"
	btnUrgent      = "uu" // publish now, and the broadcast goes before all others
)

// Post buttons of one-tap approval (issue 13).
const (
	btnApproveProposed = "aq" // approve for the time the author proposed
	btnWithdraw        = "wd" // the author takes a pending post back to a draft
	btnNowYes          = "py" // «Опубликовать сейчас?» — yes
	btnUrgentYes       = "pu" // «… срочно?» — yes
	btnNowNo           = "pk" // «Опубликовать сейчас?» — no, keep it as it is
)

// Other buttons.
const (
	btnInvite     = "iv" // iv:role:pageID
	btnSwitchPage = "pg" // pg:pageID
	btnTeam       = "tm" // tm:op:pageID:userID  (op: c chief, m moderator, x remove)
	btnOpen       = "op" // op:postID
	btnQuality    = "qa" // qa:postID: every finding of the writing advice
	btnRevoke     = "vr" // vr:pageID:code: revoke an open invite
	btnSlots      = "sl" // sl:pageID: change the posting times (asks for them)
)

// questionAnswer are the answers of «Опубликовать сейчас?».
var questionAnswer = map[string]bool{btnNowYes: true, btnUrgentYes: true, btnNowNo: true}

var postButtons = map[string]bool{
	btnSubmit: true, btnPropose: true, btnDelete: true, btnApproveSlot: true, btnApproveAt: true,
	btnPublishNow: true, btnChanges: true, btnReject: true, btnNewVersion: true, btnHistory: true,
	btnReschedule: true, btnCancel: true, btnRetry: true, btnUrgent: true,
	btnApproveProposed: true, btnWithdraw: true, btnNowYes: true, btnUrgentYes: true, btnNowNo: true,
	// After publication (afterpub.go).
	btnEditPub: true, btnRemovePub: true, btnRemoveErr: true, btnRemoveOld: true, btnRemoveTwice: true,
	btnApproveEdit: true, btnEditChanges: true, btnEditReject: true,
}

// postData is a post button's data: act:postID:rev:pageID. The page lets
// a press read the post, its page and the person's role there at once; it
// is checked against the post's own page (see storage.ReadPress). Cards
// drawn before the page was added have act:postID:rev.
func postData(act string, p redaktor.Post) string {
	return act + ":" + p.ID + ":" + strconv.FormatInt(p.Rev, 10) + ":" + p.PageID
}

func parsePress(data string) (press, error) {
	parts := strings.Split(data, ":")
	bad := fmt.Errorf("%w: button data %q", redaktor.ErrInvalid, data)
	if len(data) > 64 || len(parts) < 2 {
		return press{}, bad
	}
	pr := press{act: parts[0]}
	switch {
	case postButtons[pr.act]:
		if len(parts) < 3 || len(parts) > 4 || !numeric(parts[1]) || (len(parts) == 4 && !numeric(parts[3])) {
			return press{}, bad
		}
		rev, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || rev < 1 {
			return press{}, bad
		}
		pr.postID, pr.rev = parts[1], rev
		if len(parts) == 4 {
			pr.pageID = parts[3]
		}
	case pr.act == btnOpen || pr.act == btnQuality:
		if len(parts) != 2 || !numeric(parts[1]) {
			return press{}, bad
		}
		pr.postID = parts[1]
	case pr.act == btnAdminList || pr.act == btnNewPageAnyway:
		if len(parts) != 2 || !numeric(parts[1]) {
			return press{}, bad
		}
		pr.arg = parts[1]
	case adminButtons[pr.act] || pr.act == btnAudit || pr.act == btnAuditCSV:
		if len(parts) != 2 || !numeric(parts[1]) {
			return press{}, bad
		}
		pr.pageID = parts[1]
	case pr.act == btnRevoke:
		if len(parts) != 3 || !numeric(parts[1]) || !inviteCode(parts[2]) {
			return press{}, bad
		}
		pr.pageID, pr.arg = parts[1], parts[2]
	case pr.act == btnSwitchPage || pr.act == btnSlots:
		if len(parts) != 2 || !numeric(parts[1]) {
			return press{}, bad
		}
		pr.pageID = parts[1]
	case pr.act == btnInvite:
		if len(parts) != 3 || !redaktor.Role(parts[1]).Valid() || !numeric(parts[2]) {
			return press{}, bad
		}
		pr.arg, pr.pageID = parts[1], parts[2]
	case pr.act == btnTeam:
		if len(parts) != 4 || !strings.Contains("cmx", parts[1]) || len(parts[1]) != 1 || !numeric(parts[2]) {
			return press{}, bad
		}
		uid, err := strconv.ParseInt(parts[3], 10, 64)
		if err != nil || uid <= 0 {
			return press{}, bad
		}
		pr.arg, pr.pageID, pr.userID = parts[1], parts[2], uid
	default:
		return press{}, bad
	}
	return pr, nil
}

// inviteCode reports whether s can be a code randomCode made.
func inviteCode(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func numeric(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
