/**
 * Property: whatever sequence of commands hits the engine (valid, invalid input, refused by the
 * state, unknown action items, merges, a clock that jumps back), the stored projection always
 * equals the replay of the stored timeline, the timeline verifies, `seq` has no gaps, milestones
 * stay chronological, and a rejected command changes nothing at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { isIncidentKitError } from '../../src/errors.js';
import { STORED_TYPE_OF } from '../../src/lifecycle/events.js';
import { replayTimeline } from '../../src/lifecycle/projection.js';
import type { Incident } from '../../src/model/incident.js';
import {
  ALICE,
  COMMAND_EVENT_TYPES,
  declareIncident,
  expectChronologicalMilestones,
  expectWellFormedTimeline,
  makeEngine,
  storedState,
  type CommandEventType,
} from '../helpers.js';

interface Step {
  readonly type: CommandEventType;
  /** Which of the two incidents the command targets. */
  readonly target: 0 | 1;
  /** Send input that fails validation. */
  readonly badInput: boolean;
  readonly severity: string;
  /** `act_<n>`; `act_0` never exists. */
  readonly actionItem: number;
  readonly mergedInto: 'none' | 'other' | 'self' | 'unknown';
  /** How far the clock moves before the command; negative moves it back. */
  readonly clockMs: number;
}

const stepArbitrary: fc.Arbitrary<Step> = fc
  .record({
    // Lifecycle moves are likelier than facts, and cancel (a dead end) rarer, so runs get deep.
    type: fc.oneof(
      { arbitrary: fc.constantFrom<CommandEventType>('ACKNOWLEDGE', 'MITIGATE', 'RESOLVE', 'REOPEN', 'START_REVIEW', 'COMPLETE_REVIEW', 'CLOSE'), weight: 6 },
      { arbitrary: fc.constantFrom(...COMMAND_EVENT_TYPES), weight: 3 },
      { arbitrary: fc.constant<CommandEventType>('CANCEL'), weight: 1 },
    ),
    // Mostly the first incident, so its lifecycle gets deep.
    target: fc.constantFrom(0 as const, 0 as const, 0 as const, 1 as const),
    // One command in ten has bad input.
    roll: fc.integer({ min: 0, max: 9 }),
    severity: fc.constantFrom('SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'),
    actionItem: fc.integer({ min: 0, max: 3 }),
    mergedInto: fc.constantFrom('none' as const, 'none' as const, 'other' as const, 'self' as const, 'unknown' as const),
    clockMs: fc.oneof(fc.integer({ min: 0, max: 10 * 60_000 }), fc.integer({ min: -30 * 60_000, max: 0 })),
  })
  .map(({ roll, ...step }) => ({ ...step, badInput: roll === 0 }));

/** Runs the command of `step` on incident `id`; `other` is the other incident's id. */
function run(engine: IncidentEngine, id: string, other: string, step: Step): Promise<Incident> {
  const actor = step.badInput ? { id: '' } : ALICE;
  switch (step.type) {
    case 'ACKNOWLEDGE':
      return engine.acknowledge(id, { actor });
    case 'ASSIGN_ROLE':
      return engine.assignRole(id, { role: step.severity === 'SEV1' ? 'commander' : 'scribe', assignee: 'u_bob', actor });
    case 'SET_SEVERITY':
      return engine.setSeverity(id, { severity: step.severity, actor });
    case 'ADD_NOTE':
      return engine.addNote(id, { text: `note at ${String(step.clockMs)}`, actor });
    case 'POST_UPDATE':
      return engine.postUpdate(id, { audience: 'internal', message: 'Still investigating.', actor });
    case 'MITIGATE':
      return engine.mitigate(id, { summary: 'Failed over.', actor });
    case 'RECORD_ROOT_CAUSE':
      return engine.recordRootCause(id, { summary: 'Disk full.', contributingFactors: [step.severity], actor });
    case 'RESOLVE':
      return engine.resolve(id, { actor });
    case 'REOPEN':
      return engine.reopen(id, { reason: 'Errors are back.', actor });
    case 'START_REVIEW':
      return engine.startReview(id, { owner: 'u_carol', actor });
    case 'COMPLETE_REVIEW':
      return engine.completeReview(id, { summary: 'Done.', actor });
    case 'ADD_ACTION_ITEM':
      return engine.addActionItem(id, { title: 'Follow up', dueAt: '2026-12-31T00:00:00Z', actor });
    case 'UPDATE_ACTION_ITEM':
      return engine.updateActionItem(id, { actionItemId: `act_${String(step.actionItem)}`, status: 'done', actor });
    case 'CLOSE':
      return engine.close(id, { actor });
    case 'CANCEL': {
      const mergedInto = { none: undefined, other, self: id, unknown: 'inc_404' }[step.mergedInto];
      return engine.cancel(id, { reason: 'duplicate', actor, ...(mergedInto === undefined ? {} : { mergedInto }) });
    }
  }
}

/** Settles `fn()` whether it rejects or throws synchronously. */
async function settle(fn: () => Promise<Incident>): Promise<{ ok: true; incident: Incident } | { ok: false; error: unknown }> {
  try {
    return { ok: true, incident: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

async function expectConsistent(engine: IncidentEngine, id: string): Promise<void> {
  const incident = await engine.get(id);
  const timeline = await engine.timeline(id);
  expect(incident).toStrictEqual(replayTimeline(timeline));
  // What a JSON store would keep is exactly what the memory store holds.
  expect(JSON.parse(JSON.stringify(incident))).toStrictEqual(incident);
  expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  expectWellFormedTimeline(timeline, incident);
  expectChronologicalMilestones(incident);
}

describe('random command sequences (fast-check)', () => {
  it('keep projection = replay(timeline), a verifiable chain, and leave no trace when rejected', async () => {
    const steps = fc.array(stepArbitrary, { minLength: 1, maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('SEV1', 'SEV3'), steps, async (severity, sequence) => {
        const { engine, clock } = makeEngine();
        const ids = [(await declareIncident(engine, { severity })).id, (await declareIncident(engine, { severity: 'SEV4' })).id] as const;
        for (const step of sequence) {
          if (step.clockMs >= 0) clock.advance(step.clockMs);
          else clock.set(new Date(clock.now().getTime() + step.clockMs));
          const id = ids[step.target];
          const other = ids[1 - step.target]!;
          const before = await storedState(engine, id);
          const untouched = await storedState(engine, other);
          const outcome = await settle(() => run(engine, id, other, step));
          if (outcome.ok) {
            expect(step.badInput).toBe(false);
            expect(outcome.incident.version).toBe(before.incident.version + 1);
            expect(await engine.get(id)).toStrictEqual(outcome.incident);
            const timeline = await engine.timeline(id);
            expect(timeline.slice(0, -1)).toStrictEqual(before.timeline);
            expect(timeline.at(-1)?.type).toBe(STORED_TYPE_OF[step.type]);
          } else {
            const expected = step.badInput ? ['VALIDATION_FAILED'] : ['VALIDATION_FAILED', 'INVALID_TRANSITION', 'NOT_FOUND'];
            expect(
              expected.some((code) => isIncidentKitError(outcome.error, code as 'VALIDATION_FAILED')),
              `${step.type} failed with ${String(outcome.error)}`,
            ).toBe(true);
            expect(await storedState(engine, id)).toStrictEqual(before);
          }
          expect(await storedState(engine, other)).toStrictEqual(untouched);
        }
        for (const id of ids) await expectConsistent(engine, id);
      }),
      { numRuns: 100 },
    );
  });
});
