"""Exports of kinds the project has never seen, with the mapping a reviewer would write.

`harmonizer draft` is judged on them the way acceptance judges it: a provider's export
arrives, the draft is made from it alone (given the business ID and the county), and its
columns are compared with the reviewed mapping (:mod:`harmonizer.draft.quality`). The
reviewed mappings were written from each export's questionnaire before the draft was run
on it; they are not the draft's output.

The exports are synthetic and built in a folder on demand (real encodings, real xlsx
through openpyxl), so that their bytes stay reviewable here:

- ``vaasa-webb.csv``: a Swedish web survey, ``;``, Windows-1252, ISO times in UTC (``Z``),
  rephrased statements, labels for NPS ends, respondents, "Vet inte", a yes/no own item,
  a staff test response.
- ``savo-sms.csv``: an SMS service's wide export, numbers only, terse headers (``k1``...
  ``k4``), ``d.m.yyyy H:mm`` times, unit codes, 9 = "en osaa sanoa"; drafted once alone
  and once with the provider's question list (``savo-sms-koodisto.csv``).
- ``pohjanmaa-kiosk.xlsx``: a smiley kiosk's report, a title above the header, Excel
  serial numbers for times, a totals row.
- ``mikkeli-paperi.xlsx``: paper forms keyed in, reversed scale told only by one header
  ("1 = täysin samaa mieltä"), 0 = "en osaa sanoa", shortened statements, years of birth.
- ``pirha-webropol.xlsx`` and ``ksshp-sms.csv`` were written after the draft's changes
  and measured once before any further change: a web tool's workbook with numbered
  questions, "5 Täysin samaa mieltä" answers, real date cells, a summary sheet and a
  yes/no item that also has "En osaa sanoa"; a long SMS export whose question codes are
  words (``KOHTELU``, ``HYOTY``), with times in UTC.
- ``kymsote-tabletti.xlsx``, also written after the changes and measured once: a tablet
  survey with a two-row header, ISO times with an offset, 1-5 *satisfaction* items
  (never national statements, though one asks about "kohtelu"), a school grade and NPS.
- ``helsinki-en.csv``: an English web survey, ``,``, UTF-8 with BOM, ``yyyy-mm-dd H:MM``
  times, every statement reworded, English respondent and gender labels, a test unit.

``python -m tests.unseen_exports FOLDER`` writes them for a look.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook


@dataclass(frozen=True)
class UnseenCase:
    """One export, the reviewed mapping of it, and what the draft is given."""

    name: str
    export: str
    reviewed: str
    provider_id: str
    county: str
    write: Callable[[Path], None]
    codebook: str | None = None


# --- a Swedish web survey ----------------------------------------------------------------

_SV_ANSWERS = [
    "Helt av samma åsikt",
    "Delvis av samma åsikt",
    "Helt av samma åsikt",
    "Varken av samma eller annan åsikt",
    "Delvis av annan åsikt",
    "Vet inte",
    "Helt av samma åsikt",
    "Helt av annan åsikt",
    "Gäller inte mig",
    "",
    "Delvis av samma åsikt",
]

_SV_HEADER = [
    "Svars-ID",
    "Inlämnad",
    "Verksamhetsställe",
    "Vem svarar?",
    "Åldersgrupp",
    "Kön",
    "Hur sannolikt är det att du skulle rekommendera oss till en vän? (0\u201310)",
    "Det var lätt att sköta mina ärenden",
    "Jag fick hjälp i rätt tid",
    "Personalen bemötte mig med respekt",
    "Jag kände mig trygg",
    "Informationen var lätt att förstå",
    "Övriga kommentarer",
    "Hittade du lätt till mottagningen?",
]


def _write_vaasa(folder: Path) -> None:
    rows = [_SV_HEADER]
    units = ["Vasa hälsostation", "Korsholms tandklinik", "Jakobstads jour"]
    respondents = ["Patienten själv", "Patienten själv", "Anhörig", "Patienten, med hjälp"]
    ages = [
        "18\u201329 år",
        "30\u201349 år",
        "50\u201364 år",
        "65\u201374 år",
        "75 år och äldre",
        "",
    ]
    genders = ["Kvinna", "Man", "Kvinna", "Vill inte säga"]
    nps = [
        "10 - Mycket sannolikt",
        "9",
        "8",
        "10 - Mycket sannolikt",
        "7",
        "0 - Inte alls sannolikt",
    ]
    comments = [
        "Vänligt bemötande, tack så mycket!",
        "",
        "Jag fick vänta länge i telefon; annars bra",
        "",
        "Parkeringen var full, svårt att hitta en plats",
    ]
    for i in range(48):
        stamp = dt.datetime(2026, 10, 1, 6, 0) + dt.timedelta(hours=13 * i + i % 5, minutes=7 * i)
        rows.append(
            [
                f"VS-{1000 + i}",
                stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "TEST" if i in {5, 30} else units[i % 3],
                respondents[i % 4],
                ages[i % 6],
                genders[i % 4],
                nps[i % 6],
                _SV_ANSWERS[i % 11],
                _SV_ANSWERS[(i + 3) % 11],
                _SV_ANSWERS[(i + 5) % 11],
                _SV_ANSWERS[(i + 7) % 11],
                _SV_ANSWERS[(i + 2) % 11],
                comments[i % 5],
                ["Ja", "Ja", "Nej", ""][i % 4],
            ]
        )
    # The survey tool quotes a cell that holds the delimiter, as Excel does.
    with (folder / "vaasa-webb.csv").open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


_SV_MISSING = '{Vet inte: dont_know, "Gäller inte mig": not_applicable}'

VAASA_REVIEWED = f"""\
mapping: vaasa-webb
version: "1"
schema_version: "1.1"
provider: {{name: Österbottens välfärdsområde}}
source: {{format: csv, encoding: cp1252, delimiter: ";"}}
response_id: {{column: Svars-ID}}
constants: {{county: "17", provider_id: "2345671-3", channel: web, language: sv}}
lookups:
  units:
    rows:
      Vasa hälsostation: {{service_area: primary_care}}
      Korsholms tandklinik: {{service_area: oral_health}}
      Jakobstads jour: {{service_area: emergency}}
