package storage

import "strconv"

// keys builds every key redaktor uses. All keys carry one hash tag, so every
// script's keys live in one Cluster slot: a region's desk is small enough
// for one shard, and correctness needs the scripts to see all of them.
type keys struct{ p string }

func newKeys(prefix string) keys { return keys{p: "{" + prefix + "}:"} }

func id(n int64) string { return strconv.FormatInt(n, 10) }

func (k keys) seq(name string) string         { return k.p + "seq:" + name }
func (k keys) page(pageID string) string      { return k.p + "page:" + pageID }
func (k keys) members(pageID string) string   { return k.p + "page:" + pageID + ":members" }
func (k keys) pending(pageID string) string   { return k.p + "page:" + pageID + ":pending" }
func (k keys) queue(pageID string) string     { return k.p + "page:" + pageID + ":queue" }
func (k keys) published(pageID string) string { return k.p + "page:" + pageID + ":published" }
func (k keys) user(userID int64) string       { return k.userPrefix() + id(userID) }
func (k keys) userPages(userID int64) string  { return k.p + "user:" + id(userID) + ":pages" }
func (k keys) userPosts(userID int64) string  { return k.p + "user:" + id(userID) + ":posts" }
func (k keys) session(userID int64) string    { return k.p + "user:" + id(userID) + ":session" }
func (k keys) invite(code string) string      { return k.p + "invite:" + code }
func (k keys) post(postID string) string      { return k.p + "post:" + postID }
func (k keys) history(postID string) string   { return k.p + "post:" + postID + ":history" }
func (k keys) cards(postID string) string     { return k.p + "post:" + postID + ":cards" }
func (k keys) delivery(postID string) string  { return k.p + "post:" + postID + ":delivery" }

// The one message per person that reports a post's publication and its
// delivery to the subscribers (report.go), and what a person was told
// once and need not be told again.
func (k keys) report(postID string) string     { return k.p + "post:" + postID + ":report" }
func (k keys) reportRetry() string             { return k.p + "report:retry" }
func (k keys) reportLock(postID string) string { return k.p + "post:" + postID + ":report:lock" }
func (k keys) told(userID int64) string        { return k.p + "user:" + id(userID) + ":told" }

// userPrefix is a person's key without their id: scripts build the keys
// of the people they find in a hash from it.
func (k keys) userPrefix() string { return k.p + "user:" }

func (k keys) album(userID int64, group string) string {
	return k.p + "album:" + id(userID) + ":" + group
}

// A page's audit log, its open invites, and the posts of it whose cards a
// person was shown.
func (k keys) audit(pageID string) string   { return k.p + "page:" + pageID + ":audit" }
func (k keys) invites(pageID string) string { return k.p + "page:" + pageID + ":invites" }
func (k keys) memberCards(pageID string, userID int64) string {
	return k.p + "page:" + pageID + ":cards:" + id(userID)
}
func (k keys) albums() string    { return k.p + "albums" }
func (k keys) due() string       { return k.p + "due" }
func (k keys) leased() string    { return k.p + "leased" }
func (k keys) reminders() string { return k.p + "reminders" }

// remindersPass counts the processes whose reminders went through every
// page in the minute starting at ms.
func (k keys) remindersPass(ms int64) string {
	return k.p + "reminders:pass:" + strconv.FormatInt(ms, 10)
}
func (k keys) alive(who string) string { return k.p + "alive:" + who }
func (k keys) updates() string         { return k.p + "updates" }
func (k keys) updatesSeen() string     { return k.p + "updates:seen" }
func (k keys) updatesDone() string     { return k.p + "updates:done" }
func (k keys) updatesDead() string     { return k.p + "updates:dead" }

// updatesAlive is a consumer's liveness key, updatesBeaters the consumers
// that write one (see stream.go).
func (k keys) updatesAlive(consumer string) string { return k.p + "updates:alive:" + consumer }
func (k keys) updatesBeaters() string              { return k.p + "updates:beaters" }
func (k keys) updateMade(updateID int64) string {
	return k.p + "updates:made:" + id(updateID)
}

