import { describe, expect, it } from 'vitest';
import { parseSignal, type SignalInput } from 'incidentkit/ingest';
import { defineRoutes, explainRoute, isDefinedRoutes, routeSignal, ROUTING_LIMITS, type RouteCondition, type RouteRuleInput } from 'incidentkit/routing';

function signal(overrides: Partial<SignalInput> = {}) {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: 'fp-1',
    status: 'firing',
    severity: 'SEV2',
    summary: 'Replication lag on db-1',
    labels: { alertname: 'ReplicationLag', instance: 'db-1:9187', team: 'db' },
    annotations: { runbook: 'https://runbooks.example.com/lag' },
    startsAt: '2026-01-02T03:04:05Z',
    ...overrides,
  });
}

const when = (condition: RouteCondition, s = signal()) => routeSignal(defineRoutes([{ id: 'r', when: condition, then: {} }]), s).matched.length === 1;

describe('leaf operators', () => {
  it('equals compares the whole value, case-sensitively', () => {
    expect(when({ field: 'labels.team', equals: 'db' })).toBe(true);
    expect(when({ field: 'labels.team', equals: 'DB' })).toBe(false);
    expect(when({ field: 'severity', equals: 'SEV2' })).toBe(true);
    expect(when({ field: 'source', equals: 'grafana' })).toBe(false);
  });

  it('in is true when the value is one of the list', () => {
    expect(when({ field: 'labels.team', in: ['web', 'db'] })).toBe(true);
    expect(when({ field: 'labels.team', in: ['web'] })).toBe(false);
    expect(when({ field: 'status', in: ['firing'] })).toBe(true);
  });

  it('matches searches the value, honouring flags', () => {
    expect(when({ field: 'summary', matches: 'lag' })).toBe(true);
    expect(when({ field: 'summary', matches: '^lag' })).toBe(false);
    expect(when({ field: 'summary', matches: 'LAG', flags: 'i' })).toBe(true);
    expect(when({ field: 'labels.instance', matches: '^db-\\d+:' })).toBe(true);
  });

  it('matches searches only the first 4 096 characters of a value', () => {
    const long = signal({ annotations: { description: `${'x'.repeat(ROUTING_LIMITS.matchInput)}needle` } });
    expect(when({ field: 'annotations.description', matches: 'needle' }, long)).toBe(false);
    const near = signal({ annotations: { description: `${'x'.repeat(ROUTING_LIMITS.matchInput - 6)}needle` } });
    expect(when({ field: 'annotations.description', matches: 'needle' }, near)).toBe(true);
  });

  it('exists tells present from absent fields', () => {
    expect(when({ field: 'labels.team', exists: true })).toBe(true);
    expect(when({ field: 'labels.zone', exists: true })).toBe(false);
    expect(when({ field: 'labels.zone', exists: false })).toBe(true);
    expect(when({ field: 'service', exists: false })).toBe(true);
    expect(when({ field: 'service', exists: true }, signal({ service: 'api' }))).toBe(true);
  });

  it('a missing field never equals, is in or matches anything', () => {
    expect(when({ field: 'labels.zone', equals: '' })).toBe(false);
    expect(when({ field: 'service', in: [''] })).toBe(false);
    expect(when({ field: 'dedupKey', matches: '^' })).toBe(false);
  });

  it('reads only own labels, never the prototype', () => {
    expect(when({ field: 'labels.toString', exists: true })).toBe(false);
    expect(when({ field: 'annotations.hasOwnProperty', exists: true })).toBe(false);
  });
});

describe('combinators', () => {
  const yes: RouteCondition = { field: 'labels.team', equals: 'db' };
  const no: RouteCondition = { field: 'labels.team', equals: 'web' };

  it('all is true when every condition is, and all: [] always', () => {
    expect(when({ all: [yes, yes] })).toBe(true);
    expect(when({ all: [yes, no] })).toBe(false);
    expect(when({ all: [] })).toBe(true);
  });

  it('any is true when one condition is', () => {
    expect(when({ any: [no, yes] })).toBe(true);
    expect(when({ any: [no, no] })).toBe(false);
  });

  it('not inverts, and nests', () => {
    expect(when({ not: no })).toBe(true);
    expect(when({ not: yes })).toBe(false);
    expect(when({ not: { any: [no, { not: yes }] } })).toBe(true);
  });
});

