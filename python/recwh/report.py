"""An HTML report of one `recwh evaluate` run: metric bars, metric-vs-k curves and
coverage against popularity bias, as PNGs embedded in a single self-contained file."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING

from recwh.spark import home

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

BAR_METRICS = ("precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "coverage")
CURVE_METRICS = ("precision", "recall", "ndcg", "map")


def reports_dir() -> Path:
    return home() / "reports"


def popularity_bias(recommended: DataFrame, train: DataFrame, k: int) -> float:
    """Mean share of training users who interacted with a recommended item (higher = more popular)."""
    from pyspark.sql import functions as F

    n_users = train.select("user_id").distinct().count()
    reach = train.groupBy("item_id").agg((F.count("*") / F.lit(n_users)).alias("reach"))
    row = recommended.where(F.col("rank") <= k).join(reach, "item_id", "left") \
        .agg(F.avg(F.coalesce("reach", F.lit(0.0)))).first()
    return float(row[0] or 0.0)


def _png(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _figures(rows: list[dict], curves: dict[str, list[dict]], bias: dict[str, float], k: int) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    models = [r["model_name"] for r in rows]
    figures = []

    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(models)
    for i, row in enumerate(rows):
        ax.bar([m + i * width for m in range(len(BAR_METRICS))], [row[m] for m in BAR_METRICS],
               width, label=row["model_name"])
    ax.set_xticks([m + width * (len(models) - 1) / 2 for m in range(len(BAR_METRICS))],
                  [m.replace("_at_10", f"@{k}") for m in BAR_METRICS])
    ax.set_ylabel("mean over test users")
    ax.legend()
    figures.append(("Metrics per model", _png(fig)))

    fig, axes = plt.subplots(1, len(CURVE_METRICS), figsize=(14, 3.5))
    for ax, metric in zip(axes, CURVE_METRICS):
        for model in models:
            points = curves[model]
            ax.plot([p["k"] for p in points], [p[metric] for p in points], marker=".", label=model)
        ax.set_title(f"{metric}@k")
        ax.set_xlabel("k")
    axes[0].legend(fontsize="small")
    figures.append(("Metrics against list length k", _png(fig)))

    fig, ax = plt.subplots(figsize=(6, 4))
    for row in rows:
        ax.scatter(bias[row["model_name"]], row["coverage"], s=60)
        ax.annotate(row["model_name"], (bias[row["model_name"]], row["coverage"]),
                    textcoords="offset points", xytext=(5, 5))
    ax.set_xlabel("popularity of recommended items (share of training users)")
    ax.set_ylabel(f"catalog coverage @{k}")
    figures.append(("Coverage against popularity bias", _png(fig)))
    return figures


def write_report(spark: SparkSession, run_id: str, rows: list[dict], curves: dict[str, list[dict]],
                 lists: dict, train: DataFrame, k: int) -> Path:
    bias = {name: popularity_bias(recs, train, k) for name, (recs, _) in lists.items() if recs is not None}
    figures = _figures(rows, curves, bias, k)
    columns = ["model_name", "n_users", *BAR_METRICS, "rmse", "mae"]
    table = "".join(
        "<tr>" + "".join(
            f"<td>{html.escape(str(row[c])) if isinstance(row[c], str) or c == 'n_users' else ('-' if row[c] is None else f'{row[c]:.4f}')}</td>"
            for c in columns
        ) + f"<td>{bias[row['model_name']]:.4f}</td></tr>"
        for row in rows
    )
    body = "".join(f"<h2>{html.escape(title)}</h2><img src='data:image/png;base64,{png}'>" for title, png in figures)
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>recwh evaluation {run_id}</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:2px 8px;text-align:right}} img{{max-width:100%}}</style>
</head><body>
<h1>recwh evaluation {run_id}</h1>
<p>Per-user random split of the interactions (train / held out); top {k} per user, excluding the
user's training items; relevant = the user's held-out items. Rows of <code>ml.evaluation_runs</code>.</p>
<table><tr>{''.join(f'<th>{c.replace("_at_10", f"@{k}")}</th>' for c in columns)}<th>popularity bias</th></tr>{table}</table>
{body}
</body></html>
"""
    reports_dir().mkdir(parents=True, exist_ok=True)
    path = reports_dir() / f"evaluation-{run_id}.html"
    path.write_text(page)
    return path