// channelPage names the page a channel is linked to: one page per channel.
func (k keys) channelPage(chatID int64) string { return k.p + "channel:" + id(chatID) + ":page" }

func (k keys) lease(name string) string { return k.p + "lease:" + name }

// flood marks a person told they were past the flood limit, for the
// cool-down, so that replicas tell them once.
func (k keys) flood(userID int64) string { return k.p + "flood:" + id(userID) }

// menus marks that the team's command menus of a version were set.
func (k keys) menus(version string) string { return k.p + "menus:" + version }

// menusLease is held by the process setting the team's menus of a version.
func (k keys) menusLease(version string) string { return k.p + "menus:" + version + ":lease" }

// dialogueEnded holds when a person's last dialogue with the bot ended.
func (k keys) dialogueEnded(userID int64) string { return k.p + "user:" + id(userID) + ":ended" }

// strayText holds a short text a person was asked about, under the
// question's message id.
func (k keys) strayText(userID int64, questionID int) string {
	return k.p + "user:" + id(userID) + ":stray:" + strconv.Itoa(questionID)
}

// Subscribers (data model in subscribers.go) and broadcasts (broadcast.go).
func (k keys) subs(pageID string) string        { return k.p + "page:" + pageID + ":subs" }
func (k keys) subsEn(pageID string) string      { return k.p + "page:" + pageID + ":subs:en" }
func (k keys) subSeq(pageID string) string      { return k.p + "page:" + pageID + ":subseq" }
func (k keys) subsGone(pageID string) string    { return k.p + "page:" + pageID + ":gone" }
func (k keys) audience(pageID string) string    { return k.p + "page:" + pageID + ":audience" }
func (k keys) subscribeCode(code string) string { return k.p + "subcode:" + code }
func (k keys) bc(postID string) string          { return k.p + "bc:" + postID }
func (k keys) bcDone(postID string) string      { return k.p + "bc:" + postID + ":done" }
func (k keys) bcSending(postID string) string   { return k.p + "bc:" + postID + ":sending" }
func (k keys) bcRetry(postID string) string     { return k.p + "bc:" + postID + ":retry" }
func (k keys) bcSuspect(postID string) string   { return k.p + "bc:" + postID + ":suspect" }
func (k keys) bcTries(postID string) string     { return k.p + "bc:" + postID + ":tries" }
func (k keys) bcTick(postID string) string      { return k.p + "bc:" + postID + ":tick" }
func (k keys) bcActive() string                 { return k.p + "bc:active" }
func (k keys) rlTAT() string                    { return k.p + "rl:tat" }
func (k keys) rlChatPrefix() string             { return k.p + "rl:chat:" }

// Reminders (reminders.go): a page's setting of how many working hours a
// post may wait before the chief editors are reminded, the posts they
// were reminded of (post id → when the post began waiting), and the mark
// of a page's morning digest of a day.
func (k keys) remindAfter(pageID string) string { return k.p + "page:" + pageID + ":remind:after" }
func (k keys) reminded(pageID string) string    { return k.p + "page:" + pageID + ":remind:waiting" }
func (k keys) digest(pageID, day string) string {
	return k.p + "page:" + pageID + ":digest:" + day
}

// postTold marks that people were told something of a post once (kind and
// stamp say what), so that of several processes one tells it.
func (k keys) postTold(postID, kind, stamp string) string {
	return k.p + "post:" + postID + ":told:" + kind + ":" + stamp
}

// What subscribers got of a post (user → message ids), and the jobs that
// edit or take down published posts (afterpub.go).
func (k keys) bcMessages(postID string) string { return k.p + "bc:" + postID + ":msgs" }
func (k keys) apJobs() string                  { return k.p + "ap:jobs" }
func (k keys) apJob(postID string) string      { return k.p + "ap:" + postID + ":job" }
func (k keys) apProgress(postID string) string { return k.p + "ap:" + postID + ":progress" }
func (k keys) apDone(postID string) string     { return k.p + "ap:" + postID + ":done" }
