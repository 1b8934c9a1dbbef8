package quality

import (
	"strings"
	"testing"
)

// checkRu checks a text with a photo under the Russian rules and returns
// "rule fragment" for every finding.
func checkRu(t *testing.T, text string) []string {
	t.Helper()
	r := mustLoad(t, "ru").Check(Post{Text: text, HasMedia: true})
	for _, f := range r.Findings {
		if !strings.HasPrefix(text[f.Start:f.End], f.Fragment) {
			t.Errorf("%s: fragment %q is not at %d:%d", f.Rule, f.Fragment, f.Start, f.End)
		}
		if f.Context != "" && !strings.Contains(f.Context, f.Fragment) {
			t.Errorf("%s: context %q does not hold %q", f.Rule, f.Context, f.Fragment)
		}
	}
	return rules(r)
}

// TestPlacePhrasings: places as people write them. The first eight are the
// phrasings issue 12 found reported as «не сказано где».
func TestPlacePhrasings(t *testing.T) {
	const when = "Концерт пройдёт 14 декабря в 16:00 "
	places := []string{
		"в центральной библиотеке",
		"в районном Доме культуры",
		"у школы № 2",
		"во дворе школы № 2",
		"в городском парке",
		"в Никольском СДК",
		"в храме Покрова",
		"на Соборной площади",
		"в ДК «Юность»",
		"в «Точке роста»",
		"на стадионе «Труд»",
		"в читальном зале",
		"в кабинете № 12",
		"на улице Ленина, 5",
		"по ул. Садовой, 12",
		"по адресу: Садовая, 5",
		"в нашей школе",
		"в детском саду «Солнышко»",
		"у обелиска",
		"в сельском клубе",
		"в Ольховке",
		"в Марьинском ФАПе",
		"в старом районном Доме культуры",
		"в спортзале школы",
		"на детской площадке",
		"в администрации поселения",
		"онлайн в нашей группе",
		"в актовом зале",
		"в МФЦ",
		"в ФАПе села Липовка",
		"в спортзале ФОКа",
		"в читальном зале детской библиотеки",
		"у Вечного огня",
		"в фойе ЦРБ",
		"в зале заседаний администрации",
		"в селе Каменка",
		"у здания сельсовета",
		"возле магазина «Магнит»",
		"в помещении бывшей школы",
		"на берегу пруда",
		"в музее боевой славы",
		"в конференц-зале",
		"в сквере Победы",
		"в библиотеке-филиале № 3",
		"в малом зале ДК",
		"в спорткомплексе «Олимп»",
		"в лицее № 1",
		"в краеведческом музее",
		"на доске объявлений",
	}
	for _, p := range places {
		t.Run(p, func(t *testing.T) {
			if got := checkRu(t, when+p+"."); len(got) != 0 {
				t.Errorf("%q: got %q, want no advice", p, got)
			}
		})
	}
	// Places written without a preposition: after a label, after a pin,
	// or a street named by its adjective.
	written := []string{
		"Приглашаем на вечер поэзии. Когда: 14 октября, в 18:00. Где: центральная библиотека.",
		"Приглашаем на вечер поэзии 14 октября в 18:00.\n📍 Дом культуры, большой зал",
		"Приглашаем на вечер поэзии 14 октября в 18:00. Место проведения — Никольский СДК.",
		"Ждём всех 14 октября в 18:00, библиотека на Садовой.",
		"Ждём всех 14 октября в 18:00. Адрес: Садовая, 5.",
		"Ждём всех 14 октября в 18:00 в библиотеке имени Пушкина.",
		// A numbered institution or a named street needs no preposition.
		"Каникулы начнутся 29 декабря. В дни каникул спортзал школы № 1 открыт с 10 до 14 часов: приходите играть в волейбол.",
		"Жители улиц Садовой и Вишнёвой останутся без воды 12 декабря с 9 до 17 часов.",
		"Кабинет № 5 поликлиники ведёт приём 14 декабря с 9 до 12 часов.",
		// An institution named in quotes after its form is the host.
		"ГБУЗ «Сосновская ЦРБ» получила новый аппарат КТ. Обследования начнутся 16 декабря, запись через Госуслуги.",
	}
	for _, text := range written {
		t.Run(text, func(t *testing.T) {
			if got := checkRu(t, text); len(got) != 0 {
				t.Errorf("got %q, want no advice", got)
			}
		})
	}
	notPlaces := []string{
		"для всех жителей",
		"в Великой Отечественной войне",
		"на Новый год",
		"в течение часа",
		"у Сергея Петровича",
		// An adjective made from a place noun is not the noun: «лыжную
		// гонку» is an event, «лыжня» a place.
		"на лыжную гонку",
		"на школьную ёлку",
		"по лыжным гонкам",
		// A title in quotation marks names no place.
		"на выставке рисунков «Зима в Сосновке»",
	}
	for _, p := range notPlaces {
		t.Run(p, func(t *testing.T) {
			got := checkRu(t, when+p+".")
			if len(got) != 1 || got[0] != "announce_no_where пройдёт" {
				t.Errorf("%q: got %q, want the place asked for", p, got)
			}
		})
	}
}

