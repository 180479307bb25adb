/**
 * Metadata that must not leak (issue 16, item 9): list cursors are sealed, and a duplicate
 * declare names the existing incident only to a caller who may read it.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { AuthorizationRequest } from '../../src/engine/types.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { thrown } from '../helpers.js';

const SECRET = 'k3Vt9q0m2Zr7Yx1bNf5Hc8Ld4Wp6Sj0A';
const actor = { id: 'u_ada' };

async function seeded(options: { store?: ReturnType<typeof memoryStore>; tenantId?: string; cursorSecret?: string } = {}) {
  const store = options.store ?? memoryStore();
  const clock = createManualClock('2026-12-06T10:00:00.000Z');
  const engine = createIncidentEngine({ store, clock, ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }), ...(options.cursorSecret === undefined ? {} : { cursorSecret: options.cursorSecret }) });
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    clock.advance(60_000);
    ids.push((await engine.declare({ title: `Incident ${String(i)}`, severity: 'SEV3', actor })).id);
  }
  return { store, engine, ids };
}

describe('list cursors', () => {
  it('name no incident: neither its id nor its time can be read out of nextCursor', async () => {
    const { engine, ids } = await seeded();
    const page = await engine.list({ limit: 1 });
    const cursor = page.nextCursor ?? '';
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const id of ids) {
      expect(decoded).not.toContain(id);
      expect(decoded).not.toContain(id.slice(4, 12));
    }
    expect(decoded).not.toContain('2026-12-06');
    // It still pages.
    const next = await engine.list({ limit: 1, cursor });
    expect(next.items.map((i) => i.id)).toEqual([ids[1]]);
  });

  it('work across engines that share cursorSecret, and only for the tenant that made them', async () => {
    const store = memoryStore();
    const { engine, ids } = await seeded({ store, cursorSecret: SECRET });
    const other = createIncidentEngine({ store, cursorSecret: SECRET });
    const cursor = (await engine.list({ limit: 2 })).nextCursor ?? '';
    expect((await other.list({ limit: 2, cursor })).items.map((i) => i.id)).toEqual([ids[0]]);

    const otherSecret = createIncidentEngine({ store, cursorSecret: `${SECRET}x` });
    expect((await thrown(otherSecret.list({ cursor }), 'VALIDATION_FAILED')).details.issues[0]?.path).toEqual(['cursor']);
    const otherTenant = createIncidentEngine({ store, tenantId: 'acme', cursorSecret: SECRET });
    expect((await thrown(otherTenant.list({ cursor }), 'VALIDATION_FAILED')).message).toContain('Unknown cursor');
    // A cursor changed by one character is refused, not misread.
    const flipped = `${cursor.slice(0, -2)}${cursor.at(-2) === 'A' ? 'B' : 'A'}${cursor.slice(-1)}`;
    await thrown(other.list({ cursor: flipped }), 'VALIDATION_FAILED');
  });

  it('refuse a short cursorSecret', () => {
    expect(thrown(() => createIncidentEngine({ store: memoryStore(), cursorSecret: 'short' }), 'CONFIG_INVALID').message).toContain('at least 32 characters');
  });
});

describe('DUPLICATE_INCIDENT', () => {
  it('names the existing incident only to a caller who may read it', async () => {
    const store = memoryStore();
    const authorize = ({ actor: who, action }: AuthorizationRequest) => who.id === 'u_reader' || action === 'declare';
    const engine = createIncidentEngine({ store, authorize });
    const first = await engine.declare({ title: 'Checkout down', severity: 'SEV2', dedupKey: 'checkout', actor: { id: 'u_reader' } });

    const blind = await thrown(engine.declare({ title: 'Again', severity: 'SEV2', dedupKey: 'checkout', actor: { id: 'u_declarer' } }), 'DUPLICATE_INCIDENT');
    expect(blind.details).toEqual({ tenantId: 'default', dedupKey: 'checkout' });
    expect(blind.message).not.toContain(first.id);

    const reader = await thrown(engine.declare({ title: 'Again', severity: 'SEV2', dedupKey: 'checkout', actor: { id: 'u_reader' } }), 'DUPLICATE_INCIDENT');
    expect(reader.details.existingIncidentId).toBe(first.id);
  });
});
