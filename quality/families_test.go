package quality

import (
	"strings"
	"testing"
)

// familyCase is one phrasing of a family and the advice it must get
// ("rule fragment", in order), nil for none.
type familyCase struct {
	text string
	want []string
}

func runFamilies(t *testing.T, cases []familyCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.text, func(t *testing.T) {
			got := checkRu(t, tt.text)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNoticeVerbForms: one data line («отключ* + воду|свет…») finds a cut
// in any person, tense and aspect, and with the words in any order.
func TestNoticeVerbForms(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Скоро отключим воду на улице Мира.", []string{"date_relative Скоро", "notice_no_when отключим воду"}},
		{"Завтра отключат горячую воду в домах на улице Мира.", []string{"date_relative Завтра", "notice_no_when отключат горячую"}},
		{"Воду отключим 5 марта с 9:00 до 15:00.", []string{"notice_no_where отключим"}},
		{"Энергетики отключают электроэнергию на улице Лесной.", []string{"notice_no_when отключают электроэнергию"}},
		{"На улице Садовой 3 апреля с 10:00 отключится свет.", nil},
		{"Газ будет отключён 12 мая с 10 до 14 часов в домах № 3 и 5 на улице Мира.", nil},
		{"Жители улицы Мира останутся без воды в среду.", []string{"notice_no_when останутся без воды", "date_relative в среду"}},
		{"Подача тепла прекратится 3 марта.", []string{"notice_no_when Подача тепла прекратится", "notice_no_where Подача тепла прекратится", "bureaucratese Подача тепла"}},
		{"Движение по улице Мира ограничат с 5 по 9 мая.", nil},
		{"Проезд закроют в ближайшие дни.", []string{"notice_no_when закроют", "notice_no_where закроют", "date_relative в ближайшие дни"}},
		{"На улице Ленина начнут убирать снег, переставьте машины.", []string{"notice_no_when убирать снег"}},
		// Told as a report, the same words are no notice.
		{"Энергетики заменили 12 опор и отключали свет всего на час.", nil},
		{"После урагана свет отключали дважды, бригады работали всю ночь.", nil},
		{"Снег вчера расчистили от снега все дворы.", nil},
	})
}

// TestInvitationAnyOrder: an invitation is its verb and its object in the
// same sentence, in either order.
func TestInvitationAnyOrder(t *testing.T) {
	runFamilies(t, []familyCase{
		{"ВСЕХ ЖЕЛАЮЩИХ ЖДЁМ НА СУББОТНИК", []string{"caps ВСЕХ ЖЕЛАЮЩИХ ЖДЁМ НА СУББОТНИК", "announce_no_when ЖДЁМ", "announce_no_where ЖДЁМ"}},
		{"Ждём всех желающих 12 мая в 10:00 у школы № 2.", nil},
		{"Всех ребят ждут 12 мая в 10:00 в детской библиотеке.", nil},
		{"Гостей ждём на празднике двора!", []string{"announce_no_when ждём", "announce_no_where ждём"}},
		{"Будем рады: ждём вас в субботу в библиотеке.", []string{"date_relative в субботу"}},
		// A report that thanks its guests is no invitation.
		{"Ребята рисовали открытки, а мы ждали всех родителей на чай.", nil},
	})
}

// TestSurveyAnyVerb: a survey is its noun with any verb of a call; a
// report of a past survey is not.
func TestSurveyAnyVerb(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Администрация проводит опрос о благоустройстве парка: vk.cc/abc1", []string{"notice_no_deadline опрос"}},
		{"Опрос о школьном питании проходит на сайте школы: vk.cc/abc1", []string{"notice_no_deadline Опрос о школьном питании проходит"}},
		{"Стартовало голосование за проекты благоустройства: vk.cc/abc1", []string{"notice_no_deadline голосование"}},
		{"Приглашаем родителей пройти анкетирование о питании: vk.cc/abc1", []string{"notice_no_deadline пройти анкетирование"}},
		{"Просим ответить на вопросы анкеты о библиотеке: vk.cc/abc1", []string{"notice_no_deadline анкеты"}},
		{"Опрос о школьном питании продлится до 30 ноября: vk.cc/abc1", nil},
		{"Анкетирование родителей проходит до 15 мая на сайте школы.", nil},
		{"По итогам опроса, который провели в мае, 80 жителей из 100 довольны уборкой.", nil},
		{"Жители выбрали проект: голосовали 600 человек, спасибо всем.", nil},
	})
}

