/**
 * What recurrence detection reads of an incident: shared by `findSimilarIncidents` (the review
 * feature) and the problems feature's prevention loop, which may not import each other.
 */

/**
 * The fields recurrence detection reads. The `Incident` projection fits; so do lighter
 * records, and projections that carry alerts (`alerts: { fingerprint }[]`) or `fingerprints`.
 */
export interface SimilarityInput {
  readonly id?: string;
  readonly title: string;
  readonly service?: string;
  readonly services?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly dedupKey?: string;
  /** Fingerprints of attached alerts (e.g. Alertmanager's `fingerprint`). */
  readonly fingerprints?: readonly string[];
  /**
   * Attached alerts, as the projection lists them (an `Incident` carries its newest 100); their
   * dedup keys count like the incident's own.
   */
  readonly alerts?: readonly { readonly fingerprint?: string; readonly dedupKey?: string }[];
  readonly detectedAt?: string | Date | number;
  /** `true` for a drill: never a candidate unless `includeDrills`. */
  readonly drill?: boolean;
}
