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
import { parseInput } from '../../kernel/parse.js';
import { actorSchema, SYSTEM_ACTOR, type ActorInput } from '../../model/actor.js';
import type { JsonValue } from '../../model/primitives.js';
import { escapeHtml, mailFailure, type MailTransport } from '../../channels/email.js';
import { generateWebhookSecret, signWebhook } from '../../channels/standardWebhooks.js';
import { fetchOf, postForSuccess, webhookIdFor, type AllowUrl, type FetchLike } from '../../channels/webhook.js';
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

/** The `statusPageSubscribers` option of `createIncidentEngine`: how subscribers are reached. */
export interface StatusPageSubscriberOptions {
  /** Email subscribers: a mail transport (e.g. nodemailer's) and the sender. Without it only webhooks can subscribe. */
  readonly email?: { readonly transport: MailTransport; readonly from: string };
  /** Webhook subscribers: the `fetch` to use, and which URLs may be called (`denyPrivateNetworks` from `incidentkit/notifiers` is a ready one). */
  readonly webhook?: { readonly fetch?: FetchLike; readonly allowUrl?: AllowUrl };
  /** How long a confirmation link stays valid, in days (1 to 30). Default: 7. */
  readonly confirmDays?: number;
}

/** How a subscriber is reached. */
export type SubscriberChannel = 'email' | 'webhook';
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
  /** `pending`: a confirmation was sent; `active`: the address was subscribed already (nothing was sent). */
  readonly status: 'pending' | 'active';
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
      email: z.strictObject({ transport: z.custom<MailTransport>((t) => typeof (t as MailTransport | undefined)?.sendMail === 'function', 'Must have sendMail(mail).'), from: z.string().min(3) }).optional(),
      webhook: z
        .strictObject({
          fetch: z.custom<FetchLike>((f) => typeof f === 'function', 'Must be a function.').optional(),
          allowUrl: z.custom<AllowUrl>((f) => typeof f === 'function', 'Must be a function (url) => boolean.').optional(),
        })
        .optional(),
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
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Compares two secrets in time that depends on neither: their SHA-256 digests, every character. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256Hex(a), sha256Hex(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i += 1) diff |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return diff === 0;
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
   * @throws ConfigError (`CONFIG_INVALID`) for an email when the engine has no `statusPageSubscribers.email`.
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
  /** Which kinds of subscribers the engine can reach (`email` needs `statusPageSubscribers.email`). */
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
): { readonly api: StatusPageSubscribersApi; readonly channels: Readonly<Record<string, OutboxChannel>> } {
  const options = given === undefined ? {} : parseConfigOptions(given);
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
    subscriptions: { email: options.email !== undefined, webhook: true },

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
      if (channel === 'email' && options.email === undefined) {
        throw new ConfigError(subject, [{ code: 'custom', path: ['statusPageSubscribers', 'email'], message: 'Email subscribers need createIncidentEngine({ statusPageSubscribers: { email: { transport, from } } }).' }]);
      }
      const address = parsed.email?.toLowerCase() ?? parsed.webhookUrl ?? '';
      const subscriberId = `sub_${(await sha256Hex(`${page.id}\n${channel}\n${address}`)).slice(0, 40)}`;
      const components = [...new Set(parsed.components ?? [])];
      return retryOnRecordConflict(async () => {
        const current = await load(subscriberId, subject);
        if (current?.value.status === 'active') return { subscriberId, status: 'active' as const };
        const now = core.now();
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
        return { subscriberId, status: 'pending' as const, ...(secret === undefined ? {} : { secret }) };
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
        const matches = await sameSecret(await sha256Hex(named.secret), v.confirmHash);
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
        if (current === undefined || v === undefined || !(await sameSecret(token, v.unsubscribeToken))) throw notFound();
        if (v.status === 'unsubscribed') return { subscriberId: named.id, pageId: v.pageId, status: v.status };
        const now = core.now();
        // The confirmation token goes too: an old confirmation link must not subscribe again.
        const { confirmHash: _hash, confirmUntil: _until, ...rest } = v;
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
  async function deliver(message: OutboxRecord, context: Parameters<OutboxChannel>[1]): Promise<void> {
    const payload = message.payload as unknown as DeliveryPayload;
    const current = await load(payload.subscriberId, 'statusPage subscribers delivery');
    const v = current?.value;
    if (v === undefined) return;
    const page = await pageOf(v.pageId, 'statusPage subscribers delivery');
    if (page === undefined) return;
    let content: { subject: string; text: string; type: string; data: Record<string, unknown> };
    if ('confirm' in payload) {
      // Only the latest confirmation of a pending subscriber goes out.
      const secret = payload.confirm.token.split('.')[1] ?? '';
      if (v.status !== 'pending' || v.confirmHash === undefined || !(await sameSecret(await sha256Hex(secret), v.confirmHash))) return;
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
        data: { kind: u.kind, ...(u.id === undefined ? {} : { id: u.id }), title: u.title, body: u.body, ...(u.status === undefined ? {} : { status: u.status }), components: u.components, at: u.at },
      };
    }
    const unsubscribe = pageLink(page, 'unsubscribe', v.unsubscribeToken);
    if (v.channel === 'webhook') {
      if (v.secret === undefined) return;
      const body = JSON.stringify({ type: content.type, timestamp: context.now.toISOString(), data: { page: { id: page.id, name: page.name, url: page.url }, ...content.data, unsubscribe_url: unsubscribe } });
      const id = webhookIdFor(message.idempotencyKey);
      const headers = await signWebhook({ secret: v.secret, id, timestamp: context.now, body });
      await postForSuccess(fetchOf(options.webhook ?? {}), notifierName, v.address, { ...headers, 'content-type': 'application/json' }, body, context, 'the subscriber', { allowUrl: options.webhook?.allowUrl });
      return;
    }
    const email = options.email;
    if (email === undefined) throw new NotifierError({ notifier: notifierName, retryable: false }, 'email subscribers need statusPageSubscribers.email; configure it and redeliver the message.');
    const text = `${content.text}\n\n--\nUnsubscribe: ${unsubscribe}\n`;
    const html = `<p>${escapeHtml(content.text).replaceAll('\n', '<br>')}</p><hr><p><a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>`;
    const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(email.from.trim())?.[1] ?? 'incidentkit.invalid';
    try {
      await email.transport.sendMail({
        from: email.from,
        to: v.address,
        subject: content.subject.replace(/[\r\n]+/g, ' '),
        text,
        html,
        messageId: `<${webhookIdFor(message.idempotencyKey).replace(/[^A-Za-z0-9_.=-]/g, '=')}@${domain}>`,
        headers: {
          // RFC 8058: one-click unsubscribe by a POST to the link.
          'List-Unsubscribe': `<${unsubscribe}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Incidentkit-Idempotency-Key': message.idempotencyKey,
        },
        signal: context.signal,
      });
    } catch (error) {
      throw mailFailure(notifierName, error);
    }
  }

  return { api, channels: { [FANOUT_CHANNEL]: (message) => fanOut(message), [DELIVER_CHANNEL]: deliver } };
}

function parseConfigOptions(given: StatusPageSubscriberOptions): StatusPageSubscriberOptions {
  const result = schemas.options.safeParse(given);
  if (!result.success) throw new ConfigError('createIncidentEngine statusPageSubscribers', result.error.issues.map((i) => ({ code: i.code, path: ['statusPageSubscribers', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })));
  return given;
}
