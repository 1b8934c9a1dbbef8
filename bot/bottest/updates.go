package bottest

import (
	"encoding/json"
	"slices"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// PushUpdate queues an arbitrary update for getUpdates, numbering it when
// its update_id is zero, and returns it as queued.
func (s *Server) PushUpdate(u tgbotapi.Update) tgbotapi.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(u)
}

func (s *Server) pushLocked(u tgbotapi.Update) tgbotapi.Update {
	if u.UpdateID == 0 {
		u.UpdateID = s.nextUpdID
	}
	s.nextUpdID = max(s.nextUpdID, u.UpdateID+1)
	// Kept ascending: an update with an explicit, smaller id goes to its
	// place (after any with the same id); the usual one is appended.
	i := len(s.updates)
	for i > 0 && s.updates[i-1].UpdateID > u.UpdateID {
		i--
	}
	s.updates = slices.Insert(s.updates, i, u)
	s.signalLocked()
	return u
}

// Confirmed returns the highest offset the bot has confirmed with
// getUpdates: every update with a smaller update_id is gone for good.
// Zero means nothing was confirmed yet.
func (s *Server) Confirmed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// Pending returns how many updates are queued and not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// getUpdates long-polls like Telegram: offset confirms (and forgets) older
// updates, a newer getUpdates terminates a running one with 409, and the
// wait ends early when the client goes away or the test ends.
func (s *Server) getUpdates(req *request) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.URL != "" {
		return nil, errConflictWebhook
	}
	limit := req.int("limit")
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := max(req.int("timeout"), 0)
	if raw := req.str("allowed_updates"); raw != "" {
		var allowed []string
		if json.Unmarshal([]byte(raw), &allowed) != nil {
			return nil, badRequest("can't parse allowed updates JSON object")
		}
		s.allowed = allowed
	}
	s.confirm(req.int("offset"))

	if s.poller != nil {
		close(s.poller) // the older request answers 409
	}
	mine := make(chan struct{})
	s.poller = mine
	defer func() {
		if s.poller == mine {
			s.poller = nil
		}
	}()

	expire := time.NewTimer(time.Duration(timeout) * time.Second)
	defer expire.Stop()
	for {
		if ups := s.deliverable(limit); len(ups) > 0 || timeout == 0 {
			return ups, nil
		}
		changed := s.changed
		s.mu.Unlock()
		var terminated bool
		select {
		case <-changed:
		case <-mine:
			terminated = true
		case <-expire.C:
			timeout = 0
		case <-req.ctx.Done():
			timeout = 0
		case <-s.done:
			timeout = 0
		}
		s.mu.Lock()
		if terminated {
			return nil, errConflictPolling
		}
	}
}

// confirm applies a getUpdates offset. A negative offset keeps only the
// last -offset updates, as documented.
func (s *Server) confirm(offset int) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.updates) && s.updates[i].UpdateID < offset {
			i++
		}
		s.updates = s.updates[i:]
		if offset > s.confirmed {
			s.confirmed = offset
			s.signalLocked()
		}
	case offset < 0:
		if keep := -offset; keep < len(s.updates) {
			s.updates = s.updates[len(s.updates)-keep:]
		}
	}
}

// deliverable returns up to limit queued updates of the allowed types;
// updates of other types are dropped, as Telegram never sends them.
func (s *Server) deliverable(limit int) []tgbotapi.Update {
	out := []tgbotapi.Update{}
	kept := s.updates[:0]
	for _, u := range s.updates {
		if !s.allows(u) {
			continue
		}
		kept = append(kept, u)
		if len(out) < limit {
			out = append(out, u)
		}
	}
	s.updates = kept
	return out
}

func (s *Server) allows(u tgbotapi.Update) bool {
	if len(s.allowed) == 0 {
		return true
	}
	return slices.Contains(s.allowed, updateType(u))
}

func updateType(u tgbotapi.Update) string {
	switch {
	case u.Message != nil:
		return tgbotapi.UpdateTypeMessage
	case u.EditedMessage != nil:
		return tgbotapi.UpdateTypeEditedMessage
	case u.ChannelPost != nil:
		return tgbotapi.UpdateTypeChannelPost
	case u.EditedChannelPost != nil:
		return tgbotapi.UpdateTypeEditedChannelPost
	case u.CallbackQuery != nil:
		return tgbotapi.UpdateTypeCallbackQuery
	case u.InlineQuery != nil:
		return tgbotapi.UpdateTypeInlineQuery
	case u.ChosenInlineResult != nil:
		return tgbotapi.UpdateTypeChosenInlineResult
	case u.MyChatMember != nil:
		return tgbotapi.UpdateTypeMyChatMember
	case u.ChatMember != nil:
		return tgbotapi.UpdateTypeChatMember
	case u.Poll != nil:
		return tgbotapi.UpdateTypePoll
	case u.PollAnswer != nil:
		return tgbotapi.UpdateTypePollAnswer
	}
	return ""
}
