"""Code decision and accusation text into the fixed vocabularies of `bureaucli.records`.

Rules are regexes over stems of *folded* text (lowercase, ё→е, dots of abbreviations and initials
removed so a clause can be bounded by `.` and `;`), so they survive inflection and word order. Before
matching, a word one OCR letter off from exactly one key stem is read as that stem ("искпючить"), and
penalties of the past that a heard text recalls ("исключен в 1935 г.", "(строгий выговор за …)") are set
aside, so that minutes read column by column do not code the history as the decision.

Decision cues (first matching phrase wins the words it covers, later rules see them blanked):
- lift_penalty: снять (парт)взыскание / выговор; выговор … снять (not "с работы"; "за опоздания на
  работу" between them does not stop it)
- overturn_decision: решение … отменить / изменить; исключение … заменить
- upheld decisions (решение … утвердить / оставить в силе; апелляцию отклонить; в апелляции отказать):
  the code of the penalty upheld, named in the clause or the heard text ("на решение … о переводе в
  кандидаты" → demote), else expel; approved proposals (принять / утвердить предложение, согласиться с
  предложением … о восстановлении / об исключении / о снятии взыскания) take the code they name
- expel: исключить, исключил(о), исключен(ы), об исключении; считать исключенным; вычистить (the purges)
- severe_reprimand: строгий выговор (any case, also "заменить строгим выговором")
- reprimand: выговор without строгий
- warning: поставить на вид; предупредить; предупреждение as its own penalty (not "с предупреждением")
- remove_from_post: снять / снят с (руководящей) работы / должности / поста; освободить / освобожден от
  работы / обязанностей; отстранить; сместить; вывести / вывел / исключить из состава (пленума, бюро, ЦК)
- refer_to_prosecution: материалы / дело передать / передано / направить в НКВД, УНКВД, прокуратуру, суд,
  прокурору; привлечь к судебной / уголовной ответственности; предать суду
- demote: перевести в кандидаты / сочувствующие
- reinstate: восстановить (в партии, членах, правах члена партии); считать восстановленным
- no_action: ограничиться обсуждением; дело (производством) прекратить; снять с обсуждения; считать
  проверенным (passed a purge)
- other: отложить, решить после следствия, поручить проверить, просьбу отклонить, в просьбе / в
  восстановлении отказать, считать выбывшим — only when no code above was found

Accusation cues (heard and decision text together):
- ties_to_enemies: связь с … врагом / троцкистом / арестованным / осужденным / правыми …; покровительство врагу, покрывал троцкистов (the
  words of the enemy's label are then not read as the person's own trotskyism or counterrevolution); a tie
  with a group named by its ideology ("связь с польскими националистами", "связанного с троцкистами",
  "связь с правыми оппортунистами") also codes that ideology (trotskyism, right_deviation, nationalism),
  a tie with one person ("связь с арестованным троцкистом X") does not
- loss_of_party_card: утеря / потеря партбилета, халатное хранение партбилета (not negligence)
- trotskyism: троцкист-, троцкизм, двурушник, зиновьевец
- right_deviation: правооппортунист-, правые оппортунисты, правая оппозиция, правый уклон, бухаринец
- nationalism: националист-, национализм
- counterrevolution: контрреволюционн- (not агитация), повстанческая организация, (как) враг народа,
  белогвардеец, белая армия, террор, предатель партии / родины, измена родине
- anti_soviet_agitation: антисоветск-, контрреволюционная агитация / высказывания, антипартийные / (политически)
  вредные высказывания, клевета на руководителей, низкопоклонство перед Западом, космополитизм
- sabotage_wrecking: вредительство, подрывная работа, диверсия, саботаж, умышленный срыв
- espionage: шпион-, разведка
- concealed_origin: (социальное) происхождение, кулак-, сын попа / торговца, дворяне, выходец, чуждый
  элемент, скрыл, что его отец …
- religion: религиозные обряды, церковь, венчание, крещение, сектант
- negligence: бесхозяйственность, развал работы, халатность, срыв, падеж скота, крушение, авария, по его
  / ее вине
- embezzlement: растрата, присвоение, хищение, расхищение, разбазаривание
- abuse_of_office: злоупотребление, использование служебного положения, незаконные обыски / аресты
- drunkenness_moral: пьянство, нетрезвый вид, (морально-)бытовое разложение, дебош
- passivity: пассивность, отрыв от партии, неуплата членских взносов, не посещал собраний, выбывшие
- other: нарушение партийной дисциплины, политическая близорукость, потеря бдительности, клевета, склока,
  карьеризм, бюрократизм, семейственность, зажим (само)критики, грубость
"""

