import type { AnyIncidentType } from '../features/classification/defineIncidentType.js';
import { rejectionOf, type IngestRejection } from '../engine/ingestOptions.js';
import type { IncidentEngine } from '../incidentEngine.js';
import { ConfigError, ValidationError, type ValidationIssue } from '../errors.js';
import type { CloudWatchSnsResult, SnsConfirmation } from '../sources/parseCloudWatchSns.js';
import { isSealedSignal, sealSignal, type Signal } from '../model/signal.js';
import { jsonResponse } from './errorResponse.js';
import type { Verifier } from './verifiers.js';

/**
 * What a source's parser may return: signals, or (CloudWatch over SNS) a subscription
 * confirmation. Every parser of `incidentkit/ingest` fits.
 */
export type IngestParserResult = readonly Signal[] | CloudWatchSnsResult;

/**
 * Turns a webhook body (the raw text, UTF-8) into signals, e.g. `parseAlertmanager`.
 *
 * @remarks Throw a `ValidationError` for a body you cannot read: the sender gets a `400`.
 */
export type IngestParser = (body: string) => IngestParserResult | Promise<IngestParserResult>;

/**
 * One monitoring tool that posts to `POST {basePath}/ingest/{name}`.
 *
 * @example
 * ```ts
 * import { bearerAuth, type IngestSource } from 'incidentkit/http';
 * import { parseAlertmanager } from 'incidentkit/ingest';
 *
 * const alertmanager: IngestSource = {
 *   parser: (body) => parseAlertmanager(body, { severityMap: { page: 'SEV1' } }),
 *   verify: bearerAuth('token-from-your-vault'),
 * };
 * ```
 */
export interface IngestSource {
  /** Reads the tool's payload, e.g. `parseAlertmanager` or `(body) => parseGrafana(body, { service: 'team' })`. */
  readonly parser: IngestParser;
  /** Decides whether a request really comes from the tool: `bearerAuth(…)`, `basicAuth(…)`, `standardWebhooksAuth(…)` or your own. */
  readonly verify: Verifier;
  /**
   * Called with an SNS subscription (or unsubscribe) confirmation instead of ingesting it.
   * SNS sends nothing until its `subscribeUrl` is visited: `(c) => fetch(c.subscribeUrl)`.
   * Without it the confirmation is acknowledged with `200` and not acted upon.
   */
  readonly onConfirmation?: (confirmation: SnsConfirmation, request: Request) => void | Promise<void>;
  /**
   * The dedup namespace of this source's signals. Default: the source's own name, so its
   * signals deduplicate, acknowledge and resolve only incidents this source opened: another
   * source posting the same fingerprint (a low-trust `lab` Alertmanager and `prod`'s) opens
   * its own incident instead. Give several sources the same name to let them share incidents,
   * or `'shared'` for the tenant-wide namespace, where `engine.ingest` signals without a
   * `namespace` and incidents opened before namespaces existed live.
   */
  readonly dedupNamespace?: string;
}

function isConfirmation(result: IngestParserResult): result is SnsConfirmation {
  return !isSignalArray(result) && (result.kind === 'subscriptionConfirmation' || result.kind === 'unsubscribeConfirmation');
}

function isSignalArray(result: IngestParserResult): result is readonly Signal[] {
  return Array.isArray(result);
}

/** The signals of a parser's result, or `undefined` when a (custom) parser returned something else. */
function signalsOf(result: IngestParserResult): readonly Signal[] | undefined {
  if (isSignalArray(result)) return result;
  if (result.kind === 'signals' && isSignalArray(result.signals)) return result.signals;
  return undefined;
}

/**
 * `signal` as delivered by source `name`: its integration is the source (the actor of what it
 * does, and whom `authorize` is asked about) and its dedup namespace the source's. Anything but
 * an object is left as it is, for the engine to reject.
 */
function fromSource(signal: Signal, name: string, namespace: string): Signal {
  if (typeof signal !== 'object' || (signal as unknown) === null || Array.isArray(signal)) return signal;
  const { namespace: _namespace, integration: _integration, ...rest } = signal;
  const tagged: Signal = namespace === 'shared' ? { ...rest, integration: name } : { ...rest, integration: name, namespace };
  // Source names and namespaces are validated with the options: a valid signal stays valid.
  return isSealedSignal(signal) ? sealSignal(tagged) : tagged;
}

/** An alert of a group payload (`alerts: […]`) that its parser refused, with why. */
interface RejectedAlert {
  readonly alert: number;
  readonly error: IngestRejection;
}

