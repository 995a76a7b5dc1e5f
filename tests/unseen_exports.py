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

Six more, written with their reviewed mappings before the draft's fourth round of changes
and measured once on the draft as it was (7/13, 1/12, 2/3, 5/12, 5/11 and 4/12 columns
right):

- ``kymenlaakso-questback.csv``: Questback, ``;``, Windows-1252, "Q4a." numbering and line
  breaks in headers, a start and a completion time, agreement labels with "En osaa sanoa",
  a 1-7 item (adapted), "Asiakkaana" / "Omaisena tai läheisenä", "alle 30 vuotta".
- ``raseborg-enkat.csv``: a Swedish survey, UTF-8 with BOM, a title line, ``dd/mm/yyyy``
  times, "Helt enig ... Helt oenig" and "Vet ej", ages in years, an NPS question whose
  ends are spelt out without parentheses.
- ``hyvinkaa-hymio.csv``: a smiley kiosk of three columns whose faces are words.
- ``itauusimaa-koodit.xlsx``: paper forms keyed into Excel as numbers, a codebook sheet
  with all of a variable's codes in one cell ("1=Kyllä; 2=Ei"), unit OIDs, a yes/no item
  coded 1/2, and a few synthetic identity codes a respondent wrote on the form.
- ``lansi-uusimaa-pitka.csv``: a long export whose question column holds the questions'
  texts, not codes.
- ``vantaa-forms.csv``: MS Forms, ``m/d/yyyy`` start and completion times, its "Email"
  and "Name" columns, a three-answer question, a phone number for a call back.

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


# --- written for the draft's fourth round: a Questback survey, wide ------------------------

_QB_AGREE = [
    "Täysin samaa mieltä",
    "Jokseenkin samaa mieltä",
    "Täysin samaa mieltä",
    "Jokseenkin samaa mieltä",
    "En osaa sanoa",
    "Täysin samaa mieltä",
    "Jokseenkin eri mieltä",
    "Täysin samaa mieltä",
    "",
    "Ei samaa eikä eri mieltä",
]

_QB_HEADER = [
    "Vastaajan ID",
    "Aloitettu",
    "Valmistunut",
    "Q1. Missä yksikössä asioit?",
    "Q2. Vastaan\n(valitse yksi)",
    "Q3. Kuinka todennäköisesti suosittelisit yksikköämme\nystävällesi tai läheisellesi?",
    "Q4a. Asiointi oli sujuvaa",
    "Q4b. Sain apua oikeaan aikaan",
    "Q4c. Minua kohdeltiin arvostavasti",
    "Q4d. Palvelusta oli minulle hyötyä",
    "Q5. Sain riittävästi tietoa hoidostani (1-7)",
    "Q6. Ikäryhmä",
    "Q7. Terveiset henkilökunnalle",
]


def _write_kymenlaakso(folder: Path) -> None:
    rows: list[list[str]] = [_QB_HEADER]
    units = ["Kotkan terveysasema", "Kouvolan hammashoitola", "Haminan kotihoito"]
    roles = ["Asiakkaana", "Asiakkaana", "Omaisena tai läheisenä", "Asiakkaana, toinen auttoi"]
    ages = ["alle 30 vuotta", "30\u201349 vuotta", "50\u201364 vuotta", "65\u201374 vuotta", "75+"]
    for i in range(44):
        started = dt.datetime(2026, 10, 3, 7, 40) + dt.timedelta(hours=14 * i, minutes=9 * i)
        done = started + dt.timedelta(minutes=3 + i % 9)
        rows.append(
            [
                str(880_100 + 3 * i),
                f"{started:%d.%m.%Y %H:%M}",
                f"{done:%d.%m.%Y %H:%M}",
                units[i % 3],
                roles[i % 4],
                str([10, 9, 8, 10, 9, 5, 7, 10, 2][i % 9]),
                *(_QB_AGREE[(i + shift) % 10] for shift in (0, 3, 6, 8)),
                str([7, 6, 5, 7, 4, 6, 2, 7, 3, 1][i % 10]),
                ages[i % 5],
                [
                    "Kiitos mukavasta vastaanotosta",
                    "",
                    "",
                    "Hoitaja ehti kuunnella; lääkärillä tuntui olevan kiire",
                    "",
                ][i % 5],
            ]
        )
    with (folder / "kymenlaakso-questback.csv").open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


