import { redactFields } from '../../model/redactFields.js';
import type { Incident } from '../../model/incident.js';
import type { JsonValue } from '../../model/primitives.js';

/** Copies a JSON value, passing every string through `rewrite`. */
function mapStrings(value: JsonValue, rewrite: (text: string) => string): JsonValue {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, rewrite));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, rewrite)]));
  return value;
}

/** The custom fields as a review may show them: sensitive ones redacted unless asked otherwise; a copy either way. */
export function customFields(incident: Incident, includeSensitive: boolean, rewrite: ((text: string) => string) | undefined): Record<string, JsonValue> {
  const sensitive = incident.policy.sensitiveFields ?? [];
  const shown: Readonly<Record<string, JsonValue>> = includeSensitive || sensitive.length === 0 ? incident.fields : redactFields(incident.fields, sensitive);
  const copy = (text: string): string => text;
  return Object.fromEntries(Object.entries(shown).map(([key, value]) => [key, mapStrings(value, rewrite ?? copy)]));
}
