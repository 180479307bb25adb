/**
 * Who is on call? Two rotas as data, and the pure functions over them:
 * - an IT follow-the-sun rota: Sydney, Berlin and New York each cover their working hours on
 *   weekdays, a weekly SRE rotation covers the rest, and one person swaps out for an afternoon;
 * - a hospital pharmacist rota: weekday nights rotate daily, weekends rotate weekly, and the
 *   in-house pharmacy covers weekdays (a gap in the on-call rota, on purpose).
 * It prints who is on call at one instant, a week of shifts, each person's load and off-hours,
 * the start of the iCalendar feed a pharmacist subscribes to, and the hand-off notice an engine
 * sends the next pharmacist an hour before their shift.
 *
 * Run it with `npx tsx examples/oncall.ts`.
 */
import {
  consoleNotifier,
  createIncidentEngine,
  defineCalendar,
  defineSchedule,
  memoryStore,
  renderSchedule,
  scheduleLoad,
  toICalendar,
  whoIsOnCall,
  type Shift,
} from 'incidentkit';
import { createManualClock } from 'incidentkit/testing';

// ---- IT: follow the sun -------------------------------------------------------------------------
// One schedule has one time zone: the windows are written in UTC, so each office's local hours
// move by an hour when its own clocks change.
const sre = defineSchedule({
  id: 'sre-primary',
  name: 'SRE primary',
  timeZone: 'UTC',
  layers: [
    { id: 'sre', name: 'SRE weekly', start: '2026-03-02T08:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben', 'chen'] },
    {
      id: 'sydney',
      name: 'Sydney',
      start: '2026-03-01T22:00',
      rotation: { every: { amount: 1, unit: 'days' } },
      members: ['mia', 'noah'],
      // Sunday to Thursday 22:00 UTC is Monday to Friday morning in Sydney.
      restrictions: [{ kind: 'weekly', days: [7, 1, 2, 3, 4], start: '22:00', end: '06:00' }],
    },
    {
      id: 'berlin',
      name: 'Berlin',
      start: '2026-03-02T06:00',
      rotation: { every: { amount: 1, unit: 'days' } },
      members: ['lena', 'jonas'],
      restrictions: [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' }],
    },
    {
      id: 'newyork',
      name: 'New York',
      start: '2026-03-02T14:00',
      rotation: { every: { amount: 1, unit: 'weeks' } },
      members: ['olivia', 'liam'],
      restrictions: [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '14:00', end: '22:00' }],
    },
  ],
  // olivia covers liam's dentist appointment.
  overrides: [{ id: 'dentist', start: '2026-03-10T15:00:00Z', end: '2026-03-10T17:30:00Z', userId: 'olivia', replaces: 'liam' }],
});

const at = '2026-03-10T16:00:00Z';
const now = whoIsOnCall(sre, at);
console.log(`SRE primary at ${at}: ${now.userIds.join(', ')} (${now.source}), until ${now.shift?.end ?? '—'}`);

const line = (s: Shift): string =>
  `  ${s.start.slice(0, 16).replace('T', ' ')} → ${s.end.slice(0, 16).replace('T', ' ')}  ${s.source === 'gap' ? '(nobody)' : s.userIds.join(', ')}${s.layerId === undefined ? '' : `  [${s.layerId}]`}${s.source === 'override' ? '  [override]' : ''}`;

console.log('\nSRE primary, Tuesday 10 March (UTC):');
for (const shift of renderSchedule(sre, { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' })) console.log(line(shift));

// ---- Hospital: on-call pharmacists --------------------------------------------------------------
const pharmacy = defineSchedule({
  id: 'pharmacy-oncall',
  name: 'On-call pharmacist',
  timeZone: 'Europe/Berlin',
  layers: [
    {
      id: 'weeknights',
      name: 'Weeknights',
      start: '2026-03-23T17:00',
      rotation: { every: { amount: 1, unit: 'days' } },
      members: ['dr-weber', 'dr-yilmaz', 'dr-novak'],
      restrictions: [{ kind: 'weekly', days: [1, 2, 3, 4, 5], start: '17:00', end: '08:00' }],
    },
    {
      id: 'weekends',
      name: 'Weekends',
      start: '2026-03-21T08:00',
      rotation: { every: { amount: 1, unit: 'weeks' } },
      members: ['dr-novak', 'dr-weber', 'dr-yilmaz'],
      restrictions: [{ kind: 'weekly', days: [6, 7], start: '08:00', end: '08:00' }],
    },
  ],
  // dr-weber takes dr-novak's Wednesday night.
  overrides: [{ id: 'swap-1', start: '2026-03-25T17:00:00+01:00', end: '2026-03-26T08:00:00+01:00', userId: 'dr-weber', replaces: 'dr-novak' }],
});

console.log('\nOn-call pharmacist, the week of the clock change (Europe/Berlin, times in UTC):');
const week = { from: '2026-03-23T07:00:00Z', to: '2026-03-30T06:00:00Z' };
for (const shift of renderSchedule(pharmacy, week)) console.log(line(shift));

const berlin = defineCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-04-03', '2026-04-06'] });
// Fairness and pay: hours on call per pharmacist, and how many fall outside 08:00–17:00 on business days.
console.log('\nPharmacist load over April:');
for (const load of scheduleLoad(pharmacy, { from: '2026-03-31T22:00:00Z', to: '2026-04-30T22:00:00Z', offHours: { calendar: berlin, workingHours: { start: '08:00', end: '17:00' } } })) {
  console.log(`  ${load.userId.padEnd(10)} ${load.hours.toFixed(1).padStart(6)} h on call in ${String(load.shifts).padStart(2)} shifts, ${(load.offHours ?? 0).toFixed(1)} h of them off-hours`);
}

const ics = toICalendar(pharmacy, { ...week, userId: 'dr-weber' });
console.log(`\ndr-weber's calendar feed (${String(ics.split('BEGIN:VEVENT').length - 1)} events), first lines:`);
console.log(ics.split('\r\n').slice(0, 14).join('\n'));

// ---- In the engine: a hand-off notice an hour ahead ---------------------------------------------
// A manual clock stands in for time passing, and one tick() and dispatch() for the background
// workers a host runs with engine.runWorkers().
const clock = createManualClock('2026-03-25T14:00:00Z');
const engine = createIncidentEngine({
  store: memoryStore(),
  clock,
  notifiers: { console: consoleNotifier({
    log: (text) => {
      console.log(text.replace(/^/gm, '  '));
    },
  }) },
  // Your directory: where each person is reached, by notifier name.
  contacts: (userId) => ({ console: `${userId}@pager` }),
});
await engine.schedules.put({ ...pharmacy, handoffNotice: { before: { amount: 1, unit: 'hours' } } }, { actor: { id: 'u_chief_pharmacist' } });
clock.set('2026-03-25T15:00:00Z'); // 16:00 in Berlin, an hour before dr-weber's 17:00 swap
console.log('\nAt 16:00 Berlin on 25 March the engine sends:');
await engine.tick(); // the notice timer fires: the notice goes to the outbox
await engine.dispatch(); // and out through the console notifier