from __future__ import annotations

import re
from functools import lru_cache

from bureaucli.textnorm import fold

_ABBREVIATION_DOT = re.compile(
    r"\b(?:тов|тт|т|г|гг|чл|канд|докл|им|п|рожд|ст|зав|пред|обл|р-н|р|с|ул|д|кв|см|б|[а-яё])\.", re.IGNORECASE
)
_DOTTED_DATE = re.compile(r"\d{1,2}\.[\divxlcтху|\\]{1,5}[.\-]\d{2,4}")
_WORDS = r"(?:[^.;\s]+\s+)"


KEY_STEMS = (
    "исключ", "выговор", "выговар", "восстанов", "освобод", "освобож", "предупред", "предупрежд", "прекрати",
    "обсуждени", "огранич", "взыскани", "отстран", "сняти", "перевести", "кандидат", "сочувствующ",
    "троцки", "контрреволюц", "антисоветск", "вредител", "националист", "шпион", "халатн", "бесхозяйствен",
    "растрат", "хищени", "присвоени", "злоупотреблени", "пьянств", "разложени", "происхождени", "кулацк",
    "религиозн", "пассивн", "бдительност", "близорукост", "дисциплин", "партбилет", "прокурор",
)  # fmt: skip
"""Stems the rules rest on; a word whose start is one letter off from exactly one of them, and matches
none, is read as that stem (OCR's "искпючить", "выгавор")."""
_WORD = re.compile(r"[а-яё]{6,}")


def _repair_stem(match: re.Match[str]) -> str:
    return _repaired_word(match.group(0))


@lru_cache(maxsize=65536)
def _repaired_word(word: str) -> str:
    if any(word.startswith(stem) for stem in KEY_STEMS):
        return word
    near = {
        stem
        for stem in KEY_STEMS
        if len(word) >= len(stem) and sum(a != b for a, b in zip(word, stem, strict=False)) == 1
    }
    return next(iter(near)) + word[len(next(iter(near))) :] if len(near) == 1 else word


def prepare(text: str) -> str:
    """Fold, repair OCR damage to the key stems, and drop the dots that do not end a clause (initials, т.,
    г., dotted dates)."""
    folded = _WORD.sub(_repair_stem, fold(text))
    folded = _DOTTED_DATE.sub(lambda m: m.group(0).replace(".", "/"), folded)
    folded = _ABBREVIATION_DOT.sub(lambda m: m.group(0)[:-1] + " ", folded)
    return re.sub(r"[ \t]*\n[ \t]*", " ", folded)


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


