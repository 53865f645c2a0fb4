"""Markdown tables from a build's stats.json, for docs/DATA.md (so the datasheet's numbers are printed, not typed)."""

from __future__ import annotations


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def stats_markdown(stats: dict) -> str:
    out = [f"Build: seed {stats.get('seed')}, {stats.get('dpi')} dpi, {stats['items_total']} items "
           f"({stats['synthetic_attempted']} synthetic attempted, {stats['real_blocks']} real blocks), "
           f"{stats['build_seconds']} s, {stats['items_per_second']} items/s.", ""]  # fmt: skip
    out += [f"- synthetic compile rate: **{stats['compile_rate']:.4f}**",
            f"- real items kept: **{stats['real_items']} / {stats['real_blocks']}** (compile rate {stats['real_compile_rate']:.4f})",
            f"- mean annotation coverage (all kept items): **{stats['annotation_coverage']:.4f}**", ""]  # fmt: skip
    out += ["| family | items | coverage mean | coverage min | code tokens (median) | code tokens (max) |", "|---|---|---|---|---|---|"]
    fams = dict(stats["families"], math=stats["real_items"])
    for fam in sorted(fams):
        cov = stats["annotation_coverage_by_family"].get(fam, {})
        tok = stats["code_tokens"].get(fam, {})
        out.append(_row([fam, fams[fam], cov.get("mean", "-"), round(cov.get("min", 0), 4) if cov else "-",
                         tok.get("median", "-"), tok.get("max", "-")]))  # fmt: skip
    out += ["", "| split | synthetic | real (MATH) |", "|---|---|---|"]
    by = stats["splits_by_source"]
    for split in ("train", "val", "test", "test_ood"):
        out.append(_row([split, by.get("synthetic", {}).get(split, 0), by.get("math", {}).get(split, 0)]))
    out += ["", "| MATH subject | items kept |", "|---|---|"]
    out += [_row([s, n]) for s, n in stats["subjects"].items()]
    out += ["", "| why real blocks were dropped | blocks |", "|---|---|"]
    out += [_row([r, n]) for r, n in stats["real_dropped"].items()]
    return "\n".join(out) + "\n"
