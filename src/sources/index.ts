/**
 * incidentkit/ingest: parsers that turn monitoring tools' payloads into normalised
 * {@link Signal}s for `engine.ingest`.
 *
 * @remarks Every parser takes the body exactly as the tool sends it (already JSON-parsed, or
 * the JSON text), is synchronous and pure (the clock is injected), runs in browsers and edge
 * runtimes, and reports anything it cannot read as a `ValidationError` naming the tool, the
 * field and what was expected.
 *
 * @packageDocumentation
 */
export { parseAlertmanager, type AlertmanagerOptions } from './parseAlertmanager.js';
export { parseGrafana } from './parseGrafana.js';
export { parsePagerDutyEvent } from './parsePagerDutyEvent.js';
export { parseOpsgenieAlert, type OpsgenieOptions } from './parseOpsgenieAlert.js';
export {
  parseCloudWatchSns,
  type CloudWatchSnsOptions,
  type CloudWatchSnsResult,
  type SnsConfirmation,
} from './parseCloudWatchSns.js';
export { parseSentry } from './parseSentry.js';
export { parseDatadog } from './parseDatadog.js';

export type { ParserOptions } from './runParser.js';
export type { Clock } from '../kernel/clock.js';
export {
  DEFAULT_SEVERITY,
  DEFAULT_SEVERITY_MAPS,
  INGEST_SOURCES,
  severityMap,
  type IngestSource,
  type SeverityMap,
} from './severityMap.js';
export { fingerprintOf, sha256HexSync } from './fingerprint.js';
export { normalizeTimestamp, readTimestamp, type EpochUnit, type TimestampReading } from './time.js';

export {
  isWebUrl,
  parseSignal,
  SIGNAL_LIMITS,
  SIGNAL_STATUSES,
  signalSchema,
  type Signal,
  type SignalInput,
  type SignalLink,
  type SignalStatus,
} from '../model/signal.js';
export { ValidationError, ConfigError, isIncidentKitError, type ValidationIssue } from '../errors.js';
