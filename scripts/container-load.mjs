// A bounded load for scripts/container-check's drills: WORKERS loops, each sending GETs in turn to the given paths on
// one base URL (the load balancer's port on 127.0.0.1), until STOP_FILE exists, MAX_REQUESTS were sent or
// MAX_SECONDS passed, whichever comes first. Prints one JSON line: requests sent, failed (a network error, or a status
// not in OK_STATUSES), the statuses seen, the slowest request, and when the first and last failures happened.
//   node scripts/container-load.mjs URL PATH[,PATH…]   with env WORKERS, MAX_REQUESTS, MAX_SECONDS, STOP_FILE,
//   OK_STATUSES (comma-separated, default 200,307,308), COOKIE (sent as Cookie), TIMEOUT_MS (per request, 30000)
import { existsSync } from 'node:fs';

const [base, pathList] = process.argv.slice(2);
if (!base || !pathList) {
  console.error('usage: node container-load.mjs URL PATH[,PATH…]');
  process.exit(2);
}
const url = new URL(base);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
  console.error('container-load: only loopback addresses are targets');
  process.exit(2);
}
const paths = pathList.split(',');
const workers = Number(process.env.WORKERS ?? 8);
const maxRequests = Number(process.env.MAX_REQUESTS ?? 20000);
const maxSeconds = Number(process.env.MAX_SECONDS ?? 120);
const stopFile = process.env.STOP_FILE;
const okStatuses = new Set((process.env.OK_STATUSES ?? '200,307,308').split(',').map(Number));
const timeoutMs = Number(process.env.TIMEOUT_MS ?? 30000);
const headers = process.env.COOKIE ? { Cookie: process.env.COOKIE } : {};

const started = performance.now();
const result = { sent: 0, failed: 0, statuses: {}, errors: {}, slowestMs: 0, firstFailureS: null, lastFailureS: null };
const seconds = () => (performance.now() - started) / 1000;
const stopping = () => result.sent >= maxRequests || seconds() >= maxSeconds || (stopFile && existsSync(stopFile));

function fail(reason) {
  result.failed++;
  result.errors[reason] = (result.errors[reason] ?? 0) + 1;
  result.firstFailureS ??= Number(seconds().toFixed(2));
  result.lastFailureS = Number(seconds().toFixed(2));
}

async function worker(index) {
  for (let i = index; !stopping(); i += workers) {
    result.sent++;
    const begun = performance.now();
    try {
      const response = await fetch(new URL(paths[i % paths.length], url), {
        headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
      if (!okStatuses.has(response.status)) fail(`status ${response.status}`);
    } catch (error) {
      fail(error.cause?.code ?? error.name);
    }
    result.slowestMs = Math.max(result.slowestMs, Math.round(performance.now() - begun));
  }
}

// The result is written however the process ends short of SIGKILL: after the workers, on a signal, on an exception that
// escaped them (counted as a failure), or when the event loop empties with the workers unsettled.
process.on('exit', () => {
  result.seconds = Number(seconds().toFixed(1));
  process.stdout.write(`${JSON.stringify(result)}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => { result.ended = signal; process.exit(1); });
}
process.on('uncaughtException', (error) => {
  console.error('container-load:', error);
  fail(`uncaught ${error?.name ?? 'error'}`);
  process.exit(1);
});

await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
