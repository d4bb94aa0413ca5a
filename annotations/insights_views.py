"""The desk's dashboard for chiefs: /insights/, its tables as CSV, its charts as SVG.

The figures come from selectors.insights (aggregate SQL); this module only lays them out:
a chart (charts.py, server-drawn SVG) beside a table with the same numbers, and a CSV per
table. The API's /api/v1/insights/ answers the same dictionary as JSON.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors
from .charts import Bar, bar_chart
from .exports import csv_cell
from .review_views import _require
from .views import newsroom_required


def reason_text(reason: str | None) -> str:
    """What an undefined alpha's reason code (agreement.NO_PAIRS, NO_VARIATION) means."""
    if reason == "no_pairs":
        return _("no claim has two ratings yet (one rater, or none)")
    if reason == "no_variation":
        return _("every rating is the same, so alpha is undefined (no disagreement to expect)")
    return ""


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# --- the tables, as (header, rows) for the page and the CSV ----------------------------------


def _ratings_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = [[r["rating"], r["name"], r["count"]] for r in figures["verdicts_by_rating"]["ratings"]]
    return ["rating", "name", "count"], rows


def _claimants_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    slugs = [r["rating"] for r in figures["verdicts_by_rating"]["ratings"]]
    rows = [
        [c["claimant"], c["kind"], c["total"], *(c["ratings"].get(slug, 0) for slug in slugs)]
        for c in figures["verdicts_by_rating"]["by_claimant"]
    ]
    return ["claimant", "kind", "total", *slugs], rows


def _timings_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for week in figures["timings"]["weeks"]:
        for step in selectors.TIMING_STEPS:
            spread = week[step]
            rows.append([week["week"], step, spread["median"], spread["p90"], spread["items"]])
    return ["week", "step", "median_hours", "p90_hours", "items"], rows


def _queues_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    columns = ["reviewer", "pending", "overdue", "median_age_hours", "oldest_age_hours"]
    return columns, [[q[c] for c in columns] for q in figures["queues"]]


def _checks_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    checks = figures["source_checks"]
    rows = [["status", s["status"], s["count"]] for s in checks["statuses"]]
    rows += [["quote", key, count] for key, count in checks["quote"].items()]
    return ["kind", "value", "count"], rows


def _agreement_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    figures = figures["agreement"]
    overall = figures["overall"]
    rows = [["overall", "", overall["alpha"], overall["items"], overall["reason"] or ""]]
    for pair in figures["pairs"]:
        key = " + ".join(pair["reviewers"])
        rows.append(["pair", key, pair["alpha"], pair["items"], pair["reason"] or ""])
    for month in figures["months"]:
        rows.append(
            ["month", month["month"], month["alpha"], month["items"], month["reason"] or ""]
        )
    return ["scope", "key", "alpha", "items", "reason"], rows


TABLES: dict[str, Callable[[dict[str, Any]], tuple[list[str], list[list[Any]]]]] = {
    "ratings": _ratings_table,
    "claimants": _claimants_table,
    "timings": _timings_table,
    "queues": _queues_table,
    "source-checks": _checks_table,
    "agreement": _agreement_table,
}


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    class Lines(list):
        def write(self, value: str) -> None:
            self.append(value)

    lines = Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "".join(lines)


# --- the charts -------------------------------------------------------------------------------


def _charts(figures: dict[str, Any]) -> dict[str, Any]:
    ratings = figures["verdicts_by_rating"]["ratings"]
    charts: dict[str, Any] = {
        "ratings": bar_chart(
            chart_id="chart-ratings",
            title=_("Approved verdicts by rating"),
            desc=_("One bar per rating; its length is the number of approved verdicts."),
            bars=[Bar(r["name"], r["count"], str(r["count"]), r["colour"]) for r in ratings],
        )
    }
    steps = {
        "assignment": _("Tag to assignment"),
        "proposal": _("Tag to proposal"),
        "approval": _("Tag to approval"),
    }
    for step, title in steps.items():
        weeks = figures["timings"]["weeks"]
        charts[f"timing_{step}"] = bar_chart(
            chart_id=f"chart-timing-{step}",
            title=title,
            desc=_("Hours per week: the bar is the median, the tick the 90th percentile."),
            bars=[
                Bar(
                    week["week"],
                    week[step]["median"],
                    _number(week[step]["median"]),
                    mark=week[step]["p90"],
                )
                for week in weeks
            ],
        )
    charts["queues"] = bar_chart(
        chart_id="chart-queues",
        title=_("Pending items per reviewer"),
        desc=_("One bar per reviewer: pending items, with the overdue ones in brackets."),
        bars=[
            Bar(q["reviewer"], q["pending"], f"{q['pending']} ({q['overdue']})")
            for q in figures["queues"]
        ],
    )
    charts["checks"] = bar_chart(
        chart_id="chart-checks",
        title=_("Source checks by outcome"),
        desc=_("One bar per status of the source checks."),
        bars=[
            Bar(s["name"], s["count"], str(s["count"]))
            for s in figures["source_checks"]["statuses"]
        ],
    )
    months = figures["agreement"]["months"]
    charts["agreement"] = bar_chart(
        chart_id="chart-agreement",
        title=_("Agreement per month (Krippendorff's alpha, ordinal)"),
        desc=_("One bar per month from -1 to 1; a month without a value has no bar."),
        bars=[Bar(m["month"], m["alpha"], _number(m["alpha"], 2)) for m in months],
        low=-1.0,
        high=1.0,
    )
    return charts


@newsroom_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    _require(request.user, "insights.view")
    now = timezone.now()
    figures = selectors.insights(now=now)
    agreement = figures["agreement"]
    for figure in [agreement["overall"], *agreement["pairs"], *agreement["months"]]:
        figure["reason_text"] = reason_text(figure["reason"])
    context = {"figures": figures, "charts": _charts(figures), "generated_at": now}
    return render(request, "annotations/insights.html", context)


@newsroom_required
@require_GET
def insights_csv(request: HttpRequest, table: str) -> HttpResponse:
    _require(request.user, "insights.view")
    make = TABLES.get(table)
    if make is None:
        raise Http404(_("There is no such table."))
    header, rows = make(selectors.insights())
    response = HttpResponse(_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="insights-{table}.csv"'
    return response
