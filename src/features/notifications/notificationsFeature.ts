import { NotFoundError } from '../../errors.js';
import type { ReadOptions } from '../../engine/commands.js';
import { builtInFeature, readerOf } from '../../engine/core.js';
import { noTelemetry } from '../../engine/telemetry.js';
import type { IncidentEngineEvents } from '../../engine/emitter.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { parseInput } from '../../kernel/parse.js';
import { EVENT_TYPES, type StoredEvent } from '../../model/event.js';
import type { Incident } from '../../model/incident.js';
import type { Contacts, NotificationLink, Notifier } from '../../model/notification.js';
import type { OutboxRecord } from '../../storage/types.js';
import { createDispatcher, type DeliveryOptions, type DispatchStats } from './dispatcher.js';
import { createDrillLog, divertDrillMessages, type WouldHaveSent } from './drillLog.js';
import type { NotificationTemplates } from './render.js';
import { compileRoutes, routeNotifications, type NotificationRoute } from './routing.js';

/** The notifications feature's options of `createIncidentEngine`. */
export interface NotificationsOptions {
  /** Notifiers by name, e.g. `{ slack: slackNotifier(…), webhook: webhookNotifier(…) }`. */
  readonly notifiers?: Readonly<Record<string, Notifier>>;
  /**
   * Which events reach which notifiers. Without routes every notifier receives declared,
   * acknowledged, escalated, mitigated, resolved, reopened, closed and canceled incidents,
   * posted updates, due reminders and breached targets.
   */
  readonly routes?: readonly NotificationRoute[];
  /** Templates by event type that replace the default message texts. */
  readonly templates?: NotificationTemplates;
  /** Links attached to each message, e.g. the incident's page in your app. */
  readonly links?: (incident: Incident, event: StoredEvent) => readonly NotificationLink[];
  /** Retries, backoff, timeouts and concurrency of delivery. */
  readonly delivery?: DeliveryOptions;
  /** Randomness for the backoff jitter, a number in [0, 1). Default: `Math.random`. */
  readonly random?: () => number;
  /**
   * Your directory: a user's addresses by notifier name (`{ email: 'ana@example.com', slack:
   * 'U0123ABC' }`), for routes that address people (`recipients: ['paged']` or `['user:<id>']`).
   * Asked when each message is sent.
   */
  readonly contacts?: Contacts;
}

/** The methods the notifications feature adds to the engine. */
export interface NotificationsApi {
  /**
   * Delivers one batch of due outbox messages through their notifiers: retries with
   * exponential backoff and jitter (honouring `Retry-After`), and dead-letters after
   * `delivery.maxAttempts` or a permanent failure. Every attempt carries the same idempotency key.
   */
  dispatch(): Promise<DispatchStats>;
  /**
   * Messages that will not be retried, oldest first. With `authorize`, only those about
   * incidents the reader may `read`.
   */
  deadLetters(options?: ReadOptions): Promise<readonly OutboxRecord[]>;
  /**
   * Puts a dead-lettered message back in the outbox, due now; asks `authorize` for
   * `redeliver` with the message's incident.
   *
   * @throws NotFoundError (`NOT_FOUND`) when no dead letter has this id.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies it.
   */
  redeliver(messageId: string, options?: ReadOptions): Promise<void>;
  /**
   * What drill `id` would have sent: its messages for notifiers that are not `drillSafe`, which
   * were recorded instead of sent (as they would have gone, `[DRILL] ` title included), in the
   * order they were recorded by `dispatch`. Empty for a real incident. Asks `authorize` for `read`.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore, webhookNotifier } from 'incidentkit';
   *
   * const engine = createIncidentEngine({
   *   store: memoryStore(),
   *   notifiers: { pager: webhookNotifier({ url: 'https://pager.example.com/hooks' }) },
   * });
   * const drill = await engine.declare({ title: 'Checkout down', severity: 'SEV1', drill: true, actor: { id: 'u_ana' } });
   * await engine.dispatch();
   * for (const message of await engine.wouldHaveSent(drill.id)) console.log(message.notifier, message.title);
   * ```
   * @throws NotFoundError (`NOT_FOUND`) for an unknown incident.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies reading it.
   */
  wouldHaveSent(id: string, options?: ReadOptions): Promise<readonly WouldHaveSent[]>;
}

/**
 * Notifications (DESIGN §5): routing writes outbox messages in the same commit as the events
 * they are about, and a worker pass delivers them through the notifiers with retries, backoff
 * and dead letters.
 *
 * @internal
 */
