/** Status pages, public incidents and component status on the memory and SQLite stores; configuration and authorization. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineStatusPage } from '../../../src/features/statusPage/defineStatusPage.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { ADA, engineOn, page, statusPageCases } from './statusPageSuite.js';

describe('status pages on memoryStore', () => {
  statusPageCases(() => memoryStore());
});

describe('status pages on sqliteStore', () => {
  statusPageCases(() => sqliteStore(new Database(':memory:')));
});

describe('defineStatusPage', () => {
  const base = { id: 'public', name: 'Status', url: 'https://status.example.com', timeZone: 'UTC', components: [{ id: 'web', name: 'Web' }] };

  it('returns a frozen page with the URL without a trailing slash', () => {
    const defined = defineStatusPage({ ...base, url: 'https://status.example.com/' });
    expect(defined.url).toBe('https://status.example.com');
    expect(Object.isFrozen(defined) && Object.isFrozen(defined.components[0])).toBe(true);
  });

  it.each([
    ['id', { id: 'has space' }, ['id']],
    ['duplicate component ids', { components: [{ id: 'web', name: 'A' }, { id: 'web', name: 'B' }] }, ['components', 1, 'id']],
    ['time zone', { timeZone: 'Mars/Olympus' }, ['timeZone']],
    ['url', { url: 'ftp://status.example.com' }, ['url']],
    ['services', { components: [{ id: 'web', name: 'Web', services: [42] }] }, ['components', 0, 'services', 0]],
    ['no components', { components: [] }, ['components']],
  ])('refuses a bad %s with a ConfigError naming the field', (_name, change, path) => {
    let thrown: unknown;
    try {
      defineStatusPage({ ...base, ...change } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', details: { issues: [{ path }] } });
  });

  it('refuses duplicate configured pages and bad ones at createIncidentEngine', () => {
    expect(() => createIncidentEngine({ store: memoryStore(), statusPages: [page, page] })).toThrow(/statusPages\.1\.id|unique/);
    expect(() => createIncidentEngine({ store: memoryStore(), statusPages: [{ ...page, timeZone: 'Nowhere' }] })).toThrow(/timeZone/);
  });
});

describe('status page authorization', () => {
  it("asks authorize about publish for both commands, statusPage.write for put and statusPage.read for definitions; snapshots are public", async () => {
    const asked: string[] = [];
    const { engine } = engineOn(memoryStore(), {
      authorize: ({ action }) => {
        asked.push(action);
        return action !== 'statusPage.write';
      },
    });
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: ADA });
    await engine.publish(incident.id, { name: 'n', impact: 'minor', body: 'b', actor: ADA });
    await engine.postPublicUpdate(incident.id, { status: 'resolved', body: 'b', actor: ADA });
    await expect(engine.statusPages.put(page, { actor: ADA })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await engine.statusPages.get('public');
    await engine.statusPages.snapshot('public');
    expect(asked).toEqual(['declare', 'publish', 'publish', 'statusPage.write', 'statusPage.read']);
  });
});
