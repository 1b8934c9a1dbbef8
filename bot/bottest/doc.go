// Package bottest is a fake Telegram Bot API server for tests.
//
// The bot under test talks to it with the real client library over HTTP:
//
//	srv := bottest.New(t)
//	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), http.DefaultClient)
//
// The server keeps the state Telegram would keep (users, groups, channels,
// the bot's rights, messages per chat, pending updates) and answers with
// Telegram's own status codes and error descriptions, so a bot's error
// handling is exercised against the answers it will meet in production
// rather than against invented ones. Everything is in memory and guarded by
// one mutex; tests read the state through accessors that return copies.
//
// Incoming traffic is simulated with [Server.Send], [Server.SendText],
// [Server.SendAlbum], [Server.Press] and [Server.PushUpdate]; the bot fetches
// it with getUpdates. Outgoing traffic is recorded as [Call]s and as [Sent]
// messages whose current state follows edits and deletions.
//
// Faults (blocked users, bursts of 429/5xx, latency, outages) and Telegram's
// flood limits are opt-in so ordinary tests stay fast and deterministic.
package bottest
