"""The ratings chart in `/feedback summary`: how many people gave each rating, and the average.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, safe in a worker
thread). The numbers drawn are also written into the PNG's text metadata, so a screen reader
user, or a test, can read them without looking at the picture.
"""

from __future__ import annotations

import io

RATING_WORDS = {1: "not good", 2: "", 3: "okay", 4: "", 5: "very good"}


def describe(counts: dict[int, int], average: float | None) -> str:
    """The chart in words: "ratings 1:0 2:1 3:0 4:1 5:1; average 3.67; 3 ratings"."""
    per_rating = " ".join(f"{value}:{counts.get(value, 0)}" for value in range(1, 6))
    mean = "none" if average is None else f"{average:.2f}"
    return f"ratings {per_rating}; average {mean}; {sum(counts.values())} ratings"


def rating_chart(title: str, counts: dict[int, int], average: float | None) -> bytes:
    """A PNG bar chart of `counts` (rating 1-5 -> how many gave it)."""
    # Imported here: matplotlib takes most of a second and ~30 MB to load, which every start
    # would pay for a chart coordinators ask for now and then.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    values = list(range(1, 6))
    heights = [counts.get(value, 0) for value in values]
    figure = Figure(figsize=(6.4, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(values, heights, color="#3b6ea5")
    axes.bar_label(bars, labels=[str(height) for height in heights])
    axes.set_xticks(values, [f"{value}\n{RATING_WORDS[value]}" for value in values])
    axes.set_ylabel("People")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*heights, 1]) * 1.2)
    if average is not None:
        axes.axvline(average, linestyle="--", color="black")
        axes.text(average, axes.get_ylim()[1] * 0.95, f" average {average:.1f}", va="top")
    axes.set_title(f"{title}: {sum(heights)} ratings")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="png", metadata={"Title": title, "Description": describe(counts, average)}
    )
    return buffer.getvalue()