_BODY_MEMBERS = r"(?:член\w*|кандидат\w*\s+в\s+члены)\s+(?:цк|пленума|бюро|президиума|правления)\b"
"""Membership of an elected body, which a person can be removed from without leaving the party."""
_NKVD = r"\bу?(?:нквд|н[а-яё]вд|нк[а-яё]д|нкв[а-яё])\b"
"""НКВД and УНКВД, also with one letter OCR got wrong ("НИВД", "НКВЦ")."""
DECISION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        (
            "lift_penalty",
            r"\bсня\w*\s+(?:с\s+[^.;,]{0,40}?)?(?:ранее\s+)?(?:наложенн\w+\s+)?(?:парт\w*\s*)?взыскани\w*(?:\s*\([^)]*\))?",
        ),
        ("lift_penalty", r"(?:парт)?взыскани\w*[^.;]{0,80}?\bсня(?:ть|то|л)\b"),
        (
            "lift_penalty",
            r"\bвыговор\w*(?:(?!(?:с|от)\s+(?:\w+\s+)?(?:работ|должност|пост))[^.;]){0,100}?\bснять\b"
            r"(?!\s+с\s+(?:\w+\s+)?(?:работ|должност))",
        ),
        (
            "lift_penalty",
            r"\bсня\w*\s+(?:с\s+(?:(?!работ|должност|обязанност|пост)[^.;,]){0,40}?\s)?(?:ранее\s+)?"
            r"(?:наложенн\w+\s+|объявленн\w+\s+)?(?:строг\w+\s+)?выговор\w*",
        ),
        ("overturn_decision", r"\bрешени\w*[^.;]{0,200}?\b(?:отменить|изменить|отменяется|изменяется)"),
        ("overturn_decision", r"\b(?:отменить|изменить)\s+решени\w*"),
        ("overturn_decision", r"\bисключени\w*[^.;]{0,100}?\bзаменить\b"),
        ("upheld", r"\bрешени\w*[^.;]{0,200}?\b(?:утвердить|подтвердить|оставить\s+в\s+силе)"),
        ("upheld", r"\b(?:утвердить|подтвердить)\s+решени\w*[^.;]{0,120}"),
        ("upheld", r"\bапелляци\w*[^.;]{0,80}?\b(?:отклонить|оставить\s+без\s+удовлетворения)"),
        ("upheld", r"\bв\s+апелляци\w*\s+(?:[^.;]{0,60}?\s)?отказать"),
        (
            "approved",
            r"\b(?:принять|утвердить|согласиться\s+с)\s+(?:предложени|постановлени|заключени)\w*[^.;]{0,150}",
        ),
        (  # from ЦК, бюро, пленума: not from the party, unless that is named too
            "remove_from_post",
            rf"\bисключ\w*\s+(?:\w+\s+){{0,3}}?из\s+(?:состава\b|{_BODY_MEMBERS})"
            r"(?![^.;]*\bиз\s+(?:партии|рядов|член\w*\s+(?:вкп|партии)|кандидат\w*\s+(?:вкп|партии|в\s+члены\s+вкп)))",
        ),
        (  # "… из членов ЦК и из партии исключить", "из состава пленума и из партии"
            "remove_from_post",
            rf"\bиз\s+(?:состава\s+(?:{_BODY_MEMBERS}|(?:цк|пленума|бюро|президиума|правления)\b)|{_BODY_MEMBERS})",
        ),
        (
            "expel",
            r"\bисключить\b|\bисключ[её]н\w*\b|\bисключаются\b|\bисключил[аои]?\b"
            r"|\bвычистить\b|\bвычищен\w*|\bвычистил[аои]?\b",  # the purges (чистки) of 1921, 1929, 1933
        ),
        ("severe_reprimand", r"\bстрог\w+\s+выговор\w*"),
        ("reprimand", r"\bвыговор\w*"),
        (
            "warning",
            r"\bпостав\w+\s+(?:\w+\s+){0,3}на\s+вид|\bпредупредить|\bпредупрежд[её]н[аоы]?\b"
            r"|(?<!\bс )\bпредупреждени[ея]\b",
        ),
        (
            "remove_from_post",
            rf"\bсня\w*\s+{_WORDS}{{0,6}}?с\s+(?:\w+\s+)?(?:работ|должност|поста\b|обязанност)",
        ),
        (
            "remove_from_post",
            rf"\bс\s+(?:руководящ\w+\s+|партийн\w+\s+)?(?:работ|должност|поста\b){_WORDS}{{0,8}}?сня(?:ть|т)\b",
        ),
        (
            "remove_from_post",
            r"\bосвобо[дж]\w*\s+[^.;]{0,80}?\bот\s+(?:\w+\s+)?(?:работ|должност|обязанност|занимаем)",
        ),
        ("remove_from_post", r"\bотстран\w*|\bсместить\b|\bсмещ[её]н\w*"),
        (
            "remove_from_post",
            r"\bвыв(?:ести|ел\w*|еден\w*)\s+(?:[^.;]{0,40}?\s)?из\s+(?:своего\s+|е[гё]о?\s+)?состава",
        ),
        ("remove_from_post", r"\bиз\s+(?:своего\s+)?состава\s+[^.;]{0,60}?\bвыв(?:ести|ел\w*|еден\w*)"),
        (
            "refer_to_prosecution",
            # "передат" / "направит": a final ь OCR read as ъ, which normalization drops
            r"\b(?:переда(?:ть?|н\w*|л\w*)|направ(?:ить?|лен\w*|ил\w*)|пересла\w*|сообщить)\s+[^.;]{0,60}?"
            rf"(?:{_NKVD}|гпу|прокурор|прокуратур|суд\b|суду\b|следств|следовател|трибунал)",
        ),
        (
            "refer_to_prosecution",
            r"\bпривле\w*\s+[^.;]{0,60}?к\s+(?:судебной\s+|уголовной\s+)?ответственност|\bпредать\s+суду"
            r"|\bотда(?:ть|н\w*)\s+под\s+суд",
        ),
        ("demote", r"\b(?:перевести|переведен[аоы]?)\s+[^.;]{0,60}?\bв\s+(?:кандидат|сочувствующ)"),
        (
            "reinstate",
            r"\bвосстановить\b|\bвосстанавливается\b|\bсчитать\s+восстановленн|\bвосстановлен[аоы]?\b"
            r"|\bвосстановил[аои]?\b",
        ),
        (
            "no_action",
            r"\bограничиться\s+обсуждением|\bпрекратить\b|\bснять\s+с\s+обсуждения|\bсчитать\s+проверенн\w*",
        ),
    )
)
OTHER_DECISION = re.compile(
    r"\bотложить|\bрешить\s+после|\bпосле\s+окончания\s+следствия|\bотклонить|\bотказать|\bпоручить|\bпроверить"
    r"|\bвыбывш|\bоставить\s+без\s+(?:изменения|последстви)|\bпринять\s+к\s+сведению|\bвызвать|\bобязать"
)


