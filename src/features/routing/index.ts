/**
 * incidentkit/routing: routing rules (event orchestration) for ingested signals.
 *
 * @remarks {@link defineRoutes} validates ordered rules (typed conditions on the normalised
 * signal, actions that set the service, incident type, severity, escalation policy, dedup key,
 * suppression, threshold and grouping) and refuses any pattern that could backtrack
 * catastrophically. {@link routeSignal} applies them to one signal; {@link explainRoute} says
 * why. This entry carries the ReDoS detector (`redos-detector`), so the core `incidentkit`
 * entry stays without it.
 *
 * @packageDocumentation
 */
export { defineRoutes } from './defineRoutes.js';
export { routeSignal, type RouteActionName, type RouteDecision, type RoutedGroup } from './evaluate.js';
export { explainRoute, type ConditionCheck, type RouteExplanation, type RuleExplanation } from './explainRoute.js';
export {
  isDefinedRoutes,
  ROUTING_LIMITS,
  SIGNAL_TEXT_FIELDS,
  type AllCondition,
  type AnyCondition,
  type EqualsCondition,
  type ExistsCondition,
  type InCondition,
  type MatchesCondition,
  type NotCondition,
  type RouteActions,
  type RouteCondition,
  type RouteGroup,
  type RouteRule,
  type RouteRuleInput,
  type Routes,
  type RouteThreshold,
  type SignalField,
} from './routes.js';
export type { Signal } from '../../model/signal.js';