_QB_MISSING = "{En osaa sanoa: dont_know}"

KYMENLAAKSO_REVIEWED = f"""\
mapping: kymenlaakso-questback
version: "1"
schema_version: "1.1"
provider: {{name: Kymenlaakson hyvinvointialue}}
source: {{format: csv, encoding: cp1252, delimiter: ";"}}
response_id: {{column: Vastaajan ID}}
constants: {{county: "10", provider_id: "3456782-2", channel: web, language: fi}}
lookups:
  units:
    rows:
      Kotkan terveysasema: {{service_area: primary_care}}
      Kouvolan hammashoitola: {{service_area: oral_health}}
      Haminan kotihoito: {{service_area: home_care}}
fields:
  responded_at: {{column: Valmistunut, formats: [fi_datetime]}}
  unit_name: "{_QB_HEADER[3]}"
  service_area: {{column: "{_QB_HEADER[3]}", lookup: units}}
  respondent:
    column: "Q2. Vastaan\\n(valitse yksi)"
    value_map:
      Asiakkaana: customer
      Omaisena tai läheisenä: close_person
      Asiakkaana, toinen auttoi: customer_assisted
  nps: "Q3. Kuinka todennäköisesti suosittelisit yksikköämme\\nystävällesi tai läheisellesi?"
  ease: {{column: "{_QB_HEADER[6]}", missing: {_QB_MISSING}}}
  timely_help: {{column: "{_QB_HEADER[7]}", missing: {_QB_MISSING}}}
  respect: {{column: "{_QB_HEADER[8]}", missing: {_QB_MISSING}}}
  useful: {{column: "{_QB_HEADER[9]}", missing: {_QB_MISSING}}}
  info_understandable:
    column: "{_QB_HEADER[10]}"
    scale: "1-7"
    adapted: true
    recode: {{1: 1, 2: 2, 3: 2, 4: 3, 5: 4, 6: 4, 7: 5}}
  age_group:
    column: "{_QB_HEADER[11]}"
    value_map: {{alle 30 vuotta: 18-29}}
  joint_decisions: not_asked
  safety: not_asked
  open_feedback: "{_QB_HEADER[12]}"
"""


# --- a Swedish Webropol survey: a title row, d/m/yyyy times, "Helt enig" -----------------

_SV_ENIG = [
    "Helt enig",
    "Ganska enig",
    "Helt enig",
    "Varken enig eller oenig",
    "Helt enig",
    "Ganska oenig",
    "Vet ej",
    "Ganska enig",
    "Helt oenig",
    "Helt enig",
    "",
]

_RASEBORG_HEADER = [
    "Svarsnummer",
    "Startad",
    "Slutförd",
    "Enhet",
    "Jag svarar som",
    "Ålder",
    "1. Det var lätt att sköta mitt ärende",
    "2. Jag fick hjälp när jag behövde den",
    "3. Personalen bemötte mig vänligt",
    "4. Jag kände mig trygg under besöket",
    "5. Hur sannolikt är det att du skulle rekommendera vår mottagning åt en vän? "
    "0 = inte alls sannolikt, 10 = mycket sannolikt",
    "6. Övrig respons",
]


def _write_raseborg(folder: Path) -> None:
    lines = ["Kundenkät hösten 2026 \u2013 Raseborgs mottagningar" + ";" * 11]
    lines.append(";".join(f'"{h}"' if " " in h else h for h in _RASEBORG_HEADER))
    units = ["Ekenäs hälsostation", "Karis tandklinik", "Hangö hälsostation"]
    roles = ["patient", "patient", "anhörig", "patient som fått hjälp att svara"]
    for i in range(40):
        started = dt.datetime(2026, 9, 8, 8, 5) + dt.timedelta(hours=19 * i, minutes=7 * i)
        done = started + dt.timedelta(minutes=2 + i % 6)
        cells = [
            str(301 + i),
            f"{started:%d/%m/%Y %H:%M}",
            f"{done:%d/%m/%Y %H:%M}",
            units[i % 3],
            roles[i % 4],
            str([34, 71, 58, 82, 46, 67, 29, 90, 63][i % 9]),
            *(_SV_ENIG[(i + shift) % 11] for shift in (0, 2, 5, 7)),
            str([10, 9, 10, 8, 7, 10, 9, 4, 10, 6][i % 10]),
            ["Trevlig personal, tack!", "", "", '"Väntade länge; annars bra"', ""][i % 5],
        ]
        lines.append(";".join(cells))
    (folder / "raseborg-enkat.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")


