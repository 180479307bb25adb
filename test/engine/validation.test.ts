/**
 * Bad input at the engine's boundary: every command validates with zod and answers with a typed
 * `ValidationError` (code `VALIDATION_FAILED`, zod issues with path and message), writes
 * nothing, and never lets a prototype key reach `Object.prototype`.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { ConfigError, ValidationError, isIncidentKitError } from '../../src/errors.js';
import { memoryStore } from '../../src/storage/memory.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { ALICE, declareIncident, makeEngine, storedState, thrown } from '../helpers.js';

const VALID_DECLARE = { title: 'Checkout is down', severity: 'SEV2', actor: ALICE } as const;

/** Nested `depth` levels deep: `{ d: { d: … 1 } }`. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = { d: value };
  return value;
}

/** An object with an own `__proto__` key, as JSON.parse makes from untrusted text. */
function ownProto(value: string): Record<string, unknown> {
  return JSON.parse(`{"__proto__": ${value}, "ok": "yes"}`) as Record<string, unknown>;
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'isAdmin', 'team']) expect(probe[key], key).toBeUndefined();
}

afterEach(() => {
  expectPrototypeUntouched();
});

/** Asserts a VALIDATION_FAILED error whose issues include one at `path` (as a prefix). */
function expectValidationError(error: unknown, path: readonly PropertyKey[], subject?: string): ValidationError {
  expect(error).toBeInstanceOf(ValidationError);
  const validation = error as ValidationError;
  expect(validation.code).toBe('VALIDATION_FAILED');
  expect(validation.name).toBe('ValidationError');
  expect(isIncidentKitError(validation, 'VALIDATION_FAILED')).toBe(true);
  if (subject !== undefined) expect(validation.details.subject).toBe(subject);
  expect(validation.details.issues.length).toBeGreaterThan(0);
  for (const issue of validation.details.issues) {
    expect(typeof issue.code).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
    expect(Array.isArray(issue.path)).toBe(true);
  }
  const paths = validation.details.issues.map((issue) => issue.path.slice(0, path.length));
  expect(paths, `an issue at ${path.map(String).join('.')}`).toContainEqual([...path]);
  return validation;
}

