import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseOpsgenieAlert } from '../../src/sources/parseOpsgenieAlert.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { expectValidSignals, loadFixture } from '../fixtures/ingest/loadFixture.js';

const clock = createManualClock('2026-02-03T04:05:06.000Z');

/** A `CreateAlertPayload` with every field the Opsgenie OpenAPI definition lists. */
const createBody = {
  message: 'An example alert message',
  alias: 'Life is too short for no alias',
  description: 'Every alert needs a description',
  responders: [
    { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' },
    { id: 'bb4d9938-c3c2-455d-aaab-727aa701c0d8', type: 'user' },
  ],
  visibleTo: [{ id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' }],
  actions: ['Restart', 'AnExampleAction'],
  tags: ['OverwriteQuietHours', 'Critical'],
  details: { key1: 'value1', key2: 'value2' },
  entity: 'An example entity',
  priority: 'P1',
  user: 'Monitoring Script',
  note: 'Created via the Alert API',
  source: 'AWS Lambda',
};

/** An `AlertActionPayload`, the body of acknowledge and close calls. */
const actionBody = { user: 'Monitoring Script', source: 'AWS Lambda', note: 'Action executed via Alert API' };

describe('parseOpsgenieAlert create', () => {
  const [signal] = parseOpsgenieAlert(createBody, { clock });

  it('returns one valid firing signal keyed by alias', () => {
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      source: 'opsgenie',
      status: 'firing',
      dedupKey: 'Life is too short for no alias',
      summary: 'An example alert message',
      severity: 'SEV1',
      startsAt: '2026-02-03T04:05:06.000Z',
    });
  });

  it('keeps details, entity, source and priority as labels; the rest as annotations', () => {
    expect(signal?.labels).toEqual({ key1: 'value1', key2: 'value2', entity: 'An example entity', source: 'AWS Lambda', priority: 'P1' });
    expect(signal?.annotations).toEqual({
      description: 'Every alert needs a description',
      tags: 'OverwriteQuietHours, Critical',
      actions: 'Restart, AnExampleAction',
      note: 'Created via the Alert API',
      user: 'Monitoring Script',
    });
  });

  it('maps P1…P5 to SEV1…SEV5 with P3 as Opsgenie’s default', () => {
    for (const [priority, level] of [['P1', 'SEV1'], ['P2', 'SEV2'], ['P3', 'SEV3'], ['P4', 'SEV4'], ['P5', 'SEV5']] as const) {
      expect(parseOpsgenieAlert({ message: 'm', priority })[0]?.severity).toBe(level);
    }
    expect(parseOpsgenieAlert({ message: 'm' }, { clock, severityMap: { P3: 'SEV4' } })[0]?.severity).toBe('SEV4');
  });

  it('identifies an alert without alias by message, entity and source', () => {
    const [a] = parseOpsgenieAlert({ message: 'Disk full', entity: 'db1' }, { clock });
    const [b] = parseOpsgenieAlert({ message: 'Disk full', entity: 'db1' }, { clock });
    const [c] = parseOpsgenieAlert({ message: 'Disk full', entity: 'db2' }, { clock });
    expect(a?.dedupKey).toBeUndefined();
    expect(a?.fingerprint).toBe(b?.fingerprint);
    expect(c?.fingerprint).not.toBe(a?.fingerprint);
  });
});

describe('parseOpsgenieAlert acknowledge and close', () => {
  const [created] = parseOpsgenieAlert(createBody, { clock });

  it('matches the created alert by the alias from the URL', () => {
    const [ack] = parseOpsgenieAlert(actionBody, { clock, action: 'acknowledge', alias: createBody.alias });
    const [closed] = parseOpsgenieAlert(JSON.stringify(actionBody), { clock, action: 'close', alias: createBody.alias });
    expectValidSignals([ack!, closed!]);
    expect(ack).toMatchObject({ status: 'acknowledged', fingerprint: created?.fingerprint, dedupKey: createBody.alias, annotations: { note: actionBody.note, user: actionBody.user } });
    expect(closed).toMatchObject({ status: 'resolved', fingerprint: created?.fingerprint, endsAt: '2026-02-03T04:05:06.000Z' });
  });

  it('accepts the optional body being absent', () => {
    expect(parseOpsgenieAlert(undefined, { clock, action: 'close', alias: 'a' })[0]?.status).toBe('resolved');
    expect(parseOpsgenieAlert('', { clock, action: 'acknowledge', alias: 'a' })[0]?.status).toBe('acknowledged');
  });

  it('refuses an acknowledge without the alias', () => {
    expect(() => parseOpsgenieAlert(actionBody, { action: 'acknowledge' })).toThrow(/pass the alias from the URL as options\.alias/);
  });
});

describe('parseOpsgenieAlert on the Opsgenie webhook integration example', () => {
  it('reads the Create action, its alias and its epoch times', () => {
    const [signal] = parseOpsgenieAlert(loadFixture('opsgenie-webhook-create.json'), { clock });
    expectValidSignals([signal!]);
    expect(signal).toMatchObject({
      status: 'firing',
      dedupKey: 'aliastest',
      summary: 'test alert',
      severity: 'SEV3',
      startsAt: '2015-01-05T10:03:11.104Z',
      annotations: { tags: 'tag1, tag2', user: 'fili@ifountain.com', tinyId: '23', integration: 'Integration1' },
    });
    expect(signal?.fingerprint).toBe(parseOpsgenieAlert({ message: 'x' }, { clock, action: 'close', alias: 'aliastest' })[0]?.fingerprint);
  });

  it('maps Acknowledge and Close, with the nanosecond updatedAt as the end', () => {
    const body = loadFixture('opsgenie-webhook-create.json');
    expect(parseOpsgenieAlert({ ...body, action: 'Acknowledge' })[0]?.status).toBe('acknowledged');
    const [closed] = parseOpsgenieAlert({ ...body, action: 'Close' });
    expect(closed).toMatchObject({ status: 'resolved', endsAt: '2015-01-05T10:03:13.166Z' });
  });

  it('refuses actions that change no status', () => {
    expect(() => parseOpsgenieAlert({ ...loadFixture('opsgenie-webhook-create.json'), action: 'AddNote' })).toThrow(ValidationError);
  });
});

describe('parseOpsgenieAlert refusals', () => {
  it('names a missing message and a wrong priority', () => {
    expect(() => parseOpsgenieAlert({ alias: 'a' })).toThrow(/Opsgenie alert: message/);
    expect(() => parseOpsgenieAlert({ message: 'm', priority: 'P0' })).toThrow(/priority/);
    expect(() => parseOpsgenieAlert({ message: 'm', details: { n: 1 } })).toThrow(/details\.n/);
  });
});