APPEALED_PENALTIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        ("lift_penalty", r"\bсняти\w*\s+(?:[^.;]{0,30}?\s)?(?:(?:парт)?взыскани|(?:строг\w+\s+)?выговор)"),
        ("expel", r"\bисключени|\bисключ[её]н"),
        ("reinstate", r"\bвосстановлени"),
        (
            "refer_to_prosecution",
            r"\bпередач\w*\s+[^.;]{0,40}?(?:нквд|прокурор|суд)|\bпривлечени\w*\s+к\s+\w*\s*ответственност",
        ),
        ("demote", r"\bперевод\w*\s+[^.;]{0,60}?\bв\s+(?:кандидат|сочувствующ)"),
        (
            "remove_from_post",
            r"\bсняти\w*\s+[^.;]{0,30}?с\s+(?:\w+\s+)?работ|\bосвобождени\w*\s+[^.;]{0,30}?от\s+работ",
        ),
        ("severe_reprimand", r"\bстрог\w+\s+выговор"),
        ("reprimand", r"\bвыговор"),
    )
)
"""Decisions named as nouns ("об исключении", "о переводе в кандидаты", "о восстановлении") in a decision
that upholds or approves another body's one."""


def _appealed_penalties(text: str) -> list[str]:
    codes = []
    for code, pattern in APPEALED_PENALTIES:
        match = pattern.search(text)
        if match:
            codes.append(code)
            text = _blank(text, match.span())
    return [code for code in codes if code != "reprimand" or "severe_reprimand" not in codes]