// TestBureaucrateseForms: one entry finds its inflections.
func TestBureaucrateseForms(t *testing.T) {
	tests := []struct{ text, fragment, suggestion string }{
		{"Данные мероприятия проходят в школе каждый год.", "Данные мероприятия", "назовите"},
		{"Расписание данных мероприятий висит в холле школы.", "данных мероприятий", "назовите"},
		{"На указанном мероприятии выступил хор ветеранов.", "указанном мероприятии", "назовите"},
		{"Заинтересованным лицам надлежит обратиться в администрацию.", "Заинтересованным лицам", "кому нужно"},
		{"Заинтересованным лицам надлежит обратиться в администрацию.", "надлежит", "нужно"},
		{"Заинтересованные граждане могут прийти в библиотеку.", "Заинтересованные граждане", "кому нужно"},
		{"При себе иметь документ, удостоверяющий личность.", "При себе иметь", "возьмите"},
		{"При себе иметь документ, удостоверяющий личность.", "удостоверяющий личность", "паспорт"},
		{"Нужен документ, удостоверяющего личность ребёнка нет.", "удостоверяющего личность", "паспорт"},
		{"Справку выдают законному представителю ребёнка.", "законному представителю", "родители"},
		{"Запись проводится по телефону 2-12-12.", "проводится", "назовите действие"},
		{"Занятия проводятся в читальном зале по средам.", "проводятся", "назовите действие"},
		{"Администрация информирует население о графике вывоза мусора.", "информирует население", "сообщаем"},
		{"Школа доводила до сведения родителей новое расписание.", "доводила до сведения", "сообщаем"},
		{"В период с 1 по 10 мая библиотека работает до 16:00.", "В период с", "с … по"},
		{"Приносим извинения за доставленные неудобства.", "Приносим извинения", "извините"},
		{"Водителей транспортных средств просят быть внимательнее.", "транспортных средств", "машина"},
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
	// Stems must not reach words that only look alike.
	runFamilies(t, []familyCase{
		{"Персональные данные участников конкурса не публикуем.", nil},
		{"Обучаем детей плавать в бассейне школы № 2 по средам.", nil},
		{"Лица детей на фото мы закрыли смайликами по просьбе родителей.", nil},
	})
}

// TestVaguePlaces: a vague place names no place, whatever its words.
func TestVaguePlaces(t *testing.T) {
	runFamilies(t, []familyCase{
		{"С 5 по 9 мая будет ограничено движение по одной из улиц посёлка.", []string{"bureaucratese будет ограничено", "notice_no_where одной из улиц"}},
		{"В ряде домов 5 марта с 9:00 до 17:00 не будет горячей воды.", []string{"notice_no_where ряде домов"}},
		{"5 марта с 9:00 до 17:00 отключат свет в некоторых районах села.", []string{"notice_no_where некоторых районах"}},
		{"5 марта с 9:00 до 17:00 отключат свет на отдельных улицах.", []string{"notice_no_where отдельных улицах"}},
		{"5 марта с 9:00 до 17:00 отключат свет на нескольких улицах поселка.", []string{"notice_no_where нескольких улицах"}},
		{"5 марта с 9:00 до 17:00 отключат свет на одной из улиц, на Садовой.", nil},
		{"5 марта с 9:00 до 17:00 отключат свет в ряде домов на улице Мира.", nil},
	})
}

// TestLeadQuotedName: a name in quotes is not the news of a first sentence.
func TestLeadQuotedName(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Коллектив МБОУ «Средняя школа № 2» уделяет большое внимание воспитанию.\n\n15 марта в 12:00 в актовом зале пройдёт концерт.",
			[]string{"lead_buried Коллектив МБОУ «Средняя школа № 2» уделяет большое внимание воспитанию"}},
		{"Коллектив «Детской школы искусств № 1» бережёт традиции.\n\nПриглашаем 5 марта в 14:00 в детскую библиотеку на праздник.",
			[]string{"lead_buried Коллектив «Детской школы искусств № 1» бережёт традиции"}},
		{"В МБОУ «СОШ № 2» 15 марта прошёл концерт хора.", nil},
		{"Ученики школы № 2 заняли первое место в конкурсе «Зелёная планета».", nil},
	})
}

