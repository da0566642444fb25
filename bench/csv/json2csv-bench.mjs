// The original's CSV step on the same records the gateway exports: json2csv(data, { expandNestedObjects: true }).
// Usage: node json2csv-bench.mjs <records.json> <runs>   → one JSON line: {"rows":n,"ms":[...],"bytes":n}
import { readFileSync } from 'node:fs';
import { json2csv } from 'json-2-csv';

const [file, runsArg] = process.argv.slice(2);
const data = JSON.parse(readFileSync(file, 'utf8'));
const runs = Number(runsArg ?? 5);
const ms = [];
let bytes = 0;
json2csv(data.slice(0, 1000), { expandNestedObjects: true }); // warm-up
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const csv = json2csv(data, { expandNestedObjects: true });
  ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  bytes = Buffer.byteLength(csv);
}
console.log(JSON.stringify({ rows: data.length, ms, bytes }));
