import { TransportLogRecordExporter, createJsonEncoder, logRecordToJson } from '@telemetry-reporter/otel';
import { createLoggerProvider, LOG_LINE } from './dist/fixtures.js';
const records = [];
const provider = createLoggerProvider({ onEmit: (r) => { records.push(r); }, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() });
const logger = provider.getLogger('bench', '1.0.0');
for (let i = 0; i < 512; i++) logger.emit(LOG_LINE);
const mode = process.argv[2] ?? "both"; const N = Number(process.argv[3] ?? 400); const GC = process.argv[4] === "gc"; const W = Number(process.argv[5] ?? 1);
async function round(who) {
  const transport = { acceptsBytes: true, releasesPayload: true, bytes: 0, async send(p) { this.bytes += (typeof p === 'string' ? Buffer.from(p) : p).length; } };
  const exporter = who === 'ours' ? new TransportLogRecordExporter({ transport }) : new TransportLogRecordExporter({ transport, encoder: createJsonEncoder({ map: logRecordToJson }) });
  const once = () => new Promise((res, rej) => exporter.export(records, (r) => (r.code === 0 ? res() : rej(r.error))));
  for (let i = 0; i < W; i++) await once();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await once();
  const c = process.cpuUsage(c0);
  await exporter.shutdown();
  return (c.user + c.system) / (N * 512);
}
const res = { ours: [], builtin: [] };
for (let r = 0; r < 7; r++) {
  const order = mode === 'ours' ? ['ours'] : r % 2 === 0 ? ['ours', 'builtin'] : ['builtin', 'ours'];
  for (const who of order) { if (GC === true) globalThis.gc?.(); else if (process.argv[4] === "natural") { let a = []; for (let k = 0; k < 3e6; k++) a.push({ k, s: "x" + k }); a = null; } res[who].push(await round(who)); }
}
const med = (v) => v.sort((a, b) => a - b)[v.length >> 1]?.toFixed(3);
console.log(process.version, mode, 'ours', med(res.ours), 'builtin', med(res.builtin));
