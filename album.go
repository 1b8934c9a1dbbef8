package redaktor

// AlbumItem is one buffered message of an album.
type AlbumItem struct {
	UserID    int64    `json:"user_id"`
	MessageID int      `json:"message_id"`
	Media     Media    `json:"media"`
	Caption   string   `json:"caption,omitempty"`
	Entities  []Entity `json:"entities,omitempty"`
}

// AlbumRef names a buffered album as it was read, for the store's
// CreatePost. The store that read the album fills it in; others pass it
// back unchanged.
type AlbumRef struct {
	// Key is where the store keeps the album.
	Key string
	// Deadline is the album's quiet deadline when it was read (Unix ms):
	// an item arriving since moves it, and the read is then out of date.
	Deadline float64
}

// ReadyAlbum is a buffered album whose items stopped arriving.
type ReadyAlbum struct {
	Ref    AlbumRef
	UserID int64
	Items  []AlbumItem
}

// AlbumPick says which of the ready albums to read.
type AlbumPick struct {
	// Limit bounds the albums read.
	Limit int
	// PerUser bounds the albums of one person read; 0 for no bound.
	PerUser int
	// Skip leaves out the albums of the people it names (nil: nobody):
	// those being assembled already, say.
	Skip func(userID int64) bool
}