describe('declare', () => {
  let engine: IncidentEngine;
  beforeEach(() => {
    engine = makeEngine().engine;
  });

  it.each<[string, unknown, readonly PropertyKey[]]>([
    ['no input', undefined, []],
    ['null', null, []],
    ['an array', [], []],
    ['a string', 'Checkout is down', []],
    ['a missing title', { severity: 'SEV2', actor: ALICE }, ['title']],
    ['an empty title', { ...VALID_DECLARE, title: '' }, ['title']],
    ['a blank title', { ...VALID_DECLARE, title: '   \n ' }, ['title']],
    ['a numeric title', { ...VALID_DECLARE, title: 42 }, ['title']],
    ['a missing severity', { title: 'x', actor: ALICE }, ['severity']],
    ['an unknown severity', { ...VALID_DECLARE, severity: 'SEV9' }, ['severity']],
    ['a lower-case severity', { ...VALID_DECLARE, severity: 'sev1' }, ['severity']],
    ['a numeric severity', { ...VALID_DECLARE, severity: 1 }, ['severity']],
    ['an extra key', { ...VALID_DECLARE, priority: 'P1' }, []],
    ['a service that is not text', { ...VALID_DECLARE, service: ['checkout'] }, ['service']],
    ['a missing actor', { title: 'x', severity: 'SEV2' }, ['actor']],
    ['an actor that is a string', { ...VALID_DECLARE, actor: 'u_alice' }, ['actor']],
    ['an actor without id', { ...VALID_DECLARE, actor: { name: 'Alice' } }, ['actor', 'id']],
    ['an actor with an empty id', { ...VALID_DECLARE, actor: { id: '  ' } }, ['actor', 'id']],
    ['an actor of unknown kind', { ...VALID_DECLARE, actor: { id: 'u1', kind: 'robot' } }, ['actor', 'kind']],
    ['an actor with an extra key', { ...VALID_DECLARE, actor: { id: 'u1', role: 'admin' } }, ['actor']],
    ['an actor id of 201 characters', { ...VALID_DECLARE, actor: { id: 'u'.repeat(201) } }, ['actor', 'id']],
    ['a title of a million characters', { ...VALID_DECLARE, title: 'x'.repeat(1_000_000) }, ['title']],
    ['a summary of 20 001 characters', { ...VALID_DECLARE, summary: 's'.repeat(20_001) }, ['summary']],
    ['a dedup key of 201 characters', { ...VALID_DECLARE, dedupKey: 'k'.repeat(201) }, ['dedupKey']],
    ['a startedAt that is no date', { ...VALID_DECLARE, startedAt: 'yesterday' }, ['startedAt']],
    ['a startedAt on 30 February', { ...VALID_DECLARE, startedAt: '2025-02-30T00:00:00Z' }, ['startedAt']],
    ['a startedAt without a time zone', { ...VALID_DECLARE, startedAt: '2025-12-31T00:00:00' }, ['startedAt']],
    ['an invalid Date', { ...VALID_DECLARE, startedAt: new Date(Number.NaN) }, ['startedAt']],
    ['a numeric startedAt', { ...VALID_DECLARE, startedAt: 1_767_225_600_000 }, ['startedAt']],
    ['labels that are not an object', { ...VALID_DECLARE, labels: 'team=payments' }, ['labels']],
    ['a label value that is not text', { ...VALID_DECLARE, labels: { team: 7 } }, ['labels', 'team']],
    ['a label value of 1 001 characters', { ...VALID_DECLARE, labels: { team: 't'.repeat(1_001) } }, ['labels', 'team']],
    ['65 labels', { ...VALID_DECLARE, labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${String(i)}`, 'v'])) }, ['labels']],
    ['an empty label key', { ...VALID_DECLARE, labels: { '': 'v' } }, ['labels']],
    ['a label named constructor', { ...VALID_DECLARE, labels: { constructor: 'x' } }, ['labels']],
    ['a label named prototype', { ...VALID_DECLARE, labels: { prototype: 'x' } }, ['labels']],
    ['a field named constructor', { ...VALID_DECLARE, fields: { constructor: { isAdmin: true } } }, ['fields']],
    ['a nested field named __proto__', { ...VALID_DECLARE, fields: { patient: ownProto('{"isAdmin": true}') } }, ['fields', 'patient']],
    ['a field nested 20 levels deep', { ...VALID_DECLARE, fields: { deep: nested(20) } }, ['fields', 'deep']],
    ['a field string of 20 001 characters', { ...VALID_DECLARE, fields: { note: 'n'.repeat(20_001) } }, ['fields', 'note']],
    ['a field that is NaN', { ...VALID_DECLARE, fields: { score: Number.NaN } }, ['fields', 'score']],
    ['a field that is Infinity', { ...VALID_DECLARE, fields: { score: Number.POSITIVE_INFINITY } }, ['fields', 'score']],
    ['a field that is a Map', { ...VALID_DECLARE, fields: { map: new Map([['a', 1]]) } }, ['fields', 'map']],
    ['a field that is a Date', { ...VALID_DECLARE, fields: { when: new Date(0) } }, ['fields', 'when']],
    ['a field that is a function', { ...VALID_DECLARE, fields: { run: () => 1 } }, ['fields', 'run']],
    ['a field that is undefined', { ...VALID_DECLARE, fields: { gone: undefined } }, ['fields', 'gone']],
  ])('refuses %s and stores nothing', async (_name, input, path) => {
    const error = await thrown(engine.declare(input as never));
    expectValidationError(error, path, 'declare');
    expect((error as ValidationError).message).toMatch(/^Invalid input for declare: /);
    expect((await engine.list()).items).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['labels', { labels: ownProto('"x"') }],
    ['labels (object value)', { labels: ownProto('{"team": "x"}') }],
    ['fields', { fields: ownProto('{"isAdmin": true}') }],
  ])('refuses an own __proto__ key in %s and stores nothing', async (_name, extra) => {
    const error = await thrown(engine.declare({ ...VALID_DECLARE, ...extra }));
    expectValidationError(error, [Object.keys(extra)[0]!], 'declare');
    expect((await engine.list()).items).toEqual([]);
  });

  it('refuses an own __proto__ key at the top level of the input', async () => {
    const input = { ...VALID_DECLARE, ...ownProto('{"isAdmin": true}') };
    expect(Object.keys(input)).toContain('__proto__');
    expectValidationError(await thrown(engine.declare(input)), [], 'declare');
    expect((await engine.list()).items).toEqual([]);
  });

  it('refuses a startedAt after the moment of declaring', async () => {
    const { engine: timed, clock } = makeEngine();
    clock.set('2026-06-01T12:00:00.000Z');
    const error = expectValidationError(
      await thrown(timed.declare({ ...VALID_DECLARE, startedAt: '2026-06-01T12:00:00.001Z' })),
      ['startedAt'],
    );
    expect(error.message).toMatch(/after/);
    expect((await timed.list()).items).toEqual([]);
    // The same instant is fine.
    expect((await timed.declare({ ...VALID_DECLARE, startedAt: '2026-06-01T14:00:00+02:00' })).startedAt).toBe('2026-06-01T12:00:00.000Z');
  });

  it('names every problem at once, with zod’s codes', async () => {
    const error = expectValidationError(
      await thrown(engine.declare({ title: '', severity: 'SEV0', actor: {}, extra: true } as never)),
      ['title'],
    );
    const byPath = new Map(error.details.issues.map((issue) => [issue.path.join('.'), issue.code]));
    expect(byPath.get('title')).toBe('too_small');
    expect(byPath.get('severity')).toBe('custom');
    expect(byPath.get('actor.id')).toBe('invalid_type');
    expect(byPath.get('')).toBe('unrecognized_keys');
    expect(error.message).toContain('title');
    expect(error.cause).toBeDefined();
  });

  it('accepts the largest allowed input and stores it unchanged', async () => {
    const labels = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${String(i)}`, 'v'.repeat(1_000)]));
    const fields = { deep: nested(15), text: 't'.repeat(20_000), list: [1, 'two', null, true, { three: 3 }] };
    const incident = await engine.declare({ ...VALID_DECLARE, title: 'x'.repeat(300), labels, fields });
    expect(incident.labels).toEqual(labels);
    expect(incident.fields).toEqual(fields);
    expect(await engine.get(incident.id)).toEqual(incident);
  });

  it('trims text and defaults the actor kind to user', async () => {
    const incident = await engine.declare({ title: '  Checkout is down  ', severity: 'SEV2', actor: { id: ' u_alice ' } });
    expect(incident.title).toBe('Checkout is down');
    expect(incident.createdBy).toEqual({ kind: 'user', id: 'u_alice' });
  });
});

