"""Moderation thresholds: per category a `review` and a `block` level in 0..1 (None = off)."""

import json
from functools import cache
from typing import TYPE_CHECKING, Annotated, Literal, NamedTuple, TypedDict

from pydantic import ConfigDict, Field, ValidationError, with_config

if TYPE_CHECKING:
    from pydantic import TypeAdapter

Suggestion = Literal["pass", "review", "block"]
SUGGESTION_RANK: dict[str, int] = {"pass": 0, "review": 1, "block": 2}

DEFAULT_CATEGORY = "default"


class Level(NamedTuple):
    """The two levels of one category; a level of None never triggers. A NamedTuple, not a
    model: the defaults cost no validator build at cold start; an override is validated below."""

    review: float | None = None
    block: float | None = None


LevelValue = Annotated[float | None, Field(ge=0, le=1)]


@with_config(ConfigDict(extra="forbid", allow_inf_nan=False))
class LevelInput(TypedDict, total=False):
    """One category of MODERATION_THRESHOLDS as the operator writes it."""

    review: LevelValue
    block: LevelValue


@cache
def _level_input() -> "TypeAdapter[LevelInput]":
    """Built on the first override only: a deployment on the defaults never builds it."""
    from pydantic import TypeAdapter

    return TypeAdapter(LevelInput)


DEFAULT_THRESHOLDS: dict[str, Level] = {
    "porn": Level(review=0.6, block=0.9),
    "sexy": Level(review=0.9, block=None),
    "terrorism": Level(review=0.6, block=0.9),
    DEFAULT_CATEGORY: Level(review=0.8, block=0.95),
}


class ThresholdsError(ValueError):
    """MODERATION_THRESHOLDS is not what it must be; the message says what is wrong."""


def parse_thresholds(raw: str | None) -> dict[str, Level]:
    """Merge the JSON override onto the defaults, category by category.

    A category named in the override takes the levels it gives; a level it leaves out keeps the
    default of that category (or of `default` for a new category); an explicit null turns it off.
    """
    thresholds = dict(DEFAULT_THRESHOLDS)
    if raw is None or not raw.strip():
        return thresholds
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ThresholdsError(f"MODERATION_THRESHOLDS is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        example = '{"porn": {"review": 0.6, "block": 0.9}}'
        raise ThresholdsError(f"MODERATION_THRESHOLDS must be a JSON object like {example}")
    problems: list[str] = []
    for name, levels in data.items():
        category = str(name).strip().lower()
        if not isinstance(levels, dict):
            problems.append(f"{name}: must be an object with review and/or block")
            continue
        base = thresholds.get(category, thresholds[DEFAULT_CATEGORY])
        try:
            thresholds[category] = Level(
                **_level_input().validate_python({**base._asdict(), **levels})
            )
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in (name, *err["loc"]))
                problems.append(f"{where}: {err['msg']}")
    if problems:
        raise ThresholdsError("MODERATION_THRESHOLDS is malformed: " + "; ".join(problems))
    return thresholds


def level_for(thresholds: dict[str, Level], category: str) -> Level:
    return thresholds.get(category) or thresholds[DEFAULT_CATEGORY]


def judge(level: Level, score: float | None, vendor_review: bool | None) -> Suggestion:
    """One finding's suggestion against its category's levels."""
    if score is None:
        # The vendor judged the image at its own threshold and gave no score: a human should look,
        # unless the category is switched off entirely.
        return "pass" if level.review is None and level.block is None else "review"
    if level.block is not None and score >= level.block:
        return "block"
    if (level.review is not None and score >= level.review) or vendor_review:
        return "review"
    return "pass"


def strongest(suggestions: list[Suggestion]) -> Suggestion:
    return max(suggestions, key=SUGGESTION_RANK.__getitem__, default="pass")
