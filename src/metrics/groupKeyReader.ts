import type { GroupBy, MetricsIncident } from './types.js';

/** A description of `groupBy` for reports: the name, `label x`, `field x` or `function`. */
export function describeGroupBy(groupBy: GroupBy): string {
  if (typeof groupBy === 'function') return 'function';
  if (typeof groupBy === 'string') return groupBy;
  return 'label' in groupBy ? `label ${groupBy.label}` : `field ${groupBy.field}`;
}

/** An incident's group keys: one key (the common case, without allocating) or several. */
export type GroupKeys = string | readonly string[];

function keysOfValue(value: unknown): GroupKeys | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const keys = value.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
    return keys.length > 0 ? keys : undefined;
  }
  return undefined;
}

/**
 * Builds the function that reads an incident's group keys: deduplicated, `missingKey` when it
 * has none, `[]` only when a `groupBy` function says the incident belongs to no group.
 *
 * @internal
 */
export function groupKeyReader(groupBy: GroupBy | undefined, missingKey: string): ((incident: MetricsIncident) => GroupKeys) | undefined {
  if (groupBy === undefined) return undefined;
  const orMissing = (keys: GroupKeys | undefined | null): GroupKeys => {
    if (keys === undefined || keys === null) return missingKey;
    if (typeof keys === 'string') return keys;
    return keys.length > 1 ? [...new Set(keys)] : keys;
  };
  if (typeof groupBy === 'function') {
    return (incident) => {
      const keys = groupBy(incident);
      return orMissing(typeof keys === 'string' || keys === undefined || keys === null ? keys : keys.map(String));
    };
  }
  if (groupBy === 'service') {
    return (incident) => {
      const services = incident.services;
      if (services !== undefined && services.length > 0) {
        return orMissing(incident.service === undefined ? services : [incident.service, ...services]);
      }
      return incident.service ?? missingKey;
    };
  }
  if (groupBy === 'severity') return (incident) => incident.severity ?? missingKey;
  if (groupBy === 'status') return (incident) => incident.status ?? missingKey;
  if (typeof groupBy === 'object' && 'label' in groupBy) {
    const name = groupBy.label;
    return (incident) => orMissing(keysOfValue(incident.labels?.[name]));
  }
  if (typeof groupBy === 'object') {
    const name = groupBy.field;
    return (incident) => orMissing(keysOfValue(incident.fields?.[name]));
  }
  const name = groupBy;
  return (incident) => orMissing(keysOfValue(incident.labels?.[name]) ?? keysOfValue(incident.fields?.[name]));
}
