/** Problems on the memory and SQLite stores; authorization and options. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { parseSignal } from '../../../src/model/signal.js';
import { ADA, engineOn, postmortemCases, problemCases } from './problemsSuite.js';

describe('problems on memoryStore', () => {
  problemCases(() => memoryStore());
});

describe('problems on sqliteStore', () => {
  problemCases(() => sqliteStore(new Database(':memory:')));
});

describe('problems in the postmortem', () => {
  postmortemCases(() => memoryStore());
});

describe('problem authorization and options', () => {
  it('asks authorize about problem.write for every command and problem.read for reads', async () => {
    const asked: string[] = [];
    const { engine } = engineOn(memoryStore(), {
      authorize: ({ action, actor }) => {
        asked.push(action);
        return action !== 'problem.write' || actor.id === 'u_ada';
      },
    });
    const { problem } = await engine.problems.open({ title: 'Flaky DNS', actor: ADA });
    await expect(engine.problems.recordWorkaround(problem.id, { workaround: 'Pin resolvers', actor: { id: 'u_bob' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await engine.problems.get(problem.id);
    await engine.problems.list();
    await engine.problems.history(problem.id);
    expect(asked).toEqual(['problem.write', 'problem.write', 'problem.read', 'problem.read', 'problem.read']);
    expect(await engine.problems.history(problem.id)).toHaveLength(1);
  });

  it('refuses bad options at createIncidentEngine', () => {
    expect(() => createIncidentEngine({ store: memoryStore(), problems: { recurrence: { threshold: 1 } } })).toThrow(/threshold/);
  });

  it('shows the workaround of a known error to an incident raised by a monitoring signal, too', async () => {
    const { engine, clock } = engineOn(memoryStore());
    const alert = (fingerprint: string) =>
      parseSignal({ source: 'alertmanager', fingerprint, status: 'firing', severity: 'SEV2', summary: 'High 5xx rate on web', service: 'web', labels: { alertname: 'High5xx' }, startsAt: clock.now().toISOString() });
    const [first] = await engine.ingest(alert('fp-1'));
    const pastId = first?.incident?.id ?? '';
    await engine.resolve(pastId, { actor: ADA });
    const { problem } = await engine.problems.open({ title: 'Bad upstream keepalive', incidents: [pastId], actor: ADA });
    await engine.problems.recordWorkaround(problem.id, { workaround: 'Drain web-1', actor: ADA });
    await engine.problems.markKnownError(problem.id, { actor: ADA });
    clock.advance(86_400_000);
    const [again] = await engine.ingest(alert('fp-2'));
    expect(again).toMatchObject({ outcome: 'created', incident: { knownError: { problemId: problem.id, workaround: 'Drain web-1', incidentId: pastId } } });
  });

  it('can turn known-error matching off', async () => {
    const { engine } = engineOn(memoryStore(), { problems: { knownErrors: false } });
    const past = await engine.declare({ title: 'Disk full on db-1', severity: 'SEV2', service: 'db', actor: ADA });
    const { problem } = await engine.problems.open({ title: 'Log rotation', incidents: [past.id], actor: ADA });
    await engine.problems.recordWorkaround(problem.id, { workaround: 'Delete old logs', actor: ADA });
    await engine.problems.markKnownError(problem.id, { actor: ADA });
    const again = await engine.declare({ title: 'Disk full on db-1', severity: 'SEV2', service: 'db', actor: ADA });
    expect(again.knownError).toBeUndefined();
  });
});
