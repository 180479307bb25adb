/**
 * Escalations that survive restarts: a policy pages the primary on-call after 5 minutes and
 * the secondary 10 minutes later. The first engine "crashes" mid-countdown; a new engine over
 * the same store picks the countdown up and fires the next level exactly once.
 *
 * Run it with `npx tsx examples/escalation.ts`.
 */
import { createIncidentEngine, memoryStore, type IncidentPolicies } from 'incidentkit';
import { createManualClock } from 'incidentkit/testing';

const policies: IncidentPolicies = {
  escalation: {
    levels: [
      { afterMinutes: 5, targets: ['schedule:primary-oncall'] },
      { afterMinutes: 10, targets: ['schedule:secondary-oncall', 'user:eng-manager'] },
    ],
    repeat: 1,
  },
  reminders: [{ kind: 'status_update', everyMinutes: 30, severities: ['SEV1', 'SEV2'] }],
  targets: { SEV1: { acknowledgeWithinMinutes: 15, resolveWithinMinutes: 240 } },
};

// The store outlives engine instances: in production it is SQLite or PostgreSQL.
const store = memoryStore();
const clock = createManualClock('2026-11-29T03:12:00.000Z');
const minutes = (n: number): void => {
  clock.advance(n * 60_000);
};

const first = createIncidentEngine({ store, clock, policies });
first.on('incident.escalated', ({ event }) => {
  console.log(`[first]  ${event.at} escalated to level ${JSON.stringify(event.data.level)}: ${JSON.stringify(event.data.targets)}`);
});
const incident = await first.declare({
  title: 'Payment provider timeouts',
  severity: 'SEV1',
  service: 'payments',
  actor: { id: 'prometheus', kind: 'integration' },
});
minutes(6);
await first.tick(); // level 1 (due 03:17) fires on this tick, at 03:18
minutes(4);
console.log('[first]  crashes at', clock.now().toISOString(), '— level 2 is due at 03:27');

const second = createIncidentEngine({ store, clock, policies });
second.on('incident.escalated', ({ event }) => {
  console.log(`[second] ${event.at} escalated to level ${JSON.stringify(event.data.level)}: ${JSON.stringify(event.data.targets)}`);
});
second.on('incident.target_breached', ({ event }) => {
  console.log(`[second] ${event.at} missed the ${event.data.target as string} target (due ${event.data.targetDueAt as string})`);
});
minutes(20); // the new instance starts late: 03:42
for (const fired of await second.tick()) console.log(`[second] fired ${fired.timerId} → ${fired.outcome}`);

await second.acknowledge(incident.id, { actor: { id: 'u_sam', name: 'Sam' } });
minutes(60);
const after = await second.tick();
console.log(`after acknowledging, an hour later: ${String(after.length)} timer(s) fired (${after.map((f) => f.timerId).join(', ')})`);
const current = await second.get(incident.id);
console.log('escalation:', current.escalation);
console.log('breaches:', current.breaches);