fields:
  responded_at: {{column: Inlämnad, formats: [iso]}}
  unit_name: Verksamhetsställe
  service_area: {{column: Verksamhetsställe, lookup: units}}
  respondent:
    column: Vem svarar?
    value_map: {{Patienten själv: customer, Anhörig: close_person, "Patienten, med hjälp": customer_assisted}}
  age_group: Åldersgrupp
  gender: {{column: Kön, value_map: {{Vill inte säga: not_disclosed}}}}
  nps:
    column: "Hur sannolikt är det att du skulle rekommendera oss till en vän? (0\u201310)"
  ease: {{column: Det var lätt att sköta mina ärenden, missing: {_SV_MISSING}}}
  timely_help: {{column: Jag fick hjälp i rätt tid, missing: {_SV_MISSING}}}
  respect: {{column: Personalen bemötte mig med respekt, missing: {_SV_MISSING}}}
  safety: {{column: Jag kände mig trygg, missing: {_SV_MISSING}}}
  info_understandable: {{column: Informationen var lätt att förstå, missing: {_SV_MISSING}}}
  joint_decisions: not_asked
  useful: not_asked
  open_feedback: Övriga kommentarer
own_items:
  hittade:
    column: Hittade du lätt till mottagningen?
    scale: yes_no
    value_map: {{Ja: "yes", Nej: "no"}}
filters:
  - {{column: Verksamhetsställe, equals: [TEST], reason: staff test response}}
