import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  assertStatusLabel,
  defaultStatusLabel,
  defineStatusLabels,
  isStatusLabelAllowed,
  reconcileStatusLabel,
  statusLabelsFor,
} from '../../src/model/statusLabels.js';
import { isIncidentKitError, type ValidationIssue } from '../../src/errors.js';
import { INCIDENT_STATUSES } from '../../src/model/incident.js';
import { thrown } from '../helpers.js';

const labels = defineStatusLabels({
  investigating: { status: 'responding', default: true, description: 'Finding out what is wrong.' },
  fixing: 'responding',
  monitoring: { status: ['mitigated', 'resolved'], title: 'Monitoring the fix', default: true },
  awaitingVendor: ['responding', 'mitigated'],
});

describe('defineStatusLabels', () => {
  it('normalises shorthand and full definitions in declaration order', () => {
    expect(labels.labels.map((l) => l.name)).toEqual(['investigating', 'fixing', 'monitoring', 'awaitingVendor']);
    expect(labels.labels[0]).toEqual({
      name: 'investigating',
      title: 'investigating',
      description: 'Finding out what is wrong.',
      statuses: ['responding'],
      defaultFor: ['responding'],
    });
    expect(labels.labels[2]).toMatchObject({ title: 'Monitoring the fix', statuses: ['mitigated', 'resolved'], defaultFor: ['mitigated', 'resolved'] });
    expect(labels.labels[3]).toMatchObject({ statuses: ['responding', 'mitigated'], defaultFor: [] });
    expect(Object.isFrozen(labels.labels[1])).toBe(true);
    expectTypeOf(labels.labels[0]!.name).toEqualTypeOf<'investigating' | 'fixing' | 'monitoring' | 'awaitingVendor'>();
  });

  it.each([
    [{ investigating: 'investigating' }, ['investigating']],
    [{ investigating: { status: ['responding', 'open'] } }, ['investigating']],
    [{ '1bad': 'responding' }, ['1bad']],
    [{}, []],
  ])('refuses %j with a ConfigError', (definition, pathStart) => {
    const err = thrown(() => defineStatusLabels(definition as never));
    expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    const issues = (err as { details: { issues: ValidationIssue[] } }).details.issues;
    expect(issues[0]?.path.slice(0, pathStart.length)).toEqual(pathStart);
  });

  it('names the real lifecycle states when a label maps onto something else', () => {
    const err = thrown(() => defineStatusLabels({ investigating: 'open' as never }));
    expect((err as Error).message).toContain('triage, responding, mitigated, resolved, postIncident, closed, canceled');
  });

  it('refuses two defaults for one state', () => {
    const err = thrown(() => defineStatusLabels({ a: { status: 'responding', default: true }, b: { status: ['responding', 'mitigated'], default: true } }));
    expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain("'a' is already the default label for 'responding'");
  });
});

describe('using labels', () => {
  it('tells which labels apply in which state', () => {
    expect(isStatusLabelAllowed(labels, 'fixing', 'responding')).toBe(true);
    expect(isStatusLabelAllowed(labels, 'fixing', 'mitigated')).toBe(false);
    expect(isStatusLabelAllowed(labels, 'nope', 'responding')).toBe(false);
    expect(statusLabelsFor(labels, 'responding').map((l) => l.name)).toEqual(['investigating', 'fixing', 'awaitingVendor']);
    expect(statusLabelsFor(labels, 'triage')).toEqual([]);
    expect(defaultStatusLabel(labels, 'responding')).toBe('investigating');
    expect(defaultStatusLabel(labels, 'resolved')).toBe('monitoring');
    expect(defaultStatusLabel(labels, 'closed')).toBeUndefined();
  });

  it('keeps an allowed label across a transition and otherwise falls back to the default', () => {
    expect(reconcileStatusLabel(labels, 'awaitingVendor', 'mitigated')).toBe('awaitingVendor');
    expect(reconcileStatusLabel(labels, 'fixing', 'mitigated')).toBe('monitoring');
    expect(reconcileStatusLabel(labels, 'monitoring', 'closed')).toBeUndefined();
    expect(reconcileStatusLabel(labels, undefined, 'responding')).toBe('investigating');
  });

  it('never leaves a label that does not apply in the new state (property)', () => {
    const names = [...labels.labels.map((l) => l.name), 'unknown', undefined];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.constantFrom(...INCIDENT_STATUSES), (current, status) => {
        const next = reconcileStatusLabel(labels, current, status);
        if (next !== undefined) expect(isStatusLabelAllowed(labels, next, status)).toBe(true);
      }),
    );
  });

  it('explains refusals for setStatusLabel', () => {
    expect(assertStatusLabel(labels, 'fixing', 'responding')).toBe('fixing');

    const unknown = thrown(() => assertStatusLabel(labels, 'fixin', 'responding'));
    expect(isIncidentKitError(unknown, 'VALIDATION_FAILED')).toBe(true);
    expect((unknown as { details: { issues: ValidationIssue[] } }).details.issues[0]).toMatchObject({ code: 'unknown_status_label', path: ['label'] });
    expect((unknown as Error).message).toContain('use one of investigating, fixing, monitoring, awaitingVendor');

    const wrongState = thrown(() => assertStatusLabel(labels, 'monitoring', 'responding'));
    expect((wrongState as { details: { issues: ValidationIssue[] } }).details.issues[0]?.code).toBe('status_label_not_allowed');
    expect((wrongState as Error).message).toContain(
      "Status label 'monitoring' applies only while the incident is mitigated or resolved, not responding; labels for responding: investigating, fixing, awaitingVendor",
    );
    expect((thrown(() => assertStatusLabel(labels, 'fixing', 'closed')) as Error).message).toContain('no label applies in closed');
  });
});