/** Calls one engine command with untyped input. */
type CommandCall = (engine: IncidentEngine, id: unknown, input: unknown) => Promise<unknown>;

const COMMANDS: Readonly<Record<string, CommandCall>> = {
  acknowledge: (e, id, input) => e.acknowledge(id as never, input as never),
  assignRole: (e, id, input) => e.assignRole(id as never, input as never),
  setSeverity: (e, id, input) => e.setSeverity(id as never, input as never),
  addNote: (e, id, input) => e.addNote(id as never, input as never),
  postUpdate: (e, id, input) => e.postUpdate(id as never, input as never),
  mitigate: (e, id, input) => e.mitigate(id as never, input as never),
  recordRootCause: (e, id, input) => e.recordRootCause(id as never, input as never),
  resolve: (e, id, input) => e.resolve(id as never, input as never),
  reopen: (e, id, input) => e.reopen(id as never, input as never),
  startReview: (e, id, input) => e.startReview(id as never, input as never),
  completeReview: (e, id, input) => e.completeReview(id as never, input as never),
  addActionItem: (e, id, input) => e.addActionItem(id as never, input as never),
  updateActionItem: (e, id, input) => e.updateActionItem(id as never, input as never),
  close: (e, id, input) => e.close(id as never, input as never),
  cancel: (e, id, input) => e.cancel(id as never, input as never),
};