/** The positions in `alerts` that `error`'s issues all point into, or `undefined` when one points elsewhere. */
function alertPositions(error: ValidationError): Map<number, ValidationIssue[]> | undefined {
  const positions = new Map<number, ValidationIssue[]>();
  for (const issue of error.details.issues) {
    const [head, position] = issue.path;
    if (head !== 'alerts' || typeof position !== 'number' || !Number.isInteger(position)) return undefined;
    positions.set(position, [...(positions.get(position) ?? []), issue]);
  }
  return positions.size === 0 ? undefined : positions;
}

/**
 * Parses a webhook body. When the parser refuses a group payload (Alertmanager, Grafana: an
 * `alerts` array) only for some of its alerts, those are set aside and the rest parsed again,
 * so one bad alert never sinks the others; every other refusal is thrown as it was.
 */
async function parseAlertByAlert(parser: IngestParser, text: string): Promise<{ readonly parsed: IngestParserResult; readonly rejected: readonly RejectedAlert[] }> {
  try {
    return { parsed: await parser(text), rejected: [] };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw error;
    }
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { alerts?: unknown }).alerts)) throw error;
    const alerts = (body as { alerts: unknown[] }).alerts;
    let kept = alerts.map((_, index) => index);
    const rejected: RejectedAlert[] = [];
    let refusal: ValidationError = error;
    // Each pass sets aside at least one alert, so this ends within alerts.length passes.
    for (;;) {
      const positions = alertPositions(refusal);
      if (positions === undefined) throw error;
      for (const [position, issues] of positions) {
        const alert = kept[position];
        if (alert === undefined) throw error;
        rejected.push({ alert, error: rejectionOf(new ValidationError(`alert ${String(alert)}`, issues)) });
      }
      kept = kept.filter((_, position) => !positions.has(position));
      // Not one alert could be read: the payload is refused as a whole.
      if (kept.length === 0) throw error;
      try {
        const parsed = await parser(JSON.stringify({ ...body, alerts: kept.map((index) => alerts[index]) }));
        return { parsed, rejected: rejected.sort((x, y) => x.alert - y.alert) };
      } catch (again) {
        if (!(again instanceof ValidationError)) throw again;
        refusal = again;
      }
    }
  }
}

/** What {@link ingestWebhook} needs. @internal */
export interface WebhookIngest {
  readonly engine: IncidentEngine<readonly AnyIncidentType[]>;
  readonly name: string;
  readonly source: IngestSource;
  readonly namespace: string;
  readonly text: string;
  readonly request: Request;
}

/**
 * Ingests a verified webhook body of source `name`: parsed alert by alert, tagged with the
 * source, ingested signal by signal. Answers `200` with an outcome per signal (and per alert the
 * parser refused); `400` only when nothing could be read at all.
 *
 * @internal
 */
export async function ingestWebhook({ engine, name, source, namespace, text, request }: WebhookIngest): Promise<Response> {
  const { parsed, rejected } = await parseAlertByAlert(source.parser, text);
  if (isConfirmation(parsed)) {
    await source.onConfirmation?.(parsed, request);
    const confirmation = { kind: parsed.kind, topicArn: parsed.topicArn, messageId: parsed.messageId, handled: source.onConfirmation !== undefined };
    return jsonResponse(200, { source: name, confirmation, results: [] });
  }
  const signals = signalsOf(parsed);
  if (signals === undefined) {
    throw new ConfigError(`createIncidentHandler sources.${name}`, [
      { code: 'invalid_parser_result', path: ['sources', name, 'parse'], message: 'The parser returned neither signals nor a confirmation; return Signal[] (see incidentkit/ingest).' },
    ]);
  }
  const tagged = signals.map((signal) => fromSource(signal, name, namespace));
  const results = tagged.length === 0 ? [] : await engine.ingest(tagged);
  if (results.length > 0 && results.every((result) => result.outcome === 'rejected')) {
    // Not one signal could be read: refused as a whole (nothing was written), so the sender sees a 4xx.
    throw new ValidationError(
      `${name} webhook`,
      results.flatMap((result, index) => (result.error?.issues ?? []).map((issue) => ({ ...issue, path: ['signals', index, ...issue.path] }))),
    );
  }
  return jsonResponse(200, {
    source: name,
    results: [
      ...results.map((result, index) => ({
        fingerprint: tagged[index]?.fingerprint,
        status: tagged[index]?.status,
        outcome: result.outcome,
        ...(result.incident === undefined ? {} : { incidentId: result.incident.id }),
        ...(result.error === undefined ? {} : { error: result.error }),
      })),
      ...rejected.map((entry) => ({ alert: entry.alert, outcome: 'rejected', error: entry.error })),
    ],
  });
}
