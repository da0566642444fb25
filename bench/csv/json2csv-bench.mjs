// The original's CSV step on the same records the gateway exports: json2csv(data, { expandNestedObjects: true }).
// Two ways, each timed over <runs> runs:
// - parsed objects (ms): json2csv on the already-parsed array of all records, as before;
// - end to end (e2eMs), bytes in → bytes out like the gateway's side: every Strapi page's UTF-8 bytes decoded and
//   JSON.parse'd, the pages' data arrays joined, json2csv on them, and the result encoded with Buffer.from(csv, 'utf8').
// Usage: node json2csv-bench.mjs <records.json> <runs> [pages.jsonl]
//   → one JSON line: {"rows":n,"ms":[...],"bytes":n,"e2eMs":[...],"e2eBytes":n}
import { readFileSync } from 'node:fs';
import { json2csv } from 'json-2-csv';

const [file, runsArg, pagesFile] = process.argv.slice(2);
const data = JSON.parse(readFileSync(file, 'utf8'));
const runs = Number(runsArg ?? 5);
const options = { expandNestedObjects: true };
const ms = [];
let bytes = 0;
json2csv(data.slice(0, 1000), options); // warm-up
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const csv = json2csv(data, options);
  ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  bytes = Buffer.byteLength(csv);
}

const e2eMs = [];
let e2eBytes = 0;
if (pagesFile) {
  // One page per line (the pages are single-line JSON); the split is framing, outside the timing.
  const all = readFileSync(pagesFile);
  const pages = [];
  for (let at = 0; at < all.length;) {
    const end = all.indexOf(10, at);
    pages.push(all.subarray(at, end < 0 ? all.length : end));
    at = end < 0 ? all.length : end + 1;
  }

  const endToEnd = (bodies) => {
    const records = [];
    for (const body of bodies) {
      for (const record of JSON.parse(body.toString('utf8')).data) {
        records.push(record);
      }
    }

    return Buffer.from(json2csv(records, options), 'utf8');
  };

  endToEnd(pages.slice(0, 10)); // warm-up
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const out = endToEnd(pages);
    e2eMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    e2eBytes = out.length;
  }
}

console.log(JSON.stringify({ rows: data.length, ms, bytes, e2eMs, e2eBytes }));
