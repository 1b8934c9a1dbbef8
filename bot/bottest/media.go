package bottest

import (
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Kind is the content type of a message.
type Kind string

// Kinds of messages. The media kinds double as the names of the file
// parameter of the matching send method (sendPhoto takes "photo").
const (
	KindText      Kind = "text"
	KindPhoto     Kind = "photo"
	KindVideo     Kind = "video"
	KindAnimation Kind = "animation"
	KindDocument  Kind = "document"
	KindAudio     Kind = "audio"
	KindVoice     Kind = "voice"
	KindVideoNote Kind = "video_note"
	KindSticker   Kind = "sticker"
	KindLocation  Kind = "location"
	KindPoll      Kind = "poll"
	KindContact   Kind = "contact"
)

// hasFile reports whether messages of this kind carry a file id.
func (k Kind) hasFile() bool {
	switch k {
	case KindText, KindLocation, KindPoll, KindContact:
		return false
	}
	return true
}

// hasCaption reports whether messages of this kind can carry a caption.
func (k Kind) hasCaption() bool {
	switch k {
	case KindPhoto, KindVideo, KindAnimation, KindDocument, KindAudio, KindVoice:
		return true
	}
	return false
}

// newFileID mints a file id and remembers its kind, so that later sends
// can be checked the way Telegram checks them.
func (s *Server) newFileID(k Kind) string {
	id := fmt.Sprintf("%s-%d", k, s.nextSeq())
	s.files[id] = k
	return id
}

// attach sets the media of m and registers every file id it exposes, so
// that the bot may send any of them back.
func (s *Server) attach(m *tgbotapi.Message, k Kind, fileID string) {
	attachMedia(m, k, fileID)
	for _, p := range m.Photo {
		s.files[p.FileID] = KindPhoto
	}
	if k.hasFile() {
		if _, known := s.files[fileID]; !known {
			s.files[fileID] = k
		}
	}
}

// checkFileKind answers "type of file mismatch" when a photo is sent as
// something else or the other way round: the only mix-up Telegram refuses
// for an existing file id (a video may be resent as a document).
func (s *Server) checkFileKind(id string, want Kind) *APIError {
	have, ok := s.files[id]
	if !ok {
		return errWrongFile
	}
	if (have == KindPhoto) != (want == KindPhoto) {
		return errFileMismatch
	}
	return nil
}

// resolveFile finds the file of a send: an uploaded part, "attach://name",
// an http(s) URL (accepted without fetching) or a known file id.
func (s *Server) resolveFile(req *request, value string, k Kind) (string, *APIError) {
	if name, ok := strings.CutPrefix(value, "attach://"); ok {
		up, found := req.files[name]
		if !found {
			return "", errMediaNotFound
		}
		if up.size == 0 {
			return "", errFileEmpty
		}
		return s.newFileID(k), nil
	}
	if strings.HasPrefix(value, "http://") || strings.HasPrefix(value, "https://") {
		return s.newFileID(k), nil
	}
	if err := s.checkFileKind(value, k); err != nil {
		return "", err
	}
	return value, nil
}

// attachMedia sets the media field of m for kind k and file id.
func attachMedia(m *tgbotapi.Message, k Kind, fileID string) {
	unique := "u" + fileID
	switch k {
	case KindPhoto:
		m.Photo = []tgbotapi.PhotoSize{
			{FileID: fileID + "-s", FileUniqueID: unique + "-s", Width: 90, Height: 60, FileSize: 1500},
			{FileID: fileID, FileUniqueID: unique, Width: 1280, Height: 853, FileSize: 120000},
		}
	case KindVideo:
		m.Video = &tgbotapi.Video{FileID: fileID, FileUniqueID: unique, Width: 1280, Height: 720, Duration: 10, MimeType: "video/mp4", FileSize: 1 << 20}
	case KindAnimation:
		m.Animation = &tgbotapi.Animation{FileID: fileID, FileUniqueID: unique, Width: 480, Height: 270, Duration: 3, MimeType: "video/mp4", FileName: "animation.mp4"}
		m.Document = &tgbotapi.Document{FileID: fileID, FileUniqueID: unique, MimeType: "video/mp4", FileName: "animation.mp4"} // Telegram sends both
	case KindDocument:
		m.Document = &tgbotapi.Document{FileID: fileID, FileUniqueID: unique, FileName: "document.pdf", MimeType: "application/pdf", FileSize: 20000}
	case KindAudio:
		m.Audio = &tgbotapi.Audio{FileID: fileID, FileUniqueID: unique, Duration: 180, Title: "Audio", MimeType: "audio/mpeg"}
	case KindVoice:
		m.Voice = &tgbotapi.Voice{FileID: fileID, FileUniqueID: unique, Duration: 5, MimeType: "audio/ogg"}
	case KindVideoNote:
		m.VideoNote = &tgbotapi.VideoNote{FileID: fileID, FileUniqueID: unique, Length: 240, Duration: 5}
	case KindSticker:
		m.Sticker = &tgbotapi.Sticker{FileID: fileID, FileUniqueID: unique, Width: 512, Height: 512, Emoji: "👍", SetName: "bottest"}
	case KindLocation:
		m.Location = &tgbotapi.Location{Latitude: 52.52, Longitude: 13.405}
	case KindPoll:
		m.Poll = &tgbotapi.Poll{ID: "poll-" + fileID, Question: "Poll?", Options: []tgbotapi.PollOption{{Text: "Yes"}, {Text: "No"}}, IsAnonymous: true, Type: "regular"}
	case KindContact:
		m.Contact = &tgbotapi.Contact{PhoneNumber: "+4930123456", FirstName: "Contact"}
	}
}

// setBody puts text or caption with their entities where Telegram puts them
// for kind k.
func setBody(m *tgbotapi.Message, k Kind, text string, entities []tgbotapi.MessageEntity) {
	if k == KindText {
		m.Text, m.Entities = text, entities
		return
	}
	m.Caption, m.CaptionEntities = text, entities
}

// kindOf tells the kind of an existing message, for copies and forwards.
func kindOf(m *tgbotapi.Message) Kind {
	switch {
	case m.Photo != nil:
		return KindPhoto
	case m.Animation != nil:
		return KindAnimation
	case m.Video != nil:
		return KindVideo
	case m.Document != nil:
		return KindDocument
	case m.Audio != nil:
		return KindAudio
	case m.Voice != nil:
		return KindVoice
	case m.VideoNote != nil:
		return KindVideoNote
	case m.Sticker != nil:
		return KindSticker
	case m.Location != nil:
		return KindLocation
	case m.Poll != nil:
		return KindPoll
	case m.Contact != nil:
		return KindContact
	}
	return KindText
}
