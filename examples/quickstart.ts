import { createIncidentEngine, isIncidentKitError, memoryStore } from 'incidentkit';

const engine = createIncidentEngine({ store: memoryStore() });
engine.on('incident.resolved', ({ incident }) => {
  console.log(`${incident.title} resolved at ${String(incident.resolvedAt)}`);
});

const alice = { id: 'u_alice', name: 'Alice' };
const incident = await engine.declare({ title: 'Checkout is down', severity: 'SEV2', service: 'checkout', actor: alice });
await engine.acknowledge(incident.id, { actor: alice });
await engine.assignRole(incident.id, { role: 'commander', assignee: alice, actor: alice });
await engine.mitigate(incident.id, { summary: 'Rolled back release 2026.11.3', actor: alice });
await engine.resolve(incident.id, { actor: alice });

try {
  await engine.close(incident.id, { actor: alice });
} catch (error) {
  // SEV1 and SEV2 need a completed review first; the message says what to do.
  if (isIncidentKitError(error, 'INVALID_TRANSITION')) console.log(error.message);
}

for (const event of await engine.timeline(incident.id)) console.log(event.seq, event.type, event.at);
console.log(await engine.verifyTimeline(incident.id)); // { ok: true }
