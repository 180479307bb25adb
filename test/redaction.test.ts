/**
 * Sensitive fields never leave through the library's outputs unless asked for: for generated
 * patient identifiers, a whole medication-error lifecycle (declare, field updates, reporting
 * clock, review) is run, and the identifier is looked for in everything a host would ship or
 * log: console notifier lines, webhook bodies received by a real HTTP server, the review
 * document as JSON and Markdown, and the messages and details of errors from rejected input.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineIncidentType } from '../src/features/classification/defineIncidentType.js';
import { nccMerpScale } from '../src/features/classification/scales.js';
import { createIncidentEngine } from '../src/createIncidentEngine.js';
import { buildPostmortem } from '../src/features/review/buildPostmortem.js';
import { postmortemToJson, renderPostmortemMarkdown } from '../src/features/review/renderPostmortemMarkdown.js';
import { consoleNotifier } from '../src/channels/console.js';
import { webhookNotifier } from '../src/channels/webhook.js';
import { memoryStore } from '../src/storage/memory.js';
import { createManualClock } from '../src/testing/manualClock.js';
import { startHttpReceiver, type HttpReceiver } from './fixtures/notify/httpReceiver.js';

const medicationError = defineIncidentType({
  name: 'medication_error',
  severityScale: nccMerpScale,
  fields: z.strictObject({
    patientId: z.string().regex(/^MRN-[0-9A-Z]{6,12}$/),
    drug: z.string(),
    dose: z.string().optional(),
    guardian: z.object({ phone: z.string() }).optional(),
  }),
  sensitiveFields: ['patientId', 'guardian.phone'],
});

const nurse = { id: 'u_nurse', name: 'Nurse' };
let receiver: HttpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe('redaction of sensitive fields', () => {
  it('keeps generated identifiers out of notifications, webhook bodies, logs, review documents and errors', async () => {
    const identifier = fc.stringMatching(/^[0-9A-Z]{8,12}$/).map((s) => `MRN-${s}`);
    const phone = fc.stringMatching(/^\+1555[0-9]{7}$/);
    await fc.assert(
      fc.asyncProperty(identifier, identifier, phone, async (patientId, correctedId, guardianPhone) => {
        const logged: string[] = [];
        const path = `/hooks/${patientId.length.toString()}-${String(Math.random()).slice(2)}`;
        const clock = createManualClock('2026-11-02T09:00:00.000Z');
        const engine = createIncidentEngine({
          store: memoryStore(),
          clock,
          types: [medicationError],
          notifiers: {
            console: consoleNotifier({ log: (line) => logged.push(line) }),
            pharmacy: webhookNotifier({ url: `${receiver.origin}${path}` }),
          },
          routes: [{ events: ['DECLARED', 'FIELDS_UPDATED', 'ACKNOWLEDGED', 'MITIGATED', 'REPORT_OVERDUE', 'REPORT_FILED', 'CLOSED'], to: ['console', 'pharmacy'] }],
        });
        const incident = await engine.declare({
          type: 'medication_error',
          title: 'Wrong infusion rate',
          severity: 'E',
          fields: { patientId, drug: 'heparin', guardian: { phone: guardianPhone } },
          actor: nurse,
        });
        await engine.acknowledge(incident.id, { actor: nurse });
        await engine.updateFields(incident.id, { fields: { patientId: correctedId, dose: '5000 IU' }, actor: nurse });
        await engine.startClock(incident.id, { regime: 'fdaMdr', trigger: 'awareness', actor: nurse });
        // Rejected input that carries the identifiers: the errors must not echo them.
        const errors: unknown[] = [];
        for (const bad of [
          () => engine.updateFields(incident.id, { fields: { patientId: `${correctedId} `, drug: 7 }, actor: nurse }),
          () => engine.updateFields(incident.id, { fields: { guardian: { phone: 5 }, patientId: correctedId }, actor: nurse }),
          () =>
            engine.declare({ type: 'medication_error', title: 'x', severity: 'E', fields: { patientId: `x${patientId}`, drug: 'x', extra: guardianPhone } as never, actor: nurse }),
        ]) {
          errors.push(await bad().then(() => undefined, (error: unknown) => error));
        }
        await engine.mitigate(incident.id, { summary: 'Infusion stopped', actor: nurse });
        clock.advance(20 * 86_400_000);
        await engine.tick();
        await engine.fileReport(incident.id, { regime: 'fdaMdr', phase: 'report', reference: 'MW5012345', actor: nurse });
        await engine.resolve(incident.id, { actor: nurse });
        await engine.startReview(incident.id, { actor: nurse });
        await engine.completeReview(incident.id, { actor: nurse });
        await engine.close(incident.id, { actor: nurse });
        while ((await engine.dispatch()).delivered > 0) {
          // until the outbox is empty
        }
        const review = buildPostmortem(await engine.get(incident.id), await engine.timeline(incident.id));
        const bodies = receiver.requests.filter((r) => r.url === path).map((r) => r.body);
        const outputs = {
          logged: logged.join('\n'),
          bodies: bodies.join('\n'),
          json: postmortemToJson(review),
          markdown: renderPostmortemMarkdown(review),
          errors: errors.map((e) => JSON.stringify({ message: (e as Error).message, details: (e as { details?: unknown }).details })).join('\n'),
        };
        expect(errors.every((e) => (e as { code?: string }).code === 'VALIDATION_FAILED')).toBe(true);
        expect(bodies.length).toBeGreaterThanOrEqual(7);
        for (const [where, text] of Object.entries(outputs)) {
          for (const secret of [patientId, correctedId, guardianPhone]) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
        }
        expect(outputs.bodies).toContain('[REDACTED]');
        expect(outputs.json).toContain('[REDACTED]');
        // Asked for explicitly, the review carries them; the store always keeps them.
        expect(postmortemToJson(buildPostmortem(await engine.get(incident.id), [], { includeSensitiveFields: true }))).toContain(correctedId);
        expect((await engine.get(incident.id)).fields.guardian).toEqual({ phone: guardianPhone });
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});
