/** Refusals speak in the commands a user can call, never in the engine's internal events. */
import { describe, expect, it } from 'vitest';
import { makeEngine, thrown } from '../helpers.js';

const actor = { id: 'u_alice', name: 'Alice' };

describe('INVALID_TRANSITION', () => {
  it('names the refused command and the commands the state accepts, leaving out internal events', async () => {
    const { engine } = makeEngine();
    const incident = await engine.declare({ title: 'API down', severity: 'SEV3', actor });
    await engine.resolve(incident.id, { actor });
    await engine.close(incident.id, { actor });
    const error = await thrown(engine.acknowledge(incident.id, { actor }), 'INVALID_TRANSITION');
    expect(error.details.command).toBe('acknowledge');
    expect(error.details.commands).toEqual(['updateActionItem', 'startClock', 'fileReport']);
    // The machine's own view stays available for tools.
    expect(error.details.accepted).toContain('CLOCK_DUE');
    expect(error.message).toBe(
      `Incident ${incident.id} is in state 'closed', which does not accept acknowledge; you can call updateActionItem, startClock, fileReport.`,
    );
    expect(error.message).not.toMatch(/CLOCK_DUE|UPDATE_ACTION_ITEM/);
  });

  it('says so when no command changes the incident any more', async () => {
    const { engine } = makeEngine();
    const incident = await engine.declare({ title: 'False alarm', severity: 'SEV4', actor });
    await engine.cancel(incident.id, { reason: 'false_positive', actor });
    const error = await thrown(engine.addNote(incident.id, { text: 'late', actor }), 'INVALID_TRANSITION');
    expect(error.details.commands).toEqual([]);
    expect(error.message).toContain("which does not accept addNote; no command changes it any more.");
  });
});
