#!/usr/bin/env python3
"""Reads and sign-ins of one client, with and without a hostile reader sending the queries that stopped Strapi.

Usage: measure.py GATEWAY_URL READER_EMAIL READER_PASSWORD [SECONDS]
Phases of SECONDS each: the victim alone; the same while an attacker loops over the attacks as fast as it gets answers
(two threads), every attack with a unique cache-busting value; the victim alone again. Prints medians and maxima, and what
the attacks got. Every loop stops by itself after SECONDS.
"""
import json, random, statistics, sys, threading, time, urllib.error, urllib.request

BASE, EMAIL, PASSWORD = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3]
SECONDS = float(sys.argv[4]) if len(sys.argv) > 4 else 20

ATTACKS = [
    "/api/v2/invoices/en-us?filters[customer][invoices][amount][$gt]={n}&pagination[pageSize]=1",
    "/api/v2/invoices/en-us?filters[customer][invoices][customer][invoices][amount][$gt]={n}",
    "/api/v2/customers/en-us?populate=*&z={n}",
    "/api/v2/invoices/en-us?pagination[limit]=-1&z={n}",
]


def request(path, cookie=None, body=None):
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path.replace("[", "%5B").replace("]", "%5D").replace("$", "%24"), data=data, headers=headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            answer.read()
            status, cookies = answer.status, answer.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        error.read()
        status, cookies = error.code, []
    return status, (time.perf_counter() - start) * 1000, cookies


def sign_in():
    status, ms, cookies = request("/auth/login", body={"identifier": EMAIL, "password": PASSWORD})
    return status, ms, next((c.split(";")[0] for c in cookies if c.startswith("gateway.session=")), None)


def victim(cookie, until):
    reads, sign_ins, statuses = [], [], {}
    # A sign-in every 7 s: the gateway allows 10 a minute per client, and this one measures, it does not flood.
    next_sign_in = time.monotonic() + 1
    while time.monotonic() < until:
        # An uncached read every time: a filter value never asked before, so Strapi answers it.
        status, ms, _ = request(f"/api/v2/invoices/en-us?filters[amount][$gte]={random.randint(0, 10**9)}&pagination[pageSize]=25", cookie)
        reads.append(ms)
        statuses[status] = statuses.get(status, 0) + 1
        if time.monotonic() >= next_sign_in:
            next_sign_in += 7
            status, ms, _ = sign_in()
            sign_ins.append(ms)
            statuses[f"sign-in {status}"] = statuses.get(f"sign-in {status}", 0) + 1
    return reads, sign_ins, statuses


def attacker(cookie, until, seen):
    n = 0
    while time.monotonic() < until:
        n += 1
        status, ms, _ = request(ATTACKS[n % len(ATTACKS)].format(n=random.randint(0, 10**9)), cookie)
        seen.append((status, ms))


def summary(name, values):
    if not values:
        return f"{name}: none"
    return f"{name}: n={len(values)} median {statistics.median(values):.1f} ms, max {max(values):.1f} ms"


status, _, cookie = sign_in()
if status != 204 or not cookie:
    sys.exit(f"sign-in as {EMAIL} failed: {status}")

# Alone before and after, so the machine's drift (and the first phase's warm-up) shows against the attack.
for phase, attackers in (("alone", 0), ("under attack", 2), ("alone again", 0)):
    until = time.monotonic() + SECONDS
    seen = []
    threads = [threading.Thread(target=attacker, args=(cookie, until, seen)) for _ in range(attackers)]
    for thread in threads:
        thread.start()
    reads, sign_ins, statuses = victim(cookie, until)
    for thread in threads:
        thread.join()
    print(f"## {phase}")
    print(summary("victim reads (uncached)", reads))
    print(summary("victim sign-ins", sign_ins))
    print(f"victim statuses: {statuses}")
    if attackers:
        codes = {}
        for code, _ in seen:
            codes[code] = codes.get(code, 0) + 1
        print(summary("attack answers", [ms for _, ms in seen]) + f"; statuses {codes}")
