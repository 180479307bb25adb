/**
 * renderStatusPageHtml for pages of 10, 100 and 1 000 components (each with 90 days of uptime)
 * and as many public incidents (three updates each, spread over the 15 days of history, one in
 * ten unresolved): time per render and the document's size, raw and gzipped (what a reader
 * downloads). `JSON.stringify` of the same snapshot in the same run is the baseline: the cheapest
 * thing a renderer of it could do.
 *
 * Usage: `npx tsx bench/statusPageHtml.bench.ts`.
 */
import { gzipSync } from 'node:zlib';
import { renderStatusPageHtml } from '../src/features/statusPage/render/html.js';
import type { ComponentStatus, PublicIncident, StatusPageComponent, StatusPageSnapshot } from '../src/features/statusPage/snapshot.js';
import { timePerCallSync } from './fixtures.js';
import { formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const AT = Date.parse('2026-12-06T14:30:00.000Z');
const STATUSES: readonly ComponentStatus[] = ['operational', 'operational', 'operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const iso = (ms: number): string => new Date(ms).toISOString();

function snapshot(n: number, withUptime: boolean): StatusPageSnapshot {
  const components: StatusPageComponent[] = Array.from({ length: n }, (_, i) => ({
    id: `c${String(i)}`, name: `Component ${String(i)}`, description: `What component ${String(i)} does`, group: `Group ${String(i % Math.max(1, Math.ceil(n / 10)))}`,
  }));
  const incidents: PublicIncident[] = Array.from({ length: n }, (_, i) => {
    const created = AT - (i % 15) * 86_400_000 - 3_600_000;
    return {
      id: `pi${String(i)}`, name: `Incident ${String(i)}: checkout errors in one region`, status: i % 10 === 0 ? 'identified' : 'resolved', impact: i % 3 === 0 ? 'major' : 'minor',
      createdAt: iso(created), updatedAt: iso(created + 1_800_000), shortlink: `https://status.example/incidents/pi${String(i)}`,
      components: [{ id: `c${String(i)}`, status: 'partial_outage' }],
      updates: [0, 1, 2].map((u) => ({ id: `u${String(i)}-${String(u)}`, status: (['resolved', 'identified', 'investigating'] as const)[u]!, body: `Update ${String(u)} & <details> about what happened.\nNext update in 30 minutes.`, createdAt: iso(created + (2 - u) * 900_000), affectedComponents: [] })),
    };
  });
  return {
    page: { id: 'bench', name: 'Bench Cloud', url: 'https://status.example', timeZone: 'Europe/Berlin', components },
    at: iso(AT), updatedAt: iso(AT),
    components: components.map((component, i) => ({ component, status: STATUSES[i % STATUSES.length]!, updatedAt: iso(AT) })),
    incidents, maintenances: [],
    ...(withUptime
      ? { uptime: components.map((c, i) => ({ componentId: c.id, uptime: 0.999, days: Array.from({ length: 90 }, (_, d) => ({ date: iso(AT - (89 - d) * 86_400_000).slice(0, 10), worst: STATUSES[(i + d) % STATUSES.length]!, uptime: 0.99 })) })) }
      : {}),
  };
}

let sink = 0;
const rows: string[][] = [];
for (const n of [10, 100, 1_000]) {
  for (const withUptime of [true, false]) {
    const s = snapshot(n, withUptime);
    const html = renderStatusPageHtml(s);
    const bytes = Buffer.byteLength(html);
    const gzipped = gzipSync(html).length;
    const options = { warmup: n >= 1_000 ? 3 : 20, runs: 7, sampleSeconds: 0.2 };
    const render = timePerCallSync(() => { sink += renderStatusPageHtml(s).length; }, options);
    const json = timePerCallSync(() => { sink += JSON.stringify(s).length; }, options);
    rows.push([String(n), withUptime ? '90 days' : '—', formatSeconds(render), formatSeconds(json), formatRatio(render / json), `${(bytes / 1024).toFixed(0)} KiB`, `${(gzipped / 1024).toFixed(0)} KiB`]);
  }
}

printEnvironment();
printMarkdown(['components and incidents', 'uptime bars', 'render', 'JSON.stringify (baseline)', 'vs baseline', 'HTML', 'gzipped'], rows);
console.log(`\nIncidents: three updates each over the last 15 days, one in ten unresolved. (${String(sink > 0)})`);
printRunCost();