describe('commands on an incident', () => {
  it.each(Object.keys(COMMANDS))('%s reports bad input as a rejected promise, never a synchronous throw', async (name) => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    let returned: unknown;
    expect(() => {
      returned = COMMANDS[name]!(engine, id, {});
    }).not.toThrow();
    expect(returned).toBeInstanceOf(Promise);
    expectValidationError(await thrown(returned as Promise<unknown>), ['actor'], name);
  });

  it.each<[string, string, unknown, readonly PropertyKey[]]>([
    ['acknowledge', 'no actor', {}, ['actor']],
    ['acknowledge', 'an extra key', { actor: ALICE, note: 'on it' }, []],
    ['acknowledge', 'null input', null, []],
    ['assignRole', 'a missing assignee', { role: 'commander', actor: ALICE }, ['assignee']],
    ['assignRole', 'an empty role', { role: '', assignee: 'u_bob', actor: ALICE }, ['role']],
    ['assignRole', 'a role with a space', { role: 'incident commander', assignee: 'u_bob', actor: ALICE }, ['role']],
    ['assignRole', 'a role named __proto__', { role: '__proto__', assignee: 'u_bob', actor: ALICE }, ['role']],
    ['assignRole', 'a role of 65 characters', { role: 'r'.repeat(65), assignee: 'u_bob', actor: ALICE }, ['role']],
    ['assignRole', 'an empty assignee', { role: 'scribe', assignee: '', actor: ALICE }, ['assignee']],
    ['assignRole', 'an assignee with an extra key', { role: 'scribe', assignee: { id: 'u_bob', admin: true }, actor: ALICE }, ['assignee']],
    ['setSeverity', 'an unknown severity', { severity: 'SEV0', actor: ALICE }, ['severity']],
    ['setSeverity', 'a reason of 2 001 characters', { severity: 'SEV1', reason: 'r'.repeat(2_001), actor: ALICE }, ['reason']],
    ['addNote', 'an empty text', { text: '', actor: ALICE }, ['text']],
    ['addNote', 'a text of 20 001 characters', { text: 'n'.repeat(20_001), actor: ALICE }, ['text']],
    ['addNote', 'a numeric text', { text: 42, actor: ALICE }, ['text']],
    ['addNote', 'an actor of unknown kind', { text: 'hi', actor: { id: 'u1', kind: 'admin' } }, ['actor', 'kind']],
    ['postUpdate', 'an unknown audience', { audience: 'everyone', message: 'hi', actor: ALICE }, ['audience']],
    ['postUpdate', 'a missing message', { audience: 'public', actor: ALICE }, ['message']],
    ['mitigate', 'a missing summary', { actor: ALICE }, ['summary']],
    ['recordRootCause', 'factors that are not a list', { summary: 'x', contributingFactors: 'many', actor: ALICE }, ['contributingFactors']],
    ['recordRootCause', 'an empty factor', { summary: 'x', contributingFactors: [''], actor: ALICE }, ['contributingFactors', 0]],
    ['recordRootCause', '101 factors', { summary: 'x', contributingFactors: Array.from({ length: 101 }, () => 'f'), actor: ALICE }, ['contributingFactors']],
    ['resolve', 'an empty summary', { summary: '', actor: ALICE }, ['summary']],
    ['reopen', 'a missing reason', { actor: ALICE }, ['reason']],
    ['startReview', 'an empty owner', { owner: '', actor: ALICE }, ['owner']],
    ['completeReview', 'a numeric summary', { summary: 7, actor: ALICE }, ['summary']],
    ['addActionItem', 'a missing title', { actor: ALICE }, ['title']],
    ['addActionItem', 'a dueAt that is no date', { title: 'x', dueAt: 'next week', actor: ALICE }, ['dueAt']],
    ['addActionItem', 'an unknown kind', { title: 'x', kind: 'fix', actor: ALICE }, ['kind']],
    ['addActionItem', 'an unknown strength', { title: 'x', strength: 'strong', actor: ALICE }, ['strength']],
    ['updateActionItem', 'an unknown status', { actionItemId: 'act_1', status: 'finished', actor: ALICE }, ['status']],
    ['updateActionItem', 'a missing actionItemId', { status: 'done', actor: ALICE }, ['actionItemId']],
    ['close', 'an extra key', { actor: ALICE, force: true }, []],
    ['cancel', 'an unknown reason', { reason: 'spam', actor: ALICE }, ['reason']],
    ['cancel', 'an empty mergedInto', { reason: 'duplicate', mergedInto: '', actor: ALICE }, ['mergedInto']],
  ])('%s refuses %s and writes nothing', async (name, _description, input, path) => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    await engine.addActionItem(id, { title: 'Write a runbook', actor: ALICE });
    const before = await storedState(engine, id);
    expectValidationError(await thrown(() => COMMANDS[name]!(engine, id, input)), path, name);
    expect(await storedState(engine, id)).toEqual(before);
  });

  it.each<[string, unknown]>([
    ['an empty id', ''],
    ['a numeric id', 42],
    ['no id', undefined],
    ['an id of 201 characters', 'i'.repeat(201)],
  ])('refuses %s for every command and every read', async (_name, id) => {
    const { engine } = makeEngine();
    for (const [name, call] of Object.entries(COMMANDS)) {
      expectValidationError(await thrown(() => call(engine, id, { actor: ALICE })), [], name);
    }
    for (const read of [() => engine.get(id as never), () => engine.timeline(id as never), () => engine.verifyTimeline(id as never)]) {
      expectValidationError(await thrown(read), []);
    }
  });
});

