/**
 * Status page subscribers: email addresses and webhook URLs that receive a page's public
 * updates, to the whole page or to chosen components. Double opt-in (only a confirmation is sent
 * until the subscriber confirms), an unsubscribe link in every message, and delivery through the
 * outbox: a public change writes one fan-out message atomically with what causes it; the
 * fan-out writes one message per subscriber, atomically and once.
 */
import { z } from 'zod';
import { ConfigError, isIncidentKitError, NotFoundError, NotifierError, ValidationError } from '../../errors.js';
import type { EngineCore } from '../../engine/core.js';
import { featureOutboxChannel, type OutboxChannel } from '../../engine/feature.js';
import { sha256Hex } from '../../kernel/hash.js';
import { digestEqual } from '../../kernel/constantTime.js';
import { parseInput } from '../../kernel/parse.js';
import { actorSchema, SYSTEM_ACTOR, type ActorInput } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { generateWebhookSecret } from '../../channels/standardWebhooks.js';
import type { NotifierContext } from '../../model/notification.js';
import { requireRecords, retryOnRecordConflict } from '../../storage/records.js';
import type { OutboxRecord, StoredRecord } from '../../storage/types.js';
import type { StatusPage } from './snapshot.js';

/** The record kind subscribers are kept under (id: `sub_…`, one per page and address). */
export const SUBSCRIBER_RECORD_KIND = 'statusPage.subscriber';
/** The record kind that marks a fan-out done (id: the fan-out message's id); written with the messages it queues. */
export const FANOUT_RECORD_KIND = 'statusPage.fanout';

const FEATURE = 'statusPage';
const FANOUT_CHANNEL = /* @__PURE__ */ featureOutboxChannel(FEATURE, 'fanout');
const DELIVER_CHANNEL = /* @__PURE__ */ featureOutboxChannel(FEATURE, 'subscriber');
const DAY_MS = 24 * 60 * 60_000;

/**
 * How long a pending subscriber waits before subscribing again sends another confirmation:
 * 10 minutes. Within it, `subscribe` changes nothing and sends nothing (the link already sent
 * stays valid), so a form submitted in a loop cannot flood an address with mail.
 */
export const CONFIRMATION_RESEND_MS = 10 * 60_000;

/**
 * The `statusPageSubscribers` option of `createIncidentEngine`: how subscribers are reached.
 * Without it, nobody can subscribe (`subscribe` throws a `ConfigError`).
 *
 * @example
 * ```ts
 * import { statusPageSubscriberDelivery } from 'incidentkit/status-page';
 *
 * createIncidentEngine({ store, statusPages: [page], statusPageSubscribers: { delivery: statusPageSubscriberDelivery({ email: { transport, from } }) } });
 * ```
 */
export interface StatusPageSubscriberOptions {
  /** Sends the messages: `statusPageSubscriberDelivery(…)` from `incidentkit/status-page`, or your own (e.g. to add SMS). */
  readonly delivery: SubscriberDelivery;
  /** How long a confirmation link stays valid, in days (1 to 30). Default: 7. */
  readonly confirmDays?: number;
}

/** How a subscriber is reached. */
export type SubscriberChannel = 'email' | 'webhook';

/**
 * Sends one message to one status page subscriber. `statusPageSubscriberDelivery` from
 * `incidentkit/status-page` is the ready one (email through a mail transport, webhooks signed
 * with Standard Webhooks); a host may write its own.
 */
export interface SubscriberDelivery {
  /** Which kinds of subscribers it reaches; `subscribe` refuses the others with a `ConfigError`. */
  readonly channels: { readonly email: boolean; readonly webhook: boolean };
  /**
   * Sends `message`. Runs in the outbox: resolve when it is delivered, reject with a
   * `NotifierError` (`retryable` says whether to try again) when it is not.
   */
  send(message: SubscriberMessage, context: NotifierContext): Promise<void>;
}

