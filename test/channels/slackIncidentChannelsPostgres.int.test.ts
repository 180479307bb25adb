/**
 * Incident channels across instances on one PostgreSQL database: two engines, each with its own
 * pool and Slack notifier, keep the channel and the incident message in `recordThreadStore`, so
 * what one instance created the other updates — one channel, one message.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { slackNotifier } from '../../src/channels/index.js';
import { createIncidentEngine, recordThreadStore, type IncidentEngine } from '../../src/index.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';
import { CHANNEL, TOKEN, startFakeSlack, type FakeSlack } from '../fixtures/notify/fakeSlack.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';

const postgres = inject('postgres');
const ANA = { id: 'ana', name: 'Ana' };

describe.skipIf(postgres.url === null)(`incident channels across instances on PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schema = `ik_slackch_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const clock = createManualClock('2026-03-02T09:00:00.000Z');
  const pools: pg.Pool[] = [];
  const engines: IncidentEngine[] = [];
  const stores: ReturnType<typeof postgresStore>[] = [];
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await startFakeSlack(() => clock.now());
    for (let i = 0; i < 2; i += 1) {
      const pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 2 });
      pools.push(pool);
      const store = postgresStore(pool, { schema });
      await store.migrate();
      stores.push(store);
      const notifier = slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl, threadStore: recordThreadStore(store, { clock }), incidentChannels: {} });
      engines.push(createIncidentEngine({ store, clock, ids: sequentialIds(`e${String(i)}_`), notifiers: { slack: notifier } }));
    }
  });
  afterAll(async () => {
    await slack.close();
    await pools[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const pool of pools) await pool.end();
    markPostgresSuiteRan('slackIncidentChannels.int');
  });

  it('one instance creates the channel, the other updates its message in place', async () => {
    const [a, b] = engines as [IncidentEngine, IncidentEngine];
    const incident = await a.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await a.dispatch();
    await b.acknowledge(incident.id, { actor: ANA });
    await b.dispatch();
    expect(slack.channels.calledWith('conversations.create')).toHaveLength(1);
    const [channel] = [...slack.channels.byId.values()];
    expect(channel?.messages.size).toBe(1);
    expect(String([...(channel?.messages.values() ?? [])][0]?.text)).toContain('Responding');
    expect(slack.channels.calledWith('chat.update')).toHaveLength(1);
    // The team channel's thread is shared too: the second message is a reply.
    const teamPosts = slack.posts.filter((p) => p.body.channel === CHANNEL);
    expect(teamPosts.map((p) => p.body.thread_ts)).toEqual([undefined, teamPosts[0]?.ts]);
  });

  it('concurrent writes of one key from two instances all succeed; one of them is kept', async () => {
    const threads = stores.map((store) => recordThreadStore(store, { clock }));
    await Promise.all(Array.from({ length: 4 }, (_, i) => threads[i % 2]?.set('race', String(i)) ?? Promise.resolve()));
    const kept = await Promise.all(threads.map((t) => t.get('race')));
    expect(['0', '1', '2', '3']).toContain(kept[0]);
    expect(kept[1]).toBe(kept[0]);
  });
});
