"""Write the bundled example exports under examples/ (deterministic: fixed seed).

    python tools/make_examples.py

Every example is synthetic: names of units are made up or generic, open text is
invented, and the only identity code in them is generated with a valid check character
so that redaction can be shown. Each export carries the quirks of its shape (see
docs/mapping.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT))

from harmonizer.redaction import hetu_check_char  # noqa: E402
from harmonizer.schema import load_schema  # noqa: E402

FI_SCALE = [load_schema().scale_labels[str(p)]["fi"] for p in range(1, 6)]
SV_SCALE = [load_schema().scale_labels[str(p)]["sv"] for p in range(1, 6)]
POSITIVE = [1, 2, 5, 14, 28]  # weights of points 1..5: feedback leans positive
NPS_WEIGHTS = [2, 1, 1, 1, 2, 3, 3, 6, 10, 14, 20]
COMMENTS = [
    "Kiitos ystävällisestä palvelusta!",
    'Odotin pitkään, mutta "lopulta" pääsin sisään; kiitos.',
    "Hyvä palvelu 😊",
    "Lääkäri kuunteli.\nHoitaja selitti asiat hyvin.",
    "Soittakaa minulle: 040 123 4567",
    "Ajanvaraus ei toiminut, laitoin viestiä osoitteeseen asiakas.palaute@example.fi",
    "=Kaikki hyvin",
    "",
]


def synthetic_hetu(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(40, 99)
    serial = rng.randint(2, 899)
    body = f"{day:02d}{month:02d}{year:02d}{serial:03d}"
    return f"{body[:6]}-{body[6:]}{hetu_check_char(body)}"


def point(rng: random.Random) -> int:
    return rng.choices(range(1, 6), POSITIVE)[0]


def nps(rng: random.Random) -> int:
    return rng.choices(range(11), NPS_WEIGHTS)[0]


def moment(rng: random.Random, month: int = 10) -> dt.datetime:
    start = dt.datetime(2026, month, 1, 7, 0)
    return start + dt.timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 12 * 60))


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], *, delimiter: str, encoding: str
) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def pohjola_web(rng: random.Random) -> None:
    """Wide, Finnish labels, ';', UTF-8 BOM; quirks: NBSP, case, NPS labels, test rows."""
    statements = [
        "Asiointi oli sujuvaa ja helppoa",
        "Sain apua silloin, kun sitä tarvitsin",
        "Minua kohdeltiin arvostavasti",
        "Asiaani koskevat päätökset tehtiin yhdessä kanssani",
        "Koin oloni turvalliseksi",
        "Saamani tieto oli ymmärrettävää",
        "Palvelu oli minulle hyödyllinen",
    ]
    header = [
        "Vastaustunniste",
        "Vastausaika",
        "Toimipiste",
        "Kuka vastaa?",
        "Ikäryhmä",
        "Sukupuoli",
        "Kuinka todennäköisesti suosittelisit saamaasi palvelua läheisellesi tai ystävällesi, jos hän olisi samassa tilanteessa?",
        *statements,
        "Mitä muuta haluat kertoa?",
        "Löysitkö pysäköintipaikan helposti?",
    ]
    units = ["Oulun terveysasema", "Kempeleen terveysasema", "Oulun hammashoitola", "Oulun neuvola"]
    rows: list[list[object]] = [header]
    for n in range(1, 61):
        when = moment(rng)
        stamp = (
            when.strftime("%d.%m.%Y %H:%M")
            if n % 3
            else f"{when:%d.%m.%Y} klo {when.hour}.{when.minute:02d}"
        )
        score = nps(rng)
        nps_cell: object = {
            10: "10 - Erittäin todennäköisesti",
            0: "0 - En lainkaan todennäköisesti",
        }.get(score, score)
        answers: list[object] = []
        for _ in statements:
            roll = rng.random()
            if roll < 0.06:
                answers.append("En osaa sanoa")
            elif roll < 0.09:
                answers.append("Ei koske minua")
            elif roll < 0.11:
                answers.append("")
            else:
                label = FI_SCALE[point(rng) - 1]
                # Real exports vary case and leave stray (non-breaking) spaces.
                answers.append(
                    rng.choice([label, label.lower(), label + " ", label.replace(" ", "\u00a0", 1)])
                )
        comment = rng.choice(COMMENTS)
        if n == 7:
            comment = f"Henkilötunnukseni on {synthetic_hetu(rng)}, tarkistakaa tiedot."
        rows.append(
            [
                f"W-{1000 + n}",
                stamp,
                rng.choice(units),
                rng.choices(
                    ["Asiakas", "Asiakas, toinen henkilö avusti", "Läheinen tai omainen"], [8, 1, 1]
                )[0],
                rng.choice(["18-29", "30-49", "50-64", "65-74", "75+", "30\u201349"]),
                rng.choice(["Nainen", "Mies", "Muu", "En halua sanoa", ""]),
                nps_cell,
                *answers,
                comment,
                rng.choice(["Kyllä", "Ei", ""]),
            ]
        )
    rows[12][6] = "Ehkä"  # an NPS label the mapping does not know: rejected
    rows[20][7] = "Melko samaa mieltä"  # an unknown statement label: rejected
    rows.append(
        [
            "W-9001",
            "02.10.2026 08:00",
            "TESTI",
            "Asiakas",
            "30-49",
            "Muu",
            5,
            *FI_SCALE[:5],
            "Täysin samaa mieltä",
            "Täysin samaa mieltä",
            "testivastaus",
            "",
        ]
    )
    rows.append(rows[5])  # re-exported row: a duplicate response
    write_csv(EXAMPLES / "pohjola-web.csv", rows, delimiter=";", encoding="utf-8-sig")


def saimaa_codes(rng: random.Random) -> None:
    """Wide numeric codes, cp1252, reversed statements, 6 = don't know, brand counties."""
    header = [
        "id",
        "pvm",
        "alue",
        "yksikko",
        "palvelu",
        "kieli",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "q6",
    ]
    rows: list[list[object]] = [header]
    units = {
        "1": "Kotihoito Lappeenranta",
        "2": "Palvelutalo Mikkeli",
        "3": "Vammaispalvelut Imatra",
    }
    for n in range(1, 51):
        service = rng.choice(list(units))
        when = moment(rng, month=11)
        stamp: object = when.strftime("%Y-%m-%dT%H:%M:%S")
        if n % 10 == 0:
            # Some rows come through Excel and keep the date as a serial number.
            serial = (when - dt.datetime(1899, 12, 30)).total_seconds() / 86400
            stamp = f"{serial:.5f}".replace(".", ",")
        codes: list[object] = []
        for q in range(5):
            roll = rng.random()
            if roll < 0.07:
                codes.append(6)
            elif roll < 0.09 and q == 2:
                codes.append(7)
            else:
                codes.append(6 - point(rng))  # reversed: 1 = fully agree
        score: object = nps(rng)
        if n % 11 == 0:
            score = f"{score}.0"  # numbers written as 5.0
        region = rng.choice(
            ["Eksote", "Essote", "Etelä-Karjalan hyvinvointialue", "Etelä-Savon hyvinvointialue"]
        )
        rows.append(
            [
                f"S{n:04d}",
                stamp,
                region,
                units[service],
                service,
                rng.choices(["1", "2", "3"], [12, 2, 1])[0],
                score,
                *codes,
            ]
        )
    rows[15][6] = 12  # NPS out of range: rejected
    rows[30][2] = "Soite"  # a brand the lookup does not know: rejected
    write_csv(EXAMPLES / "saimaa-codes.csv", rows, delimiter=",", encoding="cp1252")


