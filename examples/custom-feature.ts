/**
 * Write your own feature: a capability that plugs into the engine the way the built-in ones
 * (notifications, classification, compliance, review) do. This one nudges responders: when an
 * incident is acknowledged it sets a durable timer in the same commit, and if the incident is
 * still only `responding` when the timer fires, it adds a note to the timeline. It also adds a
 * method (`engine.features.nudges.sent()`) and an HTTP route (`GET /nudges`).
 *
 * Run it with `npx tsx examples/custom-feature.ts`.
 */
import { z } from 'zod';
import { createIncidentEngine, defineFeature, featureTimerId, memoryStore, type Actor } from 'incidentkit';
import { createIncidentHandler } from 'incidentkit/http';
import { createManualClock } from 'incidentkit/testing';

const nudgeActor: Actor = { kind: 'integration', id: 'nudges', name: 'Nudges' };

const nudges = defineFeature({
  name: 'nudges',
  // Options are validated when the feature is made: `nudges({ afterMinutes: -1 })` is a ConfigError.
  options: z.object({ afterMinutes: z.number().int().min(1).max(1_440).default(30) }),
  // The store must be able to keep and hand out timers.
  requires: ['claimTimers', 'completeTimer'],
  setup(context, options) {
    const sent: { incidentId: string; at: string }[] = [];
    return {
      // Runs inside every command, before its commit: the timer is written atomically with the event.
      commit: ({ events, incident }) => {
        const acknowledged = events.find((event) => event.type === 'ACKNOWLEDGED');
        if (acknowledged === undefined) return undefined;
        const dueAt = new Date(Date.parse(acknowledged.at) + options.afterMinutes * 60_000).toISOString();
        return {
          timers: [{ tenantId: incident.tenantId, incidentId: incident.id, timerId: featureTimerId('nudges', incident.id), dueAt, event: { type: 'NUDGE' } }],
        };
      },
      // `engine.tick()` (or `runWorkers`) hands the feature its own timers.
      fireTimer: async (timer) => {
        const { incident } = await context.load(timer.incidentId);
        if (incident.status !== 'responding') return;
        await context.command(
          incident.id,
          nudgeActor,
          () => ({ type: 'ADD_NOTE', text: `No progress for ${String(options.afterMinutes)} minutes since acknowledgement: mitigate, or post an update.` }),
          undefined,
        );
        sent.push({ incidentId: incident.id, at: context.now() });
      },
      api: { sent: (): readonly { incidentId: string; at: string }[] => [...sent] },
      routes: [
        {
          method: 'GET',
          path: '/nudges',
          handle: () => Promise.resolve(Response.json({ items: sent })),
        },
      ],
    };
  },
});

const clock = createManualClock('2026-12-06T09:00:00.000Z');
const engine = createIncidentEngine({ store: memoryStore(), clock, features: [nudges({ afterMinutes: 20 })] });
const alice = { id: 'u_alice', name: 'Alice' };

const incident = await engine.declare({ title: 'Search results are empty', severity: 'SEV2', service: 'search', actor: alice });
await engine.acknowledge(incident.id, { actor: alice });

clock.advance(21 * 60_000);
const fired = await engine.tick();
console.log(`tick fired ${String(fired.length)} timer(s): ${fired.map((t) => `${t.timerId} (${t.outcome})`).join(', ')}`);

const notes = (await engine.timeline(incident.id)).filter((event) => event.type === 'NOTE_ADDED');
const note = notes[0]?.data.text;
console.log(`Note on the timeline: ${typeof note === 'string' ? note : '(none)'}`);
console.log(`engine.features.nudges.sent(): ${JSON.stringify(engine.features.nudges.sent())}`);

const handler = createIncidentHandler(engine, { authenticate: () => alice });
const response = await handler(new Request('http://localhost/nudges'));
console.log(`GET /nudges → ${String(response.status)} ${JSON.stringify(await response.json())}`);
console.log(`Timeline verifies: ${JSON.stringify(await engine.verifyTimeline(incident.id))}`);
