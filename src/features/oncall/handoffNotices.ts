/**
 * Hand-off notices: a schedule with `handoffNotice` tells each incoming person ahead of their
 * shift, through every notifier they have a contact for. One durable timer per schedule (set
 * with each schedule version, and again by each firing) and a log record per schedule (kind
 * `schedule.handoffs`) whose versions say which hand-offs were announced to whom.
 */
import type { EngineCore } from '../../engine/core.js';
import { featureTimerId } from '../../engine/feature.js';
import { SYSTEM_ACTOR } from '../../model/actor.js';
import type { Contacts, NoticeMessage, Notifier } from '../../model/notification.js';
import type { JsonValue } from '../../model/primitives.js';
import { requireRecords, retryOnRecordConflict } from '../../storage/records.js';
import type { OutboxRecord, RecordWrite, StoredRecord, TimerRecord } from '../../storage/types.js';
import { handoffsBetween, nextHandoff, type Handoff } from './handoffs.js';
import { whoIsOnCall } from './renderSchedule.js';
import { defineSchedule, handoffNoticeMs, type Schedule } from './schedule.js';

/** The record kind of the hand-off notice log: one record per schedule (same id), a version per firing. */
export const HANDOFF_RECORD_KIND = 'schedule.handoffs';

/** The timer event of a hand-off notice. */
const EVENT_TYPE = 'HANDOFF_NOTICE';
/** The most hand-offs one firing announces (an hourly rotation with a notice days ahead has many). */
const MAX_PER_FIRING = 500;
const MAX_ATTEMPTS = 5;

/** What the on-call feature needs to send notices: the engine's notifiers and the host's directory. */
export interface HandoffNoticeOptions {
  readonly notifiers?: Readonly<Record<string, Notifier>>;
  readonly contacts?: Contacts;
}

/** The value of a log version. */
interface HandoffLog {
  readonly scheduleId: string;
  /** The latest hand-off announced (ISO-8601 UTC), or `null` before the first. */
  readonly lastHandoffAt: string | null;
  /** What this firing announced: each hand-off, and per incoming person the notifiers used (none: unreachable). */
  readonly announced: readonly { readonly at: string; readonly notified: Readonly<Record<string, readonly string[]>> }[];
}

/** The timer id of a schedule's hand-off notices. @internal */
export const handoffTimerId = (scheduleId: string): string => featureTimerId('oncall', `handoff:${scheduleId}`);

const iso = (ms: number): string => new Date(ms).toISOString();

function lastAnnounced(log: StoredRecord | undefined): number {
  const value = log?.value as Partial<HandoffLog> | null | undefined;
  return typeof value?.lastHandoffAt === 'string' ? Date.parse(value.lastHandoffAt) : Number.NEGATIVE_INFINITY;
}

/** A formatter per time zone: constructing one costs hundreds of µs (see kernel/timeZone.ts), and each notice formats two or three times. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** `Mon 9 Mar 2026, 09:00` in the schedule's time zone. */
function localTime(ms: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(ms);
}

/**
 * Hand-off notices of one engine: `plan` gives the timer change to write with a schedule
 * version, `fire` runs a due notice timer.
 *
 * @internal
 */