/** One message to one subscriber, as {@link SubscriberDelivery.send} gets it. */
export interface SubscriberMessage {
  readonly subscriberId: string;
  readonly channel: SubscriberChannel;
  /** The email address or webhook URL. */
  readonly address: string;
  /** A webhook subscriber's `whsec_…` secret, to sign with. */
  readonly secret?: string;
  /** The page, as its subscribers know it. */
  readonly page: { readonly id: string; readonly name: string; readonly url: string };
  /** `subscription.confirm`, `incident.updated`, `component.updated` or `maintenance.updated`. */
  readonly type: string;
  /** A one-line subject, e.g. `[Acme status] Website unreachable (monitoring)`. */
  readonly subject: string;
  /** The text written for the public (for a confirmation, the request to confirm with its link). */
  readonly text: string;
  /** The message's data: `confirm_url` for a confirmation; the update's `kind`, `id`, `title`, `body`, `status`, `components` and `at` otherwise. */
  readonly data: Readonly<Record<string, JsonValue>>;
  /** The link that unsubscribes (a `POST` to it does it at once, RFC 8058). */
  readonly unsubscribeUrl: string;
  /** The same for every attempt of this message: the webhook id, the email's Message-ID. */
  readonly idempotencyKey: string;
}
/** `pending` until confirmed, then `active` until unsubscribed. */
export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed';

/** A subscriber as `engine.statusPages.subscribers` lists it (no tokens, no secret). */
export interface StatusPageSubscriber {
  readonly id: string;
  readonly pageId: string;
  readonly channel: SubscriberChannel;
  /** The email address or webhook URL. */
  readonly address: string;
  /** The components subscribed to; empty: the whole page. */
  readonly components: readonly string[];
  readonly status: SubscriberStatus;
  readonly createdAt: string;
  readonly confirmedAt?: string;
  readonly unsubscribedAt?: string;
}

/** What `engine.statusPages.subscribe` takes: an `email` or a `webhookUrl`. */
export type SubscribeInput = ({ readonly email: string; readonly webhookUrl?: never } | { readonly webhookUrl: string; readonly email?: never }) & {
  /** Component ids to subscribe to; absent or empty: the whole page. */
  readonly components?: readonly string[];
};

/** What `engine.statusPages.subscribe` answers. */
export interface SubscribeResult {
  readonly subscriberId: string;
  /**
   * `pending`: a confirmation was sent, now or (then nothing is sent again, see
   * {@link CONFIRMATION_RESEND_MS}) a moment ago; `active`: the address was subscribed already
   * (nothing was sent).
   */
  readonly status: 'pending' | 'active';
  /** Whether this call sent a confirmation (`false` for an active subscriber, or a pending one asked again within {@link CONFIRMATION_RESEND_MS}). */
  readonly sent: boolean;
  /** A webhook subscriber's `whsec_…` secret, to verify the Standard Webhooks signatures with (new on every pending subscription). */
  readonly secret?: string;
}

/** What `confirm` and `unsubscribe` answer. */
export interface SubscriptionChange {
  readonly subscriberId: string;
  readonly pageId: string;
  readonly status: SubscriberStatus;
}

/**
 * One change on a status page that subscribers hear about: a public incident update, a
 * component change, or a maintenance change.
 */
export interface StatusPageUpdate {
  readonly pageId: string;
  readonly kind: 'incident' | 'component' | 'maintenance';
  /** The public incident's or maintenance's id (absent for a component change). */
  readonly id?: string;
  /** One line, e.g. the public incident's name. */
  readonly title: string;
  /** The text written for the public. */
  readonly body: string;
  /** Its status, e.g. `investigating` or `in_progress`. */
  readonly status?: string;
  /** The components it concerns: subscribers to any of them (and to the whole page) hear about it. */
  readonly components: readonly string[];
  /** When it happened (ISO-8601 UTC). */
  readonly at: string;
}

