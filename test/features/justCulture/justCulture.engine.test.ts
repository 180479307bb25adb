/**
 * The just-culture assessment: restricted to `justCulture.read` / `justCulture.write`, refused
 * without an `authorize` hook, versioned, and kept out of the incident, its timeline, its
 * notifications and its postmortem.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { AuthorizationRequest, IncidentEngineOptions } from '../../../src/index.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import type { NotificationMessage, Notifier } from '../../../src/model/notification.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { thrown } from '../../helpers.js';

const riskManager = { id: 'u_risk', name: 'Risk Manager' };
const nurse = { id: 'u_nurse', name: 'Charge Nurse' };
const RATIONALE = 'Chose to bypass the pump drug library under time pressure; the workaround was common on the unit (coach, fix the library).';

function inbox(): Notifier & { readonly messages: NotificationMessage[] } {
  const messages: NotificationMessage[] = [];
  return { name: 'inbox', messages, send: (message) => Promise.resolve(void messages.push(message)) };
}

/** Everyone may do everything but the just-culture actions, which only the risk manager may. */
const policy = (request: AuthorizationRequest) => !request.action.startsWith('justCulture.') || request.actor.id === riskManager.id;

function setup(extra: Partial<IncidentEngineOptions> = {}) {
  const box = inbox();
  const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock('2026-05-04T10:00:00.000Z'), ids: sequentialIds(), notifiers: { inbox: box }, authorize: policy, ...extra });
  return { engine, box };
}

describe('engine.justCulture', () => {
  it('records versioned assessments that only the authorised assessor may write and read', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Heparin at twice the ordered rate', severity: 'SEV2', actor: nurse });
    expect(await engine.justCulture.get(incident.id, { actor: riskManager })).toBeUndefined();
    const first = await engine.justCulture.assess(incident.id, { behaviour: 'human_error', rationale: 'A slip while programming the pump.', actor: riskManager });
    expect(first).toEqual({
      incidentId: incident.id,
      behaviour: 'human_error',
      rationale: 'A slip while programming the pump.',
      assessor: { kind: 'user', id: 'u_risk', name: 'Risk Manager' },
      assessedAt: '2026-05-04T10:00:00.000Z',
      version: 1,
    });
    const second = await engine.justCulture.assess(incident.id, { behaviour: 'at_risk_behaviour', rationale: RATIONALE, actor: riskManager, expectedVersion: 1 });
    expect(second).toMatchObject({ behaviour: 'at_risk_behaviour', version: 2 });
    expect(await engine.justCulture.get(incident.id, { actor: riskManager })).toEqual(second);
    expect((await engine.justCulture.history(incident.id, { actor: riskManager })).map((a) => a.behaviour)).toEqual(['human_error', 'at_risk_behaviour']);
    // A stale revision is refused, and nothing is written.
    await thrown(engine.justCulture.assess(incident.id, { behaviour: 'reckless_behaviour', rationale: 'x', actor: riskManager, expectedVersion: 1 }), 'VERSION_CONFLICT');
    // Anyone else is refused, even one who may read the incident.
    await thrown(engine.justCulture.get(incident.id, { actor: nurse }), 'FORBIDDEN');
    await thrown(engine.justCulture.history(incident.id, { actor: nurse }), 'FORBIDDEN');
    await thrown(engine.justCulture.assess(incident.id, { behaviour: 'reckless_behaviour', rationale: 'x', actor: nurse }), 'FORBIDDEN');
    expect((await engine.justCulture.get(incident.id, { actor: riskManager }))?.version).toBe(2);
  });

  it('is refused without an authorize hook: the assessment is never open to everyone', async () => {
    const engine = createIncidentEngine({ store: memoryStore() });
    const incident = await engine.declare({ title: 'Fall', severity: 'SEV3', actor: nurse });
    const error = await thrown(engine.justCulture.assess(incident.id, { behaviour: 'human_error', rationale: 'x', actor: riskManager }), 'FORBIDDEN');
    expect(error.details).toMatchObject({ action: 'justCulture.write', incidentId: incident.id });
    await thrown(engine.justCulture.get(incident.id, { actor: riskManager }), 'FORBIDDEN');
  });

  it('refuses an unknown incident and a behaviour outside the model', async () => {
    const { engine } = setup();
    await thrown(engine.justCulture.get('inc_missing', { actor: riskManager }), 'NOT_FOUND');
    const incident = await engine.declare({ title: 'Fall', severity: 'SEV3', actor: nurse });
    // @ts-expect-error -- not a just-culture behaviour
    await thrown(engine.justCulture.assess(incident.id, { behaviour: 'negligence', rationale: 'x', actor: riskManager }), 'VALIDATION_FAILED');
  });

  it('stays out of the incident, its timeline, its notifications and its postmortem', async () => {
    const { engine, box } = setup();
    const incident = await engine.declare({ title: 'Heparin at twice the ordered rate', severity: 'SEV2', actor: nurse });
    await engine.justCulture.assess(incident.id, { behaviour: 'at_risk_behaviour', rationale: RATIONALE, actor: riskManager });
    await engine.acknowledge(incident.id, { actor: nurse });
    await engine.addNote(incident.id, { text: 'Infusion stopped.', actor: nurse });
    await engine.resolve(incident.id, { summary: 'Library updated', actor: nurse });
    await engine.dispatch();
    expect(box.messages.length).toBeGreaterThan(0);
    const after = await engine.get(incident.id, { actor: riskManager });
    const timeline = await engine.timeline(incident.id, { actor: riskManager });
    const markdown = renderPostmortemMarkdown(buildPostmortem(after, timeline));
    for (const text of [JSON.stringify(box.messages), JSON.stringify(after), JSON.stringify(timeline), markdown]) {
      expect(text).not.toContain('pump drug library');
      expect(text).not.toContain('at_risk_behaviour');
    }
  });

  it('keeps assessments in SQLite like any versioned record', async () => {
    const db = new Database(':memory:');
    const { engine } = setup({ store: sqliteStore(db) });
    const incident = await engine.declare({ title: 'Fall', severity: 'SEV3', actor: nurse });
    await engine.justCulture.assess(incident.id, { behaviour: 'human_error', rationale: 'Lapse', actor: riskManager });
    const again = createIncidentEngine({ store: sqliteStore(db), authorize: policy });
    expect(await again.justCulture.get(incident.id, { actor: riskManager })).toMatchObject({ behaviour: 'human_error', rationale: 'Lapse', version: 1 });
    db.close();
  });
});
