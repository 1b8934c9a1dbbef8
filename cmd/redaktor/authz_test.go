package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage"
)

// Who may do what, as one table: every command and every button action ×
// every kind of person → allowed or refused, through the whole program.
// A refusal is what the person is told AND that nothing changed; an
// allowed action is what they are told AND what changed.
//
// To add an action, add one line to authzTable: its name (as in the
// table of docs/authorization.md), who may take it, and how it is done and
// observed (command, postPress, answer, teamPress, forgeOnA below build the
// usual kinds). The doc's table is generated from it: see
// TestAuthorizationDocShowsTheAuthzTable.

// persona is a kind of person the table tries every action as.
type persona int

const (
	pStranger   persona = iota // writes to the bot, on no page
	pSubscriber                // follows page A, on no team
	pModerator                 // moderator of page A, not the post's author
	pAuthor                    // moderator of page A who wrote the post
	pChief                     // chief editor of page A
	pOtherChief                // chief editor of page B only
	pRemoved                   // was moderator of page A, removed
	pAdmin                     // in ADMIN_IDS, on no page
	numPersonas
)

var personaNames = [numPersonas]string{"stranger", "subscriber", "moderator", "author", "chief editor",
	"chief editor of another page", "removed member", "admin"}

// The table's people; admin, chief, moderator and stranger are the
// harness's.
const (
	otherChiefID int64 = 202
	authorID     int64 = 301
	removedID    int64 = 302
	subscriberID int64 = 500
)

var personaIDs = [numPersonas]int64{stranger, subscriberID, moderator, authorID, chief, otherChiefID, removedID, admin}

// who is a set of personas.
type who uint16

func of(ps ...persona) who {
	var s who
	for _, p := range ps {
		s |= 1 << p
	}
	return s
}

func (s who) has(p persona) bool { return s&(1<<p) != 0 }

var (
	nobody   = who(0)
	everyone = who(1<<numPersonas - 1)
	pageTeam = of(pModerator, pAuthor, pChief) // page A's team
	anyTeam  = pageTeam | of(pOtherChief)      // on a team (commands act on their own page)
	// An admin acts as chief editor of every page (their current page is
	// page A: they pressed «Работать как шеф-редактор» on it) without
	// being on its team.
	chiefs     = of(pChief, pAdmin)              // chief editors of the item's page, and the admin
	anyChief   = of(pChief, pOtherChief, pAdmin) // chief editors of their own current page, and the admin
	working    = anyTeam | of(pAdmin)            // on a team, or an admin acting as chief editor
	pageChief  = of(pChief)                      // page A's chief editor (on its team: told of the page's news)
	adminOnly  = of(pAdmin)                      // in ADMIN_IDS
	authorOnly = of(pAuthor)                     // the post's author
	readers    = of(pAuthor, pChief, pAdmin)     // may open a post and its history
	outsiders  = of(pStranger, pOtherChief)      // must never learn page A's title
)

const (
	titleA = "Школа №4 (страница А)"
	titleB = "Библиотека (страница Б)"
	// oldDraft is the removed member's draft, written before removal.
	oldDraft = "Черновик ушедшего модератора"
	// newTitleA is page A's title after the admin renames it (put back
	// after the row); anotherTitle a page the admin creates anyway.
	newTitleA    = "Гимназия №4 (бывшая А)"
	anotherTitle = "Ещё одна страница"
)

// refusals are the words of every refusal the bot gives.
var refusals = []string{"нет прав", "только шеф-редактор", "команда вам недоступна", "никто не прочитает",
	"только администраторы", "не подписаны", "уже использована", "кнопка устарела",
	"единственный шеф-редактор", "отклонён окончательно"}

// fixture is what one row acts on, made fresh for it.
type fixture struct {
	post    redaktor.Post // the post pressed on
	target  int64         // the team member acted on
	before  any           // state read before the action, for done
	oldCard bool          // press with a card's data without the page
	// as is a fresh person of the persona's kind who acts in this row
	// instead (0: the persona's own person), for rows that would take
	// from the persona what later rows need (/forgetme).
	as int64
}

// authzRow is one action of the table.
type authzRow struct {
	name  string
	allow who
	// prep makes the row's fixture (may be nil).
	prep func(w *world, p persona) fixture
	// act does the action as p and returns all p saw: the press's answer
	// and every message the bot sent them.
	act func(w *world, p persona, f fixture) string
	// saw: an allowed person sees one of these; a refused one none.
	saw []string
	// done tells, from storage, that the action took effect (nil: it
	// changes nothing stored, it only shows).
	done func(w *world, p persona, f fixture) bool
	// undo puts back what the row changed that would alter later rows
	// (nil: nothing).
	undo func(w *world, p persona, f fixture)
	// public: the row shows page A's title to anyone by design (its
	// public subscribe link); otherwise outsiders must never see it.
	public bool
	// tells are the others an allowed action may tell something (the
	// author of an approved post, the chief editors of a submitted one);
	// a refused action tells nobody. Checked on every row: the chat of
	// every other persona, edits included, stays as it was.
	tells who
	// hidden is text nobody may see from this row (nil: none).
	hidden []string
	// instead is what a person who may not is told when that is not a
	// refusal but a narrower answer (a member's /pages lists their own
	// pages, not the district's).
	instead []string
	// after waits, once the action is done, for what it sets going in the
	// background (a publication, and its failure notice), so that it is
	// not taken for a later row's doing (nil: nothing).
	after func(w *world, p persona, f fixture)
	// ownPage: an allowed answer names the page it acts on, and that must
	// be the person's current page (page A for the admin, who works on it
	// as its chief editor; page B for B's chief editor).
	ownPage bool
}