"""


# --- an SMS service's wide export: numbers only ------------------------------------------


def _write_savo(folder: Path) -> None:
    lines = ["nro,pvm,yks,k1,k2,k3,k4"]
    for i in range(60):
        stamp = dt.datetime(2026, 9, 1, 8, 0) + dt.timedelta(hours=11 * i, minutes=13 * i)
        lines.append(
            ",".join(
                [
                    str(5001 + i),
                    f"{stamp.day}.{stamp.month}.{stamp.year} {stamp.hour}:{stamp.minute:02d}",
                    ["410", "420", "430", "410"][i % 4],
                    str([10, 9, 8, 10, 6, 9, 7, 3, 10][i % 9]),
                    ["5", "4", "5", "9", "3", "", "4", "2", "5", "1"][i % 10],
                    ["5", "5", "4", "4", "9", "5", "3"][i % 7],
                    ["4", "5", "9", "5", "2", "4", "", "5"][i % 8],
                ]
            )
        )
    (folder / "savo-sms.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    codebook = [
        "koodi;selite",
        "k1;Kuinka todennäköisesti suosittelisit palvelua läheisellesi? (0-10)",
        "k2;Sain apua silloin kun tarvitsin",
        "k3;Minua kohdeltiin arvostavasti",
        "k4;Palvelusta oli minulle hyötyä",
        "9;En osaa sanoa",
    ]
    (folder / "savo-sms-koodisto.csv").write_text("\n".join(codebook) + "\n", encoding="utf-8")


SAVO_REVIEWED = """\
mapping: savo-sms
version: "1"
schema_version: "1.1"
provider: {name: Pohjois-Savon hyvinvointialue}
source: {format: csv, delimiter: ","}
response_id: {column: nro}
constants: {county: "13", provider_id: "5678904-7", channel: sms, language: fi, respondent: customer}
lookups:
  units:
    rows:
      "410": {unit_name: Kuopion terveysasema, service_area: primary_care}
      "420": {unit_name: Siilinjärven terveysasema, service_area: primary_care}
      "430": {unit_name: Kuopion hammashoitola, service_area: oral_health}
fields:
  responded_at: {column: pvm, formats: [fi_datetime]}
  unit_name: {column: yks, lookup: units}
  service_area: {column: yks, lookup: units}
  nps: k1
  timely_help: {column: k2, missing: {"9": dont_know}}
  respect: {column: k3, missing: {"9": dont_know}}
  useful: {column: k4, missing: {"9": dont_know}}
"""


# --- a smiley kiosk's report -------------------------------------------------------------


def _write_kiosk(folder: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Raportti"
    sheet.append(["Hymiöpalaute, lokakuu 2026"])
    sheet.append([])
    sheet.append(["Aika", "Laite", "Kysymys", "Painallus"])
    devices = ["Seinäjoen terveysasema, aula", "Lapuan hammashoitola", "Seinäjoen päivystys"]
    start = 46296.0  # 1.10.2026 in Excel's serial numbers of days
    presses = 0
    for i in range(70):
        press = [4, 3, 4, 2, 3, 4, 1, 3, 4, 4, 2][i % 11]
        presses += press
        sheet.append(
            [
                round(start + i * 0.43 + 0.3, 6),
                devices[i % 3],
                "Miten onnistuimme tänään?",
                press,
            ]
        )
    sheet.append(["Yhteensä", None, None, presses])
    workbook.save(folder / "pohjanmaa-kiosk.xlsx")


KIOSK_REVIEWED = """\
mapping: pohjanmaa-kiosk
version: "1"
schema_version: "1.1"
provider: {name: Etelä-Pohjanmaan hyvinvointialue}
source: {format: xlsx, sheet: Raportti, header_row: 3}
constants: {county: "16", provider_id: "1112223-0", channel: kiosk, language: fi, respondent: customer}
lookups:
  units:
    rows:
      "Seinäjoen terveysasema, aula": {service_area: primary_care}
      Lapuan hammashoitola: {service_area: oral_health}
      Seinäjoen päivystys: {service_area: emergency}