export function createHandoffNotices(core: EngineCore, options: HandoffNoticeOptions) {
  const { tenantId } = core;
  const records = () => requireRecords(core.store, 'hand-off notices');
  /** The notifiers that can reach a person. */
  const capable = Object.entries(options.notifiers ?? {}).filter(([, notifier]) => typeof notifier.sendNotice === 'function').map(([name]) => name);

  /** The timer to set (or cancel) so the next hand-off after `after` is announced `before` it, not before `now`. */
  function timerChange(schedule: Schedule, after: number, now: number): NonNullable<RecordWrite['timers']> {
    const timerId = handoffTimerId(schedule.id);
    const notice = schedule.handoffNotice;
    const next = notice === undefined ? undefined : nextHandoff(schedule, Math.max(after, now));
    if (notice === undefined || next === undefined) return { cancel: [timerId] };
    const dueAt = iso(Math.max(next.at - handoffNoticeMs(notice), now));
    const timer: TimerRecord = { tenantId, incidentId: '', timerId, dueAt, event: { type: EVENT_TYPE, scheduleId: schedule.id, handoffAt: iso(next.at) } };
    return { set: [timer] };
  }

  /** One notice per incoming person and notifier they have a contact for. */
  async function notices(schedule: Schedule, handoff: Handoff, now: number): Promise<{ readonly outbox: OutboxRecord[]; readonly notified: Record<string, string[]> }> {
    const outbox: OutboxRecord[] = [];
    const notified: Record<string, string[]> = {};
    const at = iso(handoff.at);
    const end = whoIsOnCall(schedule, at).shift?.end ?? null;
    const zone = schedule.timeZone;
    for (const userId of handoff.incoming) {
      const addresses = options.contacts === undefined ? undefined : await options.contacts(userId);
      const channels = capable.filter((name) => typeof addresses?.[name] === 'string' && addresses[name] !== '');
      notified[userId] = channels;
      for (const notifier of channels) {
        const id = core.ids('message');
        const idempotencyKey = `handoff:${schedule.id}:${at}:${userId}:${notifier}`;
        const notice: Omit<NoticeMessage, 'recipient'> & { readonly recipient: { readonly userId: string } } = {
          kind: 'handoff',
          id,
          idempotencyKey,
          notifier,
          recipient: { userId },
          title: `On call from ${localTime(handoff.at, zone)}: ${schedule.name}`,
          text: [
            `You are on call for ${schedule.name} from ${localTime(handoff.at, zone)}${end === null ? '' : ` until ${localTime(Date.parse(end), zone)}`} (${zone}).`,
            handoff.outgoing.length === 0 ? 'Nobody is on call before you.' : `You take over from ${handoff.outgoing.join(', ')}.`,
          ].join('\n\n'),
          links: [],
          data: { scheduleId: schedule.id, scheduleName: schedule.name, timeZone: zone, start: at, end, incoming: [...handoff.incoming], outgoing: [...handoff.outgoing] },
        };
        outbox.push({ id, tenantId, incidentId: '', channel: notifier, idempotencyKey, payload: { notice: notice as unknown as JsonValue }, availableAt: iso(now), attempts: 0 });
      }
    }
    return { outbox, notified };
  }

  return {
    /**
     * The timer change to write with a new version of `schedule`: the next hand-off not yet
     * announced. Reads the schedule's notice log.
     */
    async plan(schedule: Schedule): Promise<NonNullable<RecordWrite['timers']>> {
      const now = Date.parse(core.now());
      if (schedule.handoffNotice === undefined) return { cancel: [handoffTimerId(schedule.id)] };
      const log = await records().getRecord(tenantId, HANDOFF_RECORD_KIND, schedule.id);
      return timerChange(schedule, lastAnnounced(log), now);
    },

    /**
     * Runs a due notice timer: announces every hand-off of the current schedule whose notice time
     * has come and that was not announced yet, and sets the timer for the next one, in one write
     * of the log. A schedule that is gone or has no notices any more leaves the timer done.
     */
    async fire(timer: TimerRecord): Promise<void> {
      const scheduleId = timer.event.scheduleId;
      if (typeof scheduleId !== 'string') return;
      const store = records();
      // Another worker wrote the log in between: read it again (what it announced is not repeated).
      await retryOnRecordConflict(async () => {
        // The kind of SCHEDULE_RECORD_KIND (oncallFeature.ts imports this module).
        const record = await store.getRecord(tenantId, 'schedule', scheduleId);
        if (record === undefined || record.deleted === true) return;
        const schedule = defineSchedule(record.value as unknown as Schedule);
        const notice = schedule.handoffNotice;
        if (notice === undefined) return;
        const log = await store.getRecord(tenantId, HANDOFF_RECORD_KIND, scheduleId);
        const now = Date.parse(core.now());
        const last = lastAnnounced(log);
        // Hand-offs whose shift has not started, whose notice time has come, not announced yet.
        const due = handoffsBetween(schedule, Math.max(last, now), now + handoffNoticeMs(notice), MAX_PER_FIRING);
        const outbox: OutboxRecord[] = [];
        const announced: HandoffLog['announced'][number][] = [];
        for (const handoff of due) {
          const queued = await notices(schedule, handoff, now);
          outbox.push(...queued.outbox);
          announced.push({ at: iso(handoff.at), notified: queued.notified });
        }
        const newLast = due.at(-1)?.at ?? last;
        const value: HandoffLog = { scheduleId, lastHandoffAt: Number.isFinite(newLast) ? iso(newLast) : null, announced };
        await store.putRecord({
          tenantId,
          kind: HANDOFF_RECORD_KIND,
          id: scheduleId,
          expectedVersion: log?.version ?? 0,
          value: value as unknown as JsonValue,
          at: iso(now),
          actor: SYSTEM_ACTOR,
          // Announced up to `now + before`: the next timer is for a later hand-off.
          timers: timerChange(schedule, Math.max(newLast, now + handoffNoticeMs(notice)), now),
          outbox,
        });
      }, { attempts: MAX_ATTEMPTS });
    },
  };
}