// authzTable: every command and button action. Keep the names short: they
// are the rows of the table in docs/authorization.md.
var authzTable = []authzRow{
	// Commands. Those for chief editors act on the person's current page:
	// the chief editor of page B acts on B and must never see A.
	command("/start", everyone, "Здравствуйте"),
	command("/help", everyone, "Команды:"),
	{name: "/start with an invite link already used", allow: anyTeam, saw: []string{"Вы уже в команде"},
		act:  func(w *world, p persona, _ fixture) string { return w.say(p, "/start "+w.usedLink(p)) },
		done: func(w *world, p persona, _ fixture) bool { return w.role(w.pageOf(p), w.id(p)).Valid() }},
	{name: "/start with the page's subscribe link", allow: everyone, public: true, saw: []string{"Вы подписались", "Вы уже подписаны"},
		act:  func(w *world, p persona, _ fixture) string { return w.say(p, "/start "+w.subscribeLink) },
		done: func(w *world, p persona, _ fixture) bool { return w.subscribed(p) },
		undo: func(w *world, p persona, _ fixture) {
			if p != pSubscriber {
				if _, err := w.st.Unsubscribe(ctxT, w.pageA, w.id(p)); err != nil {
					w.d.t.Fatalf("unsubscribe: %v", err)
				}
			}
		}},
	{name: "/newpage", allow: of(pAdmin), act: say("/newpage Новая страница"), saw: []string{"создана"},
		done: func(w *world, _ persona, _ fixture) bool { return w.pageTitled("Новая страница") != "" }},
	command("/invite", anyChief, "Кого приглашаем").onOwnPage(),
	{name: "/channel", allow: anyChief, act: say("/channel"), saw: []string{"Подключаем канал"},
		done: waits("channel"), ownPage: true},
	command("/subscribers", anyChief, "Подписчики страницы").onOwnPage(),
	command("/subscriptions", everyone, "Ваши подписки", "нет подписок"),
	{name: "/stop", allow: everyone, prep: subscribed, act: say("/stop"), saw: []string{"Вы отписались", "нет подписок"},
		done: func(w *world, p persona, _ fixture) bool { return !w.subscribed(p) }},
	command("/team", working, "Команда «").onOwnPage(),
	command("/pages", working, "Ваши страницы", "Все страницы района"),
	{name: "/pages: every page of the district", allow: adminOnly, act: say("/pages"), saw: []string{"Все страницы района"},
		instead: []string{"Ваши страницы"}},
	{name: "/drafts", allow: everyone, act: say("/drafts"), saw: []string{"Ваши посты", "нет открытых постов"},
		hidden: []string{oldDraft}},
	command("/pending", working, "согласовани").onOwnPage(),
	command("/queue", working, "очеред", "Очередь").onOwnPage(),
	command("/plan", working, "на неделю").onOwnPage(),
	command("/slots", anyChief, "Время публикаций «").onOwnPage(),
	{name: "sl: change the posting times (asks for them)", allow: chiefs, act: forgeOnA("sl:"),
		saw: []string{"Пришлите новое время публикаций «"}, done: waits("slots")},
	{name: "/slots 07:45", allow: anyChief, act: say("/slots 07:45"), saw: []string{"Готово. Время публикаций «"},
		done: func(w *world, p persona, _ fixture) bool {
			return strings.Contains(w.page(w.pageOf(p)).Slots.String("ru"), "07:45")
		}},
	command("/check text", working, "Проверка текста"),
	command("/stats", working, "Цель:"),
	{name: "/stats goal 7", allow: anyChief, act: say("/stats goal 7"), saw: []string{"Цель: 7"},
		done: func(w *world, p persona, _ fixture) bool { return w.page(w.pageOf(p)).WeeklyGoal == 7 }},
	command("/remind", working, "Напоминания «").onOwnPage(),
	{name: "/remind 6", allow: anyChief, act: say("/remind 6"), saw: []string{"дольше 6 рабочих часов"}, ownPage: true,
		done: func(w *world, p persona, _ fixture) bool {
			hours, set, err := w.st.RemindAfter(ctxT, w.pageOf(p))
			return err == nil && set && hours == 6
		}},
	command("/cancel", everyone, "Отменять нечего"),
	command("/privacy", everyone, "Что бот хранит о вас"),
	command("/audit", anyChief, "Журнал «", "В журнале «").onOwnPage(),
	// /forgetme is tried by a fresh person of each kind (a subscriber, a
	// moderator, an author with a draft, a removed member with one…), so
	// later rows keep theirs; a page's only chief editor (the chief
	// editors of A and B both are) is refused until they hand over, and
	// the admin (one of ADMIN_IDS, which the program reads once) is
	// forgotten and given back their record after the row.
	{name: "/forgetme, then fg:yes (a page's only chief editor hands over first)", allow: everyone &^ of(pChief, pOtherChief),
		prep: someoneToForget, act: forgetMe, saw: []string{"бот удалил всё"}, done: forgotten, undo: rememberAdmin},
	{name: "fg:no: keep everything", allow: everyone, prep: footprint, act: pressing("fg:no"), saw: []string{"ничего не удалено"},
		done: keptAll},
	{name: "a post (text)", allow: working, prep: postsBefore, act: say("Новость дня: открыта выставка"),
		saw:  []string{"Пост #"},
		done: func(w *world, p persona, f fixture) bool { return len(w.postsOf(p)) > f.before.(int) }},
	// «Make a draft of this?» after a short text that came soon after a
	// dialogue: the text waits in the person's session. Only a person the
	// bot keeps a record of is ever asked (a stranger's or a subscriber's
	// end of a dialogue is not noted), so theirs is a stale button.
	{name: "sd:y: make a draft of the short text asked about", allow: working,
		prep: func(w *world, p persona) fixture {
			w.setSession(p, redaktor.Session{Kind: redaktor.SessionStray, Text: "завтра"})
			return postsBefore(w, p)
		},
		act: pressing("sd:y"), saw: []string{"Пост #"},
		done: func(w *world, p persona, f fixture) bool { return len(w.postsOf(p)) > f.before.(int) }},
	{name: "sd:n: drop the short text asked about", allow: everyone &^ of(pStranger, pSubscriber), prep: waiting(redaktor.Session{Kind: redaktor.SessionStray, Text: "завтра"}),
		act: pressing("sd:n"), saw: []string{"черновик не сделан"},
		done: func(w *world, p persona, _ fixture) bool { _, ok := w.session(p); return !ok }},

	// Post buttons, on a post of page A by its author, with the data a
	// real card carries.
	postPress("sb", "submit · draft", redaktor.StatusDraft, authorOnly, changed, "Отправлено на согласование").telling(pageChief),
	postPress("pt", "propose time · draft", redaktor.StatusDraft, authorOnly, waitsFor, "Когда опубликовать"),
	postPress("wd", "withdraw to drafts · pending", redaktor.StatusPending, authorOnly, changed, "снова черновик").telling(pageChief),
	postPress("dl", "delete · draft", redaktor.StatusDraft, authorOnly, changed, "Черновик удалён"),
	postPress("ap", "approve · a draft not submitted", redaktor.StatusDraft, nobody, changed, "Одобрено"),
	postPress("ap", "approve, next slot · pending", redaktor.StatusPending, chiefs, changed, "Одобрено").telling(authorOnly),
	approveProposedRow(),
	postPress("at", "approve at a time · pending", redaktor.StatusPending, chiefs, waitsFor, "Когда опубликовать"),
	postPress("pn", "publish now, asks first · pending", redaktor.StatusPending, chiefs, nil, "Опубликовать сейчас?"),
	postPress("uu", "publish now, urgent, asks first · pending", redaktor.StatusPending, chiefs, nil, "Опубликовать сейчас срочно?"),
	postPress("py", "yes, publish now · pending", redaktor.StatusPending, chiefs, changed, "Публикую").telling(authorOnly).publishing(),
	postPress("pu", "yes, publish now as urgent · pending", redaktor.StatusPending, chiefs, changed, "Публикую срочно").telling(authorOnly).publishing(),
	postPress("pk", "no, do not publish now · pending", redaktor.StatusPending, chiefs, nil, "не публикую"),
	postPress("rc", "request changes · pending", redaktor.StatusPending, chiefs, waitsFor, "Что поправить"),
	postPress("rj", "reject · pending", redaktor.StatusPending, chiefs, waitsFor, "Почему пост"),
	postPress("nv", "new version · changes requested", redaktor.StatusChangesRequested, authorOnly, waitsFor, "Пришлите исправленный"),
	postPress("nv", "new version · draft (stays a draft)", redaktor.StatusDraft, authorOnly, waitsFor, "Пришлите исправленный"),
	postPress("nv", "new version · rejected (final)", redaktor.StatusRejected, nobody, waitsFor, "Пришлите исправленный"),
	postPress("dl", "delete · changes requested", redaktor.StatusChangesRequested, authorOnly, changed, "Черновик удалён"),
	postPress("qt", "reschedule · scheduled", redaktor.StatusScheduled, chiefs, waitsFor, "Когда опубликовать"),
	postPress("qc", "cancel · scheduled", redaktor.StatusScheduled, chiefs, changed, "Готово").telling(authorOnly),
	postPress("pn", "publish now, asks first · scheduled", redaktor.StatusScheduled, chiefs, nil, "Опубликовать сейчас?"),
	postPress("py", "yes, publish now · scheduled", redaktor.StatusScheduled, chiefs, changed, "Публикую").telling(authorOnly).publishing(),
	postPress("rt", "retry · failed", redaktor.StatusFailed, chiefs, changed, "Публикую").publishing(),
	postPress("qc", "cancel · failed", redaktor.StatusFailed, chiefs, changed, "Готово").telling(authorOnly),
	oldCard(postPress("py", "yes, publish now · pending, a card drawn before buttons named the page", redaktor.StatusPending, chiefs, changed, "Публикую")).telling(authorOnly).publishing(),
	postPress("hi", "history (with review comments) · changes requested", redaktor.StatusChangesRequested, readers, nil, "История поста"),
	{name: "op: open a post · draft", allow: readers, prep: postIn(redaktor.StatusDraft),
		act: func(w *world, p persona, f fixture) string { return w.forge(p, "op:"+f.post.ID) },
		saw: []string{"· " + titleA}},
	{name: "op: open a removed member's old post", allow: chiefs, prep: removedsPost,
		act: func(w *world, p persona, f fixture) string { return w.forge(p, "op:"+f.post.ID) },
		saw: []string{"· " + titleA}},
	{name: "qa: all writing advice · draft", allow: readers, prep: postIn(redaktor.StatusDraft),
		act: func(w *world, p persona, f fixture) string { return w.forge(p, "qa:"+f.post.ID) },
		saw: []string{"Все советы по посту"}},

	// A published post, within 48 hours (handlers/afterpub.go).
	onPublished("pe", "edit the text", editors, waitsFor, "Пришлите новый текст"),
	onPublished("pd", "remove (asks why)", editors, waitsFor, "Удалить пост #"),
	onPublished("x1", "remove, a short reason", editors, changed, "Удаляю пост").telling(authorOnly).settling(),
	onEditProposed("ea", "apply the author's edit", chiefs, changed, "Меняю текст").telling(authorOnly).settling(),
	onEditProposed("ec", "send the edit back", chiefs, waitsFor, "Что поправить"),
	onEditProposed("er", "reject the edit", chiefs, waitsFor, "Почему правка"),

	// Answers the bot waits for, left from a press made when the person
	// could (or forged into their session): the right is checked again
	// when the answer comes.
	answer("approve_at", "a time for approval", redaktor.StatusPending, "завтра 10:00", chiefs, "Одобрено").telling(authorOnly),
	answer("propose", "a proposed time (submits the draft)", redaktor.StatusDraft, "завтра 10:00", authorOnly, "Предложено время").telling(pageChief),
	answer("reschedule", "a new time", redaktor.StatusScheduled, "завтра 10:00", chiefs, "Одобрено").telling(authorOnly),
	answer("comment:request_changes", "what to change", redaktor.StatusPending, "Поправьте дату", chiefs, "Комментарий отправлен").telling(authorOnly),
	answer("comment:reject", "why rejected", redaktor.StatusPending, "Не по теме", chiefs, "Комментарий отправлен").telling(authorOnly),
	answer("new_version", "the new version", redaktor.StatusChangesRequested, "Исправленный текст", authorOnly, "версия 2").telling(pageChief),
	afterpubAnswer("edit_published", "the new text of a published post", publishedIn, "Новый текст после публикации",
		editors, "Меняю текст", "отправлен шеф-редактору").telling(authorOnly | pageChief).settling(),
	afterpubAnswer("remove_reason", "why a published post is removed", publishedIn, "Ошибка в дате",
		editors, "Удаляю пост").telling(authorOnly).settling(),
	afterpubAnswer("comment:edit_changes", "what to change in an edit", editProposedIn, "Дата верная",
		chiefs, "Комментарий отправлен").telling(authorOnly),
	afterpubAnswer("comment:edit_reject", "why an edit is rejected", editProposedIn, "Не нужно",
		chiefs, "Комментарий отправлен").telling(authorOnly),
	{name: "answer: new slots", allow: chiefs, prep: waiting(redaktor.Session{Kind: "slots"}), act: say("08:15"),
		saw: []string{"Готово. Время публикаций «"}, done: func(w *world, _ persona, _ fixture) bool {
			return strings.Contains(w.page(w.pageA).Slots.String("ru"), "08:15")
		}},

	{name: "answer: the channel (a forwarded post)", allow: chiefs, prep: waiting(redaktor.Session{Kind: "channel"}),
		act: func(w *world, p persona, _ fixture) string {
			before := len(w.d.tg.Messages(w.id(p)))
			w.d.handled(w.d.tg.Send(w.id(p), bottest.ForwardedFrom(channel, 5), bottest.Text("старый пост")))
			return w.since(p, before)
		},
		saw:   []string{"подключён"},
		done:  func(w *world, _ persona, _ fixture) bool { return w.page(w.pageA).ChannelID == channel },
		undo:  func(w *world, _ persona, _ fixture) { w.unlinkChannel() },
		tells: pageChief}, // an admin linking it tells the page's chief editor

	// A removed member's post that was waiting for review: the chief
	// editors still decide on it, and the removed member hears nothing
	// more (nobody outside tells hears anything: see check).
	onRemovedsPost("ap", "approve, next slot", changed, "Одобрено"),
	onRemovedsPost("qc", "cancel", changed, "Готово"),
	{name: "answer: what to change · a removed member's post", allow: chiefs, act: say("Поправьте дату"),
		saw: []string{"Комментарий сохранён в истории поста"}, done: changed,
		prep: func(w *world, p persona) fixture {
			f := removedsPending(w, p)
			w.setSession(p, redaktor.Session{Kind: "comment:request_changes", PostID: f.post.ID, Rev: f.post.Rev, PageID: w.pageA})
			return f
		}},

	// Team buttons, on page A.
	{name: "iv: invite a moderator", allow: chiefs, act: forgeOnA("iv:moderator:"), saw: []string{"Ссылка-приглашение"}},
	{name: "iv: invite a chief editor", allow: chiefs, act: forgeOnA("iv:chief:"), saw: []string{"Ссылка-приглашение"}},
	teamPress("c", "make chief editor", redaktor.RoleModerator, redaktor.RoleChief),
	teamPress("m", "make moderator", redaktor.RoleChief, redaktor.RoleModerator),
	teamPress("x", "remove from the team", redaktor.RoleModerator, ""),
	{name: "pg: switch to page A", allow: pageTeam | adminOnly, prep: noCurrentPage, act: forgeOnA("pg:"), saw: []string{"Текущая страница"},
		done: func(w *world, p persona, _ fixture) bool { return w.user(p).CurrentPage == w.pageA }},

	// Subscriber buttons.
	{name: "sx: unsubscribe from page A", allow: of(pSubscriber), prep: subscribed, act: forgeOnA("sx:"),
		saw:  []string{"Вы отписались"},
		done: func(w *world, p persona, _ fixture) bool { return p == pSubscriber && !w.subscribed(p) }},
	{name: "sa: subscribers on/off", allow: chiefs, prep: audience, act: forgeOnA("sa:"), saw: []string{"Готово"},
		done: func(w *world, _ persona, f fixture) bool { return w.audience().Off != f.before.(redaktor.Audience).Off }},
	{name: "sc: forward or copy", allow: chiefs, prep: audience, act: forgeOnA("sc:"), saw: []string{"Готово"},
		done: func(w *world, _ persona, f fixture) bool {
			return w.audience().Copy != f.before.(redaktor.Audience).Copy
		}},

	// The page's channel, invites and log, on page A.
	{name: "cu: unlink the channel", allow: chiefs, prep: channelLinked, act: forgeUnlink, saw: []string{"отключён от страницы"},
		done: func(w *world, _ persona, _ fixture) bool { return !w.page(w.pageA).HasChannel() },
		undo: func(w *world, _ persona, _ fixture) { w.unlinkChannel() }, tells: pageChief},
	{name: "vr: revoke an invite", allow: chiefs, prep: openInvite, act: forgeRevoke, saw: []string{"Приглашение отозвано"},
		done: inviteRevoked},
	{name: "ad: the page's log", allow: chiefs, act: forgeOnA("ad:"), saw: []string{"Журнал «"}},
	{name: "ac: the page's log as a CSV file", allow: chiefs, prep: csvsBefore, act: forgeOnA("ac:"),
		saw: []string{"Журнал действий «"}, done: csvSent},

	// The district's admin: their buttons, on page A.
	{name: "al: the list of every page", allow: adminOnly, act: pressing("al:0"), saw: []string{"Все страницы района"}},
	{name: "ao: a page's card", allow: adminOnly, act: forgeOnA("ao:"), saw: []string{"Страница №"}},
	{name: "ai: a new chief editor's link", allow: adminOnly, prep: chiefInvitesBefore, act: forgeOnA("ai:"),
		saw: []string{"Ссылка-приглашение (шеф-редактор"}, done: newChiefInvite},
	{name: "ar: rename", allow: adminOnly, act: forgeOnA("ar:"), saw: []string{"Напишите новое название"}, done: waits("rename")},
	{name: "answer: the page's new title", allow: adminOnly, prep: waiting(redaktor.Session{Kind: "rename"}), act: say(newTitleA),
		saw: []string{"теперь называется"}, done: func(w *world, _ persona, _ fixture) bool { return w.page(w.pageA).Title == newTitleA },
		undo: renameBack, tells: pageTeam},
	{name: "ax: archive (asks first)", allow: adminOnly, act: forgeOnA("ax:"), saw: []string{"Отправить страницу «"}},
	{name: "ay: archive, confirmed", allow: adminOnly, act: forgeOnA("ay:"), saw: []string{"Страница в архиве."},
		done: func(w *world, _ persona, _ fixture) bool { return w.page(w.pageA).Archived },
		undo: restoreA, tells: pageTeam},
	{name: "au: restore", allow: adminOnly, prep: archiveA, act: forgeOnA("au:"), saw: []string{"Страница восстановлена."},
		done: func(w *world, _ persona, _ fixture) bool { return !w.page(w.pageA).Archived },
		undo: restoreA, tells: pageTeam},
	{name: "aw: act as chief editor", allow: adminOnly, prep: noCurrentPage, act: forgeOnA("aw:"),
		saw:  []string{"действуете здесь как шеф-редактор"},
		done: func(w *world, p persona, _ fixture) bool { return w.user(p).CurrentPage == w.pageA }},
	{name: "na: create a page of the same title anyway", allow: adminOnly,
		prep: waiting(redaktor.Session{Kind: "newpage", Text: anotherTitle}), act: pressing("na:0"), saw: []string{"создана"},
		done: func(w *world, _ persona, _ fixture) bool { return w.pageTitled(anotherTitle) != "" }},
}

