"""Freshness of the response cache after edits made in Strapi directly (bench/cache/run.sh, part C).

For each of N invoices: read it twice through the cached gateway (the second read is a hit), change its amount with a
PUT to Strapi itself (with the token), then read it through the gateway until the new amount is served. Prints one line
per edit: milliseconds from sending the PUT, milliseconds from Strapi's answer to it, and whether the read before the
edit was a cache hit.
usage: freshness.py STRAPI_HOST:PORT TOKEN GATEWAY_HOST:PORT N
"""
import http.client
import json
import sys
import time

strapi_address, token, gateway_address, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
strapi = http.client.HTTPConnection(strapi_address, timeout=30)
gateway = http.client.HTTPConnection(gateway_address, timeout=30)
auth = {"Authorization": "Bearer " + token}


def call(connection, method, path, headers=None, body=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.getheader("Cache-Status") or "", response.read()


status, _, body = call(strapi, "GET", "/api/invoices?pagination[pageSize]=%d&sort=id:asc&fields[0]=amount" % count, auth)
assert status == 200, status
invoices = json.loads(body)["data"]
assert len(invoices) == count, len(invoices)

for invoice in invoices:
    path = "/api/v2/invoices/en-us/" + invoice["documentId"]
    # Read until the cache serves it: the webhook of the previous edit may still come in and evict it.
    for _ in range(100):
        _, cache_status, _ = call(gateway, "GET", path)
        if "hit" in cache_status:
            break
        time.sleep(0.01)
    amount = invoice["amount"] + 1
    sent = time.perf_counter()
    status, _, _ = call(strapi, "PUT", "/api/invoices/" + invoice["documentId"],
                        dict(auth, **{"Content-Type": "application/json"}), json.dumps({"data": {"amount": amount}}))
    answered = time.perf_counter()
    assert status == 200, status
    while True:
        status, _, body = call(gateway, "GET", path)
        if status == 200 and json.loads(body)["data"]["amount"] == amount:
            break
        if time.perf_counter() - sent > 30:
            raise SystemExit("the edit of %s was not served within 30 s" % path)
    seen = time.perf_counter()
    print("%.3f\t%.3f\t%d" % ((seen - sent) * 1000, (seen - answered) * 1000, "hit" in cache_status))