// TestMoreNoticeFamilies: closures, schedule changes, contest entries and
// cuts told with «не будет» in either order.
func TestMoreNoticeFamilies(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Воды не будет на улице Мира в четверг.", []string{"notice_no_when Воды не будет", "date_relative в четверг"}},
		{"На улице Мира не будет газа 5 марта с 9:00 до 15:00.", nil},
		{"Библиотека закрыта на ремонт.", []string{"notice_no_when закрыта на ремонт"}},
		{"Музей закрыт на санобработку 3 и 4 марта.", nil},
		{"Режим работы поликлиники изменится на праздники.", []string{"notice_no_when Режим работы поликлиники изменится"}},
		{"С 1 марта график работы библиотеки меняется: по субботам с 10:00 до 15:00.", nil},
		{"Рисунки на конкурс «Зимняя сказка» принимаются в библиотеке.", []string{"notice_no_deadline Рисунки"}},
		{"Присылайте фотографии на конкурс до 20 декабря на почту школы.", nil},
		{"Приём заявок на конкурс продлится до 1 марта.", nil},
	})
}

// TestVagueDateFamilies: the vague words of a date in their forms.
func TestVagueDateFamilies(t *testing.T) {
	const where = " в центральной библиотеке пройдёт встреча с писателем."
	for _, when := range []string{"В ближайшие месяцы", "В ближайшее время", "В течение недели", "В самое ближайшее время", "Вскоре"} {
		t.Run(when, func(t *testing.T) {
			got := checkRu(t, when+where)
			if len(got) != 1 || got[0] != "date_relative "+when {
				t.Errorf("got %q, want the date asked for", got)
			}
		})
	}
}

// TestNoticeBureaucratese: the канцелярит of official notices.
func TestNoticeBureaucratese(t *testing.T) {
	tests := []struct{ text, fragment, suggestion string }{
		{"По всем возникающим вопросам звоните в администрацию.", "По всем возникающим вопросам", "по телефону"},
		{"Просьба обращаться по телефону 2-12-12.", "Просьба обращаться", "пожалуйста"},
		{"Обращаем ваше внимание на новый график.", "Обращаем ваше внимание", "пожалуйста"},
		{"За нарушение грозит административная ответственность.", "административная ответственность", "штраф"},
		{"В образовательных учреждениях района прошли уроки.", "образовательных учреждениях", "школа"},
		{"В зимний период каток работает до 20:00.", "В зимний период", "зимой"},
		{"Занятия проходят на безвозмездной основе.", "на безвозмездной основе", "бесплатно"},
		{"При наличии справки приём без очереди.", "При наличии", "если есть"},
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

// TestPlaceNounsAndWorks: more place nouns, and works named by their kind.
func TestPlaceNounsAndWorks(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Концерт пройдёт 14 декабря в 16:00 в помещении библиотеки.", nil},
		{"Концерт пройдёт 14 декабря в 16:00 на территории школы № 2.", []string{"bureaucratese на территории"}},
		{"Концерт пройдёт 14 декабря в 16:00 на территории поселения.", []string{"bureaucratese на территории", "announce_no_where территории поселения"}},
		{"Плановые работы на сетях пройдут 5 марта с 9:00 до 17:00 на улице Мира.", nil},
		{"Аварийные работы продлятся до вечера.", []string{"notice_no_when Аварийные работы", "notice_no_where Аварийные работы"}},
		{"Работы по замене труб начнутся 3 апреля.", []string{"notice_no_when Работы по замене труб начнутся", "notice_no_where Работы по замене труб начнутся"}},
		{"Работы учеников будут выставлены в холле библиотеки 3 апреля.", nil},
	})
}

// TestHealthCalls: a call to be vaccinated is a notice in any order; a
// post that explains vaccination is not.
func TestHealthCalls(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Прививку от гриппа можно сделать в поликлинике.", []string{"notice_no_when Прививку от гриппа можно"}},
		{"Сделать прививку от гриппа можно 5 марта с 8:00 до 12:00 в кабинете № 14 поликлиники.", nil},
		{"Привейтесь от гриппа: кабинет № 14, по будням с 8:00 до 12:00.", nil},
		{"Прививка защищает от тяжёлых осложнений гриппа, рассказывает педиатр Анна Петрова.", nil},
		{"Диспансеризацию можно пройти в поликлинике по субботам с 8:00 до 12:00.", nil},
	})
}