/** What a subscriber record holds. */
interface SubscriberValue {
  readonly pageId: string;
  readonly channel: SubscriberChannel;
  readonly address: string;
  readonly components: readonly string[];
  readonly status: SubscriberStatus;
  readonly createdAt: string;
  readonly confirmedAt?: string;
  readonly unsubscribedAt?: string;
  /** SHA-256 of the confirmation secret (the token itself is only in the confirmation message). */
  readonly confirmHash?: string;
  readonly confirmUntil?: string;
  /** When the latest confirmation was asked for. */
  readonly confirmSentAt?: string;
  /** Carried by every message, so kept as it is. */
  readonly unsubscribeToken: string;
  /** A webhook subscriber's signing secret. */
  readonly secret?: string;
}

/** A delivery message's payload. */
type DeliveryPayload = { readonly subscriberId: string } & ({ readonly update: StatusPageUpdate } | { readonly confirm: { readonly token: string } });

const updateSchema = /* @__PURE__ */ (() =>
  z.object({
    pageId: z.string(),
    kind: z.enum(['incident', 'component', 'maintenance']),
    id: z.string().optional(),
    title: z.string(),
    body: z.string(),
    status: z.string().optional(),
    components: z.array(z.string()),
    at: z.string(),
  }))();

const schemas = /* @__PURE__ */ (() => {
  const key = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use 1 to 64 letters, digits, - or _.');
  return {
    key,
    subscribe: z
      .strictObject({
        email: z.email().max(254).optional(),
        webhookUrl: z
          .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
          .max(2_000)
          .refine((url) => { const u = new URL(url); return u.username === '' && u.password === ''; }, 'A webhook URL carries no user name or password.')
          .optional(),
        components: z.array(key).max(200).optional(),
      })
      .refine((input) => (input.email === undefined) !== (input.webhookUrl === undefined), { message: 'Give either email or webhookUrl.', path: ['email'] }),
    token: z.string().regex(/^sub_[0-9a-f]{40}\.[A-Za-z0-9_-]{43}$/, 'Not a subscription token.'),
    read: z.object({ actor: actorSchema.optional() }).default({}),
    options: z.strictObject({
      delivery: z.custom<SubscriberDelivery>(
        (d) => typeof (d as SubscriberDelivery | undefined)?.send === 'function' && typeof (d as SubscriberDelivery).channels === 'object',
        'Must be a delivery with send(message, context) and channels, e.g. statusPageSubscriberDelivery({ email }) from incidentkit/status-page.',
      ),
      confirmDays: z.int().min(1).max(30).optional(),
    }),
  };
})();

/** 32 random bytes, base64url (43 characters). */
function randomSecret(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  // 32 bytes are 43 base64 characters and one '=' of padding.
  return btoa(binary).slice(0, 43).replaceAll('+', '-').replaceAll('/', '_');
}

function valueOf(record: StoredRecord | undefined): SubscriberValue | undefined {
  return record === undefined || record.deleted === true ? undefined : (record.value as unknown as SubscriberValue);
}

function publicView(id: string, v: SubscriberValue): StatusPageSubscriber {
  return {
    id,
    pageId: v.pageId,
    channel: v.channel,
    address: v.address,
    components: v.components,
    status: v.status,
    createdAt: v.createdAt,
    ...(v.confirmedAt === undefined ? {} : { confirmedAt: v.confirmedAt }),
    ...(v.unsubscribedAt === undefined ? {} : { unsubscribedAt: v.unsubscribedAt }),
  };
}

/** A URL under the page's public address, e.g. `https://status.example.com/confirm?token=…`. */
function pageLink(page: StatusPage, path: string, token: string): string {
  return `${page.url}/${path}?token=${encodeURIComponent(token)}`;
}

/**
 * The fan-out message of one status page change: put it in the outbox of the write that makes
 * the change (a commit, or a record write), so subscribers hear of every change exactly when
 * it is stored. Delivered, it queues one message per confirmed subscriber of `update.pageId` whose
 * components it concerns.
 *
 * @internal
 */
