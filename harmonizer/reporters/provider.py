"""An issue in the reader's language: where it is, what is wrong, and the two fixes.

Every issue has two readers. The provider who sent the export fixes cells: their fix
names the column as their file heads it and the answers as their own survey writes them
("did you mean 'Jokseenkin samaa mieltä'?", "September has 30 days"). The mapping's
author fixes YAML: their fix names the rule and the mapping file. Both come from
``texts.yaml`` in fi, sv and en; the provider's words come from the report's
:class:`~harmonizer.fixes.FixHints`.
"""

from __future__ import annotations

import calendar
import difflib
import re
from pathlib import PurePath

from harmonizer.issues import Issue, IssueCode, special_remedy
from harmonizer.reporters.texts import (
    code_problem,
    code_provider_fix,
    code_remedy,
    code_title,
    word,
    words,
)
from harmonizer.run_report import Report

# At most this many answers are spelt out in a fix; a longer list ends with "…".
MAX_ANSWERS_SHOWN = 12
TYPO_CUTOFF = 0.8
QUOTES = {"fi": ("”", "”"), "sv": ("”", "”"), "en": ("“", "”")}

_DMY = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YMD = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\b")


def quoted(text: str, lang: str) -> str:
    """Return ``text`` in the typographic quotes of ``lang``.

    >>> quoted("Hyöty", "fi")
    '”Hyöty”'
    """
    opening, closing = QUOTES.get(lang, QUOTES["en"])
    shown = text.replace("\r", "\\r").replace("\n", "\\n")
    return f"{opening}{shown}{closing}"


def in_mapping_file(issue: Issue) -> bool:
    """Return True when an issue is located in the mapping file (a line, not a cell).

    ``column-not-found`` is both: ``check --sample`` puts it at the mapping's line,
    ``validate`` at the export's header row.
    """
    if issue.code.info.scope != "mapping" or issue.export is None:
        return False
    return issue.code is not IssueCode.COLUMN_NOT_FOUND or issue.export.endswith((".yaml", ".yml"))


def place(issue: Issue, lang: str) -> str:
    """Return where an issue is, in ``lang``: 'x.csv, rivi 5, sarake E ”Sujuvuus”'.

    Mapping issues are at a line of the mapping file: 'mappings/x.yaml:12'.
    """
    if in_mapping_file(issue):
        assert issue.export is not None
        return f"{issue.export}:{issue.row}" if issue.row is not None else issue.export
    parts: list[str] = []
    if issue.export:
        parts.append(issue.export)
    if issue.sheet:
        parts.append(f"{word('at_sheet', lang)} {quoted(issue.sheet, lang)}")
    if issue.row is not None:
        parts.append(f"{word('at_row', lang)} {issue.row}")
    if issue.column_letter or issue.column:
        column = word("at_column", lang)
        if issue.column_letter:
            column += f" {issue.column_letter}"
        if issue.column:
            column += f" {quoted(issue.column, lang)}"
        parts.append(column)
    return ", ".join(parts) or word("nowhere", lang)


def author_fix(report: Report, issue: Issue, lang: str) -> str:
    """Return the mapping author's fix of one issue in ``lang``, naming rule and file."""
    field = issue.field
    if field is None or issue.code.info.scope == "mapping":
        rule = word("the_rule", lang)
    elif field.startswith("own_items."):
        rule = field
    else:
        rule = f"fields.{field.split('.')[0]}"
    mapping = (
        PurePath(report.mapping_file).name if report.mapping_file else word("the_mapping", lang)
    )
    special = special_remedy(issue.code, field)
    if special is not None:
        return word(special, lang).format(rule=rule, mapping=mapping)
    found = report.hints.header_found.get(issue.export or "")
    if issue.code is IssueCode.COLUMN_NOT_FOUND and found is not None:
        return word("header_row_fix", lang).format(found=found, mapping=mapping)
    return code_remedy(issue.code, lang, rule=rule, mapping=mapping)


def closest(value: str | None, answers: tuple[str, ...]) -> str | None:
    """Return the accepted answer closest to ``value`` (a typo's likely meaning), or None.

    >>> closest("Jokseekin samaa mieltä", ("Täysin samaa mieltä", "Jokseenkin samaa mieltä"))
    'Jokseenkin samaa mieltä'
    """
    if not value or not answers:
        return None
    folded = {a.casefold(): a for a in answers}
    if value.casefold() in folded:
        return None
    # A high cutoff: a typo ('Jokseekin'), not another answer that shares words with it.
    found = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=TYPO_CUTOFF)
    return folded[found[0]] if found else None


