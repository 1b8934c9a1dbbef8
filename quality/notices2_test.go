package quality

import (
	"strings"
	"testing"
)

// TestOfficialPassive: «быть» and a short passive participle is канцелярит
// whatever the verb, while the plain passives of notices, biographies and
// reports, and short adjectives that end alike, are not.
func TestOfficialPassive(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Победители конкурса были определены жюри.", []string{"bureaucratese были определены"}},
		{"С 1 января будут применены новые тарифы.", []string{"bureaucratese будут применены"}},
		{"Ремонт крыши будет завершён к маю.", []string{"bureaucratese будет завершён"}},
		{"Движение по мосту будет временно прекращено.", []string{"bureaucratese будет временно прекращено"}},
		{"Жителям будут направлены уведомления.", []string{"bureaucratese будут направлены"}},
		// Nouns that end like participles.
		{"В лагере будет смена для старшеклассников.", nil},
		{"Завтра будет туман, водители, будьте осторожны.", nil},
		{"У нас был план на весь год.", nil},
		// Plain passives and short adjectives.
		{"Библиотека будет закрыта на санитарный день 30 декабря.", nil},
		{"Музей был основан в 1965 году учителем истории.", nil},
		{"Дедушка был призван на фронт в 1942 году и был ранен под Ржевом.", nil},
		{"На субботнике было собрано сорок мешков листьев.", nil},
		{"Для поездки будет нужен паспорт.", nil},
		{"Этот урок будет полезен старшеклассникам.", nil},
		{"Будет интересно и взрослым, и детям.", nil},
		{"Был Богдан Петров, чемпион района.", nil},
	})
}

// TestNoticeDuration: a cut or road works with a day but no hours asks for
// them; an end date, a length or a range of days is an answer too, and
// the start of the heating season or tree cutting needs none.
func TestNoticeDuration(t *testing.T) {
	runFamilies(t, []familyCase{
		{"8 декабря на улице Вишнёвой не будет электричества.", []string{"notice_no_when электричества"}},
		{"16 декабря перекроют улицу Школьную, объезд по улице Новой.", []string{"notice_no_when перекроют улицу"}},
		{"16 декабря с 9:00 до 16:00 перекроют улицу Школьную.", nil},
		{"Мост на улице Речной закроют на ремонт с 8 до 25 декабря.", nil},
		{"Воду на улице Заречной отключат 12 декабря на три дня.", nil},
		{"Трубы на улице Мира будут менять 20–22 декабря.", nil},
		{"Отопление в домах на улице Мира дадут 1 октября.", nil},
		{"Опиловка тополей в парке пройдёт 14 и 15 апреля.", nil},
		{"Отключение света 8 декабря в селе Ключи отменяется.", nil},
		// A time of day in the notice's sentence is quoted as the
		// time the post gives instead of the hours.
		{"9 декабря утром на улице Мира отключат газ.", []string{"notice_no_when утром"}},
	})
}

// TestNoticeStreets: a village with «часть улиц» does not tell which
// streets; the whole village, or a street, does.
func TestNoticeStreets(t *testing.T) {
	runFamilies(t, []familyCase{
		{"9 декабря с 8:00 до 18:00 в селе Ольховка на часть улиц не будет воды.", []string{"notice_no_where часть улиц"}},
		{"9 декабря с 8:00 до 18:00 техника будет чистить улицы посёлка.", []string{"notice_no_where улицы посёлка"}},
		{"9 декабря с 8:00 до 18:00 в деревнях Ивановка и Петровка не будет света.", nil},
		{"9 декабря с 8:00 до 18:00 во всём селе Ольховка не будет воды.", nil},
		{"9 декабря с 8:00 до 18:00 в Ольховке не будет воды на улицах Садовой и Лесной.", nil},
	})
}

// TestVagueHours: «с утра», «вечером», «во второй половине дня» are no
// hours of an event; a clock time anywhere is.
func TestVagueHours(t *testing.T) {
	runFamilies(t, []familyCase{
		{"14 декабря вечером в клубе села Ключи — танцы. Приходите!", []string{"announce_no_when вечером"}},
		{"Ярмарка — 12 декабря с утра на площади у администрации.", []string{"announce_no_when с утра"}},
		{"Глава примет жителей 18 декабря во второй половине дня в администрации.", []string{"notice_no_when во второй половине дня"}},
		{"Вечером 19 декабря, в 18:00, в Никольском СДК — концерт. Приходите!", nil},
		{"Утром 5 декабря на дорогах гололёд, будьте осторожны.", nil},
		{"Утром 28 ноября в школе прошла зарядка с чемпионом.", nil},
		{"Днём 12 декабря грейдер пройдёт по улицам Садовой и Луговой.", nil},
	})
}

// TestStreetsOfTown: «на улицах Ольховки» names the village, not its streets.
func TestStreetsOfTown(t *testing.T) {
	runFamilies(t, []familyCase{
		{"9 декабря с 8:00 до 18:00 на улицах Ольховки не будет воды.", []string{"notice_no_where не будет воды"}},
		{"9 декабря с 8:00 до 18:00 на улицах Мира и Ленина не будет воды.", nil},
		{"9 декабря с 8:00 до 18:00 на улицах Садовой, Лесной не будет воды.", nil},
		{"9 декабря с 8:00 до 18:00 на улице Ленина не будет воды.", nil},
		{"9 декабря с 8:00 до 18:00 на улицах Ленина, Садовой и Первомайской не будет воды.", nil},
	})
}

// TestSentencesInQuotes: a question mark inside «…» ends no sentence, so a
// first sentence with a quiz title is still the news.
func TestSentencesInQuotes(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Команда школы заняла третье место в игре «Что? Где? Когда?» среди 38 команд.\n\nФинал прошёл 28 ноября в Новосибирске.", nil},
	})
	a := analyse("Игра «Что? Где? Когда?» прошла. «Кто? Я?» — спросил он. Потом ушёл.")
	var starts []string
	for k, tk := range a.words.toks {
		if tk.sentStart {
			starts = append(starts, a.words.word(k))
		}
	}
	if got := strings.Join(starts, " "); got != "игра кто потом" {
		t.Errorf("sentences start at %q, want %q", got, "игра кто потом")
	}
}