fields:
  responded_at: {column: Aika, formats: [excel]}
  unit_name: Laite
  service_area: {column: Laite, lookup: units}
own_items:
  kysymys: {column: Kysymys, scale: categories}
  hymio: {column: Painallus, scale: smiley4}
filters:
  - {column: Aika, matches: "^Yhteensä", reason: totals row}
"""


# --- paper forms keyed in: a reversed scale told by one header ---------------------------

_PAPER_HEADER = [
    "Lomake nro",
    "Täyttöpäivä",
    "Yksikkö",
    "Syntymävuosi",
    "Asiointi oli sujuvaa (1 = täysin samaa mieltä, 5 = täysin eri mieltä, 0 = en osaa sanoa)",
    "Kohtelu oli arvostavaa",
    "Päätökset tehtiin yhdessä kanssani",
    "Sain ymmärrettävää tietoa",
    "Suosittelisin palvelua (0-10)",
    "Muuta palautetta",
]


def _write_paper(folder: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Lomakkeet"
    sheet.append(_PAPER_HEADER)
    units = ["Mikkelin kotihoito", "Savonlinnan kotihoito", "Pieksämäen palvelutalo"]
    for i in range(40):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=i % 27)
        sheet.append(
            [
                i + 1,
                f"{day.day}.{day.month}.{day.year}",
                units[i % 3],
                [1938, 1945, None, 1952, 1931, 1960, 1949][i % 7],
                [1, 2, 1, 0, 1, 3, 2, 1][i % 8],
                [1, 1, 2, 1, 4, 1, None][i % 7],
                [2, 1, 0, 1, 3, 1, 2, 5, 1][i % 9],
                [1, 2, 1, 1, 0, 2][i % 6],
                [10, 9, 10, 8, 7, 10, 5][i % 7],
                [
                    "Hoitajat ovat ystävällisiä ja auttavat aina",
                    None,
                    None,
                    "Käynnit ovat liian lyhyitä, kiire näkyy",
                ][i % 4],
            ]
        )
    workbook.save(folder / "mikkeli-paperi.xlsx")


_REVERSED = 'reversed: true, missing: {"0": dont_know}'

PAPER_REVIEWED = f"""\
mapping: mikkeli-paperi
version: "1"
schema_version: "1.1"
provider: {{name: Etelä-Savon hyvinvointialue}}
source: {{format: xlsx, sheet: Lomakkeet}}
response_id: {{column: Lomake nro}}
constants: {{county: "12", provider_id: "3456782-2", channel: paper, language: fi, respondent: customer}}
lookups:
  units:
    rows:
      Mikkelin kotihoito: {{service_area: home_care}}
      Savonlinnan kotihoito: {{service_area: home_care}}
      Pieksämäen palvelutalo: {{service_area: housing_services_24h}}
fields:
  responded_at: {{column: Täyttöpäivä, formats: [fi_date]}}
  unit_name: Yksikkö
  service_area: {{column: Yksikkö, lookup: units}}
  age_group: {{column: Syntymävuosi, derive: birth_year}}
  ease: {{column: "{_PAPER_HEADER[4]}", {_REVERSED}}}
  respect: {{column: Kohtelu oli arvostavaa, {_REVERSED}}}
  joint_decisions: {{column: Päätökset tehtiin yhdessä kanssani, {_REVERSED}}}
  info_understandable: {{column: Sain ymmärrettävää tietoa, {_REVERSED}}}
  nps: Suosittelisin palvelua (0-10)
  open_feedback: Muuta palautetta
