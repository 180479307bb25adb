import { createEngineCore, type EngineCore } from './engine/core.js';
import { createEngineApi } from './engine/engineApi.js';
import { FEATURE_ROUTES, type AnyIncidentFeature, type FeatureApis } from './engine/feature.js';
import { changesFeature } from './features/changes/changesFeature.js';
import { classificationFeature, typeSeverityLevels } from './features/classification/classificationFeature.js';
import type { AnyIncidentType } from './features/classification/defineIncidentType.js';
import { complianceFeature } from './features/compliance/complianceFeature.js';
import { heartbeatsFeature } from './features/heartbeats/heartbeatsFeature.js';
import { investigationFeature } from './features/investigation/investigationFeature.js';
import { justCultureFeature } from './features/justCulture/justCultureFeature.js';
import { erasureFeature } from './features/erasure/erasureFeature.js';
import { oncallFeature } from './features/oncall/oncallFeature.js';
import { notificationsFeature } from './features/notifications/notificationsFeature.js';
import { reviewFeature } from './features/review/reviewFeature.js';
import { routingFeature } from './features/routing/routingFeature.js';
import { statusPageFeature } from './features/statusPage/statusPageFeature.js';
import { playbooksFeature } from './features/playbooks/playbooksFeature.js';
import { problemsFeature } from './features/problems/problemsFeature.js';
import { findSimilarIncidents } from './features/review/findSimilarIncidents.js';
import { securityFeature } from './features/security/securityFeature.js';
import type { IncidentEngine, IncidentEngineOptions, IncidentEngineWithFeatures } from './incidentEngine.js';
import { instrumentCommands } from './engine/instrument.js';

/** The features every engine has, in the order their hooks run; a new built-in capability is one more line. */
function builtInFeatures(options: IncidentEngineOptions, engine: () => Pick<IncidentEngine, 'ingest' | 'maintenance'>) {
  return [
    classificationFeature(options),
    complianceFeature(options),
    reviewFeature(),
    notificationsFeature(options),
    oncallFeature(options),
    changesFeature(options),
    routingFeature(options),
    // Scheduled maintenance suppresses signals through the routing feature's windows (engine.maintenance).
    statusPageFeature(options, () => engine().maintenance),
    // Heartbeats open and resolve their incidents through ingest, the engine's, which exists once the features do.
    heartbeatsFeature(() => (signals) => engine().ingest(signals)),
    playbooksFeature(options),
    // Recurrence and known errors are found with the review feature's similarity.
    problemsFeature(options, findSimilarIncidents),
    investigationFeature(options),
    justCultureFeature(),
    securityFeature(),
    // Last: its commandEvent seals the fields every other feature's hooks completed.
    erasureFeature(options),
  ] as const;
}

/**
 * Creates an incident engine over a store: the object a host app drives incidents with.
 *
 * @remarks
 * Every command validates its input with zod, loads the incident's projection, computes the
 * next state with the pure {@link incidentMachine} (`transition()`), and writes the new
 * event, projection, snapshot and timers in one atomic, version-checked commit. When another
 * writer got there first, the engine reloads and retries the command while it is still valid.
 * After each commit it emits `incident.<event type>` (and `'*'`) to subscribers.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const actor = { id: 'u_alice', name: 'Alice' };
 * const incident = await engine.declare({ title: 'Checkout is down', severity: 'SEV1', service: 'checkout', actor });
 * await engine.acknowledge(incident.id, { actor });
 * await engine.resolve(incident.id, { summary: 'Rolled back release 2026.11.3', actor });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the options are invalid.
 */
export function createIncidentEngine<
  const Types extends readonly AnyIncidentType[] = readonly [],
  const Features extends readonly AnyIncidentFeature[] = readonly [],
>(options: IncidentEngineOptions & { readonly types?: Types; readonly features?: Features }): IncidentEngineWithFeatures<Types, Features> {
  const late: { engine?: Pick<IncidentEngine, 'ingest' | 'maintenance'> } = {};
  const builtIns = builtInFeatures(options, () => {
    if (late.engine === undefined) throw new Error('The engine is used before createIncidentEngine returned (a bug).');
    return late.engine;
  });
  const own = options.features ?? [];
  const core: EngineCore = createEngineCore({ ...options, listLevels: typeSeverityLevels(options.types) }, [...builtIns, ...own]);
  const parts = (name: string) => core.features.find((f) => f.feature.name === name)?.parts.api;
  const features = Object.fromEntries(own.map((feature) => [feature.name, parts(feature.name) ?? {}])) as FeatureApis<Features>;
  const engine = Object.assign(
    createEngineApi(core, options.ingest),
    ...builtIns.map((feature) => parts(feature.name)),
    { features },
  ) as IncidentEngineWithFeatures<Types, Features>;
  if (options.telemetry !== undefined) instrumentCommands(engine, core);
  late.engine = engine;
  Object.defineProperty(engine, FEATURE_ROUTES, { value: core.features.flatMap((f) => f.parts.routes ?? []), enumerable: false });
  return engine;
}