// ---- row builders ----

// publishing is a row whose allowed action publishes at once: page A has
// no channel, so the publication fails and the page's chief editor is
// told; the row waits for that notice.
func (r authzRow) publishing() authzRow {
	r.tells |= pageChief
	r.after = func(w *world, _ persona, f fixture) {
		if w.post(f.post.ID).Rev == f.post.Rev {
			return // refused: nothing set going
		}
		// The notice follows the failure's record: wait on Redis first,
		// then read the chat (reading a chat is the dearer of the two).
		failed := waitUntil(func() bool { return w.post(f.post.ID).Status == redaktor.StatusFailed })
		notice := []string{"Пост #" + f.post.ID + " для", "не опубликован"}
		if !failed || !waitUntil(func() bool { return w.d.count(chief, notice...) > 0 }) {
			w.d.t.Fatalf("post %s was published now, but its failure was never told:\n%s", f.post.ID, w.d.dump(chief))
		}
	}
	return r
}

// pressing presses a button with data on the person's newest message.
func pressing(data string) func(w *world, p persona, _ fixture) string {
	return func(w *world, p persona, _ fixture) string { return w.forge(p, data) }
}

// onOwnPage is the row whose answer names the page it acts on (see ownPage).
func (r authzRow) onOwnPage() authzRow {
	r.ownPage = true
	return r
}

