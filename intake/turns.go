package intake

// turns is the intake's fair queue: updates wait in their chat's queue,
// and chats take turns, one update per turn, in the order they became
// ready. A chat is either waiting in the ring or being served, never both,
// so one chat's updates are handled one at a time and in order, and a
// chat with 2,000 updates waiting gets one turn in each round like a chat
// with one. It is not safe for concurrent use (Intake guards it).
type turns struct {
	queues  map[int64][]queued // per chat, oldest first; present while non-empty or served
	serving map[int64]bool
	ring    []int64 // chats waiting for a turn, first come first
}

func newTurns() turns {
	return turns{queues: map[int64][]queued{}, serving: map[int64]bool{}}
}

// add queues q behind its chat's earlier updates; the chat joins the ring
// unless it is already there or being served.
func (t *turns) add(chat int64, q queued) {
	queue, known := t.queues[chat]
	t.queues[chat] = append(queue, q)
	if !known && !t.serving[chat] {
		t.ring = append(t.ring, chat)
	}
}

// next gives the first waiting chat its turn: its oldest update. ok is
// false when no chat waits.
func (t *turns) next() (chat int64, q queued, ok bool) {
	if len(t.ring) == 0 {
		return 0, queued{}, false
	}
	chat = t.ring[0]
	t.ring[0] = 0
	t.ring = t.ring[1:]
	queue := t.queues[chat]
	q = queue[0]
	queue[0] = queued{}
	if len(queue) == 1 {
		delete(t.queues, chat)
	} else {
		t.queues[chat] = queue[1:]
	}
	t.serving[chat] = true
	return chat, q, true
}

// done ends the chat's turn: with more updates it waits again at the end
// of the ring.
func (t *turns) done(chat int64) {
	delete(t.serving, chat)
	if _, more := t.queues[chat]; more {
		t.ring = append(t.ring, chat)
	}
}

// waiting is how many chats wait for a turn.
func (t *turns) waiting() int { return len(t.ring) }

// queued is how many updates of chat wait (not counting one being served).
func (t *turns) queued(chat int64) int { return len(t.queues[chat]) }