export function notificationsFeature(options: NotificationsOptions): IncidentFeature<'notifications', NotificationsApi> {
  return builtInFeature({
    name: 'notifications',
    slice: [],
    requires: ['claimOutbox', 'completeOutbox', 'failOutbox', 'deadLetters', 'redeliver'],
    setup(core) {
      const { store, tenantId, schemas } = core;
      const notifierNames = Object.keys(options.notifiers ?? {});
      const routing = compileRoutes({
        notifiers: notifierNames,
        eventTypes: EVENT_TYPES,
        ...(options.routes === undefined ? {} : { routes: options.routes }),
        ...(options.templates === undefined ? {} : { templates: options.templates }),
        ...(options.links === undefined ? {} : { links: options.links }),
      });
      const dispatcher = createDispatcher({
        store,
        tenantId,
        notifiers: options.notifiers ?? {},
        clock: core.clock,
        emit: (name, payload) => {
          core.emit(name, payload as IncidentEngineEvents[typeof name]);
        },
        owner: core.workerId,
        // Outbox claims expire with the engine's leaseMs, as timers do (a killed worker's messages
        // are taken over after one lease); an attempt must time out well inside it.
        leaseMs: core.leaseMs,
        delivery: { ...options.delivery, timeoutMs: options.delivery?.timeoutMs ?? Math.min(15_000, Math.floor(core.leaseMs / 2)) },
        ...(options.random === undefined ? {} : { random: options.random }),
        ...(options.contacts === undefined ? {} : { contacts: options.contacts }),
        // Other features' own channels (e.g. status page subscribers), looked up when sent: they are set up after this one.
        channels: (channel) => {
          for (const { parts } of core.features) {
            const deliver = parts.outboxChannels !== undefined && Object.hasOwn(parts.outboxChannels, channel) ? parts.outboxChannels[channel] : undefined;
            if (deliver !== undefined) return deliver;
          }
          return undefined;
        },
        ...(core.telemetry === noTelemetry ? {} : { telemetry: core.telemetry }),
        ...(core.logger === undefined ? {} : { logger: core.logger }),
      });

      const reader = (read: ReadOptions | undefined, subject: string) => readerOf(core, read, subject);
      const drills = createDrillLog(store, tenantId, core.now);

      const api: NotificationsApi = {
        dispatch: () => dispatcher.dispatchOnce(),

        async deadLetters(read) {
          const actor = reader(read, 'deadLetters');
          const letters = await store.deadLetters(tenantId);
          if (!core.authorizes) return letters;
          // A dead letter carries its incident (title, fields): only those the reader may read.
          // One load and one decision per incident, however many of its messages failed.
          const readable = new Map<string, boolean>();
          const visible: OutboxRecord[] = [];
          for (const letter of letters) {
            let allowed = readable.get(letter.incidentId);
            if (allowed === undefined) {
              const stored = await store.load(tenantId, letter.incidentId);
              allowed = stored === undefined || (await core.mayRead(actor, stored.incident));
              readable.set(letter.incidentId, allowed);
            }
            if (allowed) visible.push(letter);
          }
          return visible;
        },

        async redeliver(messageId, read) {
          const id = parseInput(schemas.incidentId, messageId, 'redeliver');
          const actor = reader(read, 'redeliver');
          if (core.authorizes) {
            const letter = (await store.deadLetters(tenantId)).find((l) => l.id === id);
            const stored = letter === undefined ? undefined : await store.load(tenantId, letter.incidentId);
            if (letter !== undefined) await core.authorize(actor, 'redeliver', stored?.incident, { messageId: id });
          }
          if (!(await store.redeliver(tenantId, id, core.now()))) {
            throw new NotFoundError({ entity: 'dead letter', id, tenantId });
          }
        },

        async wouldHaveSent(id, read) {
          const incidentId = parseInput(schemas.incidentId, id, 'wouldHaveSent');
          const actor = reader(read, 'wouldHaveSent');
          const stored = await core.load(incidentId);
          await core.authorize(actor, 'read', stored.incident);
          return stored.incident.drill === true ? await drills.wouldHaveSent(incidentId) : [];
        },
      };

      return {
        api,
        // Messages are written in the same commit as the events they are about: none is lost.
        ...(notifierNames.length === 0
          ? {}
          : {
              commit: ({ events, incident }: { events: readonly StoredEvent[]; incident: Incident }) => ({
                // A drill's messages for notifiers that are not drill-safe are recorded, never sent.
                outbox: divertDrillMessages(routeNotifications(routing, { events, incident, ids: core.ids, now: core.clock.now() }), incident, options.notifiers ?? {}),
              }),
            }),
        outboxChannels: drills.channels,
        work: () => dispatcher.dispatchOnce(),
      };
    },
  });
}
