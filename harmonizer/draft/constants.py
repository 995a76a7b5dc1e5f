"""Constants of a draft: the given business ID and county, and guessed channel and language."""

from __future__ import annotations

from collections.abc import Mapping

from harmonizer.draft.model import DraftInputError, Plan
from harmonizer.draft.vocabulary import guess_language, load_vocabulary, phrase, words
from harmonizer.identifiers import is_business_id
from harmonizer.mapping.load import LoadedMapping


def _guess_channel(plan: Plan) -> tuple[str, str]:
    profile = plan.profile
    texts = [profile.path.stem, *(profile.sheets or []), profile.title or ""]
    channels: Mapping[str, list[str]] = load_vocabulary()["channels"]
    # A column named only "Email" or "Puhelin" asks for a contact detail (MS Forms has
    # one in every export); it does not tell how the survey reached the respondent.
    contact = {phrase(w) for name in ("email", "phone") for w in channels[name]}
    texts += [c.header or "" for c in profile.columns if phrase(c.header or "") not in contact]
    if plan.layout == "long" and plan.long is not None and _coded(plan):
        # SMS services export an answer per row under short question codes; a web tool
        # that writes the questions' texts in the question column says nothing.
        texts.append("sms")
    for channel, hints in channels.items():
        for text in texts:
            found = [h for h in hints if h in words(text) or phrase(h) in phrase(text).split()]
            if found:
                return channel, f"'{found[0]}' in '{text}'"
    return "web", "nothing tells; web is the most common"


def _coded(plan: Plan) -> bool:
    """Return True when a long export's question column holds codes, not question texts."""
    assert plan.long is not None
    name = plan.long["question"].get("column")
    column = next((c for c in plan.profile.columns if c.header == name), None)
    return column is None or all(" " not in q.strip() for q in column.stats.counts)


def add_constants(
    plan: Plan,
    loaded: LoadedMapping,
    taken: set[str],
    *,
    provider_id: str | None,
    county: str | None,
    lang: str | None,
) -> None:
    """Fill the constants: given ones checked, the rest guessed with a CHECK note.

    Raises:
        DraftInputError: no business ID, or no county, given or in the export.
    """
    schema = loaded.schema
    constants = plan.constants
    notes = plan.constant_notes
    if "county" not in taken:
        if county is None:
            raise DraftInputError(
                "the export has no column that names the wellbeing services county; give "
                "its code with --county (for example --county 19)"
            )
        constants["county"] = county
        notes["county"] = "given"
    if provider_id is None:
        raise DraftInputError(
            "the export has no column with the provider's business ID; give it with "
            "--provider-id (for example --provider-id 2345671-3)"
        )
    if not is_business_id(provider_id):
        raise DraftInputError(
            f"--provider-id {provider_id!r} is not a valid business ID (NNNNNNN-N with its check digit)"
        )
    constants["provider_id"] = provider_id
    notes["provider_id"] = "given"
    if "channel" not in taken:
        channel, why = _guess_channel(plan)
        constants["channel"] = channel
        notes["channel"] = f"CHECK: guessed from {why}"
        plan.checks.append(f"constants.channel: {channel} is a guess ({why})")
    if "language" not in taken:
        if lang is not None:
            constants["language"] = lang
            notes["language"] = "given"
        else:
            # The respondents' words tell their language; headers may be a system's
            # English names (response_id, answer), so they count only when answers say
            # too little.
            answers = [
                v
                for c in plan.profile.columns
                for v in list(c.stats.counts)[:200]
                if any(ch.isalpha() for ch in v)
            ]
            best, hits, total = guess_language(answers, schema)
            where = "the answers"
            if total < 3:
                headers = [c.header or "" for c in plan.profile.columns]
                best, hits, total = guess_language(headers + answers, schema)
                where = "headers and answers"
            constants["language"] = best
            notes["language"] = f"{hits} of {total} known words of {where} are in {best}"
            if not total or hits < 0.7 * total:
                notes["language"] = "CHECK: " + notes["language"]
                plan.checks.append(
                    f"constants.language: {best} is a guess ({hits} of {total} known words)"
                )
    if "respondent" not in taken:
        constants["respondent"] = "customer"
        notes["respondent"] = (
            "CHECK: no respondent column; every response read as the customer's own"
        )
        plan.checks.append(
            "constants.respondent: no respondent column; every response read as the customer's own"
        )
    if "unit_name" not in taken:
        constants["unit_name"] = plan.profile.path.stem
        notes["unit_name"] = "CHECK: no unit column; write the unit's name"
        plan.checks.append("constants.unit_name: no unit column; write the unit's name")
    if "service_area" not in taken:
        constants["service_area"] = "other"
        notes["service_area"] = "CHECK: no unit or service column; choose the service area"
        plan.checks.append(
            "constants.service_area: no unit or service column; choose the service area"
        )