HISTORY = re.compile(
    r"\b(?:ранее\s+|был[аи]?\s+)?исключ[её]н\w*\s+(?:[^.;()]{0,40}?\s)?в\s+\d{4}(?:\s*г(?:ода)?\b)?"
    r"|\bранее\s+исключ[её]н\w*"
    r"|\((?:строг\w+\s+)?выговор[^)]*\)?"
)
"""Penalties of the past that a heard text recalls ("исключен в 1935 г.", "(строгий выговор за …)"): not the
decision, when heard and decision are read together (two-column minutes)."""


def code_decisions(text: str, context: str = "") -> list[str]:
    """Decision codes of a decision text, in the order they are written, without repeats.

    A decision that upholds an earlier one ("решение … оставить в силе", "апелляцию отклонить") gets the
    codes of the penalty that decision imposed: named in the upholding clause itself, else in `context`
    (the heard text of the item: "апелляция … на решение … о переводе в кандидаты"), else expel, the
    penalty nearly every appeal is about.
    """
    prepared = HISTORY.sub(lambda m: " " * len(m.group(0)), prepare(text))
    found: list[tuple[int, str]] = []
    for code, pattern in DECISION_RULES:
        for match in list(pattern.finditer(prepared)):
            if code == "upheld":
                upheld = (
                    _appealed_penalties(match.group(0)) or _appealed_penalties(prepare(context)) or ["expel"]
                )
                found.extend((match.start(), penalty) for penalty in upheld)
            elif code == "approved":
                found.extend((match.start(), penalty) for penalty in _appealed_penalties(match.group(0)))
            else:
                found.append((match.start(), code))
            prepared = _blank(prepared, match.span())
    codes = list(dict.fromkeys(code for _, code in sorted(found)))
    if not codes and OTHER_DECISION.search(prepared):
        codes = ["other"]
    return codes


