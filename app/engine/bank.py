"""Load and validate the question bank from parsed TOML; report every problem at once."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from . import applies
from .model import UNKNOWN, AnswerValue, Bank, Kind, Option, Question, Source, Step

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class BankError(ValueError):
    """The data files are invalid; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid Tunewise data:\n- " + "\n- ".join(problems))
        self.problems = problems


def read_toml(name: str, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Parse one data file from the data directory."""
    with open(data_dir / name, "rb") as handle:
        return tomllib.load(handle)


def load_bank(data_dir: Path = DATA_DIR) -> Bank:
    """Read questions.toml and sources.toml and return the validated bank."""
    return build_bank(read_toml("questions.toml", data_dir), read_toml("sources.toml", data_dir))


def build_bank(raw: dict[str, Any], raw_sources: dict[str, Any]) -> Bank:
    """Validate parsed TOML and build the bank, raising BankError with every problem."""
    problems: list[str] = []
    sources = {tag: Source(tag, str(s.get("title", "")), str(s.get("url", ""))) for tag, s in raw_sources.items()}
    step_slugs = [str(s.get("slug", "")) for s in raw.get("steps", [])]
    if len(set(step_slugs)) != len(step_slugs):
        problems.append("duplicate step slugs")
    questions: dict[str, Question] = {}
    for order, item in enumerate(raw.get("questions", [])):
        question = _question(item, order, step_slugs, sources, problems)
        if question is None:
            continue
        if question.id in questions:
            problems.append(f"duplicate question id {question.id!r}")
        questions[question.id] = question
    steps = tuple(
        Step(
            slug=slug,
            title=str(s.get("title", "")),
            intro=str(s.get("intro", "")),
            number=n,
            question_ids=tuple(q.id for q in questions.values() if q.step == slug),
        )
        for n, (slug, s) in enumerate(zip(step_slugs, raw.get("steps", [])), start=1)
    )
    problems += [f"step {s.slug!r} has no questions" for s in steps if not s.question_ids]
    problems += applies.problems_of(questions)
    if problems:
        raise BankError(problems)
    return Bank(str(raw.get("bank_version", "")), steps, questions, sources)


def _question(
    item: dict[str, Any], order: int, steps: list[str], sources: dict[str, Source], problems: list[str]
) -> Question | None:
    """Build one question, appending what is wrong with it to problems."""
    qid = str(item.get("id", ""))
    where = f"question {qid or order!r}"
    try:
        kind = Kind(item.get("kind"))
    except ValueError:
        problems.append(f"{where}: unknown kind {item.get('kind')!r}")
        return None
    for key in ("id", "label", "help", "why"):
        if not str(item.get(key, "")).strip():
            problems.append(f"{where}: missing {key}")
    if item.get("step") not in steps:
        problems.append(f"{where}: unknown step {item.get('step')!r}")
    cited = tuple(str(t) for t in item.get("sources", []))
    problems += [f"{where}: unknown source tag {t!r}" for t in cited if t not in sources]
    if not cited:
        problems.append(f"{where}: names no source")
    options = tuple(Option(str(o["value"]), str(o["label"])) for o in item.get("options", []))
    default: AnswerValue | None = item.get("default")
    if kind is Kind.INT:
        _check_int(item, where, problems)
    else:
        _check_choice(options, default, kind, where, problems)
    return Question(
        id=qid,
        step=str(item.get("step", "")),
        order=order,
        kind=kind,
        label=str(item.get("label", "")),
        help=str(item.get("help", "")),
        why=str(item.get("why", "")),
        sources=cited,
        options=options,
        default=default,
        unit=str(item.get("unit", "")),
        minimum=int(item.get("minimum", 0)),
        maximum=int(item.get("maximum", 0)),
        applies_when=applies.requirements(item.get("applies_when"), where, problems),
    )


def _check_int(item: dict[str, Any], where: str, problems: list[str]) -> None:
    """A numeric question needs a unit and a default inside its bounds."""
    low, high, default = item.get("minimum"), item.get("maximum"), item.get("default")
    if not isinstance(low, int) or not isinstance(high, int) or low > high:
        problems.append(f"{where}: needs integer minimum <= maximum")
    elif not isinstance(default, int) or not low <= default <= high:
        problems.append(f"{where}: default must be an integer within its bounds")
    if not item.get("unit"):
        problems.append(f"{where}: missing unit")


def _check_choice(
    options: tuple[Option, ...], default: AnswerValue | None, kind: Kind, where: str, problems: list[str]
) -> None:
    """A choice question needs unique options and a default among them (multi: none)."""
    values = [o.value for o in options]
    if len(values) < 2 or len(set(values)) != len(values):
        problems.append(f"{where}: needs at least two distinct options")
    if UNKNOWN in values:
        problems.append(f"{where}: the option value {UNKNOWN!r} is reserved for \"Not sure\"")
    if kind is Kind.SINGLE and default not in values:
        problems.append(f"{where}: default {default!r} is not one of its options")
    if kind is Kind.MULTI and default is not None:
        problems.append(f"{where}: a multi-select question has no default (reading 18)")
