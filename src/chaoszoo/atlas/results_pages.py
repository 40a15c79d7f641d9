"""Leaderboard, feature-map and about pages of the atlas."""

from __future__ import annotations

import numpy as np

from chaoszoo.atlas.pages import _table, e, fmt, layout
from chaoszoo.atlas.sources import FEATURES_COMMAND, FORECAST_COMMAND, HIGHER_IS_BETTER


def _leaderboard_frame(proto, metric):
    """Median with bootstrap interval, mean rank, failures per model (chaoszoo.forecast's
    leaderboard when it accepts the table; otherwise medians computed here)."""
    df = proto.frame
    try:
        from chaoszoo.forecast.ranking import leaderboard

        by = ("variant",) if "variant" in df.columns and df["variant"].nunique() > 1 else ()
        need = {"status", "ic", "variant"}
        if need <= set(df.columns):
            return leaderboard(df, metric=metric, by=by), list(by)
    except Exception:  # noqa: BLE001 - schema drift: fall back to plain medians below
        pass
    import pandas as pd

    ok = proto.ok()
    higher = metric in HIGHER_IS_BETTER
    per_sys = ok.groupby(["model", "system"])[metric].median().unstack("model")
    ranks = per_sys.rank(axis=1, ascending=not higher)
    rows = []
    for model in sorted(df["model"].astype(str).unique()):
        v = ok[ok["model"] == model][metric].dropna()
        rows.append(dict(model=model, median=float(v.median()) if len(v) else np.nan,
                         q25=float(v.quantile(0.25)) if len(v) else np.nan,
                         q75=float(v.quantile(0.75)) if len(v) else np.nan, ci_low=np.nan, ci_high=np.nan,
                         mean_rank=float(ranks[model].mean()) if model in ranks else np.nan, n=int(len(v)),
                         failed=int(((df["model"] == model) & (df.get("status", "ok") != "ok")).sum())))
    lb = pd.DataFrame(rows).sort_values("median", ascending=not higher, na_position="last")
    return lb, []


def _correlations(proto, metric):
    try:
        from chaoszoo.forecast.ranking import invariant_correlations

        ok = proto.frame
        if "status" not in ok.columns:
            ok = ok.assign(status="ok")
        return invariant_correlations(ok, metric=metric)
    except Exception:  # noqa: BLE001
        return None


def leaderboard_page(proto) -> str:
    metric = proto.headline
    meta = proto.meta
    head = (f"<h1>Leaderboard: {e(proto.name)}</h1>"
            f"<p>{e(str(meta.get('description', '')))}</p>"
            f"<p>Protocol <code>{e(str(meta.get('display_name', proto.name)))}</code>, version "
            f"{e(str(meta.get('version', meta.get('protocol_version', '?'))))}; {len(proto.frame)} jobs, "
            f"{proto.frame['system'].nunique()} systems, {proto.frame['model'].nunique()} models. Regenerate with "
            f"<code>{e(proto.command)}</code>.</p>")
    if metric is None:
        return layout(f"Leaderboard {proto.name}", head + "<p>The results file has no metric columns.</p>", "../", "leaderboard")
    lb, group_cols = _leaderboard_frame(proto, metric)
    sections = []
    groups = [((), lb)] if not group_cols else list(lb.groupby(group_cols, sort=True))
    for key, g in groups:
        rows = []
        for i, (_, r) in enumerate(g.iterrows(), 1):
            ci = (f"[{fmt(r.get('ci_low'), 3)}, {fmt(r.get('ci_high'), 3)}]"
                  if np.isfinite(r.get("ci_low", np.nan)) else "–")
            rows.append([str(i), e(str(r["model"])), fmt(r["median"], 3), ci,
                         f"{fmt(r.get('q25'), 3)} – {fmt(r.get('q75'), 3)}", fmt(r.get("mean_rank"), 3),
                         str(int(r.get("n", 0))), str(int(r.get("failed", 0)))])
        label = ", ".join(f"{c} = {v}" for c, v in zip(group_cols, key if isinstance(key, tuple) else (key,)))
        cap = f"median {e(metric)}" + (f" ({e(label)})" if label else "") + (" (higher is better)" if metric in HIGHER_IS_BETTER else " (lower is better)")
        sections.append(_table(["#", "model", f"median {e(metric)}", "95% interval of the median (bootstrap over systems)",
                                "interquartile range", "mean rank", "jobs scored", "failed"], rows, cap, "num"))
    corr = _correlations(proto, metric)
    corr_html = "<p>Correlation with invariants could not be computed from this table.</p>"
    if corr is not None and len(corr):
        piv = corr.pivot_table(index="model", columns="invariant", values="rho")
        cols = list(piv.columns)
        rows = [[e(str(m))] + [fmt(piv.loc[m, c], 2) for c in cols] for m in piv.index]
        corr_html = _table(["model"] + [e(c) for c in cols], rows,
                           f"Spearman correlation between each model's per-system median {e(metric)} and the invariants", "num")
    figs = "".join(f'<figure><img src="figures/{e(p.name)}" alt="{e(p.stem.replace("_", " "))} (figure of the {e(proto.name)} report)" '
                   f'loading="lazy"><figcaption>{e(p.name)}</figcaption></figure>' for p in proto.figures)
    other = [m for m in proto.metrics if m != metric]
    body = (head + '<section aria-labelledby="lb-h"><h2 id="lb-h">Ranking</h2>' + "".join(sections) + "</section>"
            + '<section aria-labelledby="corr-h"><h2 id="corr-h">Accuracy and chaos</h2>' + corr_html + "</section>"
            + (f'<section aria-labelledby="fig-h"><h2 id="fig-h">Figures</h2><div class="figs">{figs}</div></section>' if figs else "")
            + (f"<p>Other metrics in the table: {e(', '.join(other))}.</p>" if other else ""))
    return layout(f"Leaderboard {proto.name}", body, "../", "leaderboard")