_ENEMY = r"(?:враг|троцкист|зиновьев|арестованн|осужденн|репрессированн|разоблаченн|шпион|контрреволюционер|кулак|белогвард|прав(?:ых|ыми|ым)\b|оппозиционер|националист|диверсант|вредител)"
ACCUSATION_MASKS: tuple[tuple[str | None, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        (
            "ties_to_enemies",
            rf"\bсвяз\w*\s+с\s+(?:[^.;]{{0,60}}?\s)?{_ENEMY}\w*(?:\s+(?:народа|оппортунист\w*|уклонист\w*|элемент\w*))?"
            r"(?:\s+за\s+контрреволюционн\w+\s+\w+)?",  # "с братом, осужденным за к.-р. деятельность": his crime
        ),
        (
            "ties_to_enemies",
            rf"\b(?:покровительств|защища|укрыва|прикрыва|покрыва|покрыл|поддерживал)\w*\s+(?:[^.;]{{0,40}}?\s)?{_ENEMY}\w*(?:\s+народа)?",
        ),
        ("ties_to_enemies", r"\bвраг(?:ом|у|ами|ам)\s+народа"),
        (
            "loss_of_party_card",
            r"\b(?:утер|потер|утрат)\w*\s+(?:\w+\s+){0,2}(?:парт\w*\s*билет\w*|партдокумент\w*|кандидатск\w+\s+карточк\w*|партийн\w+\s+документ\w*)",
        ),
        (
            "loss_of_party_card",
            r"\bхалатн\w+\s+хранени\w+\s+(?:\w+\s+)?(?:парт\w*\s*билет\w*|партдокумент\w*|партийн\w+\s+документ\w*)(?:[^.;]{0,30}?утер\w*)?",
        ),
        ("loss_of_party_card", r"\bутерял\w*|\bутеря\b|\bутери\b"),
        (
            "concealed_origin",
            r"\bсын\w*\s+(?:попа|кулака|торговца|помещика|священника|дьякона|фабриканта|купца|жандарма)",
        ),
        ("concealed_origin", r"\bскры\w*,?\s+что\s+(?:его|ее)?\s*(?:отец|мать|родител|брат|тесть)"),
        ("anti_soviet_agitation", r"\bконтрреволюционн\w*\s+(?:агитаци|высказывани|разговор|пропаганд)\w*"),
        (
            "anti_soviet_agitation",
            r"\bклевет\w*\s+на\s+(?:\w+\s+)?(?:руковод|вожд|партию|советск|правительств|сталин)\w*(?:\s+партии\s+и\s+правительства)?",
        ),
        ("sabotage_wrecking", r"\bумышленн\w*\s+(?:срыв|срывал|развал)\w*"),
        (None, r"\bарестованн\w*\s+(?:органами\s+)?(?:у?нквд)?"),
    )
)
ACCUSATION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        ("trotskyism", r"\bтроцки|\bдвурушни|\bзиновьев"),
        (
            "right_deviation",
            r"\bправооппортунист|\bправ\w*\s+оппортунист|\bправ\w+\s+(?:оппозици|уклон)|\bбухаринск|\bправоуклон",
        ),
        ("nationalism", r"националист|\bнационализм"),
        (
            "counterrevolution",
            r"\bконтрреволюц|\bповстанческ|\bвраг\w*\s+народа|\bбелогвард|\bбел\w+\s+арми|\bтеррор|\bпредател\w*\s+(?:парти|родин)"
            r"|\bизмен\w*\s+(?:родин|парти)",
        ),
        (
            "anti_soviet_agitation",
            r"\bантисоветск|\bантипартийн\w+\s+(?:высказывани|разговор|выступлени)|\bвредн\w+\s+высказывани"
            r"|\bнизкопоклонств|\bкосмополит",
        ),
        ("sabotage_wrecking", r"\bвредител|\bвредительск|\bподрывн|\bдиверси|\bсаботаж"),
        ("espionage", r"\bшпион|\bразведк"),
        ("concealed_origin", r"происхождени|\bкулак|\bкулацк|\bдворян|\bвыходц|\bчужд\w+\s+элемент"),
        (
            "religion",
            r"\bрелигиозн|\bцерк|\bвенча|\bкрести|\bкрещени|\bмолитв|\bсектант|\bбогослужени|\bиконы",
        ),
        (
            "negligence",
            r"\bбесхозяйствен|\bразвал|\bхалатн|\bсрыв|\bсорвал|\bпадеж|\bбезответственн|\bнедосмотр"
            r"|\bкрушени|\bавари|\bпо\s+(?:его|ее|её|их|своей)\s+вине",
        ),
        (
            "embezzlement",
            r"\bрастрат|\bприсвоени|\bприсвоил|\bхищени|\bрасхищени|\bпохищени|\bворовств|\bкраж|\bразбазарива",
        ),
        (
            "abuse_of_office",
            r"\bзлоупотреблени|\bслужебн\w+\s+положени|\bнезаконн\w+\s+(?:обыск|арест)|\bпревышени\w+\s+власти|\bвзятк|\bвзяточ|\bсамоуправств",
        ),
        ("drunkenness_moral", r"\bпьянств|\bнетрезв|\bразложени|\bдебош|\bпьян|\bалкогол|\bмногоженств"),
        (
            "passivity",
            r"\bпассивн|\bотрыв\w*\s+от\s+парт|\bоторвал\w*\s+от\s+парт|\bнеуплат\w*\s+членских|\bне\s+платил\w*\s+членских|\bне\s+посеща\w*|\bвыбывш",
        ),
        (
            "other",
            r"\bнарушени\w*\s+(?:партийной\s+|уставн\w*\s+)?дисциплин|\bблизорукост|\bклевет|\bсклок|\bбдительност|\bкарьеризм|\bбюрократизм|\bсемейственност|\bзажим\w*\s+(?:само)?критик|\bгрубост|\bгруб\w+\s+обращени|\bобман\w*\s+(?:партии|государства)(?![^.;]{0,40}происхождени)",
        ),
    )
)