"""


# --- an English web survey of a city -------------------------------------------------------

_EN_HEADER = [
    "Survey ID",
    "Submitted",
    "Location",
    "Who is answering?",
    "Age",
    "Gender",
    "How likely are you to recommend us to friends or family? (0-10)",
    "Booking and getting care was easy",
    "I got help in time",
    "Staff treated me with dignity",
    "I was involved in decisions about my care",
    "The information I got was clear",
    "The visit was useful to me",
    "Any other comments?",
    "Was the waiting room comfortable?",
]

_EN_ANSWERS = [
    "Strongly agree",
    "Agree",
    "Strongly agree",
    "Neither agree nor disagree",
    "Disagree",
    "Don't know",
    "Agree",
    "Strongly disagree",
    "Not applicable",
    "Strongly agree",
]


def _write_helsinki(folder: Path) -> None:
    rows = [_EN_HEADER]
    units = ["Kalasatama health station", "Malmi hospital emergency", "Itäkeskus dental clinic"]
    for i in range(45):
        stamp = dt.datetime(2026, 11, 2, 7, 30) + dt.timedelta(hours=9 * i, minutes=11 * i)
        rows.append(
            [
                f"EN{20000 + 7 * i}",
                stamp.strftime("%Y-%m-%d %H:%M"),
                "Test unit" if i == 12 else units[i % 3],
                ["Myself", "Myself", "A family member", "Someone helped me"][i % 4],
                ["18-29", "30-49", "50-64", "65-74", "75 or older"][i % 5],
                ["Woman", "Man", "Woman", "Prefer not to say", "Other"][i % 5],
                [
                    "10 - Extremely likely",
                    "9",
                    "8",
                    "6",
                    "10 - Extremely likely",
                    "0 - Not at all likely",
                ][i % 6],
                *(_EN_ANSWERS[(i + shift) % 10] for shift in (0, 2, 4, 5, 7, 9)),
                ["Friendly nurse, thank you!", "", "", "The wait was too long, over an hour"][
                    i % 4
                ],
                ["Yes", "No", "Yes"][i % 3],
            ]
        )
    with (folder / "helsinki-en.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


_EN_MISSING = '{"Don\'t know": dont_know, Not applicable: not_applicable}'

HELSINKI_REVIEWED = f"""\
mapping: helsinki-en
version: "1"
schema_version: "1.1"
provider: {{name: City of Helsinki}}
source: {{format: csv, encoding: utf-8-sig, delimiter: ","}}
response_id: {{column: Survey ID}}
constants: {{county: "90", provider_id: "2345671-3", channel: web, language: en}}
lookups:
  units:
    rows:
      Kalasatama health station: {{service_area: primary_care}}
      Malmi hospital emergency: {{service_area: emergency}}
      Itäkeskus dental clinic: {{service_area: oral_health}}
fields:
  responded_at: {{column: Submitted, formats: [iso]}}
  unit_name: Location
  service_area: {{column: Location, lookup: units}}
  respondent:
    column: Who is answering?
    value_map: {{Myself: customer, A family member: close_person, Someone helped me: customer_assisted}}
  age_group: {{column: Age, value_map: {{75 or older: 75+}}}}
  gender: {{column: Gender, value_map: {{Woman: female, Man: male}}}}
  nps: "How likely are you to recommend us to friends or family? (0-10)"
  ease: {{column: Booking and getting care was easy, missing: {_EN_MISSING}}}
  timely_help: {{column: I got help in time, missing: {_EN_MISSING}}}
  respect: {{column: Staff treated me with dignity, missing: {_EN_MISSING}}}
  joint_decisions: {{column: I was involved in decisions about my care, missing: {_EN_MISSING}}}
  info_understandable: {{column: The information I got was clear, missing: {_EN_MISSING}}}
  useful: {{column: The visit was useful to me, missing: {_EN_MISSING}}}
  safety: not_asked
  open_feedback: Any other comments?
own_items:
  waiting_room:
    column: Was the waiting room comfortable?
    scale: yes_no
    touchpoint: premises
    value_map: {{"Yes": "yes", "No": "no"}}
filters:
  - {{column: Location, equals: [Test unit], reason: staff test response}}
