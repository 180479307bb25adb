/** The investigation on the memory and SQLite stores; configuration and authorization. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { renderNotification } from '../../../src/features/notifications/render.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { ADA, engineOn, investigationCases } from './investigationSuite.js';

describe('investigation on memoryStore', () => {
  investigationCases(() => memoryStore());
});

describe('investigation on sqliteStore', () => {
  investigationCases(() => sqliteStore(new Database(':memory:')));
});

describe('investigation configuration', () => {
  it('refuses an unknown default taxonomy, a duplicate and a malformed one with a ConfigError', () => {
    expect(() => createIncidentEngine({ store: memoryStore(), defaultCauseTaxonomy: 'nope' })).toThrow(/No cause taxonomy is named 'nope'; the taxonomies are: it, rca2/);
    const own = { id: 'lab', title: 'Lab', categories: [{ id: 'sample', title: 'Sample' }] };
    expect(() => createIncidentEngine({ store: memoryStore(), causeTaxonomies: [own, own] })).toThrow(/Two cause taxonomies are named 'lab'/);
    expect(() => createIncidentEngine({ store: memoryStore(), causeTaxonomies: [{ ...own, categories: [] }] })).toThrow(/at least one category/);
  });

  it('uses the default taxonomy the host names', async () => {
    const { engine } = engineOn(memoryStore(), { defaultCauseTaxonomy: 'rca2' });
    const { id } = await engine.declare({ title: 'Wrong patient', severity: 'SEV2', actor: ADA });
    const incident = await engine.recordRootCause(id, { summary: 's', causes: [{ category: 'assessment', description: 'ID band not checked' }], actor: ADA });
    expect(incident.rootCause?.taxonomy).toBe('rca2');
  });
});

describe('investigation authorization', () => {
  it('asks authorize about each command by its name', async () => {
    const asked: string[] = [];
    const { engine } = engineOn(memoryStore(), {
      authorize: ({ action }) => {
        asked.push(action);
        return action !== 'correctMilestone';
      },
    });
    const { id } = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    const hypothesisId = (await engine.addHypothesis(id, { statement: 's', actor: ADA })).hypotheses![0]!.id;
    await engine.addEvidence(id, { kind: 'log', uri: 'https://logs.example.com/q?id=1', note: 'ERROR pool timeout', actor: ADA });
    await engine.updateHypothesis(id, { hypothesisId, status: 'confirmed', actor: ADA });
    await expect(engine.correctMilestone(id, { milestone: 'startedAt', at: '2026-03-01T08:00:00Z', reason: 'r', actor: ADA })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(asked).toEqual(['declare', 'addHypothesis', 'addEvidence', 'updateHypothesis', 'correctMilestone']);
  });
});

describe('action item edits in notifications', () => {
  it('say which fields an edit changed, and the status of a status update as before', async () => {
    const { engine } = engineOn(memoryStore());
    const { id } = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor: ADA });
    const itemId = (await engine.addActionItem(id, { title: 'Rotate logs', actor: ADA })).actionItems[0]!.id;
    await engine.updateActionItem(id, { actionItemId: itemId, owner: 'u_lee', dueAt: '2026-03-10T00:00:00Z', actor: ADA });
    const incident = await engine.updateActionItem(id, { actionItemId: itemId, status: 'done', actor: ADA });
    const [edit, done] = (await engine.timeline(id)).slice(-2);
    expect(renderNotification({ incident, event: edit!, audience: 'internal' }).text).toBe(`Ada changed the owner, dueAt of action item ${itemId}.`);
    expect(renderNotification({ incident, event: done!, audience: 'internal' })).toEqual({ title: 'Action item done: Disk full', text: `Ada set action item ${itemId} to done.` });
  });
});