// telling is the row whose allowed action may tell others (see tells).
func (r authzRow) telling(others who) authzRow {
	r.tells = others
	return r
}

func command(text string, allow who, saw ...string) authzRow {
	return authzRow{name: text, allow: allow, act: say(text), saw: saw}
}

func say(text string) func(w *world, p persona, _ fixture) string {
	return func(w *world, p persona, _ fixture) string { return w.say(p, text) }
}

// forgeOnA presses a button whose data is prefix and page A's id.
func forgeOnA(prefix string) func(w *world, p persona, _ fixture) string {
	return func(w *world, p persona, _ fixture) string { return w.forge(p, prefix+w.pageA) }
}

// postPress presses a post button on a post of page A in status from. The
// chief editor of page B forges the data with their own page in it (the
// role that counts is on the post's page).
func postPress(act, what string, from redaktor.Status, allow who, done func(*world, persona, fixture) bool, saw string) authzRow {
	return authzRow{name: act + ": " + what, allow: allow, prep: postIn(from), saw: []string{saw}, done: done,
		act: func(w *world, p persona, f fixture) string {
			data := act + ":" + f.post.ID + ":" + strconv.FormatInt(f.post.Rev, 10)
			switch {
			case f.oldCard:
			case p == pOtherChief:
				data += ":" + w.pageB
			default:
				data += ":" + f.post.PageID
			}
			return w.forge(p, data)
		}}
}