describe('first match and continue', () => {
  const rules: RouteRuleInput[] = [
    { id: 'tag', when: { field: 'labels.team', equals: 'db' }, then: { service: 'postgres', severity: 'SEV3' }, continue: true },
    { id: 'page', when: { field: 'labels.team', equals: 'db' }, then: { policy: 'dba', severity: 'SEV1' } },
    { id: 'never', when: { all: [] }, then: { policy: 'fallback' } },
  ];

  it('stops at the first matching rule without continue', () => {
    const d = routeSignal(defineRoutes(rules), signal());
    expect(d.matched).toEqual(['tag', 'page']);
    expect(d.policy).toBe('dba');
  });

  it('a later matching rule replaces an earlier rule action by action', () => {
    const d = routeSignal(defineRoutes(rules), signal());
    expect(d.signal.service).toBe('postgres');
    expect(d.signal.severity).toBe('SEV1');
    expect(d.setBy).toEqual({ service: 'tag', severity: 'page', policy: 'page' });
  });

  it('without continue, the first matching rule alone decides', () => {
    const d = routeSignal(defineRoutes(rules.map((r) => ({ ...r, continue: false }))), signal());
    expect(d.matched).toEqual(['tag']);
    expect(d.policy).toBeUndefined();
    expect(d.signal.severity).toBe('SEV3');
  });

  it('tries rules in order whichever field they name, and each matching rule once', () => {
    const keyed = (id: string, condition: RouteCondition): RouteRuleInput => ({ id, when: condition, then: {}, continue: true });
    const routes = defineRoutes([
      keyed('alert', { all: [{ field: 'labels.alertname', equals: 'ReplicationLag' }, { field: 'severity', in: ['SEV1', 'SEV2'] }] }),
      keyed('team-twice', { field: 'labels.team', in: ['db', 'db', 'dba'] }),
      keyed('any-team', { any: [{ field: 'labels.team', equals: 'web' }, { field: 'labels.instance', matches: '^db-' }] }),
      keyed('nested', { all: [{ field: 'labels.instance', exists: true }, { all: [{ field: 'labels.team', equals: 'db' }] }] }),
      keyed('other-team', { field: 'labels.team', equals: 'web' }),
      keyed('no-env', { all: [{ field: 'labels.env', exists: false }, { field: 'labels.alertname', in: ['ReplicationLag'] }] }),
      keyed('env', { field: 'labels.env', equals: 'prod' }),
      keyed('catch-all', { all: [] }),
    ]);
    expect(routeSignal(routes, signal()).matched).toEqual(['alert', 'team-twice', 'any-team', 'nested', 'no-env', 'catch-all']);
    expect(routeSignal(routes, signal({ labels: { team: 'web', env: 'prod' } })).matched).toEqual(['any-team', 'other-team', 'env', 'catch-all']);
  });

  it('conditions read the signal as it arrived, not as earlier rules changed it', () => {
    const routes = defineRoutes([
      { id: 'a', when: { all: [] }, then: { service: 'changed' }, continue: true },
      { id: 'b', when: { field: 'service', exists: true }, then: { policy: 'p' } },
    ]);
    const d = routeSignal(routes, signal());
    expect(d.matched).toEqual(['a']);
    expect(d.signal.service).toBe('changed');
  });

  it('suppress, threshold, group and type come out beside the signal', () => {
    const routes = defineRoutes([
      {
        id: 'all',
        when: { all: [] },
        then: { suppress: true, threshold: { count: 3, windowMinutes: 10 }, group: { key: '{{labels.team}}', windowMinutes: 5 }, type: 'outage' },
        continue: true,
      },
      { id: 'unsuppress', when: { field: 'labels.team', equals: 'db' }, then: { suppress: false } },
    ]);
    const d = routeSignal(routes, signal());
    expect(d.suppressed).toBe(false);
    expect(d.threshold).toEqual({ count: 3, windowMinutes: 10 });
    expect(d.group).toEqual({ key: 'db', windowMinutes: 5 });
    expect(d.type).toBe('outage');
    expect(d.setBy.suppress).toBe('unsuppress');
  });

  it('no rules, or no match: the signal comes back unchanged', () => {
    const s = signal();
    for (const routes of [defineRoutes([]), defineRoutes([{ id: 'x', when: { field: 'source', equals: 'grafana' }, then: { service: 'x' } }])]) {
      const d = routeSignal(routes, s);
      expect(d.signal).toBe(s);
      expect(d).toEqual({ signal: s, matched: [], suppressed: false, setBy: {} });
    }
  });

  it('a routed copy of a parsed signal is still a valid, frozen signal', () => {
    const d = routeSignal(defineRoutes([{ id: 'r', when: { all: [] }, then: { service: 'api', dedupKey: 'k-{{fingerprint}}' } }]), signal());
    expect(Object.isFrozen(d.signal)).toBe(true);
    expect(parseSignal(d.signal)).toEqual(d.signal);
    expect(d.signal.dedupKey).toBe('k-fp-1');
  });

  it('refuses routes that did not come from defineRoutes', () => {
    const copy = JSON.parse(JSON.stringify(defineRoutes([]))) as ReturnType<typeof defineRoutes>;
    expect(isDefinedRoutes(copy)).toBe(false);
    expect(() => routeSignal(copy, signal())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => explainRoute(copy, signal())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(isDefinedRoutes(defineRoutes(copy))).toBe(true);
  });
});

describe('templates', () => {
  const keyOf = (template: string, s = signal()) =>
    routeSignal(defineRoutes([{ id: 'r', when: { all: [] }, then: { dedupKey: template } }]), s).signal.dedupKey;

  it('fill placeholders from fields, labels and annotations', () => {
    expect(keyOf('{{labels.alertname}}:{{labels.instance}}')).toBe('ReplicationLag:db-1:9187');
    expect(keyOf('{{ source }}/{{severity}}')).toBe('alertmanager/SEV2');
    expect(keyOf('plain')).toBe('plain');
  });

  it('render a missing field as empty text', () => {
    expect(keyOf('{{labels.zone}}-{{labels.team}}')).toBe('-db');
  });

  it('set nothing when the rendering is blank', () => {
    expect(keyOf('{{labels.zone}}')).toBeUndefined();
    expect(keyOf(' {{labels.zone}} ', signal({ dedupKey: 'own' }))).toBe('own');
  });

  it('cut the rendering to 200 characters', () => {
    const s = signal({ labels: { a: 'x'.repeat(1_000), b: 'y'.repeat(1_000) } });
    const key = keyOf('{{labels.a}}{{labels.b}}', s);
    expect(key).toHaveLength(ROUTING_LIMITS.renderedKey);
    expect(key).toBe('x'.repeat(200));
  });

  it('never split a surrogate pair when cutting', () => {
    const s = signal({ labels: { a: `${'x'.repeat(199)}😀` } });
    expect(keyOf('{{labels.a}}', s)).toBe('x'.repeat(199));
  });

  it('treat placeholder text as a field name, never as code', () => {
    expect(() => defineRoutes([{ id: 'r', when: { all: [] }, then: { dedupKey: '{{process.exit()}}' } }])).toThrow(/Name a signal field/);
  });
});

describe('explainRoute', () => {
  const routes = defineRoutes([
    { id: 'test-env', name: 'Drop test', when: { field: 'labels.env', equals: 'test' }, then: { suppress: true } },
    { id: 'db', when: { all: [{ field: 'labels.team', equals: 'db' }, { not: { field: 'severity', in: ['SEV4', 'SEV5'] } }] }, then: { service: 'postgres', policy: 'dba' }, continue: true },
    { id: 'sev1', when: { field: 'severity', equals: 'SEV1' }, then: { policy: 'exec' } },
    { id: 'catch', when: { all: [] }, then: { policy: 'default' } },
    { id: 'after', when: { all: [] }, then: {} },
  ]);

  it('says which rules were tried, matched, and what each set', () => {
    const why = explainRoute(routes, signal());
    expect(why.rules.map((r) => [r.id, r.outcome])).toEqual([
      ['test-env', 'not-matched'],
      ['db', 'matched'],
      ['sev1', 'not-matched'],
      ['catch', 'matched'],
      ['after', 'not-tried'],
    ]);
    expect(why.rules[0]?.name).toBe('Drop test');
    expect(why.rules[1]?.set).toEqual({ service: 'postgres', policy: 'dba' });
    expect(why.rules[1]?.overridden).toEqual(['policy']);
    expect(why.rules[3]?.set).toEqual({ policy: 'default' });
    expect(why.rules[4]?.checks).toBeUndefined();
    expect(why.decision).toEqual(routeSignal(routes, signal()));
  });

  it('names the conditions that failed, with the values they saw', () => {
    const why = explainRoute(routes, signal({ severity: 'SEV5' }));
    const db = why.rules[1];
    expect(db?.outcome).toBe('not-matched');
    expect(db?.failed).toEqual([{ path: 'when.all.1.not', test: 'severity in ["SEV4","SEV5"]', passed: true, actual: 'SEV5' }]);
    expect(why.rules[0]?.failed).toEqual([{ path: 'when', test: 'labels.env equals "test"', passed: false, actual: null }]);
  });

  it('lists every condition of a tried rule, parents first', () => {
    const db = explainRoute(routes, signal()).rules[1];
    expect(db?.checks?.map((c) => [c.path, c.passed])).toEqual([
      ['when', true],
      ['when.all.0', true],
      ['when.all.1', true],
      ['when.all.1.not', false],
    ]);
  });
});

describe('rules keyed under alternatives', () => {
  it('tries a rule once when a signal has the values of two of its alternatives', () => {
    const routes = defineRoutes([
      { id: 'db-either', when: { any: [{ field: 'labels.team', equals: 'db' }, { field: 'service', equals: 'db' }] }, then: { policy: 'dba' }, continue: true },
      { id: 'tail', when: { field: 'labels.alertname', equals: 'ReplicationLag' }, then: { severity: 'SEV1' } },
    ]);
    const both = routeSignal(routes, signal({ service: 'db' }));
    expect(both.matched).toEqual(['db-either', 'tail']);
    expect(routeSignal(routes, signal({ labels: { team: 'web', alertname: 'ReplicationLag' }, service: 'db' })).matched).toEqual(['db-either', 'tail']);
    expect(routeSignal(routes, signal({ labels: { team: 'web', alertname: 'ReplicationLag' } })).matched).toEqual(['tail']);
  });
});