"""


# --- written after the draft's changes, measured once: a web tool's workbook --------------

_PIRHA_HEADER = [
    "Vastausaika",
    "1. Missä toimipisteessä asioit?",
    "2. Vastaan",
    "3. Ikä",
    "4. Sukupuoli",
    "5. Kuinka todennäköisesti suosittelisit palveluamme läheisellesi? "
    "(0 = en lainkaan todennäköisesti, 10 = erittäin todennäköisesti)",
    "6. Asiointi oli sujuvaa ja helppoa",
    "7. Minua kohdeltiin arvostavasti",
    "8. Koin oloni turvalliseksi",
    "9. Palvelu oli minulle hyödyllinen",
    "10. Terveisiä henkilökunnalle",
    "11. Saitko ajan helposti?",
]

_PIRHA_ANSWERS = [
    "5 Täysin samaa mieltä",
    "4 Jokseenkin samaa mieltä",
    "5 Täysin samaa mieltä",
    "3 Ei samaa eikä eri mieltä",
    "En osaa sanoa",
    "2 Jokseenkin eri mieltä",
    "5 Täysin samaa mieltä",
    "1 Täysin eri mieltä",
    None,
]


def _write_pirha(folder: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vastaukset"
    sheet.append(_PIRHA_HEADER)
    units = [
        "Hervannan terveysasema",
        "Tampereen suun terveydenhuolto, Linnainmaa",
        "Nekalan neuvola",
    ]
    for i in range(42):
        sheet.append(
            [
                dt.datetime(2026, 10, 1, 8, 0) + dt.timedelta(hours=17 * i, minutes=23 * i),
                units[i % 3],
                ["omasta puolestani", "omasta puolestani", "läheiseni puolesta"][i % 3],
                ["18\u201329", "30\u201349", "50\u201364", "65\u201374", "75 tai yli", None][i % 6],
                ["Nainen", "Mies", "Nainen", "En halua vastata"][i % 4],
                [10, 9, 8, 10, 7, 4, 9][i % 7],
                *(_PIRHA_ANSWERS[(i + shift) % 9] for shift in (0, 3, 5, 7)),
                ["Kiitos ystävällisestä palvelusta!", None, "Ajan saaminen kesti liian kauan"][
                    i % 3
                ],
                ["Kyllä", "Ei", "En osaa sanoa", "Kyllä"][i % 4],
            ]
        )
    summary = workbook.create_sheet("Yhteenveto")
    summary.append(["Vastauksia", 42])
    workbook.save(folder / "pirha-webropol.xlsx")


_PIRHA_STATEMENT = '{{column: "{}", missing: {{En osaa sanoa: dont_know}}}}'

PIRHA_REVIEWED = f"""\
mapping: pirha-webropol
version: "1"
schema_version: "1.1"
provider: {{name: Pirkanmaan hyvinvointialue}}
source: {{format: xlsx, sheet: Vastaukset}}
constants: {{county: "08", provider_id: "1112223-0", channel: web, language: fi}}
lookups:
  units:
    rows:
      Hervannan terveysasema: {{service_area: primary_care}}
      "Tampereen suun terveydenhuolto, Linnainmaa": {{service_area: oral_health}}
      Nekalan neuvola: {{service_area: maternity_child_health}}
fields:
  responded_at: Vastausaika
  unit_name: "1. Missä toimipisteessä asioit?"
  service_area: {{column: "1. Missä toimipisteessä asioit?", lookup: units}}
  respondent:
    column: "2. Vastaan"
    value_map: {{omasta puolestani: customer, läheiseni puolesta: close_person}}
  age_group: {{column: "3. Ikä", value_map: {{75 tai yli: 75+}}}}
  gender: {{column: "4. Sukupuoli", value_map: {{En halua vastata: not_disclosed}}}}
  nps: "{_PIRHA_HEADER[5]}"
  ease: {_PIRHA_STATEMENT.format(_PIRHA_HEADER[6])}
  respect: {_PIRHA_STATEMENT.format(_PIRHA_HEADER[7])}
  safety: {_PIRHA_STATEMENT.format(_PIRHA_HEADER[8])}
  useful: {_PIRHA_STATEMENT.format(_PIRHA_HEADER[9])}
  timely_help: not_asked
  joint_decisions: not_asked
  info_understandable: not_asked
  open_feedback: "10. Terveisiä henkilökunnalle"