// oldCard presses with the data of a card drawn before post buttons named
// the page: act:postID:rev.
func oldCard(row authzRow) authzRow {
	prep := row.prep
	row.prep = func(w *world, p persona) fixture {
		f := prep(w, p)
		f.oldCard = true
		return f
	}
	return row
}

// teamPress changes a fresh member of page A with role from.
func teamPress(op, what string, from, to redaktor.Role) authzRow {
	return authzRow{name: "tm:" + op + ": " + what, allow: chiefs, saw: []string{"Готово"},
		prep: func(w *world, _ persona) fixture { return fixture{target: w.newMember(from)} },
		act: func(w *world, p persona, f fixture) string {
			return w.forge(p, "tm:"+op+":"+w.pageA+":"+strconv.FormatInt(f.target, 10))
		},
		done: func(w *world, _ persona, f fixture) bool { return w.role(w.pageA, f.target) == to }}
}

// answer is a text the bot waits for about a post of page A in status
// from, with a session of kind.
func answer(kind redaktor.SessionKind, what string, from redaktor.Status, text string, allow who, saw string) authzRow {
	return authzRow{name: "answer: " + what, allow: allow, act: say(text), saw: []string{saw}, done: changed,
		prep: func(w *world, p persona) fixture {
			post := w.newPost(from)
			w.setSession(p, redaktor.Session{Kind: kind, PostID: post.ID, Rev: post.Rev, PageID: post.PageID})
			return fixture{post: post}
		}}
}

// waiting leaves the person a session of page A.
func waiting(se redaktor.Session) func(w *world, p persona) fixture {
	return func(w *world, p persona) fixture {
		mine := se // the personas' worlds run this row at once
		mine.PageID = w.pageA
		w.setSession(p, mine)
		return fixture{}
	}
}

// onRemovedsPost presses a post button on a removed member's pending post.
func onRemovedsPost(act, what string, done func(*world, persona, fixture) bool, saw string) authzRow {
	row := postPress(act, what+" · a removed member's post", redaktor.StatusPending, chiefs, done, saw)
	row.prep = removedsPending
	return row
}

// removedsPending is a post the removed member submitted before removal;
// they still hold its card (their newest message stands for it).
func removedsPending(w *world, _ persona) fixture {
	post := w.newPostBy(removedID, "Семён", redaktor.StatusPending)
	held := w.d.last(removedID)
	if err := w.st.SetCard(ctxT, post.PageID, post.ID, redaktor.Card{ChatID: removedID, MessageID: held.MessageID}); err != nil {
		w.d.t.Fatalf("set card: %v", err)
	}
	return fixture{post: post}
}

func postIn(status redaktor.Status) func(w *world, _ persona) fixture {
	return func(w *world, _ persona) fixture { return fixture{post: w.newPost(status)} }
}