export function statusPageUpdateOutbox(core: Pick<EngineCore, 'tenantId' | 'ids' | 'now'>, update: StatusPageUpdate, incidentId = ''): OutboxRecord {
  const id = core.ids('message');
  return {
    id,
    tenantId: core.tenantId,
    incidentId,
    channel: FANOUT_CHANNEL,
    idempotencyKey: id,
    payload: { update: update as unknown as JsonValue },
    availableAt: core.now(),
    attempts: 0,
  };
}

/** The subscriber methods of `engine.statusPages`. */
export interface StatusPageSubscribersApi {
  /**
   * Subscribes an email address or a webhook URL to a page (`components`: to those only). A new,
   * pending or unsubscribed subscriber becomes `pending` and is sent a confirmation (an email with
   * a link, or a signed `subscription.confirm` webhook with the link); it receives nothing else
   * until it confirms. An active subscriber stays as it is and is sent nothing.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for a bad address, an unknown component, or an unknown page.
   * @throws ConfigError (`CONFIG_INVALID`) for a kind of subscriber the engine's `statusPageSubscribers.delivery` does not reach (any, without the option).
   */
  subscribe(pageId: string, input: SubscribeInput): Promise<SubscribeResult>;
  /**
   * Confirms a subscription with the token of its confirmation link: it becomes `active`.
   *
   * @throws NotFoundError (`NOT_FOUND`) for a token that is unknown, expired, or was replaced by a later subscription.
   */
  confirm(token: string): Promise<SubscriptionChange>;
  /**
   * Unsubscribes with the token of the link every message carries; nothing more is sent. Doing it again changes nothing.
   *
   * @throws NotFoundError (`NOT_FOUND`) for an unknown token.
   */
  unsubscribe(token: string): Promise<SubscriptionChange>;
  /**
   * The subscribers of a page (any status), by id; no tokens or secrets.
   *
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies `statusPage.read`.
   */
  subscribers(pageId: string, options?: { readonly actor?: ActorInput }): Promise<StatusPageSubscriber[]>;
  /** Which kinds of subscribers the engine can reach (what `statusPageSubscribers.delivery` reaches). */
  readonly subscriptions: { readonly email: boolean; readonly webhook: boolean };
}

/**
 * Subscribers of the status pages of `core`'s tenant: the API and the feature's outbox channels.
 *
 * @internal
 */