own_items:
  ajanvaraus:
    column: "11. Saitko ajan helposti?"
    touchpoint: contact
    scale: yes_no
    value_map: {{Kyllä: "yes", Ei: "no", En osaa sanoa: null}}
"""


# --- written after the draft's changes, measured once: a long SMS export -----------------


def _write_ksshp(folder: Path) -> None:
    lines = ["ResponseId;SentUtc;AnsweredUtc;Yksikkö;QuestionCode;Value"]
    units = ["Jyväskylän terveysasema", "Keuruun hammashoitola", "Äänekosken kotihoito"]
    for i in range(36):
        rid = f"R-{7000 + i}"
        sent = dt.datetime(2026, 11, 1, 7, 0) + dt.timedelta(hours=15 * i)
        answered = sent + dt.timedelta(minutes=20 + i % 40)
        fixed = [rid, f"{sent:%Y-%m-%dT%H:%M:%S}Z", f"{answered:%Y-%m-%dT%H:%M:%S}Z", units[i % 3]]
        answers = [
            ("SUOSITTELU", str([10, 9, 8, 6, 10, 9][i % 6])),
            ("KOHTELU", ["5", "4", "5", "EOS", "3", "5"][i % 6]),
            ("HYOTY", ["4", "5", "5", "2", "", "EOS", "4"][i % 7]),
            ("TIETO", ["5", "5", "4", "3", "1"][i % 5]),
            ("VAPAA", ["Kiitos, hyvää palvelua", "", "", "Jonotin puhelimessa liian kauan"][i % 4]),
        ]
        lines += [
            ";".join([*fixed, code, value]) for code, value in answers if value or code == "VAPAA"
        ]
    (folder / "ksshp-sms.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


KSSHP_REVIEWED = """\
mapping: ksshp-sms
version: "1"
schema_version: "1.1"
provider: {name: Keski-Suomen hyvinvointialue}
source: {format: csv, delimiter: ";"}
layout: long
long:
  response_id: {column: ResponseId}
  question: {column: QuestionCode}
  answer: {column: Value}
constants: {county: "15", provider_id: "5678904-7", channel: sms, language: fi, respondent: customer}
lookups:
  units:
    rows:
      Jyväskylän terveysasema: {service_area: primary_care}
      Keuruun hammashoitola: {service_area: oral_health}
      Äänekosken kotihoito: {service_area: home_care}
fields:
  responded_at: {column: AnsweredUtc, formats: [iso]}
  unit_name: Yksikkö
  service_area: {column: Yksikkö, lookup: units}
  nps: {question: SUOSITTELU}
  respect: {question: KOHTELU, missing: {EOS: dont_know}}
  useful: {question: HYOTY, missing: {EOS: dont_know}}
  info_understandable: {question: TIETO}
  open_feedback: {question: VAPAA}
