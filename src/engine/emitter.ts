import mittModule, { type Emitter, type EventType, type Handler, type WildcardHandler } from 'mitt';
import type { IncidentEventType, StoredEvent } from '../model/event.js';
import type { Incident } from '../model/incident.js';
import type { NotificationEvents } from '../model/notification.js';

type MittFactory = <Events extends Record<EventType, unknown>>() => Emitter<Events>;

// mitt ships CommonJS types without `"type": "module"`, so under NodeNext resolution its default
// import is typed as the CJS namespace; at run time ESM gives the function itself.
const mitt: MittFactory =
  typeof mittModule === 'function' ? (mittModule) : (mittModule).default;

/** What an `incident.*` event handler receives: the stored event and the incident after it. */
export interface IncidentEventPayload {
  readonly incident: Incident;
  readonly event: StoredEvent;
}

/** The name under which a stored event type is emitted, e.g. `incident.role_assigned`. */
export type IncidentEventName = `incident.${Lowercase<IncidentEventType>}`;

/** Every event the engine emits, with its payload: `incident.*` after each commit, `notification.*` from delivery. */
export type IncidentEngineEvents = {
  [K in IncidentEventName | keyof NotificationEvents]: K extends keyof NotificationEvents ? NotificationEvents[K] : IncidentEventPayload;
};

/** A handler of one engine event. */
export type EngineEventHandler<K extends keyof IncidentEngineEvents> = (payload: IncidentEngineEvents[K]) => void;

/** A handler of every engine event (`'*'`), given the event's name too. */
export type EngineWildcardHandler = (
  name: keyof IncidentEngineEvents,
  payload: IncidentEngineEvents[keyof IncidentEngineEvents],
) => void;

/** The name an event is emitted under. */
export function eventName(type: IncidentEventType): IncidentEventName {
  return `incident.${type.toLowerCase()}` as IncidentEventName;
}

/**
 * A mitt emitter whose `emit` isolates handlers: one that throws (or rejects) is reported to
 * `onError` and never stops the others, nor the command that caused the event.
 *
 * @internal
 */
export function createEngineEmitter(onError: (error: unknown, name: string) => void) {
  const emitter: Emitter<IncidentEngineEvents> = mitt<IncidentEngineEvents>();

  function invoke(handler: (...args: never[]) => unknown, args: readonly unknown[], name: string): void {
    try {
      const result = (handler as (...a: readonly unknown[]) => unknown)(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          onError(error, name);
        });
      }
    } catch (error) {
      onError(error, name);
    }
  }

  function on<K extends keyof IncidentEngineEvents>(type: K, handler: Handler<IncidentEngineEvents[K]>): void;
  function on(type: '*', handler: WildcardHandler<IncidentEngineEvents>): void;
  function on(type: keyof IncidentEngineEvents | '*', handler: (...args: never[]) => void): void {
    emitter.on(type as keyof IncidentEngineEvents, handler as Handler<IncidentEngineEvents[keyof IncidentEngineEvents]>);
  }

  function off<K extends keyof IncidentEngineEvents>(type: K, handler?: Handler<IncidentEngineEvents[K]>): void;
  function off(type: '*', handler?: WildcardHandler<IncidentEngineEvents>): void;
  function off(type: keyof IncidentEngineEvents | '*', handler?: (...args: never[]) => void): void {
    emitter.off(type as keyof IncidentEngineEvents, handler as Handler<IncidentEngineEvents[keyof IncidentEngineEvents]> | undefined);
  }

  return {
    on,
    off,
    emit<K extends keyof IncidentEngineEvents>(name: K, payload: IncidentEngineEvents[K]): void {
      for (const handler of [...(emitter.all.get(name) ?? [])]) invoke(handler, [payload], name);
      for (const handler of [...(emitter.all.get('*') ?? [])]) invoke(handler, [name, payload], name);
    },
  };
}