def lappi_sms(rng: random.Random) -> None:
    """Long SMS answers, interleaved responses, unit codes, an unknown unit."""
    header = ["response_id", "sent_at", "answered_at", "unit_code", "question_id", "answer"]
    pending: list[list[list[object]]] = []
    units = ["ROV-TK", "ROV-PAIV", "KEM-HAM", "TOR-KH"]
    for n in range(1, 41):
        sent = moment(rng)
        unit = rng.choice(units) if n != 17 else "ROV-XX"
        answered = sent + dt.timedelta(minutes=rng.randint(1, 90))
        stamp = answered.strftime("%Y-%m-%dT%H:%M:%S")
        rid = f"SMS-{5000 + n}"
        answers = [
            ("CONSENT", "K"),
            ("NPS", nps(rng)),
            ("S1", point(rng)),
            ("S2", point(rng)),
            ("S3", rng.choice([point(rng), "EOS"])),
        ]
        if rng.random() < 0.3:
            answers.append(("OPEN", rng.choice(COMMENTS[:5])))
        if n % 9 == 0:
            answers = answers[:3]  # the respondent stopped answering
        pending.append([[rid, sent.isoformat(), stamp, unit, q, a] for q, a in answers])
    rows: list[list[object]] = [header]
    # Answers of concurrent responses interleave, as an SMS service logs them.
    while pending:
        group = pending[: rng.randint(1, 3)]
        rows.extend(answers.pop(0) for answers in group)
        pending = [p for p in pending if p]
    write_csv(EXAMPLES / "lappi-sms.csv", rows, delimiter=";", encoding="utf-8")