// TestAbsenceAndDetours: «будет отсутствовать электроэнергия», a detour, a
// call to gather, two streets named by their adjectives.
func TestAbsenceAndDetours(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Электроснабжение будет отсутствовать 5 марта с 9:00 до 17:00.", []string{"notice_no_where Электроснабжение будет"}},
		{"Завтра на улицах Мира и Лесной будет отсутствовать электроэнергия.", []string{"date_relative Завтра", "notice_no_when отсутствовать электроэнергия"}},
		{"Отсутствие горячей воды на улице Мира продлится неделю.", []string{"notice_no_when Отсутствие горячей воды"}},
		{"12 марта с 9:00 до 13:00 электричество отключат на Садовой и Полевой.", nil},
		{"На время ремонта дороги объезд по улице Школьной.", []string{"notice_no_when объезд по"}},
		{"Спасибо жителям за терпение: два месяца приходилось ездить в объезд.", nil},
		{"Желающих помочь просим собраться у здания администрации.", []string{"announce_no_when просим собраться"}},
		{"Напоминаем о необходимости соблюдения правил пожарной безопасности.", []string{"bureaucratese о необходимости", "bureaucratese соблюдения правил"}},
	})
}

// TestReportsAndInfoStayQuiet: good posts that share words with notices
// and invitations — reports of a cut or a survey, explanations, schedules
// — get no advice.
func TestReportsAndInfoStayQuiet(t *testing.T) {
	runFamilies(t, []familyCase{
		{"Свет отключили в 10:00, а уже в 14:00 его включили: энергетики работали быстро.", nil},
		{"В опросе о качестве дорог участвовали 600 жителей. Больше всего жалоб на улицу Мира.", nil},
		{"Голосование за лучший рисунок завершилось: победила Маша Иванова из 3 «Б».", nil},
		{"Приём у главы района теперь можно записаться онлайн: vk.cc/priem", nil},
		{"Зал был закрыт на ремонт три месяца. Теперь здесь новые кресла и свет.", nil},
		{"Ребята из отряда ЮИД убирали снег у памятника героям войны.", nil},
		{"Работы школьников выставлены в холле библиотеки до конца месяца.", nil},
		{"Ученики 7 «А» провели опрос среди одноклассников: 70% читают больше часа в день.", nil},
		{"Медсестра Ольга Сергеевна рассказала, почему прививка от кори нужна и взрослым.", nil},
		{"Наш хор ждут в Липецке на областном фестивале 12 мая.", nil},
		{"Как подготовить ребёнка к школе: советы психолога Марии Ивановой.", nil},
		{"Новая горка во дворе детского сада «Солнышко» — подарок родителей.", nil},
		{"В выходные волонтёры расчистили от снега дорожку к обелиску.", nil},
		{"Теперь в библиотеке можно распечатать документы и сделать копии.", nil},
		{"Мы ждём всех, кто любит книги, в нашем клубе по четвергам в 17:00, библиотека на Садовой, 3.", nil},
		{"Детский сад закрыт на карантин до 15 марта.", nil},
		{"Анкету для родителей первоклассников можно заполнить до 1 апреля: vk.cc/anketa", nil},
		{"Движение по мосту через Дон открыли после ремонта: теперь до райцентра 20 минут.", nil},
		{"Водоснабжение на улице Лесной восстановлено.", nil},
	})
}

// TestPhraseSigns: the three signs of the phrase language and their errors.
func TestPhraseSigns(t *testing.T) {
	m, err := newMatcher([]string{"мероприятие~", "воду|света", "отключ* + газ"}, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		text string
		want int // matches
	}{
		{"мероприятиях мероприятия мероприятие", 3},
		{"мерой меры", 0},
		{"воду света воды", 2},
		{"Газ отключат. Отключат газ.", 2},
		{"Газ есть. Отключат завтра.", 0},
	} {
		a := analyse(tt.text)
		if got := len(m.find(&a.words, 0)); got != tt.want {
			t.Errorf("%q: %d matches, want %d", tt.text, got, tt.want)
		}
	}
	for _, bad := range []string{"опрос + ", "воду||света", "* + газ", "слово~*"} {
		if _, err := newMatcher([]string{bad}, []int{0}); err == nil {
			t.Errorf("%q compiled, want an error", bad)
		}
	}
}