def leaderboard_index(protocols) -> str:
    if not protocols:
        body = ("<h1>Leaderboards</h1><p><strong>No forecasting results are shipped yet.</strong> The leaderboards appear "
                "here once result tables exist in <code>src/chaoszoo/forecast/data/results/&lt;protocol&gt;.parquet</code>. "
                f"Produce them with</p><pre><code>{e(FORECAST_COMMAND)}</code></pre><p>then rebuild the atlas with "
                "<code>chaoszoo atlas build --out site/</code>.</p>")
        return layout("Leaderboards", body, "../", "leaderboard")
    items = "".join(f'<li><a href="{e(p.name)}.html">{e(p.name)}</a>: {len(p.frame)} jobs, {p.frame["model"].nunique()} '
                    f'models, {p.frame["system"].nunique()} systems</li>' for p in protocols)
    body = f"<h1>Leaderboards</h1><p>One page per forecasting protocol.</p><ul>{items}</ul>"
    return layout("Leaderboards", body, "../", "leaderboard")


_PALETTE = ("#1b3a5c", "#c8553d", "#2a7f62", "#8a5a9e", "#b08a1e", "#3f88c5", "#6b6b6b", "#d17a9c", "#4c956c",
            "#7d4e24", "#1f7a8c", "#a23b72", "#5c6f2a", "#e07a5f", "#3d405b", "#81b29a", "#f2a541", "#5f0f40")


def feature_map_page(features, fields: dict[str, str]) -> str:
    if features is None:
        body = ("<h1>Feature map</h1><p><strong>No features table is shipped yet.</strong> The map of the catalog appears "
                "here once <code>src/chaoszoo/features/data/catch22.parquet</code> exists. Produce it with</p>"
                f"<pre><code>{e(FEATURES_COMMAND)}</code></pre><p>then rebuild the atlas.</p>")
        return layout("Feature map", body, "", "features")
    xy = features.xy
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    W, H, pad = 800, 560, 24
    pts = pad + (xy - lo) / span * np.array([W - 2 * pad, H - 2 * pad])
    names_f = sorted(set(fields.values()))
    color = {f: _PALETTE[i % len(_PALETTE)] for i, f in enumerate(names_f)}
    dots = []
    for (x, y), n in zip(pts, features.names):
        f = fields.get(n, "?")
        dots.append(f'<a href="systems/{e(n)}.html"><circle cx="{x:.1f}" cy="{H - y:.1f}" r="5" fill="{color.get(f, "#999")}">'
                    f"<title>{e(n)} ({e(f)})</title></circle></a>")
    legend = "".join(f'<li><span class="swatch" style="background:{c}"></span>{e(f)}</li>' for f, c in color.items())
    listing = "".join(f'<li><a href="systems/{e(n)}.html">{e(n)}</a></li>' for n in features.names)
    body = f"""<h1>Feature map</h1>
<p>Every system as one point: its catch22 features (averaged over variables, mapped to normal scores) placed in two
dimensions by {e(features.embedding)}. Colour: the system's first field. Each point links to its page.</p>
<figure class="map"><svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="map-t" class="featuremap">
<title id="map-t">Feature map of {len(features.names)} systems</title>{''.join(dots)}</svg>
<figcaption><ul class="legend">{legend}</ul></figcaption></figure>
<details><summary>All {len(features.names)} systems on the map</summary><ul class="columns">{listing}</ul></details>
<p>Regenerate with <code>{e(FEATURES_COMMAND)}</code>.</p>
"""
    return layout("Feature map", body, "", "features")


def about_page(stats: dict) -> str:
    body = f"""<h1>About this atlas</h1>
<p>The atlas is generated by <code>chaoszoo atlas build --out site/</code> from the same single declarations that
chaoszoo integrates, so it cannot drift from the library. Equations are MathML derived by SymPy from the declared
functions; invariants come from <code>chaoszoo annotate</code> with their settings and version; pictures are simulated
at build time ({e(stats.get("sampling", ""))}) and cached by a hash of each declaration.</p>
<p>chaoszoo {e(stats.get("version", ""))}; {stats.get("systems", 0)} systems.</p>
<p>Serve it locally with <code>chaoszoo atlas serve --out site/</code>, or open <code>index.html</code> directly.</p>
"""
    return layout("About", body, "", "about")
