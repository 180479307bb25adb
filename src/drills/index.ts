/**
 * Drills and "what if": play a scenario of signals and human actions on a manual clock
 * ({@link runScenario}), and replay past signals under a candidate configuration
 * ({@link whatIf}). Kept out of the root entry: nothing here is in the typical import's bundle.
 *
 * @packageDocumentation
 */
export { parseOffset, parseScenario, parseScenarioJson, scenarioSchema, SCENARIO_ACTIONS, type Scenario, type ScenarioAction, type ScenarioStep } from './scenario.js';
export {
  formatOffset,
  runScenario,
  type RunScenarioOptions,
  type ScenarioBreach,
  type ScenarioDelivery,
  type ScenarioIncident,
  type ScenarioPage,
  type ScenarioReport,
  type ScenarioStepResult,
  type ScenarioTimelineEntry,
} from './runScenario.js';
export { createScenarioEngine, type RecordedMessage, type ScenarioEngine, type ScenarioEngineOptions } from './createScenarioEngine.js';
export {
  historyFromEngine,
  renderWhatIfMarkdown,
  whatIf,
  type ReplayResponse,
  type ReplaySignal,
  type WhatIfCandidate,
  type WhatIfCounts,
  type WhatIfHistory,
  type WhatIfOptions,
  type WhatIfReport,
} from './whatIf.js';