_ENIG_MAP = (
    "{Helt enig: 5, Ganska enig: 4, Varken enig eller oenig: 3, Ganska oenig: 2, Helt oenig: 1}"
)
_ENIG = f"value_map: {_ENIG_MAP}, missing: {{Vet ej: dont_know}}"

RASEBORG_REVIEWED = f"""\
mapping: raseborg-enkat
version: "1"
schema_version: "1.1"
provider: {{name: Västra Nylands välfärdsområde}}
source: {{format: csv, encoding: utf-8-sig, delimiter: ";", header_row: 2}}
response_id: {{column: Svarsnummer}}
constants: {{county: "03", provider_id: "2345671-3", channel: web, language: sv}}
lookups:
  units:
    rows:
      Ekenäs hälsostation: {{service_area: primary_care}}
      Karis tandklinik: {{service_area: oral_health}}
      Hangö hälsostation: {{service_area: primary_care}}
fields:
  responded_at: {{column: Slutförd, formats: ["%d/%m/%Y %H:%M"]}}
  unit_name: Enhet
  service_area: {{column: Enhet, lookup: units}}
  respondent:
    column: Jag svarar som
    value_map: {{patient: customer, anhörig: close_person, patient som fått hjälp att svara: customer_assisted}}
  age_group: {{column: Ålder, derive: age}}
  ease: {{column: "{_RASEBORG_HEADER[6]}", {_ENIG}}}
  timely_help: {{column: "{_RASEBORG_HEADER[7]}", {_ENIG}}}
  respect: {{column: "{_RASEBORG_HEADER[8]}", {_ENIG}}}
  safety: {{column: "{_RASEBORG_HEADER[9]}", {_ENIG}}}
  nps: "{_RASEBORG_HEADER[10]}"
  joint_decisions: not_asked
  info_understandable: not_asked
  useful: not_asked
  open_feedback: "{_RASEBORG_HEADER[11]}"
"""


# --- a smiley kiosk's csv: three columns, the faces as words -------------------------------