describe('list', () => {
  it.each<[string, unknown, readonly PropertyKey[]]>([
    ['an unknown status', { status: 'open' }, ['status']],
    ['an unknown severity', { severity: ['SEV1', 'SEV7'] }, ['severity']],
    ['an empty status list', { status: [] }, ['status']],
    ['open that is not a boolean', { open: 'yes' }, ['open']],
    ['a limit of 0', { limit: 0 }, ['limit']],
    ['a limit of 501', { limit: 501 }, ['limit']],
    ['a fractional limit', { limit: 2.5 }, ['limit']],
    ['an extra key', { sort: 'title' }, []],
    ['a string query', 'status=triage', []],
  ])('refuses %s', async (_name, query, path) => {
    const { engine } = makeEngine();
    expectValidationError(await thrown(engine.list(query as never)), path, 'list');
  });
});

describe('fuzzed input (fast-check)', () => {
  it('declare never throws anything but VALIDATION_FAILED, and stores only what it returns', async () => {
    const { engine } = makeEngine();
    const field = fc.oneof(
      fc.constantFrom(VALID_DECLARE.title, 'SEV1', 'SEV6', '', '__proto__', 'constructor'),
      fc.anything({ withObjectString: true, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, maxDepth: 3 }),
    );
    const record = fc.record(
      {
        title: fc.oneof(fc.constant(VALID_DECLARE.title), field),
        severity: fc.oneof(fc.constantFrom('SEV1', 'SEV3', 'P1'), field),
        actor: fc.oneof(fc.constant(ALICE), field),
        labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.constant(ownProto('"x"')), field),
        fields: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.constant(ownProto('{"isAdmin": true}')), field),
        startedAt: fc.oneof(fc.date({ noInvalidDate: false }), field),
      },
      { requiredKeys: [] },
    );
    const input = fc.oneof(
      fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 3 }),
      record,
      // The same, with an own __proto__ key at the top level.
      record.map((value) => ({ ...value, ...ownProto('{"isAdmin": true}') })),
    );
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        try {
          const incident = await engine.declare(value as never);
          stored += 1;
          expect(await engine.get(incident.id)).toEqual(incident);
        } catch (error) {
          expect(isIncidentKitError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
        }
        expect((await engine.list({ limit: 500 })).items).toHaveLength(stored);
        expectPrototypeUntouched();
      }),
      { numRuns: 150 },
    );
  });

  it('addNote accepts exactly the non-blank texts up to 20 000 characters', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ minLength: 19_990, maxLength: 20_010 }), fc.constantFrom(' ', '\t\n')), async (text) => {
        const before = await storedState(engine, id);
        const trimmed = text.trim();
        if (trimmed.length >= 1 && trimmed.length <= 20_000) {
          const incident = await engine.addNote(id, { text, actor: ALICE });
          expect(incident.version).toBe(before.incident.version + 1);
          expect((await engine.timeline(id)).at(-1)?.data).toEqual({ text: trimmed });
        } else {
          expectValidationError(await thrown(() => engine.addNote(id, { text, actor: ALICE })), ['text']);
          expect(await storedState(engine, id)).toEqual(before);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('createIncidentEngine', () => {
  it.each<[string, unknown, readonly PropertyKey[]]>([
    ['no store', {}, ['store']],
    ['a store without commit', { store: { name: 'broken' } }, ['store']],
    ['an empty tenantId', { store: memoryStore(), tenantId: '' }, ['tenantId']],
    ['a negative maxRetries', { store: memoryStore(), maxRetries: -1 }, ['maxRetries']],
  ])('refuses %s with ConfigError', (_name, options, path) => {
    const error = thrown(() => createIncidentEngine(options as { store: StorageAdapter }));
    expect(error).toBeInstanceOf(ConfigError);
    const config = error as ConfigError;
    expect(config.code).toBe('CONFIG_INVALID');
    expect(config.details.subject).toBe('createIncidentEngine');
    expect(config.details.issues.map((issue) => issue.path.slice(0, path.length))).toContainEqual([...path]);
  });
});
