/**
 * What drills would have sent: a drill's messages for notifiers that are not `drillSafe` are
 * diverted, in the commit that queues them, to the notifications feature's own outbox channel,
 * whose delivery records them (one versioned record per incident) instead of sending them.
 */
import { ConfigError, NotifierError, isIncidentKitError } from '../../errors.js';
import { featureOutboxChannel, type OutboxChannel } from '../../engine/feature.js';
import { SYSTEM_ACTOR } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { notificationMessageSchema, type NotificationAudience, type NotificationLink, type Notifier } from '../../model/notification.js';
import type { JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict } from '../../storage/records.js';
import type { OutboxRecord, StorageAdapter } from '../../storage/types.js';

/**
 * The outbox channel of a drill's messages for notifiers that are not drill-safe. A dispatcher
 * without drill support dead-letters them (no notifier has this name) rather than sending them.
 */
export const DRILL_CHANNEL = /* @__PURE__ */ featureOutboxChannel('notifications', 'drill');

/** The record kind of what a drill would have sent (one record per incident, id = incident id). */
const KIND = 'notifications.wouldHaveSent';

/**
 * A notification a drill did not send because its notifier is not `drillSafe`: the message as
 * it would have gone, for the drill's review (`engine.wouldHaveSent(id)`).
 */
export interface WouldHaveSent {
  /** The outbox message id. */
  readonly messageId: string;
  /** The notifier it was for (its configured name). */
  readonly notifier: string;
  readonly incidentId: string;
  /** The stored event it is about, e.g. `ESCALATED`. */
  readonly eventType: string;
  readonly eventId: string;
  readonly audience: NotificationAudience;
  readonly severity: string;
  /** The title as it would have gone (it starts with `[DRILL] `). */
  readonly title: string;
  /** The text as it would have gone. */
  readonly text: string;
  readonly links: readonly NotificationLink[];
  /** The person it was for, when a route addresses people (e.g. whoever an escalation paged). */
  readonly recipient?: string;
  /** When it was recorded instead of sent (ISO-8601 UTC). */
  readonly recordedAt: string;
}

/**
 * The outbox records of one commit with a drill's messages for notifiers that are not
 * `drillSafe` moved to {@link DRILL_CHANNEL}; a real incident's records unchanged.
 */
export function divertDrillMessages(records: readonly OutboxRecord[], incident: Incident, notifiers: Readonly<Record<string, Notifier>>): OutboxRecord[] {
  if (incident.drill !== true) return [...records];
  return records.map((record) => {
    const notifier = Object.hasOwn(notifiers, record.channel) ? notifiers[record.channel] : undefined;
    return notifier?.drillSafe === true ? record : { ...record, channel: DRILL_CHANNEL };
  });
}

/**
 * The drill log of one tenant: the outbox channel that records what would have been sent, and
 * the read of one incident's records.
 */
export function createDrillLog(store: StorageAdapter, tenantId: string, now: () => string) {
  const records = (subject: string) => requireRecords(store, subject);

  const deliver: OutboxChannel = async (record) => {
    const parsed = notificationMessageSchema.safeParse(record.payload);
    if (!parsed.success) {
      throw new NotifierError({ notifier: DRILL_CHANNEL, retryable: false }, `the stored drill message ${record.id} is not a valid notification; it was not sent.`);
    }
    const message = parsed.data;
    const entry: WouldHaveSent = {
      messageId: record.id,
      notifier: message.notifier,
      incidentId: record.incidentId,
      eventType: message.event.type,
      eventId: message.event.id,
      audience: message.audience,
      severity: message.severity,
      title: message.title,
      text: message.text,
      links: message.links,
      ...(message.recipient === undefined ? {} : { recipient: message.recipient.userId }),
      recordedAt: now(),
    };
    try {
      await retryOnRecordConflict(async () => {
        const log = records('the drill log');
        const current = await log.getRecord(tenantId, KIND, record.incidentId);
        const entries = sentOf(current?.value);
        // A message delivered again (a lost lease, a crash before completion) is recorded once.
        if (entries.some((e) => e.messageId === record.id)) return;
        await log.putRecord({
          tenantId,
          kind: KIND,
          id: record.incidentId,
          expectedVersion: current?.version ?? 0,
          value: { messages: [...entries, entry] } as unknown as JsonValue,
          at: entry.recordedAt,
          actor: SYSTEM_ACTOR,
        });
      });
    } catch (error) {
      // A store without records cannot keep the log: say so once, as a dead letter, and send nothing.
      if (error instanceof ConfigError) throw new NotifierError({ notifier: DRILL_CHANNEL, retryable: false }, error.message, error);
      if (isIncidentKitError(error, 'VALIDATION_FAILED')) throw new NotifierError({ notifier: DRILL_CHANNEL, retryable: false }, error.message, error);
      throw error;
    }
  };

  /** What the drill `incidentId` would have sent, in the order it was recorded. */
  async function wouldHaveSent(incidentId: string): Promise<readonly WouldHaveSent[]> {
    if (keepsNoRecords(store)) return [];
    const current = await records('engine.wouldHaveSent').getRecord(tenantId, KIND, incidentId);
    return sentOf(current?.value);
  }

  return { channels: { [DRILL_CHANNEL]: deliver }, wouldHaveSent };
}

/** Whether the store keeps no versioned records (then no drill log exists: nothing was recorded). */
function keepsNoRecords(store: StorageAdapter): boolean {
  return typeof store.getRecord !== 'function';
}

function sentOf(value: JsonValue | undefined): WouldHaveSent[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const messages = (value as { messages?: unknown }).messages;
  return Array.isArray(messages) ? (messages as WouldHaveSent[]) : [];
}
