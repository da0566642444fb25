"""Writes bench/cache/RESULTS.md from the runs of bench/cache/run.sh.
usage: report.py RUNS.tsv FRESHNESS.tsv RUNS SECONDS CONNECTIONS PAGE_BYTES"""
import datetime
import os
import platform
import statistics
import subprocess
import sys

runs_file, freshness_file, runs, seconds, connections, page_bytes = sys.argv[1:7]


def ms(value):
    for unit, factor in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    raise ValueError(value)


def version(command):
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return (done.stdout + done.stderr).strip() or "?"
    except OSError:
        return "?"


cells = {}
for line in open(runs_file):
    part, name, rps, p50, p99 = line.rstrip("\n").split("\t")
    cells.setdefault((part, name), []).append((float(rps), ms(p50), ms(p99)))
median = {key: tuple(statistics.median(run[i] for run in values) for i in range(3)) for key, values in cells.items()}


def table(part, baselines):
    names = [name for (p, name) in median if p == part]
    print("| target | req/s | " + " | ".join("ratio to " + b for b in baselines) + " | p50 (ms) | p99 (ms) |")
    print("|---|---:|" + "---:|" * len(baselines) + "---:|---:|")
    for name in names:
        rps, p50, p99 = median[(part, name)]
        ratios = " | ".join("%.2f" % (rps / median[(part, b)][0]) for b in baselines)
        print("| %s | %.0f | %s | %.2f | %.2f |" % (name, rps, ratios, p50, p99))


edits = [line.split("\t") for line in open(freshness_file) if line.strip()]
from_sent = [float(e[0]) for e in edits]
from_answer = [float(e[1]) for e in edits]
hits = sum(int(e[2]) for e in edits)

cpu = next((l.split(": ", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print("# Response cache: benchmark")
print()
print("Written by `bench/cache/run.sh` on %s. Everything on loopback on one machine (load generator, proxies, upstream,"
      % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
print("Redis and Strapi share its cores), so compare rows of one run, not absolute numbers across machines.")
print()
print("- Machine: %d cores (%s); %s" % (os.cpu_count(), cpu, platform.platform()))
print("- Versions: .NET %s, %s, %s, %s" % (
    version(["dotnet", "--version"]), version(["nginx", "-v"]).replace("nginx version: ", ""), version(["wrk", "--version"]).split("\n")[0][:20],
    version(["redis-server", "--version"]).split(" ")[2] if version(["redis-server", "--version"]) != "?" else "redis"))
print("- Method: `wrk -t2 -c%s -d%ss --latency` after a 3 s warm-up per target; median of %s runs per cell. The"
      % (connections, seconds, runs))
print("  gateways run in Release with every feature on; \"cache off\" is the same build with `ResponseCache__Enabled=false`.")
print()
print("## A. Stand-in upstream: `GET /api/v2/invoices/en-us`, a Strapi-shaped page of 25 invoices (%s bytes)" % page_bytes)
print()
table("A", ["nginx proxying the upstream", "gateway, cache off"])
print()
print("## B. Real Strapi 5.54 (SQLite, 1,000 invoices): 100 invoices with their customer's name")
print()
print("`GET /api/v2/invoices/en-us?pagination[pageSize]=100&populate[customer][fields][0]=name&sort=id:asc`")
print("(Strapi directly: the same query on `/api/invoices` with the token).")
print()
table("B", ["Strapi directly", "gateway, cache off"])
print()
print("## C. Freshness after an edit made in Strapi directly (%d edits)" % len(edits))
print()
print("Each invoice is read through the cached gateway until it is served from the cache (%d of %d were), then its amount is" % (hits, len(edits)))
print("changed with a `PUT` to Strapi itself, then read through the gateway until the new amount is served (Strapi's")
print("webhook evicts the invoices' answers).")
print()
print("| measured from | median (ms) | 90th percentile (ms) | max (ms) | within 1 s |")
print("|---|---:|---:|---:|---:|")
for label, values in (("sending the PUT to Strapi", from_sent), ("Strapi's answer to the PUT", from_answer)):
    ordered = sorted(values)
    print("| %s | %.1f | %.1f | %.1f | %d of %d |" % (label, statistics.median(ordered), ordered[int(len(ordered) * 0.9) - 1],
                                                ordered[-1], sum(v <= 1000 for v in ordered), len(ordered)))