"""


# --- written after the draft's changes, measured once: satisfaction, not agreement ----------


def _write_tablet(folder: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["Taustatiedot", None, None, "Tyytyväisyys", None, None, "Muut", None])
    sheet.append(
        [
            "Pvm",
            "Yksikkö",
            "Kieli",
            "Kohtelu (1 = erittäin tyytymätön, 5 = erittäin tyytyväinen)",
            "Odotusaika",
            "Kokonaisarvosana (4-10)",
            "Suosittelisitko meitä? 0-10",
            "Palaute",
        ]
    )
    for i in range(40):
        stamp = dt.datetime(2026, 10, 5, 8, 10) + dt.timedelta(hours=7 * i, minutes=17 * i)
        sheet.append(
            [
                stamp.strftime("%Y-%m-%dT%H:%M:00+03:00"),
                ["Kotkan terveysasema", "Haminan terveysasema"][i % 2],
                ["suomi", "suomi", "ruotsi"][i % 3],
                [5, 4, 5, 3, 5, 2, 4][i % 7],
                [3, 2, 4, 1, 5, 3][i % 6],
                [9, 8, 10, 7, 9, 6, 8][i % 7],
                [10, 9, 7, 8, 10, 3][i % 6],
                ["Mukava hoitaja, kiitos", None, None, "Odotin yli tunnin"][i % 4],
            ]
        )
    workbook.save(folder / "kymsote-tabletti.xlsx")


TABLET_REVIEWED = """\
mapping: kymsote-tabletti
version: "1"
schema_version: "1.1"
provider: {name: Kymenlaakson hyvinvointialue}
source: {format: xlsx, sheet: Data, header_rows: 2}
constants: {county: "10", provider_id: "3456782-2", channel: tablet, respondent: customer}
lookups:
  units:
    rows:
      Kotkan terveysasema: {service_area: primary_care}
      Haminan terveysasema: {service_area: primary_care}
fields:
  responded_at: {column: Taustatiedot / Pvm, formats: [iso]}
  unit_name: Taustatiedot / Yksikkö
  service_area: {column: Taustatiedot / Yksikkö, lookup: units}
  language: {column: Taustatiedot / Kieli, value_map: {suomi: fi, ruotsi: sv}}
  nps: Muut / Suosittelisitko meitä? 0-10
  open_feedback: Muut / Palaute
own_items:
  kohtelu:
    column: "Tyytyväisyys / Kohtelu (1 = erittäin tyytymätön, 5 = erittäin tyytyväinen)"
    scale: satisfaction5
  odotusaika: {column: Tyytyväisyys / Odotusaika, scale: satisfaction5}
  arvosana: {column: Tyytyväisyys / Kokonaisarvosana (4-10), scale: grade4_10}
"""


CASES = (
    UnseenCase("vaasa-webb", "vaasa-webb.csv", VAASA_REVIEWED, "2345671-3", "17", _write_vaasa),
    UnseenCase("savo-sms", "savo-sms.csv", SAVO_REVIEWED, "5678904-7", "13", _write_savo),
    UnseenCase(
        "savo-sms + question list",
        "savo-sms.csv",
        SAVO_REVIEWED,
        "5678904-7",
        "13",
        _write_savo,
        codebook="savo-sms-koodisto.csv",
    ),
    UnseenCase(
        "pohjanmaa-kiosk", "pohjanmaa-kiosk.xlsx", KIOSK_REVIEWED, "1112223-0", "16", _write_kiosk
    ),
    UnseenCase(
        "mikkeli-paperi", "mikkeli-paperi.xlsx", PAPER_REVIEWED, "3456782-2", "12", _write_paper
    ),
    UnseenCase(
        "helsinki-en", "helsinki-en.csv", HELSINKI_REVIEWED, "2345671-3", "90", _write_helsinki
    ),
    UnseenCase(
        "pirha-webropol", "pirha-webropol.xlsx", PIRHA_REVIEWED, "1112223-0", "08", _write_pirha
    ),
    UnseenCase("ksshp-sms", "ksshp-sms.csv", KSSHP_REVIEWED, "5678904-7", "15", _write_ksshp),
    UnseenCase(
        "kymsote-tabletti",
        "kymsote-tabletti.xlsx",
        TABLET_REVIEWED,
        "3456782-2",
        "10",
        _write_tablet,
    ),
)


def write_case(case: UnseenCase, folder: Path) -> tuple[Path, Path]:
    """Write a case's export (and codebook) and its reviewed mapping; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    case.write(folder)
    reviewed = folder / f"reviewed-{case.export.rsplit('.', 1)[0]}.yaml"
    reviewed.write_text(case.reviewed, encoding="utf-8")
    return folder / case.export, reviewed


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "unseen")
    for case in CASES:
        print(*write_case(case, target))
