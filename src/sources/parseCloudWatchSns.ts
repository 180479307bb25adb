import { z } from 'zod';
import type { Signal, SignalStatus } from '../model/signal.js';
import { buildSignal } from './buildSignal.js';
import { fingerprintOf } from './fingerprint.js';
import { parserOptionsShape, runParser, type ParserOptions, type ParseContext, type ParsedOptions } from './runParser.js';

/**
 * Options of {@link parseCloudWatchSns}.
 *
 * @example
 * ```ts
 * import type { CloudWatchSnsOptions } from 'incidentkit/ingest';
 *
 * const options: CloudWatchSnsOptions = { insufficientData: 'firing', severityMap: { alarm: 'SEV2' } };
 * ```
 */
export interface CloudWatchSnsOptions extends ParserOptions {
  /** What an alarm entering `INSUFFICIENT_DATA` reports: nothing (`'ignore'`, the default), or a firing or resolved signal. */
  readonly insufficientData?: 'ignore' | 'firing' | 'resolved';
}

/** An SNS subscription (or unsubscribe) confirmation: visit `subscribeUrl` to confirm, as AWS asks. */
export interface SnsConfirmation {
  readonly kind: 'subscriptionConfirmation' | 'unsubscribeConfirmation';
  /** The `SubscribeURL`, checked to be `https://sns.<region>.amazonaws.com[.cn]/…`. */
  readonly subscribeUrl: string;
  readonly token: string;
  readonly topicArn: string;
  readonly messageId: string;
  readonly message: string;
  /** When SNS sent it (ISO-8601, UTC), when the body says. */
  readonly timestamp?: string;
}

/**
 * What {@link parseCloudWatchSns} found: alarm signals (`kind: 'signals'`, possibly none), or a
 * confirmation that SNS wants visited before it sends any notification.
 */
export type CloudWatchSnsResult = { readonly kind: 'signals'; readonly signals: Signal[] } | SnsConfirmation;

const cloudWatchOptionsSchema: z.ZodType<ParsedOptions<CloudWatchSnsOptions>> = /* @__PURE__ */ (() => z.strictObject({
  ...parserOptionsShape,
  insufficientData: z.enum(['ignore', 'firing', 'resolved']).optional(),
}))();

const optionalText = /* @__PURE__ */ z.string().nullish();

const envelopeSchema = /* @__PURE__ */ (() => z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Subject: optionalText,
  Message: z.string(),
  Timestamp: optionalText,
  Token: optionalText,
  SubscribeURL: optionalText,
}))();

const lambdaEventSchema = /* @__PURE__ */ (() => z.object({ Records: z.array(z.object({ Sns: z.unknown() })) }))();

const dimensionsSchema = /* @__PURE__ */ (() => z.array(z.object({ name: z.string(), value: z.string() })).nullish())();

const alarmSchema = /* @__PURE__ */ (() => z.object({
  AlarmName: z.string(),
  AlarmDescription: optionalText,
  AWSAccountId: optionalText,
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: optionalText,
  StateChangeTime: optionalText,
  Region: optionalText,
  AlarmArn: optionalText,
  OldStateValue: optionalText,
  Trigger: z
    .object({
      MetricName: optionalText,
      Namespace: optionalText,
      Dimensions: dimensionsSchema,
      // Metric math alarms list their metrics instead.
      Metrics: z
        .array(z.object({ MetricStat: z.object({ Metric: z.object({ MetricName: optionalText, Namespace: optionalText, Dimensions: dimensionsSchema }) }).nullish() }))
        .nullish(),
    })
    .nullish(),
}))();

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function confirmation(ctx: ParseContext, envelope: z.output<typeof envelopeSchema>, kind: SnsConfirmation['kind']): SnsConfirmation {
  const url = envelope.SubscribeURL ?? '';
  let host = '';
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') host = parsed.hostname;
  } catch {
    // reported below
  }
  // Visiting a URL taken from an unauthenticated body is a server-side request forgery risk.
  if (!SNS_HOST.test(host)) ctx.fail(['SubscribeURL'], 'Expected an https URL on sns.<region>.amazonaws.com; refusing any other host.', 'invalid_format');
  const token = envelope.Token ?? ctx.fail(['Token'], 'Expected the confirmation token.', 'invalid_type');
  const timestamp = ctx.time(envelope.Timestamp, ['Timestamp']);
  const result: SnsConfirmation = { kind, subscribeUrl: url, token, topicArn: envelope.TopicArn, messageId: envelope.MessageId, message: envelope.Message };
  return timestamp === undefined ? result : { ...result, timestamp };
}