IDEOLOGIES = {"trotskyism", "right_deviation", "nationalism"}
"""Accusations that name the group a person is tied to ("связь с троцкистами"), coded with the tie."""


def _group_ideologies(tie: str) -> list[str]:
    """The ideologies of the group a tie is with ("связь с польскими националистами", "связанного с
    троцкистами"); a tie with one person ("связь с арестованным троцкистом X") codes the tie alone."""
    codes = []
    for ideology, rule in ACCUSATION_RULES:
        if ideology not in IDEOLOGIES:
            continue
        for match in rule.finditer(tie):
            word = re.match(r"[а-яё]*", tie[match.start() :]).group(0)  # type: ignore[union-attr]
            if not re.search(r"(?:ом|ем)$", word):
                codes.append(ideology)
                break
    return codes


def code_accusations(text: str) -> list[str]:
    """Accusation codes found in a text (heard and decision together), in order, without repeats."""
    prepared = prepare(text)
    found: list[tuple[int, str]] = []
    for code, pattern in ACCUSATION_MASKS:
        for match in list(pattern.finditer(prepared)):
            if code:
                found.append((match.start(), code))
            if code == "ties_to_enemies":
                found.extend((match.start(), ideology) for ideology in _group_ideologies(match.group(0)))
            prepared = _blank(prepared, match.span())
    for code, pattern in ACCUSATION_RULES:
        found.extend((match.start(), code) for match in pattern.finditer(prepared))
    return list(dict.fromkeys(code for _, code in sorted(found)))


SECTOR_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (sector, re.compile(pattern))
    for sector, pattern in (
        ("justice_security", r"нквд|гпу|прокур|\bсуд|милиц|юстиц|следовател|трибунал"),
        (
            "party",
            r"райком|горком|обком|крайком|окружком|\bрк\b|\bгк\b|\bок\b|партком|парторг|партийн|вкп|влксм|комсомол|политотдел|партколлеги|партследовател|\bкпк\b",
        ),
        (
            "transport",
            r"\bдепо\b|станци|железн|\bж\.?\s?д\b|пароход|автобаз|транспорт|паровоз|вагон|пристан|\bдорог",
        ),
        (
            "education_culture",
            r"школ|учител|\bгороно|\bрайоно|\bоно\b|институт|университет|техникум|\bклуб|библиотек|газет|редак|театр|музей|культ|вуз|профессор|\bдом\w* пионер",
        ),
        (
            "agriculture",
            r"колхоз|совхоз|\bмтс\b|райзо|облзу|крайзу|зоотехн|агроном|ферм|полевод|животновод|тракторист|земотдел|\bсельхоз|\bмтф\b",
        ),
        (
            "trade_supply",
            r"магазин|сельпо|потребсоюз|\bторг|\w+торг|столов|склад|кладовщ|снаб|заготов|общепит|\bбуфет|кооператив|\bларьк",
        ),
        ("soviet", r"исполком|горсовет|сельсовет|\bсовет\b|райфо|горфо|облфо|\bфинотдел|\bрик\b"),
        (
            "industry",
            r"завод|фабрик|комбинат|\bцех|трест|шахт|рудник|леспромхоз|артел|инженер|мастер|технорук|слесар|токар|литейн|ткач|прядил|кузнец|местпром|электростанц|строит|нормировщ|бригадир",
        ),
    )
)


def guess_sector(position: str | None, organization: str | None) -> str | None:
    """The economic sector of a person's post: the organization decides, the position when there is none."""
    for text in (organization, position):
        if not text:
            continue
        folded = fold(text)
        for sector, pattern in SECTOR_RULES:
            if pattern.search(folded):
                return sector
    return "other" if (position or organization) else None
