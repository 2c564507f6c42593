"""A report's charts, drawn on the server with matplotlib (as the pathways charts are) into PNG bytes.

The same series the cockpit's chart shows (the caller passes them in the shown unit). The drawing is
deterministic: no date or software stamp in the PNG, a fixed size and resolution, so the same figures
give the same bytes and a report's hash can be reproduced. Chinese labels use Noto Sans CJK SC (the
Makefile's ``fonts`` target installs ``fonts-noto-cjk``); without a CJK font the labels would be boxes,
so :func:`cjk_font` says which font is used and the report states it.
"""

from __future__ import annotations

import io
from functools import cache

from carbonpeak.reports.document import Chart

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")
COLOURS = ("#9a9a9a", "#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae")


@cache
def cjk_font() -> str | None:
    """The first font matplotlib knows that can draw Chinese, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def png(chart: Chart, width_in: float = 7.0, height_in: float = 3.0, dpi: int = 110) -> bytes:
    """The chart as PNG bytes."""
    # a Figure on the Agg canvas, without pyplot: the same drawing, and pyplot's import (a third of a second
    # in a process's first report) and its figure manager are not needed on a server
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    with matplotlib.rc_context():
        matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["axes.unicode_minus"] = False
        fig = Figure(figsize=(width_in, height_in), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        positions = list(range(len(chart.x)))
        if chart.kind == "bars":
            count = max(len(chart.series), 1)
            width = 0.8 / count
            for i, (name, values) in enumerate(chart.series):
                shifted = [p - 0.4 + width * (i + 0.5) for p in positions]
                heights = [v if v is not None else 0.0 for v in values]
                ax.bar(shifted, heights, width=width, label=name, color=COLOURS[i % len(COLOURS)])
        else:
            for i, (name, values) in enumerate(chart.series):
                ys = [v if v is not None else float("nan") for v in values]
                ax.plot(positions, ys, marker="o", markersize=3, label=name, color=COLOURS[i % len(COLOURS)])
        ax.set_xticks(positions)
        ax.set_xticklabels(chart.x, fontsize=8)
        ax.set_ylabel(chart.unit, fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        if len(chart.series) > 1:
            ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        out = io.BytesIO()
        # no "Software" or date chunk: the same chart gives the same bytes
        fig.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()