def osterbotten_sv(rng: random.Random) -> None:
    """Swedish xlsx: a merged title row, header on row 3, real dates, a totals row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Svar"
    sheet["A1"] = "Kundrespons oktober 2026 - Österbottens välfärdsområde"
    sheet.merge_cells("A1:H1")
    header = [
        "Svarstid",
        "Enhet",
        "Hur sannolikt är det att du skulle rekommendera tjänsten?",
        "Det var smidigt och enkelt att använda tjänsten",
        "Jag blev bemött med respekt",
        "Informationen jag fick var begriplig",
        "Jag kände mig trygg",
        "Övrig respons",
    ]
    sheet.append([])
    sheet.append(header)
    units = ["Vasa centralsjukhus, poliklinik", "Jakobstads poliklinik", "Närpes poliklinik"]
    for _ in range(40):
        score = nps(rng)
        nps_cell: object = {10: "10 - Mycket sannolikt", 0: "0 - Inte alls sannolikt"}.get(
            score, score
        )
        answers: list[object] = [
            rng.choice([SV_SCALE[point(rng) - 1]] * 9 + ["Kan inte säga"]) for _ in range(4)
        ]
        comment = rng.choice(["Bra bemötande.", "Lång väntetid i telefon.", "Tack!", None, None])
        sheet.append([moment(rng), rng.choice(units), nps_cell, *answers, comment])
    sheet.cell(row=3 + 25, column=4, value="Helt av samma åsikt!!")  # typo: rejected
    sheet.append(["", "Totalt", 40, None, None, None, None, None])
    for row in sheet.iter_rows(min_row=4, max_col=1):
        row[0].number_format = "d.m.yyyy h:mm"
    book.save(EXAMPLES / "osterbotten-sv.xlsx")


def keski_paper(rng: random.Random) -> None:
    """Paper forms keyed in: empty first column, blanks, typos, text numbers, birth years."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Lomakkeet"
    sheet.append(
        [
            None,
            "Päivämäärä",
            "Vastaaja",
            "Syntymävuosi",
            "Suosittelu 0-10",
            "Kohtelu",
            "Hyöty",
            "Apu ajoissa (1-4)",
            "Kouluarvosana palvelulle",
            "Terveiset",
        ]
    )
    for n in range(1, 36):
        when = moment(rng)
        date: object = when.strftime("%d.%m.%Y") if n % 4 else when
        respect: object = FI_SCALE[point(rng) - 1]
        if n in (4, 22):
            respect = "Täysin samaa mieltää"  # keyed with a typo; mapped in value_map
        useful: object = rng.choice([point(rng), str(point(rng)), f"{point(rng)}.0", None, "-"])
        sheet.append(
            [
                None,
                date,
                rng.choice(["asiakas", "Asiakas ", "omainen", "avustettu", None]),
                rng.choice([rng.randint(1935, 2005), str(rng.randint(1940, 2000)), None]),
                rng.choice([nps(rng), str(nps(rng)), None]),
                respect,
                useful,
                rng.choice([1, 2, 3, 4, 4, 3, None]),
                rng.randint(6, 10),
                rng.choice(
                    [
                        None,
                        None,
                        "Kiitos hyvästä kuntoutuksesta",
                        "Fysioterapeutti oli ammattitaitoinen",
                    ]
                ),
            ]
        )
    sheet.append([None] * 10)  # a blank row in the middle of the forms
    sheet.append([None, "3.11.2026", "asiakas", 1958, 9, "Täysin samaa mieltä", 5, 4, 9, None])
    sheet.cell(row=10, column=4, value=2019)  # a year of birth under 13: rejected
    book.save(EXAMPLES / "keski-paper.xlsx")


def kanta_kiosk(rng: random.Random) -> None:
    """Smiley kiosk presses: timestamp, device, question, button 1-4."""
    rows: list[list[object]] = [["timestamp", "device", "question", "button"]]
    stamp = dt.datetime(2026, 10, 1, 8, 0, 0)
    for _ in range(60):
        stamp += dt.timedelta(seconds=rng.randint(20, 4000))
        rows.append(
            [
                stamp.isoformat(),
                rng.choice(["KIOSK-01", "KIOSK-02"]),
                "Miten saapuminen ja ilmoittautuminen sujuivat?",
                rng.choices([1, 2, 3, 4], [1, 2, 5, 9])[0],
            ]
        )
    write_csv(EXAMPLES / "kanta-kiosk.csv", rows, delimiter=",", encoding="utf-8")


def main() -> None:
    EXAMPLES.mkdir(exist_ok=True)
    for offset, make in enumerate(
        (pohjola_web, saimaa_codes, lappi_sms, osterbotten_sv, keski_paper, kanta_kiosk)
    ):
        make(random.Random(2026 + offset))
        print(f"wrote examples for {make.__name__}")


if __name__ == "__main__":
    main()