def _write_hyvinkaa(folder: Path) -> None:
    lines = ["Aikaleima,Laite,Hymiö"]
    devices = ["Hyvinkään terveysasema aula", "Hyvinkään sairaala päivystys"]
    faces = ["Erittäin tyytyväinen", "Tyytyväinen", "Tyytymätön", "Erittäin tyytymätön"]
    for i in range(90):
        stamp = dt.datetime(2026, 11, 2, 7, 0, 5) + dt.timedelta(minutes=97 * i, seconds=31 * i)
        face = faces[[0, 1, 0, 0, 2, 1, 0, 3, 1, 0, 1][i % 11]]
        lines.append(f"{stamp:%Y-%m-%d %H:%M:%S},{devices[i % 2]},{face}")
    (folder / "hyvinkaa-hymio.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


HYVINKAA_REVIEWED = """\
mapping: hyvinkaa-hymio
version: "1"
schema_version: "1.1"
provider: {name: Keski-Uudenmaan hyvinvointialue}
source: {format: csv, delimiter: ","}
constants: {county: "02", provider_id: "1112223-0", channel: kiosk, language: fi, respondent: customer}
lookups:
  units:
    rows:
      Hyvinkään terveysasema aula: {service_area: primary_care}
      Hyvinkään sairaala päivystys: {service_area: emergency}
fields:
  responded_at: {column: Aikaleima, formats: [iso]}
  unit_name: Laite
  service_area: {column: Laite, lookup: units}
own_items:
  hymio:
    column: Hymiö
    scale: smiley4
    value_map: {Erittäin tyytymätön: 1, Tyytymätön: 2, Tyytyväinen: 3, Erittäin tyytyväinen: 4}
"""


# --- paper forms keyed into Excel: numeric codes, a codebook sheet, a typed-in HETU ------


def _hetu(day: dt.date, serial: int) -> str:
    """Return a synthetic identity code (individual numbers 900-999 are never issued)."""
    digits = f"{day:%d%m%y}{serial:03d}"
    return f"{day:%d%m%y}-{serial:03d}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(digits) % 31]}"


_KOODIT_HEADER = [
    "LOMAKE",
    "PVM",
    "HETU",
    "TOIMIPISTE",
    "TOIMIPISTE_OID",
    "VASTAAJA",
    "IKARYHMA",
    "K1",
    "K2",
    "K3",
    "K4",
    "SUOSITTELU",
]


def _write_itauusimaa(folder: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(_KOODIT_HEADER)
    units = [
        ("Porvoon terveysasema", "1.2.246.10.1112223.10.4"),
        ("Loviisan terveysasema", "1.2.246.10.1112223.10.7"),
        ("Porvoon sairaalan päivystys", "1.2.246.10.1112223.10.12"),
    ]
    for i in range(45):
        unit, oid = units[i % 3]
        sheet.append(
            [
                1000 + i,
                dt.datetime(2026, 10, 1) + dt.timedelta(days=i % 28),
                _hetu(dt.date(1941, 3, 1) + dt.timedelta(days=397 * i), 900 + i)
                if i % 6 == 2
                else None,
                unit,
                oid,
                [1, 1, 2, 1, 3][i % 5],
                [6, 3, 5, 4, 2, 6, 5][i % 7],
                [5, 4, 5, 9, 3, 5, 4, 2][i % 8],
                [4, 5, 5, 3, 9, 5, 1][i % 7],
                [5, 5, 4, 5, 2, 4][i % 6],
                [1, 1, 2, 1, None][i % 5],
                [10, 8, 9, 10, 6, 9, 10, 3][i % 8],
            ]
        )
    codes = workbook.create_sheet("Koodisto")
    codes.append(["Muuttuja", "Kysymys", "Koodit"])
    codes.append(["PVM", "Lomakkeen täyttöpäivä", None])
    codes.append(["HETU", "Henkilötunnus (jos asiakas kirjoitti sen lomakkeeseen)", None])
    codes.append(
        ["VASTAAJA", "Kuka vastaa?", "1=Asiakas; 2=Omainen tai läheinen; 3=Asiakas, avustettuna"]
    )
    codes.append(
        [
            "IKARYHMA",
            "Ikäryhmä",
            "1=13\u201317; 2=18\u201329; 3=30\u201349; 4=50\u201364; 5=65\u201374; 6=75 tai yli",
        ]
    )
    scale = (
        "1=Täysin eri mieltä; 2=Jokseenkin eri mieltä; 3=Ei samaa eikä eri mieltä; "
        "4=Jokseenkin samaa mieltä; 5=Täysin samaa mieltä; 9=En osaa sanoa"
    )
    codes.append(["K1", "Asiointi oli sujuvaa", scale])
    codes.append(["K2", "Koin oloni turvalliseksi", scale])
    codes.append(["K3", "Sain ymmärrettävää tietoa", scale])
    codes.append(["K4", "Oliko sinulla ennalta varattu aika?", "1=Kyllä; 2=Ei"])
    codes.append(["SUOSITTELU", "Kuinka todennäköisesti suosittelisit meitä? (0\u201310)", None])
    workbook.save(folder / "itauusimaa-koodit.xlsx")


_K_MISSING = 'missing: {"9": dont_know}'

ITAUUSIMAA_REVIEWED = f"""\
mapping: itauusimaa-koodit
version: "1"
schema_version: "1.1"
provider: {{name: Itä-Uudenmaan hyvinvointialue}}
source: {{format: xlsx, sheet: Data}}
response_id: {{column: LOMAKE}}
constants: {{county: "01", provider_id: "5678904-7", channel: paper, language: fi}}
lookups:
  units:
    rows:
      Porvoon terveysasema: {{service_area: primary_care}}
      Loviisan terveysasema: {{service_area: primary_care}}
      Porvoon sairaalan päivystys: {{service_area: emergency}}
fields:
  responded_at: PVM
  unit_name: TOIMIPISTE
  unit_id: TOIMIPISTE_OID
  service_area: {{column: TOIMIPISTE, lookup: units}}
  respondent:
    column: VASTAAJA
    value_map: {{"1": customer, "2": close_person, "3": customer_assisted}}
  age_group:
    column: IKARYHMA
    value_map: {{"1": 13-17, "2": 18-29, "3": 30-49, "4": 50-64, "5": 65-74, "6": 75+}}
  ease: {{column: K1, {_K_MISSING}}}
  safety: {{column: K2, {_K_MISSING}}}
  info_understandable: {{column: K3, {_K_MISSING}}}
  nps: SUOSITTELU
  timely_help: not_asked
  respect: not_asked
  joint_decisions: not_asked
  useful: not_asked
own_items:
  ajanvaraus: {{column: K4, scale: yes_no, value_map: {{"1": "yes", "2": "no"}}}}
"""


# --- a long export whose question column holds the question texts ------------------------

_PITKA_QUESTIONS = [
    "Kuinka todennäköisesti suosittelisit palveluamme ystävillesi tai läheisillesi?",
    "Asiointi oli sujuvaa ja helppoa",
    "Sain apua silloin kun tarvitsin",
    "Minua kohdeltiin arvostavasti",
    "Palvelusta oli minulle hyötyä",
    "Kerro vapaasti, mitä voisimme tehdä paremmin",
]


def _write_lansi_uusimaa(folder: Path) -> None:
    lines = ["Vastaus-ID;Vastattu;Toimipiste;Kysymys;Vastaus"]
    units = ["Lohjan terveysasema", "Espoon keskuksen hammashoitola", "Kirkkonummen neuvola"]
    agree = ["5", "4", "5", "3", "EOS", "5", "2", "4", "1"]
    for i in range(34):
        stamp = dt.datetime(2026, 10, 6, 9, 3) + dt.timedelta(hours=16 * i, minutes=29 * i)
        fixed = [
            f"LU{4400 + i}",
            f"{stamp.day}.{stamp.month}.{stamp.year} {stamp:%H:%M}",
            units[i % 3],
        ]
        answers = [
            str([10, 9, 7, 10, 8, 3, 9][i % 7]),
            agree[i % 9],
            agree[(i + 2) % 9],
            agree[(i + 4) % 9],
            agree[(i + 6) % 9],
            ["Ajan saaminen oli helppoa, kiitos", "", "Parkkipaikkoja oli liian vähän", ""][i % 4],
        ]
        lines += [
            ";".join([*fixed, question, answer])
            for question, answer in zip(_PITKA_QUESTIONS, answers, strict=True)
            if answer
        ]
    (folder / "lansi-uusimaa-pitka.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _question(text: str, rule: str = "") -> str:
    return f'{{question: "{text}"{", " + rule if rule else ""}}}'


LANSI_UUSIMAA_REVIEWED = f"""\
mapping: lansi-uusimaa-pitka
version: "1"
schema_version: "1.1"
provider: {{name: Länsi-Uudenmaan hyvinvointialue}}
source: {{format: csv, delimiter: ";"}}
layout: long
long:
  response_id: {{column: Vastaus-ID}}
  question: {{column: Kysymys}}
  answer: {{column: Vastaus}}
constants: {{county: "03", provider_id: "1112223-0", channel: web, language: fi, respondent: customer}}
lookups:
  units:
    rows:
      Lohjan terveysasema: {{service_area: primary_care}}
      Espoon keskuksen hammashoitola: {{service_area: oral_health}}
      Kirkkonummen neuvola: {{service_area: maternity_child_health}}
fields:
  responded_at: {{column: Vastattu, formats: [fi_datetime]}}
  unit_name: Toimipiste
  service_area: {{column: Toimipiste, lookup: units}}
  nps: {_question(_PITKA_QUESTIONS[0])}
  ease: {_question(_PITKA_QUESTIONS[1], "missing: {EOS: dont_know}")}
  timely_help: {_question(_PITKA_QUESTIONS[2], "missing: {EOS: dont_know}")}
  respect: {_question(_PITKA_QUESTIONS[3], "missing: {EOS: dont_know}")}
  useful: {_question(_PITKA_QUESTIONS[4], "missing: {EOS: dont_know}")}
  open_feedback: {_question(_PITKA_QUESTIONS[5])}
"""


# --- an MS Forms export: Start time and Completion time, m/d/yyyy, a phone number ---------

_FORMS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Missä toimipisteessä asioit?",
    "Vastaan",
    "Kuinka todennäköisesti suosittelisit meitä ystävällesi?",
    "Asiointi oli sujuvaa",
    "Saitko tarvitsemasi avun?",
    "Puhelinnumero, jos toivot yhteydenottoa",
    "Mitä muuta haluat kertoa?",
]


def _write_vantaa(folder: Path) -> None:
    rows: list[list[str]] = [_FORMS_HEADER]
    units = ["Tikkurilan terveysasema", "Myyrmäen hammashoitola", "Keravan terveysasema"]
    for i in range(41):
        started = dt.datetime(2026, 11, 3, 8, 12) + dt.timedelta(hours=13 * i, minutes=41 * i)
        done = started + dt.timedelta(minutes=1 + i % 5, seconds=17 * i % 60)
        rows.append(
            [
                str(i + 1),
                f"{started.month}/{started.day}/{started.year} {started:%H:%M:%S}",
                f"{done.month}/{done.day}/{done.year} {done:%H:%M:%S}",
                "anonymous",
                "",
                units[i % 3],
                ["Itse asiakkaana", "Itse asiakkaana", "Läheisen puolesta"][i % 3],
                str([10, 9, 8, 10, 6, 9, 10, 0][i % 8]),
                ["5", "4", "5", "3", "5", "4", "2", "5", "1"][i % 9],
                ["Kyllä", "Kyllä", "Osittain", "Kyllä", "En"][i % 5],
                f"040 000 {1000 + 37 * i}" if i % 9 == 4 else "",
                ["Kiitos!", "", "", "Jonotin puhelimessa puoli tuntia", ""][i % 5],
            ]
        )
    with (folder / "vantaa-forms.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


VANTAA_REVIEWED = """\
mapping: vantaa-forms
version: "1"
schema_version: "1.1"
provider: {name: Vantaan ja Keravan hyvinvointialue}
source: {format: csv, encoding: utf-8-sig, delimiter: ","}
response_id: {column: ID}
constants: {county: "04", provider_id: "2345671-3", channel: web, language: fi}
lookups:
  units:
    rows:
      Tikkurilan terveysasema: {service_area: primary_care}
      Myyrmäen hammashoitola: {service_area: oral_health}
      Keravan terveysasema: {service_area: primary_care}
fields:
  responded_at: {column: Completion time, formats: ["%m/%d/%Y %H:%M:%S"]}
  unit_name: Missä toimipisteessä asioit?
  service_area: {column: "Missä toimipisteessä asioit?", lookup: units}
  respondent:
    column: Vastaan
    value_map: {Itse asiakkaana: customer, Läheisen puolesta: close_person}
  nps: Kuinka todennäköisesti suosittelisit meitä ystävällesi?
  ease: Asiointi oli sujuvaa
  timely_help: not_asked
  respect: not_asked
  joint_decisions: not_asked
  safety: not_asked
  info_understandable: not_asked
  useful: not_asked
  open_feedback: Mitä muuta haluat kertoa?
own_items:
  apu: {column: "Saitko tarvitsemasi avun?", scale: categories}
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
    UnseenCase(
        "kymenlaakso-questback",
        "kymenlaakso-questback.csv",
        KYMENLAAKSO_REVIEWED,
        "3456782-2",
        "10",
        _write_kymenlaakso,
    ),
    UnseenCase(
        "raseborg-enkat",
        "raseborg-enkat.csv",
        RASEBORG_REVIEWED,
        "2345671-3",
        "03",
        _write_raseborg,
    ),
    UnseenCase(
        "hyvinkaa-hymio",
        "hyvinkaa-hymio.csv",
        HYVINKAA_REVIEWED,
        "1112223-0",
        "02",
        _write_hyvinkaa,
    ),
    UnseenCase(
        "itauusimaa-koodit",
        "itauusimaa-koodit.xlsx",
        ITAUUSIMAA_REVIEWED,
        "5678904-7",
        "01",
        _write_itauusimaa,
    ),
    UnseenCase(
        "lansi-uusimaa-pitka",
        "lansi-uusimaa-pitka.csv",
        LANSI_UUSIMAA_REVIEWED,
        "1112223-0",
        "03",
        _write_lansi_uusimaa,
    ),
    UnseenCase(
        "vantaa-forms", "vantaa-forms.csv", VANTAA_REVIEWED, "2345671-3", "04", _write_vantaa
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
