#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the JSON lines `make bench` collects into a report.

report.py [--topology T] [--qemu TEXT] BENCH.JSONL OUTDIR writes, in OUTDIR:
results.json (every result, the environment), results.md (tables: each
figure with its ratio to the verbs limit and to each peer) and PNG plots
(throughput against write size, latency percentiles, connection rates).
Only ratios within one run mean anything under TCG.  With results of an
older build of the module too (transport rdma_old, RSK_BENCH_OLD_REF), a
table compares the two builds' stream and latency ratios to verbs, and
with its A/B rounds (RSK_BENCH_AB_ROUNDS) another gives each round's
new ÷ old and their median and geometric mean.
"""
import argparse
import datetime
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PEERS = ["tcp", "smc", "rsockets"]
TRANSPORTS = ["rdma"] + PEERS
SIZES = [64, 1024, 4096, 65536, 1048576]
NAMES = {"rdma": "rdmasock", "tcp": "TCP", "smc": "SMC-R", "rsockets": "rsockets",
         "udp": "UDP", "verbs": "verbs (perftest)", "rdma_old": "rdmasock (old)"}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def find(rows, test, family, **params):
    for r in rows:
        if r.get("test") != test or r.get("family") != family or "error" in r:
            continue
        p = r.get("params", {})
        if all(p.get(k) == v for k, v in params.items()):
            return r
    return None


def perftest(rows, run, size):
    """perftest's columns after the size for RUN at SIZE: bw runs give
    iterations, peak MB/s, average MB/s, Mpps; lat runs iterations, min,
    max, typical, average, stdev, 99%, 99.9% (us)."""
    for r in rows:
        if r.get("test") == "perftest" and r["params"]["run"] == run and r["params"]["size"] == size:
            return r["values"]["cols"]
    return None


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"


def stream_table(rows, conns):
    out = [f"| write size | " + " | ".join(NAMES[t] + " MiB/s" for t in TRANSPORTS) +
           " | verbs write MiB/s | vs verbs | " + " | ".join("vs " + NAMES[p] for p in PEERS) + " |",
           "|---" * (len(TRANSPORTS) + 3 + len(PEERS)) + "|"]
    series = {t: [] for t in TRANSPORTS}
    verbs = []
    for size in SIZES:
        vals = {}
        for t in TRANSPORTS:
            r = find(rows, "stream", t, write_size=size, connections=conns)
            vals[t] = r["values"]["mib_per_s"] if r else None
            series[t].append(vals[t])
        cols = perftest(rows, "write_bw", size)
        v = cols[2] * 1e6 / (1 << 20) if cols and len(cols) > 2 and cols[2] is not None else None
        verbs.append(v)
        out.append(f"| {size:,} | " + " | ".join(fmt(vals[t]) for t in TRANSPORTS) +
                   f" | {fmt(v)} | {ratio(vals['rdma'], v)} | " +
                   " | ".join(ratio(vals["rdma"], vals[p]) for p in PEERS) + " |")
    return out, series, verbs


def latency_table(rows):
    out = ["| message | transport | median us | p99 us | p99.9 us | its median ÷ rdmasock's |",
           "|---|---|---|---|---|---|"]
    plot = {}
    for size in (64, 4096):
        base = find(rows, "pingpong", "rdma", size=size)
        bmed = base["values"]["rtt"]["median_us"] if base else None
        for t in TRANSPORTS:
            r = find(rows, "pingpong", t, size=size)
            if not r:
                out.append(f"| {size} B | {NAMES[t]} | - | - | - | - |")
                continue
            rtt = r["values"]["rtt"]
            plot[(size, t)] = rtt
            out.append(f"| {size} B | {NAMES[t]} | {fmt(rtt['median_us'])} | {fmt(rtt['p99_us'])} | "
                       f"{fmt(rtt['p999_us'])} | {ratio(rtt['median_us'], bmed) if t != 'rdma' else '1.00x'} |")
        for run in ("send_lat", "write_lat"):
            cols = perftest(rows, run, size)
            if cols and len(cols) >= 8 and None not in cols[:8]:
                # one way: twice it is a round trip
                out.append(f"| {size} B | ib_{run} (x2, one way) | {fmt(2 * cols[3])} | "
                           f"{fmt(2 * cols[6])} | {fmt(2 * cols[7])} | "
                           f"{ratio(2 * cols[3], bmed)} |")
    return out, plot


def connrate_table(rows):
    out = ["| threads | " + " | ".join(NAMES[t] + " conn/s" for t in TRANSPORTS) + " | " +
           " | ".join("vs " + NAMES[p] for p in PEERS) + " |", "|---" * (1 + len(TRANSPORTS) + len(PEERS)) + "|"]
    plot = {}
    for threads in (1, 16):
        vals = {}
        for t in TRANSPORTS:
            r = find(rows, "connrate", t, threads=threads)
            vals[t] = r["values"]["per_s"] if r else None
            plot[(threads, t)] = vals[t]
        out.append(f"| {threads} | " + " | ".join(fmt(vals[t]) for t in TRANSPORTS) + " | " +
                   " | ".join(ratio(vals["rdma"], vals[p]) for p in PEERS) + " |")
    return out, plot


def memory_table(rows, test, columns):
    """One row per transport: the (heading, value key, digits) columns."""
    out = ["| transport | " + " | ".join(c[0] for c in columns) + " |",
           "|---" * (1 + len(columns)) + "|"]
    for t in TRANSPORTS:
        r = find(rows, test, t)
        v = r["values"] if r else {}
        out.append(f"| {NAMES[t]} | " +
                   " | ".join(fmt(v.get(key), digits) for _, key, digits in columns) + " |")
    return out


def idle_table(rows):
    return memory_table(rows, "idle", [
        ("Slab B/conn", "slab_bytes_per_conn", 0),
        ("MemAvailable B/conn", "available_bytes_per_conn", 0),
        ("registered B/conn", "mr_bytes_per_conn", 0),
        ("QPs per 1000 conns", "qps_per_1000_conns", 0)])


def busy_table(rows):
    return memory_table(rows, "busy", [
        ("queued B/conn", "queued_bytes_per_conn", 0),
        ("used B/conn (MemAvailable)", "used_bytes_per_conn", 0),
        ("Slab B/conn", "slab_bytes_per_conn", 0),
        ("B used per B queued", "used_per_queued", 2)])


def dgram_table(rows):
    out = ["| size | transport | received/s | MB/s | lost % | rdmasock vs it (received/s) |",
           "|---|---|---|---|---|---|"]
    for size in (64, 8192):
        base = find(rows, "dgram", "rdma", size=size)
        brate = base["values"]["received_per_s"] if base else None
        for t in ("rdma", "tcp", "rsockets"):
            r = find(rows, "dgram", t, size=size)
            name = NAMES["udp"] if t == "tcp" else NAMES[t]
            if not r:
                out.append(f"| {size} | {name} | - | - | - | - |")
                continue
            v = r["values"]
            out.append(f"| {size} | {name} | {fmt(v['received_per_s'], 0)} | {fmt(v['mb_per_s'], 2)} | "
                       f"{fmt(v['loss_pct'])} | {ratio(brate, v['received_per_s']) if t != 'rdma' else '1.00x'} |")
        run = "ud_bw_64" if size == 64 else "ud_bw_mtu"
        for r in rows:
            if r.get("test") == "perftest" and r["params"]["run"] == run:
                cols = r["values"]["cols"]
                if len(cols) < 4 or None in cols[:4]:
                    continue
                rate = cols[3] * 1e6
                out.append(f"| {r['params']['size']} | ib_send_bw -c UD | {fmt(rate, 0)} | "
                           f"{fmt(cols[2], 2)} | - | {ratio(brate, rate)} |")
    return out


def rdma_check(rows):
    out = ["| transport | rxe packets sent by the client, all its runs | over RDMA? |", "|---|---|---|"]
    lgr = next((r["values"]["link_groups"] for r in rows if r.get("test") == "smc_link_groups"), None)
    for t in TRANSPORTS:
        pk = sum(r.get("rxe_sent_pkts", 0) for r in rows if r.get("family") == t)
        verdict = "yes" if pk > 1000 else "no (fell back to TCP)" if t == "smc" else "no"
        if t == "smc" and lgr is not None:
            verdict += f"; SMC-R link groups: {lgr}"
        out.append(f"| {NAMES[t]} | {pk:,} | {verdict} |")
    return out


def old_table(rows, old_ref):
    """This tree's module against the older build run in the same boot
    (rdma_old): 64 KiB writes on one socket and the 64 B round trip, each
    build's figure with its ratio to verbs, and new ÷ old.  Empty unless
    both have results."""
    def has(t):
        return any(r.get("family") == t and "error" not in r for r in rows)
    if not (has("rdma") and has("rdma_old")):
        return []
    old = next((r["values"] for r in rows if r.get("test") == "old_module"), {})
    what = old_ref or old.get("ko", "?")
    out = [f"rdma_old is the module of {what} (srcversion {old.get('srcversion') or '?'}), "
           "loaded in place of this tree's for its runs, right after rdma's, in the same "
           "boot: compare the ratios to verbs.", "",
           "| figure | rdmasock | rdmasock (old) | verbs | rdmasock ÷ verbs | old ÷ verbs | new ÷ old |",
           "|---|---|---|---|---|---|---|"]
    vals = {}
    for t in ("rdma", "rdma_old"):
        r = find(rows, "stream", t, write_size=65536, connections=1)
        vals[t] = r["values"]["mib_per_s"] if r else None
    cols = perftest(rows, "write_bw", 65536)
    v = cols[2] * 1e6 / (1 << 20) if cols and len(cols) > 2 and cols[2] is not None else None
    out.append(f"| stream, one socket, 64 KiB writes, MiB/s (verbs: ib_write_bw; higher is better) | "
               f"{fmt(vals['rdma'])} | {fmt(vals['rdma_old'])} | {fmt(v)} | {ratio(vals['rdma'], v)} | "
               f"{ratio(vals['rdma_old'], v)} | {ratio(vals['rdma'], vals['rdma_old'])} |")
    for t in ("rdma", "rdma_old"):
        r = find(rows, "pingpong", t, size=64)
        vals[t] = r["values"]["rtt"]["median_us"] if r else None
    cols = perftest(rows, "send_lat", 64)
    # one way: twice it is a round trip, as in the latency table
    v = 2 * cols[3] if cols and len(cols) > 3 and cols[3] is not None else None
    out.append(f"| ping-pong, 64 B, median round trip, us (verbs: ib_send_lat x2; lower is better) | "
               f"{fmt(vals['rdma'])} | {fmt(vals['rdma_old'])} | {fmt(v)} | {ratio(vals['rdma'], v)} | "
               f"{ratio(vals['rdma_old'], v)} | {ratio(vals['rdma'], vals['rdma_old'])} |")
    return out


def ab_table(ab):
    """The A/B rounds: per round, which build went first, each build's
    64 KiB stream and 64 B median round trip and new ÷ old; then the
    median and geometric mean of those ratios over the rounds."""
    rounds = sorted({r["ab_round"] for r in ab})
    if not rounds:
        return []
    out = ["Each round ran this tree's module (rdma) and the old build (rdma_old) back to back "
           "in the same boot, which went first alternating. Stream: higher is better; round "
           "trip: lower is better.", "",
           "| round | first | stream rdma MiB/s | stream old MiB/s | new ÷ old | "
           "round trip rdma us | round trip old us | new ÷ old |",
           "|---|---|---|---|---|---|---|---|"]
    ratios = {"stream": [], "rtt": []}
    for n in rounds:
        rs = [r for r in ab if r["ab_round"] == n]
        first = next((r["family"] for r in rs), "?")
        s = {t: find(rs, "stream", t, write_size=65536, connections=1) for t in ("rdma", "rdma_old")}
        p = {t: find(rs, "pingpong", t, size=64) for t in ("rdma", "rdma_old")}
        sv = {t: s[t]["values"]["mib_per_s"] if s[t] else None for t in s}
        pv = {t: p[t]["values"]["rtt"]["median_us"] if p[t] else None for t in p}
        if sv["rdma"] and sv["rdma_old"]:
            ratios["stream"].append(sv["rdma"] / sv["rdma_old"])
        if pv["rdma"] and pv["rdma_old"]:
            ratios["rtt"].append(pv["rdma"] / pv["rdma_old"])
        out.append(f"| {n} | {NAMES.get(first, first)} | {fmt(sv['rdma'])} | {fmt(sv['rdma_old'])} | "
                   f"{ratio(sv['rdma'], sv['rdma_old'])} | {fmt(pv['rdma'])} | {fmt(pv['rdma_old'])} | "
                   f"{ratio(pv['rdma'], pv['rdma_old'])} |")

    def summary(vals, how):
        if not vals:
            return "-"
        return f"{how(vals):.3f}x"
    geo = lambda v: math.exp(sum(math.log(x) for x in v) / len(v))  # noqa: E731
    out.append(f"| median of {len(rounds)} | | | | {summary(ratios['stream'], statistics.median)} | | | "
               f"{summary(ratios['rtt'], statistics.median)} |")
    out.append(f"| geometric mean | | | | {summary(ratios['stream'], geo)} | | | "
               f"{summary(ratios['rtt'], geo)} |")
    return out


def plot_stream(series1, series8, verbs, path):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, series, title in ((axes[0], series1, "one socket"), (axes[1], series8, "8 sockets")):
        for t in TRANSPORTS:
            xs = [s for s, v in zip(SIZES, series[t]) if v]
            ys = [v for v in series[t] if v]
            if xs:
                ax.plot(xs, ys, marker="o", label=NAMES[t])
        xs = [s for s, v in zip(SIZES, verbs) if v]
        if xs:
            ax.plot(xs, [v for v in verbs if v], linestyle="--", color="black", label="ib_write_bw")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("write size (bytes)")
        ax.set_title(f"stream throughput, {title}")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("MiB/s")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_latency(plot, path):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, size in zip(axes, (64, 4096)):
        for t in TRANSPORTS:
            rtt = plot.get((size, t))
            if not rtt:
                continue
            # the distribution's known points, as a CDF
            xs = [rtt["min_us"], rtt["median_us"], rtt["p99_us"], rtt["p999_us"], rtt["max_us"]]
            ys = [0, 0.5, 0.99, 0.999, 1.0]
            ax.plot(xs, ys, marker="o", label=NAMES[t])
        ax.set_xscale("log")
        ax.set_xlabel("round trip (us)")
        ax.set_ylabel("fraction of round trips")
        ax.set_title(f"ping-pong, {size} B: min, median, p99, p99.9, max")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_connrate(plot, path):
    fig, ax = plt.subplots(figsize=(6.5, 4))
    width = 0.2
    for i, t in enumerate(TRANSPORTS):
        ys = [plot.get((n, t)) or 0 for n in (1, 16)]
        ax.bar([x + i * width for x in range(2)], ys, width, label=NAMES[t])
    ax.set_xticks([x + 1.5 * width for x in range(2)], ["sequential", "16 threads"])
    ax.set_ylabel("connect, 1-byte echo, close per s")
    ax.set_title("connection rate")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topology", default="two-guests")
    ap.add_argument("--qemu", default="")
    ap.add_argument("--old-ref", default="", help="what the rdma_old results' module was built from")
    ap.add_argument("jsonl")
    ap.add_argument("outdir")
    a = ap.parse_args()

    rows = load(a.jsonl)
    # The A/B rounds' results have a table of their own, not the others'.
    ab = [r for r in rows if "ab_round" in r]
    rows = [r for r in rows if "ab_round" not in r]
    env = next((r["values"] for r in rows if r.get("test") == "environment"), {})
    env.update({"topology": a.topology, "accelerator": "TCG (no KVM)", "qemu": a.qemu,
                "date": datetime.date.today().isoformat()})
    errors = [r for r in rows + ab if "error" in r]
    os.makedirs(a.outdir, exist_ok=True)
    prefix = os.path.join(a.outdir, a.topology)

    s1, series1, verbs = stream_table(rows, 1)
    s8, series8, _ = stream_table(rows, 8)
    lat, lat_plot = latency_table(rows)
    conn, conn_plot = connrate_table(rows)
    md = [f"# rdmasock benchmark: {a.topology}, {env['date']}", "",
          f"Environment: {env.get('accelerator')}, {env.get('qemu')}; guest kernel "
          f"{env.get('kernel')}, {env.get('vcpus')} vCPU per guest; {env.get('device')}, "
          f"active MTU {env.get('active_mtu')}; rdma_sock {env.get('rdma_sock')}. "
          "Every transport ran in the same boot of the same guests. Under TCG absolute "
          "figures mean little; compare the ratios.", "",
          "## Stream throughput, one socket", ""] + s1 + \
         ["", "## Stream throughput, 8 sockets at once", ""] + s8 + \
         ["", "## Ping-pong latency (round trips)", ""] + lat + \
         ["", "## Connection rate", ""] + conn + \
         ["", "## Memory per idle connection (client side)", ""] + idle_table(rows) + \
         ["", "## Memory per busy connection (client side: its send buffer; the server's "
          "receive side too when on this host)", ""] + busy_table(rows) + \
         ["", "## Datagrams", ""] + dgram_table(rows) + \
         ["", "## Did it run over RDMA?", ""] + rdma_check(rows) + [""]
    old = old_table(rows, a.old_ref)
    if old:
        md += ["## This module against an older build of it (same boot)", ""] + old + [""]
    ab_rows = ab_table(ab)
    if ab_rows:
        md += ["## The two builds in A/B rounds (same boot)", ""] + ab_rows + [""]
    if errors:
        md += ["## Runs that failed", ""] + [f"- {r['family']} {r['test']}: {r['error']}" for r in errors] + [""]
    for name in sorted(os.listdir(a.outdir)):
        if name.startswith(a.topology + "-profile-") and name.endswith(".txt"):
            with open(os.path.join(a.outdir, name)) as f:
                lines = [line.rstrip() for line in f]
            # the top of the profile, and the counters it ends with
            top = [x for x in lines if not x.startswith("#")][:15] + \
                [x for x in lines if x.startswith("#")]
            what = name[len(a.topology) + len("-profile-"):-4]
            md += [f"## Where the time goes: {what} (perf, cpu-clock, all CPUs of the guest)", "",
                   "```"] + top + ["```", f"(the top 40: [{name}]({name}))", ""]
    md += [f"![stream]({a.topology}-stream.png)", f"![latency]({a.topology}-latency.png)",
           f"![connrate]({a.topology}-connrate.png)", ""]
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(md))
    with open(prefix + ".json", "w") as f:
        json.dump({"environment": env, "results": rows + ab}, f, indent=1)
    plot_stream(series1, series8, verbs, prefix + "-stream.png")
    plot_latency(lat_plot, prefix + "-latency.png")
    plot_connrate(conn_plot, prefix + "-connrate.png")
    print("\n".join(md))
    print(f"report: {prefix}.md, {prefix}.json, {prefix}-*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