func removedsPost(w *world, _ persona) fixture { return fixture{post: w.removedPost} }

func subscribed(w *world, _ persona) fixture {
	if _, err := w.st.Subscribe(context.Background(), w.pageA, subscriberID, false); err != nil {
		w.d.t.Fatalf("subscribe: %v", err)
	}
	return fixture{}
}

// noCurrentPage forgets the person's current page, so that a switch shows.
func noCurrentPage(w *world, p persona) fixture {
	u := w.user(p)
	if u.Name == "" {
		return fixture{} // no record to change, and none must be made
	}
	u.CurrentPage = ""
	if err := w.st.SaveUser(ctxT, u); err != nil {
		w.d.t.Fatalf("save user: %v", err)
	}
	return fixture{}
}

func audience(w *world, _ persona) fixture { return fixture{before: w.audience()} }

func postsBefore(w *world, p persona) fixture { return fixture{before: len(w.postsOf(p))} }

// changed: the post moved on.
func changed(w *world, _ persona, f fixture) bool { return w.post(f.post.ID).Rev != f.post.Rev }

// waitsFor: the bot now waits for the person's text about the post.
func waitsFor(w *world, p persona, f fixture) bool {
	se, ok := w.session(p)
	return ok && se.PostID == f.post.ID
}

// waits: the bot now waits for the person's answer of a kind, for their page.
func waits(kind redaktor.SessionKind) func(w *world, p persona, _ fixture) bool {
	return func(w *world, p persona, _ fixture) bool {
		se, ok := w.session(p)
		return ok && se.Kind == kind && se.PageID == w.pageOf(p)
	}
}

// ---- the world: one running program with pages A and B and every persona ----

type world struct {
	d            *desk
	st           *storage.Store
	pageA, pageB string
	removedPost  redaktor.Post
	users        map[int64]tgbotapi.User
	// used is the invite link (start payload) each persona opened to join.
	used map[persona]string
	// subscribeLink is page A's public subscribe link (start payload).
	subscribeLink string
	nextMember    atomic.Int64
	// as is who stands in for a persona in the row being checked.
	as map[persona]int64
}

// newWorld builds page A (chief editor, author, moderator, a member since
// removed, a subscriber) and page B (its chief editor) through the
// program, as people would.
func newWorld(t *testing.T) *world {
	d := newDesk(t)
	w := &world{d: d, users: map[int64]tgbotapi.User{}, used: map[persona]string{}, as: map[persona]int64{}}
	for id, u := range people {
		w.users[id] = u
	}
	for _, u := range []tgbotapi.User{
		{ID: otherChiefID, FirstName: "Ольга", UserName: "olga_lib", LanguageCode: "ru"},
		{ID: authorID, FirstName: "Мария", UserName: "maria", LanguageCode: "ru"},
		{ID: removedID, FirstName: "Семён", UserName: "semyon", LanguageCode: "ru"},
		{ID: subscriberID, FirstName: "Вера", UserName: "vera", LanguageCode: "ru"},
	} {
		d.tg.AddUser(u.ID, u.FirstName, u.UserName, u.LanguageCode)
		w.users[u.ID] = u
	}
	rdb, err := storage.Connect(context.Background(), d.env["REDIS_URL"])
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	w.st = storage.New(rdb, d.env["REDIS_PREFIX"])

	d.say(admin, "/newpage "+titleA)
	w.used[pChief] = joinLink(t, d.last(admin))
	d.say(chief, "/start "+w.used[pChief])
	d.expect(chief, "шеф-редактор", titleA)
	for _, p := range []persona{pModerator, pAuthor, pRemoved} {
		id := personaIDs[p]
		d.say(chief, "/invite")
		d.press(chief, d.last(chief), "модератор")
		w.used[p] = joinLink(t, d.last(chief))
		d.say(id, "/start "+w.used[p])
		d.lastSays(id, "Вы модератор")
	}
	w.pageA = d.pageOf(chief)
	_, oldID := d.draft(removedID, oldDraft)
	d.say(chief, "/team")
	d.pressData(chief, d.last(chief), "tm:x:"+w.pageA+":"+strconv.FormatInt(removedID, 10))
	d.lastSays(removedID, "Вас убрали")
	w.removedPost = w.post(oldID)

	d.say(admin, "/newpage "+titleB)
	w.used[pOtherChief] = joinLink(t, d.last(admin))
	d.say(otherChiefID, "/start "+w.used[pOtherChief])
	d.lastSays(otherChiefID, "шеф-редактор", titleB)
	d.say(otherChiefID, "/invite")
	w.pageB = d.pageOf(otherChiefID)

	// The admin works on page A as its chief editor, chosen from the
	// district's list, and runs its channel as its chief editors do.
	d.say(admin, "/pages")
	d.press(admin, d.lastSays(admin, "Все страницы района"), "Школа №4")
	d.press(admin, d.lastSays(admin, "Страница №"+w.pageA), "Работать как шеф-редактор")
	d.lastSays(admin, "действуете здесь как шеф-редактор", titleA)
	d.tg.SetMember(channel, admin, bottest.StatusAdministrator)

	d.say(chief, "/subscribers")
	link := subscribeLink.FindStringSubmatch(d.expect(chief, "Подписчики страницы").Text)
	if link == nil {
		t.Fatalf("no subscribe link:\n%s", d.dump(chief))
	}
	w.subscribeLink = link[1]
	d.say(subscriberID, "/start "+link[1])
	d.lastSays(subscriberID, "Вы подписались")
	d.say(stranger, "/start")
	return w
}

// usedLink is the invite link p opened to join, or for one who joined by
// none, the removed member's.
func (w *world) usedLink(p persona) string {
	if link, ok := w.used[p]; ok {
		return link
	}
	return w.used[pRemoved]
}

// id is the persona's person, or the fresh one standing in for them in
// the row being checked (see fixture.as).
func (w *world) id(p persona) int64 {
	if id := w.as[p]; id != 0 {
		return id
	}
	return personaIDs[p]
}

// titleOf is the title of the page a persona's commands act on.
func (w *world) titleOf(p persona) string {
	if p == pOtherChief {
		return titleB
	}
	return titleA
}