def _answers(answers: tuple[str, ...], lang: str) -> str:
    shown = [quoted(a, lang) for a in answers[:MAX_ANSWERS_SHOWN]]
    if len(answers) > MAX_ANSWERS_SHOWN:
        shown.append("…")
    return ", ".join(shown)


def impossible_date(value: str | None, column: str, lang: str) -> str | None:
    """Return 'September has 30 days: …' when ``value`` names a day its month lacks."""
    if not value:
        return None
    match = _DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(value)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return word("no_such_month", lang).format(number=month, column=column)
    days = calendar.monthrange(year, month)[1]
    if day <= days and day >= 1:
        return None
    name = words(lang)["months"][month - 1]
    if month == 2:
        name = f"{name} {year}"
    return word("month_days", lang).format(month=name, days=days, column=column)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def provider_fix(report: Report, issue: Issue, lang: str) -> str | None:
    """Return what the provider changes in the export, in ``lang``; None when nothing.

    Mapping issues (and notes that need no action) have no provider fix.
    """
    code = issue.code
    hints = report.hints
    column = quoted(issue.column or issue.column_letter or "?", lang)
    if code is IssueCode.COLUMN_NOT_FOUND and issue.export in hints.header_found:
        return word("header_elsewhere", lang).format(
            found=hints.header_found[issue.export], expected=hints.header_row
        )
    if code in (IssueCode.BAD_DATE, IssueCode.IMPOSSIBLE_DATE):
        impossible = impossible_date(issue.value, column, lang)
        if impossible:
            return impossible
    template = code_provider_fix(code, lang)
    if template is None:
        return None
    field = hints.of(issue.field)
    answers = field.answers_in(hints.survey_lang or lang)
    values = {
        "column": column,
        "value": quoted(issue.value or "", lang),
        "answers": _answers(answers, lang),
        "low": field.low,
        "high": field.high,
        "example": field.example or "23.11.2026 14:05",
        "contact": hints.contact or word("the_recipient", lang),
        "header_row": hints.header_row
        if in_mapping_file(issue) or issue.row is None
        else issue.row,
    }
    needs = set(re.findall(r"\{(\w+)\}", template))
    if "answers" in needs and not answers and field.low is not None:
        # A numeric column (NPS 0-10): the accepted answers are its numbers.
        template = code_provider_fix(IssueCode.OUT_OF_RANGE, lang) or template
        needs = set(re.findall(r"\{(\w+)\}", template))
    if ("answers" in needs and not answers) or (
        {"low", "high"} & needs and (field.low is None or field.high is None)
    ):
        template = word("fix_cell", lang)
    if "column" in needs and not (issue.column or issue.column_letter):
        if issue.row is None:
            return None
        template = word("fix_row", lang)
    text = template.format_map({**values, "row": issue.row})
    guess = closest(issue.value, field.every_answer) if code in _TYPO_CODES else None
    if guess is not None:
        question = word("did_you_mean", lang).format(closest=quoted(guess, lang))
        return f"{question} {_capitalised(text)}"
    return text


_TYPO_CODES = frozenset({IssueCode.UNKNOWN_LABEL, IssueCode.BAD_CODE, IssueCode.LOOKUP_MISSING})


def problem(report: Report, issue: Issue, lang: str) -> str:
    """Return what is wrong in ``lang``, as the provider reads it.

    Data codes have a sentence naming the value ("'Ehkä' is not one of the survey's
    answers"); mapping codes have their title.
    """
    code = issue.code
    if code is IssueCode.COLUMN_NOT_FOUND and issue.export in report.hints.header_found:
        return word("header_moved", lang).format(expected=report.hints.header_row)
    template = code_problem(code, lang)
    if template is None or in_mapping_file(issue):
        return code_title(code, lang)
    return template.format(
        value=quoted(issue.value or "", lang),
        column=quoted(issue.column or issue.column_letter or "?", lang),
    )


def fixes(report: Report, issue: Issue, lang: str, audience: str) -> list[tuple[str, str]]:
    """Return the fixes of an issue as (label, text), the audience's own first.

    The provider's fix is left out when there is none; the author's fix is always there.
    """
    provider = provider_fix(report, issue, lang)
    author = author_fix(report, issue, lang)
    pairs = [(word("fix_mapping", lang), author)]
    if provider is not None:
        pair = (word("fix_export", lang), provider)
        pairs = [pair, *pairs] if audience == "provider" else [*pairs, pair]
    return pairs
