"""The harness's report: the Markdown tables of benches/harness.py's rows,
the ratios to the peers, the floor beside them, the verdict on the targets at
50,000 pods, and --check-flat's verdict on a soak."""


def fmt(value, unit, digits=1):
    if value is None or value != value:
        return "—"
    return f"{value:.{digits}f} {unit}"


def table(rows, args, benches):
    head = ("| client | load | first frame | first full table | RSS after load (anonymous) | idle CPU | "
            f"key to frame (median / p95) | CPU under {args.churn} pod changes/s | RSS after the churn window |")
    lines = [head, "| " + " | ".join(["---"] * 9) + " |"]
    for r in rows:
        lines.append(
            f"| {r['client']} | {r['count']} {r['workload']} | {r['first_frame_ms']:.0f} ms | "
            f"{r['full_table_ms']:.0f} ms | {r['rss_load_mb']:.1f} MB ({r['anon_load_mb']:.1f}) | "
            f"{r['idle_cpu']:.2f} % | "
            f"{r['key_median_ms']:.1f} / {r['key_p95_ms']:.1f} ms | {fmt(r.get('churn_cpu'), '%', 2)} | "
            f"{fmt(r.get('rss_churn_mb'), 'MB')} |")
    lines.append("")
    for workload in ("pods", "containers"):
        ours = [r for r in rows if r["client"] == "pilothouse" and r["workload"] == workload]
        if len(ours) > 1:
            first, last = ours[0], ours[-1]
            growth = (f"pilothouse's growth from {first['count']} to {last['count']} {workload} "
                      f"(x{last['count'] / first['count']:.0f}): first full table "
                      f"x{last['full_table_ms'] / first['full_table_ms']:.1f}, RSS "
                      f"x{last['rss_load_mb'] / first['rss_load_mb']:.1f}")
            if "churn_cpu" in last:
                growth += (f", CPU under churn "
                           f"x{max(last['churn_cpu'], 0.01) / max(first['churn_cpu'], 0.01):.1f}")
            lines.append(growth + ".")
        for r in ours:
            other = next((o for o in rows if o["client"] != "pilothouse"
                          and o["workload"] == workload and o["count"] == r["count"]), None)
            if other:
                ratio = lambda key: r[key] / other[key] if other[key] else float("inf")
                text = (f"{r['count']} {workload}, pilothouse / {other['client']}: first full table "
                        f"{ratio('full_table_ms'):.2f}, RSS {ratio('rss_load_mb'):.2f}, idle CPU "
                        f"{ratio('idle_cpu'):.2f}")
                if "churn_cpu" in r:
                    text += f", CPU under churn {ratio('churn_cpu'):.2f}"
                lines.append(text + ".")
    lines.append("")
    lines.append("RSS is VmRSS; in brackets RssAnon, the heap and stacks without the code "
                 "pages read from the binary.")
    lines.append(f"CPU is a percentage of one core over {args.window} s windows, from /proc. "
                 "A ratio of 0.00 is a client that used no measurable CPU over the window "
                 "(less than one 10 ms clock tick).")
    soaked = [r for r in rows if "soak_rss_mb" in r]
    if soaked:
        lines += ["", f"Under {args.churn} pod changes a second for {args.soak} s "
                      f"({args.soak_pods} pods): RSS each minute, and key to frame at the end.", "",
                  "| client | RSS, first minute to last | growth | key to frame at the end (median / p95) |",
                  "| --- | --- | --- | --- |"]
        for r in soaked:
            series = r["soak_rss_mb"]
            lines.append(f"| {r['client']} | {', '.join(f'{m:.1f}' for m in series)} MB | "
                         f"{series[-1] - series[0]:+.1f} MB | "
                         f"{r['soak_key_median_ms']:.1f} / {r['soak_key_p95_ms']:.1f} ms |")
    lines += floor(rows)
    lines += targets(rows)
    if benches:
        lines += ["", f"`cargo bench --profile bench-quick --bench table -- '{args.benches}'` "
                      "(criterion medians):", "",
                  "| benchmark | median |", "| --- | --- |"]
        lines += [f"| {name} | {median} |" for name, median in benches]
    return "\n".join(lines)


def floor(rows):
    """Beside each pods row: the namespaces, `kubectl get pods -A` on the same
    cluster in the same run, and pilothouse's filter keystroke."""
    measured = [r for r in rows if "kubectl_s" in r]
    if not measured:
        return []
    lines = ["", "The floor: `kubectl get pods -A` on the same cluster, timed just before the client "
                 "started; the filter is pilothouse's `/`, a digit typed and erased over every row.", "",
             "| client | load | namespaces | `kubectl get pods -A` | first full table / kubectl | "
             "filter key to frame (median / p95) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in measured:
        filtered = (f"{r['filter_median_ms']:.1f} / {r['filter_p95_ms']:.1f} ms"
                    if "filter_p95_ms" in r else "—")
        lines.append(f"| {r['client']} | {r['count']} pods | {r['namespaces']} | {r['kubectl_s']:.2f} s | "
                     f"{r['full_table_ms'] / 1000 / r['kubectl_s']:.2f} | {filtered} |")
    return lines


# The targets at 50,000 pods: (what, how to read it from pilothouse's row and
# kdash's, the bound it must stay under).
TARGETS = [
    ("first full Pods table", lambda r, k: r["full_table_ms"], 3000, "ms"),
    ("first full table / kdash's", lambda r, k: r["full_table_ms"] / k["full_table_ms"] if k else None, 0.5, "x"),
    ("first full table / kubectl get pods -A", lambda r, k: r["full_table_ms"] / 1000 / r["kubectl_s"], 1.0, "x"),
    ("RSS after load", lambda r, k: r["rss_load_mb"], 150, "MB"),
    ("key to frame p95", lambda r, k: r["key_p95_ms"], 16, "ms"),
    ("filter keystroke to frame p95", lambda r, k: r.get("filter_p95_ms"), 16, "ms"),
    ("idle CPU", lambda r, k: r["idle_cpu"], 0.5, "% of a core"),
]


def targets(rows):
    lines = []
    for r in rows:
        if r["client"] != "pilothouse" or r["workload"] != "pods" or r["count"] < 50000:
            continue
        kdash = next((o for o in rows if o["client"] == "kdash" and o["count"] == r["count"]), None)
        lines += ["", f"Targets at {r['count']} pods:", ""]
        for what, read, bound, unit in TARGETS:
            value = read(r, kdash)
            if value is None:
                lines.append(f"- {what}: not measured (no kdash row)")
                continue
            verdict = "met" if value < bound or (unit == "x" and value <= bound) else "MISSED"
            lines.append(f"- {what}: {value:.2f} {unit}, target under {bound} {unit}: {verdict}")
    return lines


def check_flat(rows):
    """The soak's verdict: memory flat (bounded buffers), key latency not growing."""
    soaked = [r for r in rows if r["client"] == "pilothouse" and "soak_rss_mb" in r]
    if not soaked:
        raise SystemExit("--check-flat needs a --soak run of pilothouse")
    for r in soaked:
        series = r["soak_rss_mb"]
        growth = (series[-1] - series[0]) / series[0]
        key_start, key_end = r["key_p95_ms"], r["soak_key_p95_ms"]
        verdict = (f"RSS {series[0]:.1f} -> {series[-1]:.1f} MB ({growth:+.1%}); "
                   f"key p95 {key_start:.1f} -> {key_end:.1f} ms")
        if growth >= 0.10 or key_end > 2 * key_start + 2:
            raise SystemExit(f"not flat: {verdict}")
        print(f"flat: {verdict}")