// pageOf is the page a persona's commands act on.
func (w *world) pageOf(p persona) string {
	if p == pOtherChief {
		return w.pageB
	}
	return w.pageA
}

// say sends text as p and returns all the bot sent them in answer.
func (w *world) say(p persona, text string) string {
	before := len(w.d.tg.Messages(w.id(p)))
	w.d.say(w.id(p), text)
	return w.since(p, before)
}

// forge presses a button with data on p's newest message from the bot
// (any client can send any data) and returns the answer and what the bot
// sent them.
func (w *world) forge(p persona, data string) string {
	from := w.users[w.id(p)]
	before := len(w.d.tg.Messages(from.ID))
	pressed := w.d.last(from.ID)
	msg := pressed.Message
	u := w.d.tg.PushUpdate(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "authz-" + strconv.FormatInt(forgedSeq.Add(1), 10), From: &from, Message: &msg,
		ChatInstance: "forged", Data: data,
	}})
	w.d.handled(u)
	answer, _ := w.d.answerOf(u)
	seen := answer + "\n"
	if m, ok := w.d.tg.Message(from.ID, pressed.MessageID); ok && m.Edits > pressed.Edits {
		seen += m.Text + "\n" // the pressed message, redrawn
	}
	return seen + w.since(p, before)
}