// TestDatePhrasings: a relative day or a vague word asks for the calendar
// date; a calendar date or a schedule is enough.
func TestDatePhrasings(t *testing.T) {
	const where = " в центральной библиотеке пройдёт встреча с писателем."
	tests := []struct {
		when string
		want string // the date_relative fragment, "" for no advice, "-" for announce_no_when
	}{
		{"В эту субботу", "В эту субботу"},
		{"В ближайшую субботу", "В ближайшую субботу"},
		{"В следующий четверг", "В следующий четверг"},
		{"В субботу", "В субботу"},
		{"Во вторник", "Во вторник"},
		{"Завтра", "Завтра"},
		{"Сегодня в 18:00", "Сегодня"},
		{"На днях", "На днях"},
		{"В конце месяца", "В конце месяца"},
		{"Скоро", "Скоро"},
		{"В ближайшее время", "В ближайшее время"},
		{"В декабре", "В декабре"},
		{"На следующей неделе", "На следующей неделе"},
		{"В эти выходные", "В эти выходные"},
		{"В субботу, 14 декабря,", ""},
		{"14 декабря", ""},
		{"14.12 в 15:00", ""},
		{"14-15 декабря", ""},
		{"1-го марта", ""},
		{"28 дек.", ""},
		{"Каждую среду", ""},
		{"По субботам", ""},
		{"Ежедневно с 9 до 18", ""},
		{"Послезавтра", "Послезавтра"},
		{"На будущей неделе", "На будущей неделе"},
		{"Через две недели", "Через две недели"},
		{"Через 10 дней", "Через 10 дней"},
		{"С понедельника", "С понедельника"},
		{"В последних числах декабря", "В последних числах декабря"},
		{"В канун Нового года", "В канун"},
		{"После ремонта", "После ремонта"},
		{"В середине декабря", "В середине декабря"},
		{"В новогодние каникулы", "В новогодние каникулы"},
		{"Этим вечером", "Этим вечером"},
		{"20.12.2026 в 12:00", ""},
		{"В пятницу, 13-го декабря,", ""},
		{"Каждый первый понедельник месяца в 15:00", ""},
		{"С 9 до 13 часов 14 декабря", ""},
		{"В 15:00", "-"},
		{"Как обычно", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.when, func(t *testing.T) {
			got := checkRu(t, tt.when+where)
			var want []string
			switch tt.want {
			case "":
			case "-":
				want = []string{"announce_no_when пройдёт"}
			default:
				want = []string{"date_relative " + tt.want}
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestNotices: notices without an invitation word are checked for what
// their kind needs.
func TestNotices(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"road works, the issue's example", "Будет ограничено движение по ряду улиц в ближайшее время.",
			[]string{"notice_no_when Будет ограничено", "bureaucratese Будет ограничено", "notice_no_where ряду улиц", "date_relative в ближайшее время"}},
		{"road works with dates and streets", "С 9 по 13 декабря будет перекрыт участок улицы Мира от дома № 10 до дома № 24.", nil},
		{"road works without a street", "С 9 по 13 декабря будет ограничено движение транспорта.",
			[]string{"notice_no_where будет ограничено", "bureaucratese будет ограничено"}},
		{"water cut without anything", "Внимание, будет отключение холодной воды. Запаситесь водой заранее.",
			[]string{"notice_no_when будет отключение", "notice_no_where будет отключение"}},
		{"water cut complete", "3 декабря с 9:00 до 17:00 не будет холодной воды в домах № 2 и 4 на улице Лесной.", nil},
		{"power cut, relative day", "В четверг не будет света на улице Садовой: меняют провода.",
			[]string{"date_relative В четверг", "notice_no_when не будет света"}},
		{"heat cut", "Отключение отопления в домах на улице Мира пройдёт 2 мая.", nil},
		{"snow clearing without time", "На улице Ленина начнётся уборка снега, уберите автомобили с обочин.",
			[]string{"notice_no_when уборка снега"}},
		{"snow clearing complete", "В ночь на 15 января на улицах Ленина и Советской будет уборка снега.", nil},
		{"survey without a deadline", "Пройдите опрос о качестве дорог в районе: vk.cc/abc1",
			[]string{"notice_no_deadline Пройдите опрос"}},
		{"survey with a deadline", "Пройдите опрос о качестве дорог до 30 ноября: vk.cc/abc1", nil},
		{"a report that closes with «приходите»", "Ребята рисовали открытки и слушали сказки. Приходите к нам ещё!", nil},
		{"an invitation with «приходите» and no report", "Приходите к нам на ёлку!",
			[]string{"announce_no_when Приходите", "announce_no_where Приходите"}},
		{"a report of a power cut", "Три дня село было без света после урагана. Энергетики заменили 12 опор.", nil},
		{"a report of a postponed concert", "Перенесённый из-за карантина концерт хора собрал полный зал.", nil},
		{"a past vote is a report", "Жители выбрали проект площадки: голосование прошло летом, спасибо всем, кто пришёл.", nil},
		{"vaccination without hours or room", "Продолжается вакцинация против гриппа. Привиться можно бесплатно.",
			[]string{"notice_no_when вакцинация", "notice_no_where вакцинация"}},
		{"vaccination complete", "Вакцинация против гриппа идёт до 20 декабря с 8:00 до 15:00 в поликлинике, кабинет № 14.", nil},
		{"reception without date", "Глава района проведёт приём граждан в администрации.",
			[]string{"notice_no_when проведёт приём"}},
		{"reception without place", "Глава района проведёт приём граждан 19 декабря с 10:00 до 13:00.",
			[]string{"notice_no_where проведёт приём"}},
		{"closure without date", "Библиотека будет закрыта на санитарный день.",
			[]string{"notice_no_when будет закрыта"}},
		{"closure with date", "Библиотека будет закрыта 30 декабря: санитарный день.", nil},
		{"a bus change from a weekday", "С понедельника меняется расписание автобуса Сосновка — Каменка.",
			[]string{"date_relative С понедельника"}},
		{"a cancelled bus", "Из-за снегопада школьный автобус в Липовку не пойдёт.",
			[]string{"notice_no_when автобус в Липовку не пойдёт"}},
		{"a bus change with its date", "С 23 декабря автобус № 5 ходит по новому расписанию: из Сосновки в 7:10 и 12:40.", nil},
		{"how to get there is no notice", "Как добраться до больницы: автобус № 5 ходит каждый час, остановка у главного входа.", nil},
		{"snow clearing by «чистить дороги»", "Грейдер будет чистить дороги в Липовке и Каменке.",
			[]string{"notice_no_when чистить дороги"}},
		{"pipes to be replaced", "На улице Гагарина начнут менять водопроводные трубы.",
			[]string{"notice_no_when менять водопроводные"}},
		{"heating back after a repair", "Отопление в детском саду «Ромашка» дадут после ремонта котла.",
			[]string{"date_relative после ремонта"}},
		{"proposals without a deadline", "На сайте размещён проект бюджета. Предложения и замечания жителей принимаются.",
			[]string{"notice_no_deadline Предложения и замечания жителей принимаются"}},
		{"no cuts is no notice", "Отключений воды в праздники не будет: водоканал перенёс плановые работы на 15 января.", nil},
		{"a changed timetable of doctors", "Внимание! С завтрашнего дня меняется график приёма врачей в поликлинике.",
			[]string{"date_relative С завтрашнего дня"}},
		{"an application without a deadline", "Желающие участвовать в конкурсе чтецов должны подать заявку.",
			[]string{"notice_no_deadline подать заявку"}},
		{"a lawyer's consultation on weekdays", "Во вторник и четверг в кабинете № 5 администрации можно получить бесплатную консультацию юриста.",
			[]string{"date_relative Во вторник", "notice_no_when консультацию юриста"}},
		{"a weather warning without a date", "В ночь с субботы на воскресенье ожидается сильный снегопад. Не выезжайте за город.",
			[]string{"date_relative с субботы"}},
		{"a weather warning with a date", "В ночь на 14 декабря ожидается сильный снегопад. Не выезжайте за город.", nil},
		{"an exhibition open until the end of a month", "Выставка вышивки будет работать в районной библиотеке до конца января.", nil},
		{"an open sign-up for vaccination", "Открыта запись на вакцинацию от клещевого энцефалита.",
			[]string{"notice_no_when вакцинацию", "notice_no_where вакцинацию"}},
		{"«прививают» with a room and no hours", "Детей прививают от кори в детской поликлинике, кабинет № 3.",
			[]string{"notice_no_when прививают"}},
		{"applications on Gosuslugi need no hours", "Приём заявлений на путёвки в лагерь идёт до 20 декабря на Госуслугах.", nil},
		{"proposals with a deadline", "Предложения к проекту бюджета присылайте до 16 декабря на почту администрации.", nil},
		{"a reception «проводит приём»", "Депутат Петров И. И. проводит приём каждый первый понедельник месяца.",
			[]string{"notice_no_when проводит приём", "notice_no_where проводит приём"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRu(t, tt.text)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLead: news buried after an introduction is named and quoted; a first
// sentence that already is the news is never quoted back as advice.
func TestLead(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"the issue's autumn introduction",
			"Осень — удивительное время года. Листья кружатся в воздухе.\n\nДолгими вечерами так хочется взять томик стихов.\n\n18 октября в 15:00 в центральной библиотеке пройдёт литературный вечер.",
			[]string{"lead_buried Осень — удивительное время года"}},
		{"an introduction without a listed phrase",
			"Книги — наши лучшие друзья.\n\nПриглашаем 5 марта в 14:00 в детскую библиотеку на праздник.",
			[]string{"lead_buried Книги — наши лучшие друзья"}},
		{"news first", "18 октября в 15:00 в центральной библиотеке пройдёт литературный вечер. Осень — удивительное время года.", nil},
		{"a greeting, then the news", "Уважаемые жители!\n\nС 1 декабря меняется график вывоза мусора: машина приходит по вторникам.", nil},
		{"a report that starts with who did what", "Библиотекари провели для малышей урок доброты.\n\nРебята рисовали открытки 12 ветеранам.", nil},
		{"a headline, then the news", "Новогодние каникулы\n\nС 28 декабря по 8 января библиотека работает с 10:00 до 16:00.", nil},
		{"a headline, then an introduction",
			"Осенние строки\n\nОсень — удивительное время года.\n\n18 октября в 15:00 в центральной библиотеке пройдёт литературный вечер.",
			[]string{"lead_buried Осень — удивительное время года"}},
		{"a quotation opens the post", "«Я впервые увидел настоящий телескоп!» — делится пятиклассник Миша.\n\n12 апреля в школе прошёл День космонавтики.", nil},
		{"a thank-you", "Спасибо всем, кто помог собрать посылки.\n\nВ субботу, 5 декабря, мы отправили 40 коробок.", nil},
		{"a saying, then a sentence that sounds like news",
			"Книги — лучшие друзья человека. Они учат нас доброте и открывают новые миры. 15 декабря в 14:00 в детской библиотеке пройдёт праздник «Книжкины именины».",
			[]string{"lead_buried Книги — лучшие друзья человека"}},
		{"a saying before a report in the next paragraph",
			"Декабрь — пора подводить итоги. Вспоминаем, каким был этот год.\n\nВ 2026 году в Липовке отремонтировали 3 километра дорог.",
			[]string{"lead_buried Декабрь — пора подводить итоги"}},
		{"«we want to tell you about an event»",
			"Сегодня мы хотим рассказать вам об одном очень важном событии, которое произошло в нашей библиотеке.\n\n12 декабря читатели встретились с поэтом Андреем Ковалёвым.",
			[]string{"lead_buried Сегодня мы хотим рассказать вам об одном очень важном событии, которое"}},
		{"a report with a verb in the singular",
			"Команда Каменской школы выиграла районный турнир по мини-футболу среди юношей. В финале 7 декабря ребята обыграли Ольховку со счётом 4:2.", nil},
		{"initials do not end the first sentence",
			"Депутат районного совета Н. А. Кузнецова проведёт приём граждан 19 декабря с 10 до 12 часов в администрации Каменского поселения.", nil},
		{"a cheer is not a saying", "Волонтёры — молодцы! 23 декабря они расчистили дворы 20 пенсионеров.", nil},
		{"a question with an emoji after it, then the answer",
			"Кто помнит, какой была наша школа в 1970-х? 🙂 Музей школы № 2 собирает старые фотографии. Приносите их в кабинет № 14 до 20 января.", nil},
		{"a headline over questions and answers",
			"Три вопроса о записи к врачу:\n— Как записаться? Через Госуслуги или в регистратуре.\n— Сколько ждать? До трёх дней.\nС 9 декабря так работает поликлиника ЦРБ.", nil},
		{"a question mark inside a link is no question",
			"Подать заявление на компенсацию за питание можно на портале Госуслуг: gu.ru/f?s=vk\n\nСрок подачи — до 25 сентября.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRu(t, tt.text)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	// Two or three short sentences in a first paragraph of up to
	// lead_paragraph_chars are a lead, not a long one.
	short := "Вчера в актовом зале школы № 2 прошёл районный конкурс чтецов «Живое слово». 34 ребёнка из восьми школ читали стихи о родном крае. Первое место жюри отдало Алине Морозовой из Каменки. Поздравляем!"
	if got := checkRu(t, short); len(got) != 0 {
		t.Errorf("a lead of short sentences: got %q, want no advice", got)
	}
	// A first sentence over lead_chars is a long lead however short the
	// rest.
	longFirst := "Сегодня в центральной районной библиотеке имени Пушкина прошла встреча читателей с писателем из областного центра, который рассказал о своей новой книге про историю нашего края и о том, как он собирал материалы в архивах. Пришли 40 человек."
	if got := checkRu(t, longFirst); len(got) != 1 || !strings.HasPrefix(got[0], "lead_too_long ") {
		t.Errorf("a long first sentence: got %q, want the length hint", got)
	}

	// A long first paragraph that starts with the news gets the length
	// hint only, never «начните с главного» quoting the news itself.
	long := "18 октября в 15:00 в центральной библиотеке пройдёт литературный вечер «Осенние строки». " +
		strings.Repeat("Прозвучат стихи Пушкина, Тютчева, Есенина и наших земляков. ", 4)
	r := mustLoad(t, "ru").Check(Post{Text: long, HasMedia: true})
	if got := rules(r); len(got) != 1 || !strings.HasPrefix(got[0], "lead_too_long ") {
		t.Errorf("got %q, want the length hint only", got)
	}
}

// TestOrderStyle: the language of orders and the clichés of reports, with
// plainer wording.
func TestOrderStyle(t *testing.T) {
	tests := []struct{ text, fragment, suggestion string }{
		{"Приказ № 12 о дежурстве подписан.", "Приказ", "перескажите"},
		{"Контроль за исполнением оставляю за собой, директор.", "Контроль за исполнением", "уберите"},
		{"Копию настоящего приказа вывесили в холле.", "настоящего приказа", "уберите"},
		{"Администрация доводит до вашего сведения новый график.", "доводит до вашего сведения", "сообщаем"},
		{"Доводим до вашего сведения новый график работы.", "Доводим до вашего сведения", "сообщаем"},
		{"Для обучающиеся 5 классов открыта секция.", "обучающиеся", "ученики"},
		{"Ответы получили все обучающиеся школы сегодня.", "обучающиеся", "ученики"},
		{"Концерт прошёл на высоком уровне, все довольны.", "на высоком уровне", "скажите, что удалось"},
		{"Ребята проявили неподдельный интерес к музею.", "неподдельный интерес", "покажите"},
		{"Для законных представителей открыта консультация.", "законных представителей", "родители"},
	}
	ru := mustLoad(t, "ru")
	for _, tt := range tests {
		t.Run(tt.fragment, func(t *testing.T) {
			r := ru.Check(Post{Text: tt.text, HasMedia: true})
			for _, f := range r.Findings {
				if f.Rule == RuleBureaucratese && f.Fragment == tt.fragment {
					if !strings.Contains(f.Suggestion, tt.suggestion) {
						t.Errorf("suggestion %q, want it to say %q", f.Suggestion, tt.suggestion)
					}
					return
				}
			}
			t.Errorf("got %q, want bureaucratese %q", rules(r), tt.fragment)
		})
	}
}

// TestEnglishDates: the English rules ask for the date the same way.
func TestEnglishDates(t *testing.T) {
	en := mustLoad(t, "en")
	tests := []struct{ text, want string }{
		{"Join us this Saturday at 10 am in the school hall.", "date_relative this Saturday"},
		{"Join us on Saturday, 14 December, at 10 am in the school hall.", ""},
		{"The fair will take place on December 14th at the library.", ""},
		{"The fair will take place soon at the library.", "date_relative soon"},
	}
	for _, tt := range tests {
		got := strings.Join(rules(en.Check(Post{Text: tt.text, HasMedia: true})), "|")
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestAbbreviationForms: a department or regional form of a listed body
// («ОГИБДД», «ОГАУСО») is an abbreviation, not shouting; a long word in
// capitals still shouts.
func TestAbbreviationForms(t *testing.T) {
	for _, text := range []string{
		"Инспекторы ОГИБДД ОМВД России по Сосновскому району 14 декабря в 10:00 проверят, как водители пропускают детей у школы № 1.",
		"В ОГАУСО «Сосновский дом-интернат» 12 декабря волонтёры провели концерт для жильцов.",
	} {
		if got := checkRu(t, text); len(got) != 0 {
			t.Errorf("%q: got %q, want no advice", text, got)
		}
	}
	if got := checkRu(t, "ВНИМАНИЕ: 14 декабря в 10:00 в школе № 1 пройдёт собрание."); len(got) != 1 || got[0] != "caps ВНИМАНИЕ" {
		t.Errorf("got %q, want the shouting named", got)
	}
}
