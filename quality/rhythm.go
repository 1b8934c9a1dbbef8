package quality

// Rhythm statuses.
const (
	RhythmNoGoal  = "no_goal"  // the page has no weekly goal
	RhythmDone    = "done"     // the goal is reached
	RhythmOnTrack = "on_track" // behind the goal, but not behind the calendar
	RhythmBehind  = "behind"   // fewer posts than the days passed call for
)

// Rhythm is the page's week against its weekly goal. The bot renders it as
// a line on the card, e.g. «На этой неделе: 2 из 4 постов».
type Rhythm struct {
	Published int    // posts published this week
	Goal      int    // the weekly goal
	Remaining int    // posts still needed to reach the goal, never negative
	Status    string // one of the Rhythm* statuses
}

// WeekRhythm compares the posts published this week with the weekly goal.
// daysLeft is the number of days left in the week after today (0 on the
// last day); a page is behind when it published fewer posts than a steady
// pace would have by now. Counts come from the caller: the package does
// not know the calendar.
func WeekRhythm(published, goal, daysLeft int) Rhythm {
	published = max(published, 0)
	r := Rhythm{Published: published, Goal: goal}
	switch {
	case goal <= 0:
		r.Goal, r.Status = 0, RhythmNoGoal
		return r
	case published >= goal:
		r.Status = RhythmDone
		return r
	}
	r.Remaining = goal - published
	daysLeft = min(max(daysLeft, 0), 6)
	passed := 7 - daysLeft // days of the week that have begun, today included
	expected := goal * passed / 7
	if published >= expected {
		r.Status = RhythmOnTrack
	} else {
		r.Status = RhythmBehind
	}
	return r
}

// TemplateData returns the rhythm under stable names for message templates.
func (r Rhythm) TemplateData() map[string]any {
	return map[string]any{"Published": r.Published, "Goal": r.Goal, "Remaining": r.Remaining, "Status": r.Status}
}