func (w *world) since(p persona, before int) string {
	var b strings.Builder
	for _, m := range w.d.tg.Messages(w.id(p))[before:] {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

var ctxT = context.Background()

func (w *world) post(id string) redaktor.Post {
	post, err := w.st.Post(ctxT, id)
	if err != nil {
		w.d.t.Fatalf("read post %s: %v", id, err)
	}
	return post
}

func (w *world) page(id string) redaktor.Page {
	page, err := w.st.Page(ctxT, id)
	if err != nil {
		w.d.t.Fatalf("read page %s: %v", id, err)
	}
	return page
}

func (w *world) pageTitled(title string) string {
	for i := 1; i < 20; i++ {
		if page, err := w.st.Page(ctxT, strconv.Itoa(i)); err == nil && page.Title == title {
			return page.ID
		}
	}
	return ""
}

// user is the person's record; people on no team have none (the bot keeps
// no record of subscribers and strangers), which reads as an empty one.
func (w *world) user(p persona) redaktor.User {
	u, err := w.st.User(ctxT, w.id(p))
	if errors.Is(err, redaktor.ErrNotFound) {
		return redaktor.User{ID: w.id(p)}
	}
	if err != nil {
		w.d.t.Fatalf("read user: %v", err)
	}
	return u
}

func (w *world) role(pageID string, userID int64) redaktor.Role {
	r, err := w.st.Role(ctxT, pageID, userID)
	if err != nil {
		w.d.t.Fatalf("read role: %v", err)
	}
	return r
}

func (w *world) session(p persona) (redaktor.Session, bool) {
	se, ok, err := w.st.Session(ctxT, w.id(p))
	if err != nil {
		w.d.t.Fatalf("read session: %v", err)
	}
	return se, ok
}

// unlinkChannel takes page A's channel off, so that later rows publish
// nowhere.
func (w *world) unlinkChannel() {
	page := w.page(w.pageA)
	if !page.HasChannel() {
		return
	}
	if _, err := w.st.UnlinkChannel(ctxT, w.pageA, page.ChannelID); err != nil {
		w.d.t.Fatalf("unlink channel: %v", err)
	}
}

func (w *world) setSession(p persona, se redaktor.Session) {
	if err := w.st.SetSession(ctxT, w.id(p), se); err != nil {
		w.d.t.Fatalf("set session: %v", err)
	}
}

func (w *world) subscribed(p persona) bool {
	ok, err := w.st.Subscribed(ctxT, w.pageA, w.id(p))
	if err != nil {
		w.d.t.Fatalf("read subscription: %v", err)
	}
	return ok
}

func (w *world) audience() redaktor.Audience {
	a, err := w.st.Audience(ctxT, w.pageA)
	if err != nil {
		w.d.t.Fatalf("read audience: %v", err)
	}
	return a
}

func (w *world) postsOf(p persona) []redaktor.Post {
	list, err := w.st.UserPosts(ctxT, w.id(p), 100)
	if err != nil {
		w.d.t.Fatalf("read posts: %v", err)
	}
	return list
}

// newPost stores a post of page A by the author in status: fixtures are
// made in storage, the actions under test go through the program.
func (w *world) newPost(status redaktor.Status) redaktor.Post {
	return w.newPostBy(authorID, "Мария", status)
}

// newPostBy is newPost by another (former) moderator of page A.
func (w *world) newPostBy(authorID int64, name string, status redaktor.Status) redaktor.Post {
	t := w.d.t
	id, _, err := w.st.NewPostID(ctxT, 0)
	if err != nil {
		t.Fatalf("post id: %v", err)
	}
	author := redaktor.Actor{UserID: authorID, Name: name, Role: redaktor.RoleModerator}
	boss := redaktor.Actor{UserID: chief, Name: "Анна", Role: redaktor.RoleChief}
	now := w.d.clock.Now()
	post, err := redaktor.NewPost(id, w.pageA, author, redaktor.Content{Text: "Секретный черновик #" + id}, now)
	if err != nil {
		t.Fatalf("new post: %v", err)
	}
	if err := w.st.CreatePost(ctxT, post, redaktor.Origin{}); err != nil {
		t.Fatalf("create post: %v", err)
	}
	steps := map[redaktor.Status][]redaktor.Change{
		redaktor.StatusPending:          {{Action: redaktor.ActSubmit, Actor: author}},
		redaktor.StatusChangesRequested: {{Action: redaktor.ActSubmit, Actor: author}, {Action: redaktor.ActRequestChanges, Actor: boss, Comment: "Секретный комментарий"}},
		redaktor.StatusRejected:         {{Action: redaktor.ActSubmit, Actor: author}, {Action: redaktor.ActReject, Actor: boss, Comment: "Секретный комментарий"}},
		redaktor.StatusScheduled:        {{Action: redaktor.ActSubmit, Actor: author}, {Action: redaktor.ActApprove, Actor: boss, At: now.Add(48 * time.Hour)}},
		redaktor.StatusFailed: {{Action: redaktor.ActSubmit, Actor: author}, {Action: redaktor.ActApprove, Actor: boss, At: now.Add(48 * time.Hour)},
			{Action: redaktor.ActClaim, Actor: redaktor.System}, {Action: redaktor.ActFail, Actor: redaktor.System, Failure: redaktor.Failed(redaktor.FailureNoChannel, "")}},
	}
	for _, c := range steps[status] {
		next, ev, err := redaktor.Apply(post, c, now)
		if err != nil {
			t.Fatalf("fixture %s: %v", c.Action, err)
		}
		if err := w.st.SavePost(ctxT, post, next, ev); err != nil {
			t.Fatalf("save fixture: %v", err)
		}
		post = next
	}
	return post
}

// newMember brings a fresh person onto page A's team with role.
func (w *world) newMember(role redaktor.Role) int64 {
	t := w.d.t
	id := w.freshPerson()
	if err := w.st.SaveUser(ctxT, redaktor.User{ID: id, Name: "Участник", Lang: "ru"}); err != nil {
		t.Fatalf("save user: %v", err)
	}
	code := fmt.Sprintf("authz%d", id)
	if err := w.st.SaveInvite(ctxT, redaktor.Invite{Code: code, PageID: w.pageA, Role: role, CreatedBy: chief,
		ExpiresAt: w.d.clock.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("save invite: %v", err)
	}
	if _, _, err := w.st.RedeemInvite(ctxT, code, id, w.d.clock.Now()); err != nil {
		t.Fatalf("redeem invite: %v", err)
	}
	return id
}

// ---- the test ----

// TestWhoMayDoWhat runs the table: one program per persona, the personas
// in parallel, the rows of one persona in order (each with its own fresh
// fixture; what the bot waits for is cleared between rows).
func TestWhoMayDoWhat(t *testing.T) {
	// All eight at once, not t.Parallel (which runs GOMAXPROCS of them at
	// a time): much of a world's time is waiting for the program, and
	// the waits of eight overlap.
	var all sync.WaitGroup
	for p := range numPersonas {
		all.Add(1)
		go func() {
			defer all.Done()
			t.Run(personaNames[p], func(t *testing.T) {
				w := newWorld(t)
				for _, row := range authzTable {
					t.Run(row.name, func(t *testing.T) { w.check(t, row, p) })
					if err := w.st.ClearSession(ctxT, w.id(p)); err != nil {
						t.Fatalf("clear session: %v", err)
					}
				}
			})
		}()
	}
	all.Wait()
}

func (w *world) check(t *testing.T, row authzRow, p persona) {
	var f fixture
	if row.prep != nil {
		f = row.prep(w, p)
	}
	if f.as != 0 {
		w.as[p] = f.as
		defer delete(w.as, p)
	}
	var heard [numPersonas]string
	for q := range numPersonas {
		heard[q] = w.heard(q)
	}
	seen := row.act(w, p, f)
	if row.after != nil {
		row.after(w, p, f)
	}
	allowed := row.allow.has(p)
	sawDone := containsAny(seen, row.saw)
	refused := containsAny(seen, refusals) || containsAny(seen, row.instead)
	took := row.done != nil && row.done(w, p, f)
	switch {
	case allowed && (!sawDone || refused):
		t.Errorf("%s may %s, but was told:\n%s", personaNames[p], row.name, seen)
	case allowed && row.done != nil && !took:
		t.Errorf("%s may %s and was told so, but nothing changed:\n%s", personaNames[p], row.name, seen)
	case !allowed && (sawDone || !refused):
		t.Errorf("%s may not %s, but was told:\n%s", personaNames[p], row.name, seen)
	case !allowed && took:
		t.Errorf("%s may not %s, but it took effect; they were told:\n%s", personaNames[p], row.name, seen)
	case allowed && row.ownPage && !strings.Contains(seen, "«"+w.titleOf(p)+"»"):
		t.Errorf("%s may %s on their page «%s», but was told:\n%s", personaNames[p], row.name, w.titleOf(p), seen)
	}
	if !allowed && f.post.ID != "" && strings.Contains(seen, f.post.Content.Text) {
		t.Errorf("%s, refused %s, was shown the post:\n%s", personaNames[p], row.name, seen)
	}
	if outsiders.has(p) && !row.public && strings.Contains(seen, titleA) {
		t.Errorf("%s learned page A's title from %s:\n%s", personaNames[p], row.name, seen)
	}
	for q := range numPersonas {
		if q != p && w.heard(q) != heard[q] && !(allowed && row.tells.has(q)) {
			t.Errorf("the %s was told of %s by the %s:\n%s", personaNames[q], row.name, personaNames[p],
				strings.TrimPrefix(w.heard(q), heard[q]))
		}
	}
	for _, h := range row.hidden {
		if strings.Contains(seen, h) {
			t.Errorf("%s was shown %q by %s:\n%s", personaNames[p], h, row.name, seen)
		}
	}
	if row.undo != nil {
		row.undo(w, p, f)
	}
}

// heard is everything the bot has shown a persona, as it stands now
// (edits included).
func (w *world) heard(p persona) string {
	var b strings.Builder
	for _, m := range w.d.tg.Messages(w.id(p)) {
		b.WriteString(m.Text + "\n")
		for _, btn := range m.Buttons() {
			if btn.CallbackData != nil {
				b.WriteString("[" + *btn.CallbackData + "]\n")
			}
		}
	}
	return b.String()
}

func containsAny(s string, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// authzMarkdown is the table as docs/authorization.md shows it.
func authzMarkdown() string {
	var b strings.Builder
	b.WriteString("| Action |")
	for p := range numPersonas {
		b.WriteString(" " + personaNames[p] + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat(":-:|", int(numPersonas)) + "\n")
	for _, row := range authzTable {
		b.WriteString("| " + row.name + " |")
		for p := range numPersonas {
			mark := "—"
			if row.allow.has(p) {
				mark = "✓"
			}
			b.WriteString(" " + mark + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestAuthorizationDocShowsTheAuthzTable: the table in
// docs/authorization.md is the one the test runs; when they differ, this
// prints the table to paste.
func TestAuthorizationDocShowsTheAuthzTable(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/authorization.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), authzMarkdown()) {
		t.Errorf("the table of who may do what in docs/authorization.md differs from authzTable; it should read:\n%s", authzMarkdown())
	}
}
