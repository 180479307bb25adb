import type { EngineOptions, EngineApi } from './engine/types.js';
import type { AnyIncidentFeature, FeatureApis } from './engine/feature.js';
import type { Incident } from './model/incident.js';
import type { ChangesFeatureApi, ChangesOptions } from './features/changes/changesFeature.js';
import type { ClassificationApi, ClassificationOptions, DeclareInput } from './features/classification/classificationFeature.js';
import type { AnyIncidentType } from './features/classification/defineIncidentType.js';
import type { ComplianceApi, ComplianceOptions } from './features/compliance/complianceFeature.js';
import type { NotificationsApi, NotificationsOptions } from './features/notifications/notificationsFeature.js';
import type { HeartbeatsFeatureApi } from './features/heartbeats/heartbeatsFeature.js';
import type { OncallApi } from './features/oncall/oncallFeature.js';
import type { ReviewApi } from './features/review/reviewFeature.js';
import type { RoutingApi, SignalRoutingOptions } from './features/routing/routingFeature.js';
import type { StatusPageApi, StatusPageOptions } from './features/statusPage/statusPageFeature.js';
import type { PlaybooksApi, PlaybooksOptions } from './features/playbooks/playbooksFeature.js';
import type { ProblemsFeatureApi, ProblemsOptions } from './features/problems/problemsFeature.js';
import type { InvestigationApi, InvestigationOptions } from './features/investigation/investigationFeature.js';
import type { JustCultureApi } from './features/justCulture/justCultureFeature.js';
import type { SecurityApi } from './features/security/securityFeature.js';
import type { ErasureApi, ErasureOptions } from './features/erasure/erasureFeature.js';

/**
 * Options of `createIncidentEngine`: the engine's own, and those of the built-in features
 * (notifications, classification, compliance, changes, routing, status pages), plus the host's own `features`.
 */
export interface IncidentEngineOptions extends EngineOptions, NotificationsOptions, ClassificationOptions, ComplianceOptions, ChangesOptions, SignalRoutingOptions, StatusPageOptions, PlaybooksOptions, ProblemsOptions, InvestigationOptions, ErasureOptions {
  /**
   * The host's own features, made with `defineFeature`: each adds to every commit, fires its
   * own timers, and serves its methods as `engine.features.<name>` (see docs/architecture.md).
   */
  readonly features?: readonly AnyIncidentFeature[];
}

/**
 * The incident engine: commands that change incidents, reads, and events.
 *
 * @remarks Every command validates its input (throwing `ValidationError`), throws
 * `NotFoundError` for an unknown incident, `InvalidTransitionError` when the incident's state
 * does not accept it, `ConcurrencyError` when retries after concurrent writes run out, and
 * `ForbiddenError` when the `authorize` option denies it (reads too: `get`, `timeline` and
 * `verifyTimeline` throw it; `list` and `scan` leave out what the reader may not see).
 * A command that throws has written nothing.
 */
export interface IncidentEngine<Types extends readonly AnyIncidentType[] = readonly []>
  extends Omit<EngineApi, 'declare'>,
    ReviewApi,
    ClassificationApi<Types>,
    ComplianceApi,
    NotificationsApi,
    OncallApi,
    ChangesFeatureApi,
    HeartbeatsFeatureApi,
    RoutingApi,
    StatusPageApi,
    PlaybooksApi,
    ProblemsFeatureApi,
    InvestigationApi,
    JustCultureApi,
    SecurityApi,
    ErasureApi {
  /**
   * Declares a new incident in `triage`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, e.g. an unknown severity.
   * @throws DuplicateIncidentError (`DUPLICATE_INCIDENT`) when an open incident has the same `dedupKey`.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` denies it.
   * @throws EncryptionError (`ENCRYPTION_FAILED`) when the `keyring` fails or hands back a bad key.
   */
  declare(input: DeclareInput<Types>): Promise<Incident>;
}

/**
 * What `createIncidentEngine` returns: the {@link IncidentEngine}, plus `engine.features` — the
 * methods of the host's own features by name — when it was given any.
 */
export type IncidentEngineWithFeatures<
  Types extends readonly AnyIncidentType[] = readonly [],
  Features extends readonly AnyIncidentFeature[] = readonly [],
> = IncidentEngine<Types> & (Features extends readonly [] ? unknown : { readonly features: FeatureApis<Features> });
