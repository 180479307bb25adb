/**
 * On-call schedules (issue 18), each case next to a baseline in the same run:
 * - `renderSchedule` over a year of hourly hand-offs (8 members, Europe/Berlin) with 50
 *   overrides, against the naive way to the same answer: `whoIsOnCall` once per hour of the
 *   year (8 760 calls). Goal: well under a second.
 * - `whoIsOnCall` calls per second at random instants of that year, against `Date.parse` of an
 *   ISO string (the cheapest thing every call does anyway).
 * - The same for a follow-the-sun rota (three restricted daily layers in three zones' hours and
 *   a weekly base), and `scheduleLoad` / `toICalendar` of the hourly year, for scale.
 *
 * Run: `npx tsx bench/oncall.bench.ts` (or `npm run bench -- oncall`).
 */
import { defineSchedule, renderSchedule, scheduleLoad, toICalendar, whoIsOnCall, type Schedule } from '../src/index.js';
import { timePerCallSync } from './fixtures.js';
import { seededRandom } from './random.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const YEAR = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } as const;
const FROM = Date.parse(YEAR.from);
const HOUR = 3_600_000;
const GOAL_SECONDS = 1;

const members = ['ana', 'ben', 'chen', 'dora', 'eli', 'fay', 'gus', 'hana'];
const hourly: Schedule = defineSchedule({
  id: 'hourly',
  name: 'Hourly',
  timeZone: 'Europe/Berlin',
  layers: [{ id: 'hours', start: '2026-01-01T00:00', rotation: { every: { amount: 1, unit: 'hours' } }, members }],
  overrides: Array.from({ length: 50 }, (_, i) => {
    const start = FROM + i * 7 * 24 * HOUR + 13 * HOUR + (i % 4) * 15 * 60_000;
    return { id: `o${String(i)}`, start: new Date(start).toISOString(), end: new Date(start + (2 + (i % 10)) * HOUR).toISOString(), userId: `cover-${String(i % 5)}`, ...(i % 3 === 0 ? { replaces: members[i % 8]! } : {}) };
  }),
});

const followTheSun: Schedule = defineSchedule({
  id: 'sun',
  name: 'Follow the sun',
  timeZone: 'UTC',
  layers: [
    { id: 'base', start: '2026-01-05T00:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['lead-1', 'lead-2'] },
    { id: 'apac', start: '2026-01-05T00:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['syd-1', 'syd-2', 'syd-3'], restrictions: [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '22:00', end: '06:00' }] },
    { id: 'emea', start: '2026-01-05T06:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['ber-1', 'ber-2'], restrictions: [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' }] },
    { id: 'amer', start: '2026-01-05T14:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['nyc-1', 'nyc-2', 'nyc-3'], restrictions: [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '14:00', end: '22:00' }] },
  ],
  overrides: hourly.overrides.map((o) => ({ ...o, userId: 'cover' })),
});

/** The naive way to the year's shifts: ask who is on call once per hour and merge runs. */
function hourByHour(schedule: Schedule): number {
  let shifts = 0;
  let previous = '';
  for (let t = FROM; t < Date.parse(YEAR.to); t += HOUR) {
    const key = whoIsOnCall(schedule, t).userIds.join();
    if (key !== previous) shifts += 1;
    previous = key;
  }
  return shifts;
}

printEnvironment();
const rows: string[][] = [];

for (const [label, schedule] of [
  ['hourly hand-offs, 50 overrides', hourly],
  ['follow-the-sun, 4 layers, 50 overrides', followTheSun],
] as const) {
  const shifts = renderSchedule(schedule, YEAR).length;
  const naive = timePerCallSync(() => hourByHour(schedule), { runs: 3, repeat: 1 });
  const render = timePerCallSync(() => renderSchedule(schedule, YEAR), { runs: 9 });
  rows.push([`hour-by-hour \`whoIsOnCall\` over a year, ${label} (baseline)`, formatSeconds(naive), '1.00×', '8 760 calls', '']);
  rows.push([
    `\`renderSchedule\` of a year, ${label}`,
    formatSeconds(render),
    formatRatio(naive / render),
    `${formatCount(shifts)} shifts`,
    schedule === hourly ? `< ${String(GOAL_SECONDS)} s: ${render < GOAL_SECONDS ? 'met' : 'NOT met'}` : '',
  ]);
}
const load = timePerCallSync(() => scheduleLoad(hourly, YEAR), { runs: 5 });
rows.push(['`scheduleLoad` of the hourly year', formatSeconds(load), '', `${String(scheduleLoad(hourly, YEAR).length)} users`, '']);
const ics = toICalendar(hourly, YEAR);
const icsTime = timePerCallSync(() => toICalendar(hourly, YEAR), { runs: 5 });
rows.push(['`toICalendar` of the hourly year', formatSeconds(icsTime), '', `${(ics.length / 1e6).toFixed(1)} MB of text`, '']);
printMarkdown(['case', 'time per call', 'speed vs baseline', 'size', 'goal'], rows, ['left', 'right', 'right', 'right', 'left']);

console.log('');
const rand = seededRandom(18);
const instants = Array.from({ length: 4096 }, () => FROM + Math.floor(rand() * 365 * 24 * HOUR));
const isoStrings = instants.map((t) => new Date(t).toISOString());
const parse = timePerCallSync((i) => Date.parse(isoStrings[i & 4095]!), { runs: 7 });
const perSecond: string[][] = [['`Date.parse` of an ISO string (baseline)', formatCount(1 / parse), '1.00×']];
for (const [label, schedule] of [
  ['hourly, 50 overrides', hourly],
  ['follow-the-sun', followTheSun],
] as const) {
  const who = timePerCallSync((i) => whoIsOnCall(schedule, isoStrings[i & 4095]!), { runs: 7 });
  perSecond.push([`\`whoIsOnCall\` at random instants of the year, ${label}`, formatCount(1 / who), formatRatio(parse / who)]);
}
printMarkdown(['case', 'calls/s', 'vs baseline'], perSecond);
printRunCost();
