/** NIST CSF 2.0 tags on timeline events: the `nist` field of commands and engine.tagEvent, on the memory and SQLite stores. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { isIncidentKitError } from '../../../src/errors.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

const T0 = '2026-03-01T09:00:00.000Z';
const ADA = { id: 'u_ada', name: 'Ada' };

function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}) {
  const clock = createManualClock(T0);
  return { engine: createIncidentEngine({ store, clock, ...extra }), clock };
}

function taggingCases(makeStore: () => StorageAdapter) {
  it('stores the tags of a command on its event and of tagEvent on an EVENT_TAGGED event; the chain verifies and replay equals the projection', async () => {
    const { engine, clock } = engineOn(makeStore());
    const { id } = await engine.declare({ title: 'Suspicious login on host-7', severity: 'SEV3', actor: ADA });
    clock.advance(60_000);
    await engine.acknowledge(id, { actor: ADA, nist: ['RS.MA'] });
    await engine.addNote(id, { text: 'Blocked 203.0.113.9 at the edge', actor: ADA, nist: ['RS.MI', 'RS.MI', 'DE.AE'] });
    await engine.addEvidence(id, { kind: 'attachment', uri: 's3://forensics/host-7/memory.img', note: 'Memory image', actor: ADA, nist: ['RS.AN'] });
    await engine.mitigate(id, { summary: 'Host isolated', actor: ADA });
    await engine.tagEvent(id, { eventSeq: 5, nist: ['RS.MI'], actor: ADA });
    await engine.resolve(id, { summary: 'Reimaged', actor: ADA, nist: ['RC.RP'] });
    await engine.close(id, { actor: ADA });
    // Closed incidents still take tags: the report is often written after close.
    const closed = await engine.tagEvent(id, { eventSeq: 1, nist: ['DE.CM'], actor: ADA });

    const timeline = await engine.timeline(id);
    expect(timeline.map((e) => [e.seq, e.type, e.data.nist])).toEqual([
      [1, 'DECLARED', undefined],
      [2, 'ACKNOWLEDGED', ['RS.MA']],
      [3, 'NOTE_ADDED', ['RS.MI', 'DE.AE']],
      [4, 'EVIDENCE_ADDED', ['RS.AN']],
      [5, 'MITIGATED', undefined],
      [6, 'EVENT_TAGGED', undefined],
      [7, 'RESOLVED', ['RC.RP']],
      [8, 'CLOSED', undefined],
      [9, 'EVENT_TAGGED', undefined],
    ]);
    expect(timeline[5]).toMatchObject({ actor: { id: 'u_ada' }, data: { eventSeq: 5, eventType: 'MITIGATED', tags: ['RS.MI'] } });
    expect(timeline[8]?.data).toEqual({ eventSeq: 1, eventType: 'DECLARED', tags: ['DE.CM'] });
    expect(closed.status).toBe('closed');
    expect(await engine.verifyTimeline(id)).toMatchObject({ ok: true });
    expect(replayTimeline(timeline)).toEqual(closed);
  });

  it('refuses an unknown tag with a ValidationError that names it and suggests the CSF 2.0 category, storing nothing', async () => {
    const { engine } = engineOn(makeStore());
    const { id } = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    const refused = await engine.addNote(id, { text: 'n', actor: ADA, nist: ['RS.RP'] as never }).catch((error: unknown) => error);
    expect(isIncidentKitError(refused, 'VALIDATION_FAILED')).toBe(true);
    expect((refused as Error).message).toContain("'RS.RP' is not a NIST CSF 2.0 function or category. Did you mean 'RS.MA'?");
    await expect(engine.tagEvent(id, { eventSeq: 1, nist: ['de.ae'] as never, actor: ADA })).rejects.toThrow(/'de\.ae' is not a NIST CSF 2\.0 function or category\. Did you mean 'DE\.AE'\?/);
    await expect(engine.tagEvent(id, { eventSeq: 1, nist: ['DE.AE-02'] as never, actor: ADA })).rejects.toThrow(/Did you mean 'DE\.AE'\?/);
    await expect(engine.tagEvent(id, { eventSeq: 1, nist: [], actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await engine.timeline(id)).map((e) => e.type)).toEqual(['DECLARED']);
  });

  it('refuses to tag an event the timeline lacks, or a tagging itself', async () => {
    const { engine } = engineOn(makeStore());
    const { id } = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    await expect(engine.tagEvent(id, { eventSeq: 2, nist: ['DE'], actor: ADA })).rejects.toThrow("No timeline event with id '#2'");
    await engine.tagEvent(id, { eventSeq: 1, nist: ['DE'], actor: ADA });
    await expect(engine.tagEvent(id, { eventSeq: 2, nist: ['RS'], actor: ADA })).rejects.toThrow(/Event #2 of incident .* records a tagging \(of event #1\); tag that event instead/);
    await expect(engine.tagEvent('inc_missing', { eventSeq: 1, nist: ['RS'], actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to tag the events of a canceled incident', async () => {
    const { engine } = engineOn(makeStore());
    const { id } = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    await engine.cancel(id, { reason: 'false_positive', actor: ADA, nist: ['RS.MA'] });
    await expect(engine.tagEvent(id, { eventSeq: 1, nist: ['DE'], actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    const last = (await engine.timeline(id)).at(-1);
    expect(last?.data.nist).toEqual(['RS.MA']);
  });
}

describe('NIST tags on memoryStore', () => {
  taggingCases(() => memoryStore());
});

describe('NIST tags on sqliteStore', () => {
  taggingCases(() => sqliteStore(new Database(':memory:')));
});

describe('tagEvent authorization', () => {
  it('asks authorize about tagEvent with the input as given', async () => {
    const asked: unknown[] = [];
    const { engine } = engineOn(memoryStore(), {
      authorize: ({ action, input }) => {
        asked.push([action, input]);
        return action !== 'tagEvent';
      },
    });
    const { id } = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    await expect(engine.tagEvent(id, { eventSeq: 1, nist: ['DE.AE'], actor: ADA })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(asked.at(-1)).toEqual(['tagEvent', { eventSeq: 1, nist: ['DE.AE'] }]);
  });
});
