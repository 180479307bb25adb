/**
 * Nothing internal reaches a status page: whatever an incident holds (title, summary, notes,
 * internal and stakeholder updates, custom fields, roles and who holds them, labels, root cause,
 * resolution), its snapshot and the messages its subscribers get hold only what was published.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineIncidentType } from '../../../src/features/classification/defineIncidentType.js';
import { sevScale } from '../../../src/model/severity.js';
import type { SubscriberMessage } from '../../../src/features/statusPage/subscribers.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { ADA, page, T0 } from './statusPageSuite.js';

const outage = defineIncidentType({ name: 'outage', severityScale: sevScale, fields: z.strictObject({ customer: z.string().optional(), notes: z.string().optional() }) });

/** Internal text: any printable ASCII around a marker that no public text can contain (public text is lowercase). */
const internal = (marker: string) => fc.stringMatching(/^[ -~]{0,24}$/).map((noise) => `${noise} ${marker} ${noise}`.trim());
const publicText = fc.stringMatching(/^[a-z][a-z .,]{0,39}$/);
const status = fc.constantFrom('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance' as const);
const component = fc.constantFrom('website', 'api', 'email');

const scenario = fc.record({
  title: internal('ZQMARKTITLE'),
  summary: internal('ZQMARKSUMMARY'),
  service: fc.constantFrom('web', 'api', 'billing'),
  label: internal('ZQMARKLABEL'),
  labelKey: fc.constantFrom('team', 'ZQMARKLABELKEY'),
  field: internal('ZQMARKFIELD'),
  role: fc.constantFrom('ZQMARKROLE', 'commander_ZQMARKROLE2'),
  assignee: internal('ZQMARKASSIGNEE'),
  notes: fc.array(internal('ZQMARKNOTE'), { maxLength: 3 }),
  updates: fc.array(fc.record({ audience: fc.constantFrom('internal', 'stakeholders', 'public' as const), message: internal('ZQMARKUPDATE') }), { maxLength: 3 }),
  rootCause: internal('ZQMARKROOTCAUSE'),
  resolution: fc.option(internal('ZQMARKRESOLUTION'), { nil: undefined }),
  publish: fc.record({ name: publicText, body: publicText, impact: fc.constantFrom('none', 'minor', 'major', 'critical' as const), components: fc.dictionary(component, status, { maxKeys: 2 }) }),
  publicUpdates: fc.array(
    fc.record({ status: fc.constantFrom('investigating', 'identified', 'monitoring', 'resolved' as const), body: publicText, components: fc.option(fc.dictionary(component, status, { maxKeys: 2 }), { nil: undefined }) }),
    { maxLength: 3 },
  ),
});

describe('status page snapshots and subscriber messages', () => {
  it('never hold anything internal to an incident, whatever it contains', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // What subscribers are sent, as a host's own delivery receives it (every field of every message).
        const sent: SubscriberMessage[] = [];
        const delivery = { channels: { email: true, webhook: false }, send: (message: SubscriberMessage) => Promise.resolve(void sent.push(message)) };
        const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock(T0), statusPages: [page], types: [outage], statusPageSubscribers: { delivery } });
        await engine.statusPages.subscribe('public', { email: 'ana@example.com' });
        await engine.dispatch();
        await engine.statusPages.confirm(new URL(sent[0]?.data.confirm_url as string).searchParams.get('token') ?? '');
        const incident = await engine.declare({
          type: 'outage',
          title: s.title,
          summary: s.summary,
          severity: 'SEV2',
          service: s.service,
          labels: { [s.labelKey]: s.label },
          fields: { customer: s.field, notes: s.field },
          actor: ADA,
        });
        await engine.assignRole(incident.id, { role: s.role, assignee: { id: 'u_bo', name: s.assignee }, actor: ADA });
        for (const text of s.notes) await engine.addNote(incident.id, { text, actor: ADA });
        for (const update of s.updates) await engine.postUpdate(incident.id, { ...update, actor: ADA });
        await engine.publish(incident.id, { ...s.publish, actor: ADA });
        await engine.recordRootCause(incident.id, { summary: s.rootCause, contributingFactors: [s.rootCause], actor: ADA });
        for (const { components, ...update } of s.publicUpdates) await engine.postPublicUpdate(incident.id, { ...update, ...(components === undefined ? {} : { components }), actor: ADA });
        if (s.resolution !== undefined) await engine.resolve(incident.id, { summary: s.resolution, actor: ADA });
        const snapshot = await engine.statusPages.snapshot('public', { uptime: true });
        const json = JSON.stringify(snapshot);
        expect(json).not.toMatch(/ZQMARK/);
        expect(json).toContain(s.publish.name.trim());
        await engine.tick();
        for (let pass = 0; pass < 5 && (await engine.dispatch()).claimed > 0; pass += 1);
        const messages = JSON.stringify(sent);
        expect(messages).not.toMatch(/ZQMARK/);
        // Every public update reached the subscriber (in any order: the outbox does not promise one; each carries its time).
        expect(sent.filter((m) => m.type === 'incident.updated').map((m) => m.data.body as string).sort()).toEqual([s.publish.body, ...s.publicUpdates.map((u) => u.body)].map((b) => b.trim()).sort());
      }),
      { numRuns: 40 },
    );
  });
});
