import type { EngineCore } from './engineCore.js';
import { AUTHORIZE_ACTIONS } from './types.js';

/** Authorized actions that are no command: reads, and `ingest`, which has a hook of its own. */
const NOT_COMMANDS: ReadonlySet<string> = /* @__PURE__ */ new Set(['read', 'ingest']);
/** Commands whose first argument is no incident id. */
const NO_INCIDENT_ARGUMENT: ReadonlySet<string> = /* @__PURE__ */ new Set(['declare', 'importIncident', 'redeliver']);

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * Wraps the engine's commands (the methods `authorize` is asked about: `declare`, the incident
 * commands, those of features such as `completeTask`) and `ingest` in the `telemetry` hooks, in
 * place. Called only for an engine given `telemetry`, so an engine without it runs unwrapped.
 *
 * @internal
 */
export function instrumentCommands(engine: object, core: Pick<EngineCore, 'telemetry' | 'tenantId'>): void {
  const { telemetry, tenantId } = core;
  const methods = engine as Record<string, unknown>;
  for (const name of AUTHORIZE_ACTIONS) {
    const method = methods[name];
    if (NOT_COMMANDS.has(name) || typeof method !== 'function') continue;
    const run = method as Method;
    const withId = !NO_INCIDENT_ARGUMENT.has(name);
    methods[name] = (...args: unknown[]) => {
      const [first] = args;
      return telemetry.command({ tenantId, command: name, ...(withId && typeof first === 'string' ? { incidentId: first } : {}) }, () => run.apply(engine, args));
    };
  }
  const ingest = methods.ingest;
  if (typeof ingest === 'function') {
    const run = ingest as (...args: unknown[]) => Promise<readonly { readonly outcome: string }[]>;
    methods.ingest = (...args: unknown[]) => {
      const [signals] = args;
      return telemetry.ingest({ tenantId, signals: Array.isArray(signals) ? signals.length : 1 }, () => run.apply(engine, args));
    };
  }
}
