"""`make cost`: every line from the template, our code and the bench's figures, within the
budget of issue 22 at the default parameters."""

from __future__ import annotations

import copy

import pytest

import cost


def total(rows: list[tuple[str, str, float]]) -> float:
    return sum(usd for _, _, usd in rows)


def test_the_defaults_cost_at_most_6_usd_per_million_and_10_a_month() -> None:
    assert round(total(cost.per_million()), 2) <= 6.00
    assert round(sum(usd for _, usd in cost.monthly()), 2) <= 10.00


def test_a_month_is_the_traffic_at_its_volume_plus_the_fixed_costs() -> None:
    fixed = sum(usd for _, usd in cost.monthly())
    months = cost.months()
    assert [name for name, *_ in months] == ["1 million", "10 million", "100 million"]
    for (_, traffic, fixed_part, whole), callbacks in zip(months, (1, 10, 100), strict=True):
        assert fixed_part == fixed
        assert whole == pytest.approx(traffic + fixed)
        assert traffic == pytest.approx(total(cost.per_million(callbacks * 1e6)) * callbacks)


def with_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = copy.deepcopy(cost.template())
    changed["Parameters"]["EnableTracing"]["Default"] = "true"
    monkeypatch.setattr(cost, "template", lambda: changed)


def test_x_ray_prices_what_the_template_traces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off by default; with EnableTracing every callback up to 1 a second (2.6 million a month),
    then 5% of the rest: Lambda's own rule."""
    assert cost.traced_per_million(1e6) == 0
    with_tracing(monkeypatch)
    flagged = 2 * cost.TRAFFIC["flagged_share"] * 1e6  # an alert and an evidence invocation
    assert cost.traced_per_million(1e6) == pytest.approx(1e6 + flagged)
    rate = 100e6 / cost.SECONDS_A_MONTH
    kept = (1 + 0.05 * (rate - 1)) / rate
    assert cost.traced_per_million(100e6) == pytest.approx(kept * 1e6 + flagged)
    [xray] = [usd for name, _, usd in cost.per_million() if name == "X-Ray"]
    assert xray == pytest.approx(5.00 + flagged * 5 / 1e6)


def test_lambdas_own_log_lines_are_priced_only_when_the_template_keeps_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quiet, _ = cost.log_cost_per_million()
    changed = copy.deepcopy(cost.template())
    changed["Parameters"]["LogLevel"]["Default"] = "DEBUG"
    monkeypatch.setattr(cost, "template", lambda: changed)
    cost.callback_log_lines.cache_clear()
    try:
        debugging, _ = cost.log_cost_per_million()
    finally:
        cost.callback_log_lines.cache_clear()
    assert debugging - quiet == sum(len(line.encode()) for line in cost.PLATFORM_LINES)


def test_the_custom_metrics_line_counts_what_the_code_declares() -> None:
    from media_callbacks.observability import METRICS

    declared = sum(len(values) for dims in METRICS.values() for values in dims.values())
    [metrics] = [(name, usd) for name, usd in cost.monthly() if "custom metrics" in name]
    assert metrics == (f"{declared} custom metrics (observability.METRICS)", declared * 0.30)