function alarmSignals(
  ctx: ParseContext,
  envelope: z.output<typeof envelopeSchema>,
  options: ParsedOptions<CloudWatchSnsOptions>,
  path: PropertyKey[],
): Signal[] {
  let message: unknown;
  try {
    message = JSON.parse(envelope.Message) as unknown;
  } catch {
    return ctx.fail([...path, 'Message'], 'Expected the JSON of a CloudWatch alarm state change; this SNS message is not JSON.', 'invalid_format');
  }
  const alarm = ctx.parse(alarmSchema, message, [...path, 'Message']);
  let status: SignalStatus;
  if (alarm.NewStateValue === 'ALARM') status = 'firing';
  else if (alarm.NewStateValue === 'OK') status = 'resolved';
  else if (options.insufficientData === 'firing' || options.insufficientData === 'resolved') status = options.insufficientData;
  else return [];

  const changedAt = ctx.time(alarm.StateChangeTime, [...path, 'Message', 'StateChangeTime']) ?? ctx.time(envelope.Timestamp, [...path, 'Timestamp']) ?? ctx.now();
  const arnRegion = alarm.AlarmArn?.split(':', 5)[3];
  const region = arnRegion !== undefined && AWS_REGION.test(arnRegion) ? arnRegion : undefined;
  const metric = alarm.Trigger?.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Metric ?? alarm.Trigger;
  const identity = alarm.AlarmArn ?? { account: alarm.AWSAccountId, region: alarm.Region, name: alarm.AlarmName };

  return [
    buildSignal(ctx, {
      fingerprint: fingerprintOf(['cloudwatch', identity]),
      status,
      severityWord: alarm.NewStateValue,
      summary: [envelope.Subject, alarm.AlarmName],
      labels: [
        ['alarm_name', alarm.AlarmName],
        ['aws_account_id', alarm.AWSAccountId],
        ['region', region ?? alarm.Region],
        ['namespace', metric?.Namespace],
        ['metric_name', metric?.MetricName],
        ...(metric?.Dimensions ?? []).map((d): [string, string] => [`dimension_${d.name}`, d.value]),
      ],
      annotations: [
        ['description', alarm.AlarmDescription],
        ['reason', alarm.NewStateReason],
        ['state', alarm.NewStateValue],
        ['previous_state', alarm.OldStateValue],
        ['topic_arn', envelope.TopicArn],
      ],
      startsAt: changedAt,
      endsAt: status === 'resolved' ? changedAt : undefined,
      links:
        region === undefined
          ? []
          : [{ href: `https://console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarm.AlarmName)}`, text: 'CloudWatch alarm' }],
      raw: message,
    }),
  ];
}

/**
 * Parses what Amazon SNS posts to an HTTP(S) subscription of a topic that CloudWatch alarms
 * notify: alarm state changes become signals, and a `SubscriptionConfirmation` is reported as
 * such, so the host can confirm it.
 *
 * @remarks
 * The result is a union rather than `Signal[]` because a confirmation is a protocol step, not
 * an alert and not an error: the type makes a caller handle it (SNS sends nothing until the
 * `SubscribeURL` is visited), without an exception in the normal flow. `subscribeUrl` is
 * checked to be an `https` URL on `sns.<region>.amazonaws.com`, so a forged body cannot make the
 * host fetch another address; verifying SNS message signatures is left to the host.
 *
 * - `ALARM` is firing, `OK` resolved (with `endsAt`), `INSUFFICIENT_DATA` per
 *   `options.insufficientData` (ignored by default).
 * - `fingerprint` is `fingerprintOf(['cloudwatch', AlarmArn])`; `startsAt` the
 *   `StateChangeTime` (`+0000` offset accepted). Labels: `alarm_name`, `aws_account_id`,
 *   `region`, `namespace`, `metric_name`, `dimension_<Name>`; annotations: `description`,
 *   `reason`, `state`, `previous_state`. `raw` is the alarm JSON.
 * - A Lambda SNS event (`{ Records: [{ Sns }] }`) is accepted too.
 *
 * @example
 * ```ts
 * import { parseCloudWatchSns } from 'incidentkit/ingest';
 *
 * async function onSnsPost(body: string, ingest: (signals: unknown[]) => Promise<unknown>): Promise<void> {
 *   const result = parseCloudWatchSns(body);
 *   if (result.kind === 'subscriptionConfirmation') {
 *     await fetch(result.subscribeUrl); // confirms the subscription
 *   } else if (result.kind === 'signals') {
 *     await ingest(result.signals);
 *   }
 * }
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) when the body is not an SNS message, its
 * `Message` is not a CloudWatch alarm, or a confirmation's `SubscribeURL` is not an SNS URL.
 * @throws ConfigError (`CONFIG_INVALID`) when `options` are invalid.
 */
export function parseCloudWatchSns(body: unknown, options?: CloudWatchSnsOptions): CloudWatchSnsResult {
  return runParser('cloudwatch', 'CloudWatch alarm SNS message', body, options, cloudWatchOptionsSchema, (ctx, input, resolved): CloudWatchSnsResult => {
    if (typeof input === 'object' && input !== null && 'Records' in input) {
      const event = ctx.parse(lambdaEventSchema, input);
      const signals = event.Records.flatMap((record, index) => {
        const path = ['Records', index, 'Sns'];
        const envelope = ctx.parse(envelopeSchema, record.Sns, path);
        if (envelope.Type !== 'Notification') ctx.fail([...path, 'Type'], 'Expected a Notification in a Lambda SNS event.', 'invalid_value');
        return alarmSignals(ctx, envelope, resolved, path);
      });
      return { kind: 'signals', signals };
    }
    const envelope = ctx.parse(envelopeSchema, input);
    if (envelope.Type === 'SubscriptionConfirmation') return confirmation(ctx, envelope, 'subscriptionConfirmation');
    if (envelope.Type === 'UnsubscribeConfirmation') return confirmation(ctx, envelope, 'unsubscribeConfirmation');
    return { kind: 'signals', signals: alarmSignals(ctx, envelope, resolved, []) };
  });
}
