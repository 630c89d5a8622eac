"""Reading and checking case files (the library's cases/*.jsonl, or a file for `tunewise eval`): every problem of
every line is listed, as the other knowledge loaders do."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .model import UNKNOWN, AnswerValue, Approach, Bank, Kind, Question

APPROACH_IDS = tuple(a.value for a in Approach)
BORDERS = ("full_vs_lora", "hybrid_vs_rag", "integration_vs_tuning", "prompt_despite_labels", "other")
TEXT_FIELDS = (
    "id", "title", "organisation", "date", "source_url", "source_title", "source_kind", "border", "what_they_did",
    "how_it_went", "expected",
)
REQUIRED = (*TEXT_FIELDS, "acceptable", "answers")
OPTIONAL = ("estimated", "notes")
EVAL_REQUIRED = ("id", "expected", "acceptable", "answers")  # the fixtures' format, enough for `tunewise eval FILE`
SPEC_SCENARIO = "specification scenario"
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
SEED_FILE = re.compile(r"[\w.-]+\.txt")


@dataclass(frozen=True)
class Case:
    """One case of the library (or of a file given to `tunewise eval`)."""

    id: str
    title: str
    expected: str
    acceptable: tuple[str, ...]
    answers: Mapping[str, AnswerValue]
    border: str = ""
    organisation: str = ""
    date: str = ""
    source_url: str = ""
    source_title: str = ""
    source_kind: str = ""
    what_they_did: str = ""
    how_it_went: str = ""
    estimated: tuple[str, ...] = ()
    notes: str = ""
    origin: str = ""  # "cases/x.jsonl line 3": where problems and duplicates are reported


def parse_cases(lines: Sequence[str], bank: Bank, name: str, problems: list[str], strict: bool = True) -> list[Case]:
    """The cases of one JSONL text, appending what is wrong with each line to problems."""
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not valid JSON ({error.msg})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        if isinstance(raw.get("id"), str) and raw["id"].strip():
            where += f" ({raw['id']})"
        before = len(problems)
        case = _case(raw, bank, where, f"{name} line {number}", problems, strict)
        if len(problems) == before:
            cases.append(case)
    return cases


def unique_ids(cases: Sequence[Case], problems: list[str]) -> None:
    """Every case id once, over all files."""
    seen: dict[str, str] = {}
    for case in cases:
        if case.id in seen:
            problems.append(f"{case.origin}: duplicate case id {case.id!r} (also {seen[case.id]})")
        seen.setdefault(case.id, case.origin)


def _empty(value: Any) -> bool:
    """A required field left out, null, blank, or an empty list or object."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, (list, dict)) and not value)


def _case(raw: Mapping[str, Any], bank: Bank, where: str, origin: str, problems: list[str], strict: bool) -> Case:
    """Check one parsed line and build its Case (meaningless when problems were added)."""
    required = REQUIRED if strict else EVAL_REQUIRED
    problems += [f"{where}: missing or empty {key}" for key in required if _empty(raw.get(key))]
    text = {key: raw.get(key, "") for key in (*TEXT_FIELDS, "notes")}
    for key, value in text.items():
        if not isinstance(value, str):
            problems.append(f"{where}: {key} must be text")
            text[key] = ""
    if strict:
        problems += [f"{where}: unknown field {key!r}" for key in raw if key not in REQUIRED + OPTIONAL]
        _check_source(text["source_url"], text["source_kind"], where, problems)
        if text["date"] and not DATE.fullmatch(text["date"]):
            problems.append(f"{where}: date {text['date']!r} must look like 2024, 2024-05 or 2024-05-31")
    if text["border"] and text["border"] not in BORDERS:
        problems.append(f"{where}: border {text['border']!r} is not one of {', '.join(BORDERS)}")
    acceptable = _outcomes(raw, text["expected"], where, problems)
    answers = _answers(raw.get("answers"), bank, where, problems)
    estimated = raw.get("estimated", [])
    if not isinstance(estimated, list) or not all(isinstance(q, str) for q in estimated):
        problems.append(f"{where}: estimated must be a list of question ids")
        estimated = []
    problems += [f"{where}: estimated names unknown question {q!r}" for q in estimated if q not in bank.questions]
    return Case(
        id=text["id"], title=text["title"], expected=text["expected"], acceptable=acceptable, answers=answers,
        border=text["border"], organisation=text["organisation"], date=text["date"], source_url=text["source_url"],
        source_title=text["source_title"], source_kind=text["source_kind"], what_they_did=text["what_they_did"],
        how_it_went=text["how_it_went"], estimated=tuple(estimated), notes=text["notes"], origin=origin,
    )


def _check_source(url: str, kind: str, where: str, problems: list[str]) -> None:
    """An http(s) address; a specification scenario may name its seed article's file instead."""
    if not url:
        return
    parts = urlparse(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return
    if kind == SPEC_SCENARIO and SEED_FILE.fullmatch(url):
        return
    problems.append(f"{where}: source_url {url!r} must be an http(s) URL")


def _outcomes(raw: Mapping[str, Any], expected: str, where: str, problems: list[str]) -> tuple[str, ...]:
    """The acceptable approaches; expected must be an approach and among them."""
    names = ", ".join(APPROACH_IDS)
    if expected and expected not in APPROACH_IDS:
        problems.append(f"{where}: expected {expected!r} is not an approach ({names})")
    listed = raw.get("acceptable")
    if listed is None:
        return ()
    if not isinstance(listed, list) or not all(isinstance(a, str) for a in listed):
        problems.append(f"{where}: acceptable must be a list of approaches")
        return ()
    problems += [f"{where}: acceptable {a!r} is not an approach ({names})" for a in listed if a not in APPROACH_IDS]
    if expected and listed and expected not in listed:
        problems.append(f"{where}: expected {expected!r} is not among acceptable {listed}")
    return tuple(listed)


def _answers(raw: Any, bank: Bank, where: str, problems: list[str]) -> dict[str, AnswerValue]:
    """The answers, each checked against the bank: unknown ids, invalid options, numbers out of range."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: answers must be a JSON object")
        return {}
    answers: dict[str, AnswerValue] = {}
    for qid, value in raw.items():
        question = bank.questions.get(qid)
        if question is None:
            problems.append(f"{where}: answers: unknown question {qid!r}")
            continue
        problem = _answer_problem(question, value)
        if problem:
            problems.append(f"{where}: answers.{qid}: {problem}")
        answers[qid] = tuple(value) if isinstance(value, list) else value
    multi = [q.id for q in bank.questions.values() if q.kind is Kind.MULTI]
    problems += [f"{where}: answers.{q}: missing (it cannot be unknown)" for q in multi if raw and q not in raw]
    return answers


def _answer_problem(q: Question, value: Any) -> str:
    """What is wrong with one answer, or ""."""
    if q.kind is Kind.MULTI:
        if value == UNKNOWN:
            return "'unknown' is not allowed: the gap types must be answered"
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return "must be a non-empty list of options"
        wrong = [v for v in value if v not in q.option_values()]
        return f"{wrong} not among {list(q.option_values())}" if wrong else ""
    if value == UNKNOWN:
        return ""
    if q.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} must be a whole number or 'unknown'"
        return "" if q.minimum <= value <= q.maximum else f"{value} is out of range {q.minimum}..{q.maximum}"
    return "" if value in q.option_values() else f"{value!r} is not one of {list(q.option_values())}"
