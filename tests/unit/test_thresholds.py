"""Threshold levels: exact edges, null levels, the vendor's review flag, configuration errors."""

from __future__ import annotations

import pytest

from media_callbacks.normalise import normalise
from media_callbacks.settings import ConfigError, load_settings
from media_callbacks.thresholds import DEFAULT_THRESHOLDS, Level, judge, parse_thresholds

PORN = Level(review=0.6, block=0.9)


@pytest.mark.parametrize(
    ("score", "vendor_review", "expected"),
    [
        (0.9, False, "block"),  # exactly at block
        (0.8999, False, "review"),
        (0.6, False, "review"),  # exactly at review
        (0.5999, False, "pass"),
        (0.1, True, "review"),  # the vendor asks for a human
        (0.95, True, "block"),
        (None, False, "review"),  # no score: the vendor judged it at its own threshold
    ],
)
def test_porn_levels(score: float | None, vendor_review: bool, expected: str) -> None:
    assert judge(PORN, score, vendor_review) == expected


def test_null_levels_turn_a_level_off() -> None:
    no_block = Level(review=0.9, block=None)
    assert judge(no_block, 1.0, False) == "review"
    off = Level(review=None, block=None)
    assert judge(off, 1.0, False) == "pass"
    assert judge(off, None, False) == "pass"
    assert judge(off, 0.2, True) == "review"  # the vendor's own flag still counts


def test_defaults_match_the_contract() -> None:
    thresholds = parse_thresholds(None)
    assert thresholds["porn"] == Level(review=0.6, block=0.9)
    assert thresholds["sexy"] == Level(review=0.9, block=None)
    assert thresholds["terrorism"] == Level(review=0.6, block=0.9)
    assert thresholds["default"] == Level(review=0.8, block=0.95)


def test_override_replaces_named_levels_and_keeps_the_rest() -> None:
    thresholds = parse_thresholds('{"porn": {"review": 0.5}, "Sexy": {"review": null}, '
                                  '"violence": {"block": 0.7}}')  # fmt: skip
    assert thresholds["porn"] == Level(review=0.5, block=0.9)
    assert thresholds["sexy"] == Level(review=None, block=None)
    assert thresholds["violence"] == Level(review=0.8, block=0.7)  # review from default
    assert thresholds["terrorism"] == DEFAULT_THRESHOLDS["terrorism"]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("{porn: 1}", "not valid JSON"),
        ("[1]", "must be a JSON object"),
        ('{"porn": 0.5}', "porn: must be an object"),
        ('{"porn": {"review": 1.5}}', "porn.review: Input should be less than or equal to 1"),
        ('{"porn": {"warn": 0.5}}', "porn.warn: Extra inputs are not permitted"),
    ],
)
def test_malformed_thresholds_fail_at_start_with_a_clear_message(raw: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"TABLE_NAME": "t-1", "CALLBACK_TOKEN": "x", "MODERATION_THRESHOLDS": raw})
    assert "MODERATION_THRESHOLDS" in str(caught.value)
    assert fragment in str(caught.value)


def test_other_settings_errors_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="TABLE_NAME: Field required"):
        load_settings({"CALLBACK_TOKEN": "x"})
    with pytest.raises(ConfigError, match="CALLBACK_TOKEN_SECRET"):
        load_settings({"TABLE_NAME": "table"}).require_token_source()
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        load_settings({"TABLE_NAME": "table", "CALLBACK_TOKEN": "x", "RETENTION_DAYS": "-1"})
    # each function names what it needs itself: one settings model for the three of them
    with pytest.raises(ConfigError, match="set ALERT_TOPIC_ARN, INGEST_QUEUE_URL"):
        load_settings({"TABLE_NAME": "table"}).require("alert_topic_arn", "ingest_queue_url")


def test_ctyun_scale_is_divided_by_100_before_judging() -> None:
    payload = {
        "eventType": "AIContentReviewComplete",
        "taskId": "t",
        "status": "SUCCESS",
        "aiVideoContentReviewInfo": {
            "porn": {"status": "SUCCESS", "output": {"label": "porn", "segmentSet": [
                {"confidence": 90, "url": "https://x/a.jpg"},
                {"confidence": 60, "url": "https://x/b.jpg"},
                {"confidence": 59, "url": "https://x/c.jpg"},
            ]}},
        },
    }  # fmt: skip
    result = normalise("ctyun", None, payload, DEFAULT_THRESHOLDS)
    assert result.moderation is not None
    assert [(f.score, f.suggestion) for f in result.moderation.findings] == [
        (0.9, "block"),
        (0.6, "review"),
        (0.59, "pass"),
    ]
    # pass findings are kept but do not count in categories and max_score
    assert result.moderation.max_score == 0.9


def test_only_non_pass_findings_count_towards_max_score() -> None:
    payload = {"retcode": 0, "task_id": "t", "invalid_image_list": [
        {"name": "a", "rate": 0.95, "label": 1},
        {"name": "b", "rate": 0.3, "label": 0},
    ]}  # fmt: skip
    thresholds = parse_thresholds('{"sexy": {"review": 0.99}}')
    result = normalise("umedia", "moderation", payload, thresholds)
    assert result.moderation is not None
    assert result.moderation.suggestion == "pass"
    assert result.moderation.max_score is None
    assert result.moderation.categories == []
    assert result.flagged is False