export function createSubscribers(
  core: EngineCore,
  given: StatusPageSubscriberOptions | undefined,
  pageOf: (pageId: string, subject: string) => Promise<StatusPage | undefined>,
): {
  readonly api: StatusPageSubscribersApi;
  readonly channels: Readonly<Record<string, OutboxChannel>>;
  /** The outbox messages that tell subscribers of `update` (none when the engine has no subscriber delivery): write them with the change. */
  readonly tell: (update: StatusPageUpdate, incidentId?: string) => OutboxRecord[];
} {
  const options: Partial<StatusPageSubscriberOptions> = given === undefined ? {} : parseConfigOptions(given);
  const reaches = { email: options.delivery?.channels.email === true, webhook: options.delivery?.channels.webhook === true };
  const { tenantId } = core;
  const confirmMs = (options.confirmDays ?? 7) * DAY_MS;
  const records = (subject: string) => requireRecords(core.store, subject);
  const notifierName = 'statusPage subscribers';

  async function load(id: string, subject: string): Promise<{ readonly record: StoredRecord; readonly value: SubscriberValue } | undefined> {
    const record = await records(subject).getRecord(tenantId, SUBSCRIBER_RECORD_KIND, id);
    const value = valueOf(record);
    return record === undefined || value === undefined ? undefined : { record, value };
  }

  function deliveryMessage(subscriberId: string, payload: DeliveryPayload, key: string): OutboxRecord {
    return {
      id: core.ids('message'),
      tenantId,
      incidentId: '',
      channel: DELIVER_CHANNEL,
      idempotencyKey: key,
      payload: payload as unknown as Readonly<Record<string, JsonValue>>,
      availableAt: core.now(),
      attempts: 0,
    };
  }

  /** Every subscriber of a page (all statuses). */
  async function allOf(pageId: string, subject: string): Promise<{ readonly id: string; readonly value: SubscriberValue }[]> {
    const found: { id: string; value: SubscriberValue }[] = [];
    let cursor: string | undefined;
    do {
      const page = await records(subject).listRecords(tenantId, SUBSCRIBER_RECORD_KIND, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      for (const record of page.items) {
        const value = valueOf(record);
        if (value?.pageId === pageId) found.push({ id: record.id, value });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return found;
  }

  /** The subscriber id and secret of a well-formed token. */
  function byToken(token: unknown): { readonly id: string; readonly secret: string } | undefined {
    const parsed = schemas.token.safeParse(token);
    if (!parsed.success) return undefined;
    const [id = '', secret = ''] = parsed.data.split('.');
    return { id, secret };
  }

  function notFound(): NotFoundError {
    return new NotFoundError({ entity: 'subscription token', id: '(hidden)', tenantId });
  }

  const api: StatusPageSubscribersApi = {
    subscriptions: reaches,

    async subscribe(pageId, input) {
      const subject = 'statusPages.subscribe';
      const id = parseInput(schemas.key, pageId, subject);
      const parsed = parseInput(schemas.subscribe, input, subject);
      const page = await pageOf(id, subject);
      if (page === undefined) throw new ValidationError(subject, [{ code: 'custom', path: ['pageId'], message: `There is no status page '${id}'.` }]);
      const known = new Set(page.components.map((c) => c.id));
      const unknown = (parsed.components ?? []).filter((c) => !known.has(c));
      if (unknown.length > 0) {
        throw new ValidationError(subject, unknown.map((c) => ({ code: 'custom', path: ['components'], message: `Status page '${page.id}' has no component '${c}'.` })));
      }
      const channel: SubscriberChannel = parsed.email === undefined ? 'webhook' : 'email';
      if (!reaches[channel]) {
        const message =
          options.delivery === undefined
            ? 'Subscribers need createIncidentEngine({ statusPageSubscribers: { delivery: statusPageSubscriberDelivery({ … }) } }) (incidentkit/status-page).'
            : channel === 'email'
              ? 'Email subscribers need statusPageSubscriberDelivery({ email: { transport, from } }).'
              : 'This engine\'s subscriber delivery does not send webhooks.';
        throw new ConfigError(subject, [{ code: 'custom', path: ['statusPageSubscribers', 'delivery'], message }]);
      }
      const address = parsed.email?.toLowerCase() ?? parsed.webhookUrl ?? '';
      const subscriberId = `sub_${(await sha256Hex(`${page.id}\n${channel}\n${address}`)).slice(0, 40)}`;
      const components = [...new Set(parsed.components ?? [])];
      return retryOnRecordConflict(async () => {
        const current = await load(subscriberId, subject);
        if (current?.value.status === 'active') return { subscriberId, status: 'active' as const, sent: false };
        const now = core.now();
        const sentAt = current?.value.status === 'pending' ? current.value.confirmSentAt : undefined;
        if (sentAt !== undefined && Date.parse(now) - Date.parse(sentAt) < CONFIRMATION_RESEND_MS) return { subscriberId, status: 'pending' as const, sent: false };
        const confirmSecret = randomSecret();
        const token = `${subscriberId}.${confirmSecret}`;
        const secret = channel === 'webhook' ? generateWebhookSecret() : undefined;
        const value: SubscriberValue = {
          pageId: page.id,
          channel,
          address,
          components,
          status: 'pending',
          createdAt: current?.value.createdAt ?? now,
          confirmHash: await sha256Hex(confirmSecret),
          confirmUntil: new Date(Date.parse(now) + confirmMs).toISOString(),
          confirmSentAt: now,
          unsubscribeToken: `${subscriberId}.${randomSecret()}`,
          ...(secret === undefined ? {} : { secret }),
        };
        const confirmation = deliveryMessage(subscriberId, { subscriberId, confirm: { token } }, `${subscriberId}-confirm-${String((current?.record.version ?? 0) + 1)}`);
        await records(subject).putRecord({
          tenantId,
          kind: SUBSCRIBER_RECORD_KIND,
          id: subscriberId,
          expectedVersion: current?.record.version ?? 0,
          value: value as unknown as JsonValue,
          at: now,
          actor: SYSTEM_ACTOR,
          outbox: [confirmation],
        });
        return { subscriberId, status: 'pending' as const, sent: true, ...(secret === undefined ? {} : { secret }) };
      });
    },

    async confirm(token) {
      const subject = 'statusPages.confirm';
      const named = byToken(token);
      if (named === undefined) throw notFound();
      return retryOnRecordConflict(async () => {
        const current = await load(named.id, subject);
        const v = current?.value;
        if (current === undefined || v?.confirmHash === undefined || v.status === 'unsubscribed') throw notFound();
        const matches = await digestEqual(await sha256Hex(named.secret), v.confirmHash);
        if (!matches) throw notFound();
        if (v.status === 'active') return { subscriberId: named.id, pageId: v.pageId, status: v.status };
        const now = core.now();
        if (v.confirmUntil !== undefined && now > v.confirmUntil) throw notFound();
        const next: SubscriberValue = { ...v, status: 'active', confirmedAt: now };
        await records(subject).putRecord({ tenantId, kind: SUBSCRIBER_RECORD_KIND, id: named.id, expectedVersion: current.record.version, value: next as unknown as JsonValue, at: now, actor: SYSTEM_ACTOR });
        return { subscriberId: named.id, pageId: v.pageId, status: 'active' as const };
      });
    },

    async unsubscribe(token) {
      const subject = 'statusPages.unsubscribe';
      const named = byToken(token);
      if (named === undefined) throw notFound();
      return retryOnRecordConflict(async () => {
        const current = await load(named.id, subject);
        const v = current?.value;
        if (current === undefined || v === undefined || !(await digestEqual(token, v.unsubscribeToken))) throw notFound();
        if (v.status === 'unsubscribed') return { subscriberId: named.id, pageId: v.pageId, status: v.status };
        const now = core.now();
        // The confirmation token goes too: an old confirmation link must not subscribe again.
        const { confirmHash: _hash, confirmUntil: _until, confirmSentAt: _sent, ...rest } = v;
        const next: SubscriberValue = { ...rest, status: 'unsubscribed', unsubscribedAt: now };
        await records(subject).putRecord({ tenantId, kind: SUBSCRIBER_RECORD_KIND, id: named.id, expectedVersion: current.record.version, value: next as unknown as JsonValue, at: now, actor: SYSTEM_ACTOR });
        return { subscriberId: named.id, pageId: v.pageId, status: 'unsubscribed' as const };
      });
    },

    async subscribers(pageId, read) {
      const subject = 'statusPages.subscribers';
      const id = parseInput(schemas.key, pageId, subject);
      const { actor } = parseInput(schemas.read, read, subject);
      await core.authorize(actor ?? SYSTEM_ACTOR, 'statusPage.read', undefined, { pageId: id });
      return (await allOf(id, `engine.${subject}`)).map(({ id: subscriberId, value }) => publicView(subscriberId, value));
    },
  };

  /** Queues one message per confirmed subscriber the update concerns, once (the fan-out record is written with them at version 0). */
  async function fanOut(message: OutboxRecord): Promise<void> {
    const parsed = updateSchema.safeParse(message.payload.update);
    if (!parsed.success) throw new NotifierError({ notifier: notifierName, retryable: false }, `the stored fan-out ${message.id} is not a status page update.`);
    const update = parsed.data as StatusPageUpdate;
    const subject = 'statusPage subscribers fan-out';
    const store = records(subject);
    if ((await store.getRecord(tenantId, FANOUT_RECORD_KIND, message.id)) !== undefined) return;
    const concerned = new Set(update.components);
    const targets = (await allOf(update.pageId, subject)).filter(({ value }) => value.status === 'active' && (value.components.length === 0 || value.components.some((c) => concerned.has(c))));
    try {
      await store.putRecord({
        tenantId,
        kind: FANOUT_RECORD_KIND,
        id: message.id,
        expectedVersion: 0,
        value: { pageId: update.pageId, subscribers: targets.length },
        at: core.now(),
        actor: SYSTEM_ACTOR,
        outbox: targets.map(({ id }) => deliveryMessage(id, { subscriberId: id, update }, `${message.idempotencyKey}-${id}`)),
      });
    } catch (error) {
      // Another worker fanned it out first: its messages are queued.
      if (!isIncidentKitError(error, 'VERSION_CONFLICT')) throw error;
    }
  }

  /** Sends one message to one subscriber, if it still wants it. */
  async function deliver(message: OutboxRecord, context: NotifierContext): Promise<void> {
    const payload = message.payload as unknown as DeliveryPayload;
    const current = await load(payload.subscriberId, 'statusPage subscribers delivery');
    const v = current?.value;
    if (v === undefined) return;
    const page = await pageOf(v.pageId, 'statusPage subscribers delivery');
    if (page === undefined) return;
    let content: { subject: string; text: string; type: string; data: Record<string, JsonValue> };
    if ('confirm' in payload) {
      // Only the latest confirmation of a pending subscriber goes out.
      const secret = payload.confirm.token.split('.')[1] ?? '';
      if (v.status !== 'pending' || v.confirmHash === undefined || !(await digestEqual(await sha256Hex(secret), v.confirmHash))) return;
      const link = pageLink(page, 'confirm', payload.confirm.token);
      content = {
        subject: `Confirm your subscription to ${page.name}`,
        text: `Someone asked to receive updates from ${page.name} at this address.\n\nConfirm: ${link}\n\nIf it was not you, ignore this message: nothing more will be sent.`,
        type: 'subscription.confirm',
        data: { confirm_url: link },
      };
    } else {
      if (v.status !== 'active') return;
      const u = payload.update;
      content = {
        subject: `[${page.name}] ${u.title}${u.status === undefined ? '' : ` (${u.status.replaceAll('_', ' ')})`}`,
        text: u.body,
        type: `${u.kind}.updated`,
        data: { kind: u.kind, ...(u.id === undefined ? {} : { id: u.id }), title: u.title, body: u.body, ...(u.status === undefined ? {} : { status: u.status }), components: [...u.components], at: u.at },
      };
    }
    if (options.delivery === undefined) throw new NotifierError({ notifier: notifierName, retryable: false }, 'status page subscribers need createIncidentEngine({ statusPageSubscribers: { delivery } }); configure it and redeliver the message.');
    if (v.channel === 'webhook' && v.secret === undefined) return;
    await options.delivery.send(
      {
        subscriberId: payload.subscriberId,
        channel: v.channel,
        address: v.address,
        ...(v.secret === undefined ? {} : { secret: v.secret }),
        page: { id: page.id, name: page.name, url: page.url },
        ...content,
        unsubscribeUrl: pageLink(page, 'unsubscribe', v.unsubscribeToken),
        idempotencyKey: message.idempotencyKey,
      },
      context,
    );
  }

  const tell = (update: StatusPageUpdate, incidentId?: string): OutboxRecord[] => (options.delivery === undefined ? [] : [statusPageUpdateOutbox(core, update, incidentId)]);

  return { api, tell, channels: { [FANOUT_CHANNEL]: (message) => fanOut(message), [DELIVER_CHANNEL]: deliver } };
}

function parseConfigOptions(given: StatusPageSubscriberOptions): StatusPageSubscriberOptions {
  const result = schemas.options.safeParse(given);
  if (!result.success) throw new ConfigError('createIncidentEngine statusPageSubscribers', result.error.issues.map((i) => ({ code: i.code, path: ['statusPageSubscribers', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })));
  return given;
}
