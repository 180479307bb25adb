import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/model/event.js';
import type { Incident } from '../../../src/model/incident.js';
import { compileRoutes, DEFAULT_NOTIFIED_EVENTS, routeNotifications, type RoutingOptions } from '../../../src/features/notifications/routing.js';
import { notificationMessageSchema, type NotificationMessage } from '../../../src/model/notification.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { sampleNotification } from '../../../src/testing/notifierContract.js';
import { history, itOutage, makeFixture, medicationError } from '../../fixtures/notify/seed.js';
import { thrown } from '../../helpers.js';

const NOW = new Date('2026-03-02T12:00:00.000Z');

function route(options: RoutingOptions, events: readonly StoredEvent[], incident: Incident) {
  return routeNotifications(compileRoutes(options), { events, incident, ids: sequentialIds(), now: NOW });
}

function messages(records: ReturnType<typeof route>): NotificationMessage[] {
  return records.map((record) => record.payload as unknown as NotificationMessage);
}

function eventOf(type: string, incident?: Partial<Incident>): { event: StoredEvent; incident: Incident } {
  const sample = sampleNotification(type);
  return { event: sample.event, incident: { ...sample.incident, ...incident } };
}

describe('routeNotifications without routes', () => {
  it('sends every default event to every notifier, and nothing else', async () => {
    const fixture = makeFixture();
    const outage = await itOutage(fixture);
    await fixture.engine.addNote(outage.id, { text: 'Pool size was 10.', actor: { id: 'u_alice' } });
    const { events, incident } = await history(fixture.engine, outage.id);
    const records = route({ notifiers: ['slack', 'email'] }, events, incident);
    const types = events.filter((e) => (DEFAULT_NOTIFIED_EVENTS as readonly string[]).includes(e.type)).map((e) => e.type);
    expect(types).toEqual(['DECLARED', 'ACKNOWLEDGED', 'UPDATE_POSTED', 'MITIGATED', 'RESOLVED']);
    expect(records.map((r) => `${r.channel}:${messages([r])[0]?.event.type ?? ''}`)).toEqual(
      types.flatMap((type) => [`slack:${type}`, `email:${type}`]),
    );
  });

  it('covers the lifecycle milestones, escalations, updates, due reminders, breached targets and nobody paged, but not notes', () => {
    for (const type of [
      'DECLARED',
      'ACKNOWLEDGED',
      'ESCALATED',
      'MITIGATED',
      'RESOLVED',
      'REOPENED',
      'CLOSED',
      'CANCELED',
      'UPDATE_POSTED',
      'REMINDER_DUE',
      'TARGET_BREACHED',
      'NOBODY_PAGED',
    ]) {
      const { event, incident } = eventOf(type);
      expect(route({ notifiers: ['n'] }, [event], incident), type).toHaveLength(1);
    }
    for (const type of ['NOTE_ADDED', 'ROLE_ASSIGNED', 'SEVERITY_CHANGED', 'ACTION_ITEM_ADDED']) {
      const { event, incident } = eventOf(type);
      expect(route({ notifiers: ['n'] }, [event], incident), type).toHaveLength(0);
    }
  });

  it('writes complete outbox records whose payload is a valid message', async () => {
    const fixture = makeFixture();
    const ward = await medicationError(fixture);
    const { events, incident } = await history(fixture.engine, ward.id);
    const [record] = route(
      { notifiers: ['pager'], links: (i) => [{ label: 'Open incident', url: `https://ehr.example.org/incidents/${i.id}` }] },
      events.slice(0, 1),
      incident,
    );
    expect(record).toMatchObject({
      id: 'msg_1',
      tenantId: 'default',
      incidentId: ward.id,
      channel: 'pager',
      idempotencyKey: `${events[0]?.id ?? ''}:pager`,
      availableAt: '2026-03-02T12:00:00.000Z',
      attempts: 0,
    });
    const message = notificationMessageSchema.parse(record?.payload);
    expect(message).toMatchObject({
      id: 'msg_1',
      notifier: 'pager',
      audience: 'internal',
      severity: 'SEV2',
      title: 'Incident declared: Wrong insulin dose given on ward 4B',
      links: [{ label: 'Open incident', url: `https://ehr.example.org/incidents/${ward.id}` }],
    });
    expect(message.incident.id).toBe(ward.id);
    expect(message.event.id).toBe(events[0]?.id);
    // Stored as plain JSON: no undefined members that a SQL store would lose.
    expect(JSON.parse(JSON.stringify(record?.payload))).toEqual(record?.payload);
  });

  it('keeps the idempotency key stable when the same events are routed again', () => {
    const { event, incident } = eventOf('DECLARED');
    const first = route({ notifiers: ['a', 'b'] }, [event], incident);
    const again = routeNotifications(compileRoutes({ notifiers: ['a', 'b'] }), {
      events: [event],
      incident,
      ids: sequentialIds('retry_'),
      now: new Date('2026-03-02T12:05:00.000Z'),
    });
    expect(again.map((r) => r.idempotencyKey)).toEqual(first.map((r) => r.idempotencyKey));
    expect(first.map((r) => r.idempotencyKey)).toEqual([`${event.id}:a`, `${event.id}:b`]);
    expect(again.map((r) => r.id)).not.toEqual(first.map((r) => r.id));
  });

  it('leaves out links that are not absolute http(s) URLs', () => {
    const { event, incident } = eventOf('DECLARED');
    const [message] = messages(
      route(
        {
          notifiers: ['a'],
          links: () => [
            { label: 'ok', url: 'https://example.com/x' },
            { label: 'script', url: 'javascript:alert(1)' },
            { label: 'relative', url: '/incidents/1' },
            { label: '', url: 'https://example.com/empty-label' },
          ],
        },
        [event],
        incident,
      ),
    );
    expect(message?.links).toEqual([{ label: 'ok', url: 'https://example.com/x' }]);
  });
});

describe('routeNotifications with routes', () => {
  const notifiers = ['slack', 'pager', 'statusPage', 'email'];

  it('matches events, severities, services and audiences; absent filters match everything but events', () => {
    const routes: RoutingOptions['routes'] = [
      { severities: ['SEV1'], to: ['pager'] },
      { events: ['UPDATE_POSTED'], audiences: ['public'], to: ['statusPage'] },
      { services: ['ward-4b'], events: ['DECLARED', 'NOTE_ADDED'], to: ['email'] },
      { to: ['slack'] },
    ];
    const channels = (type: string, incident: Partial<Incident> = {}, data?: Record<string, string>) => {
      const sample = eventOf(type, incident);
      const event = data === undefined ? sample.event : { ...sample.event, data };
      return route({ notifiers, routes }, [event], sample.incident).map((r) => r.channel);
    };
    expect(channels('DECLARED')).toEqual(['pager', 'slack']);
    expect(channels('DECLARED', { severity: 'SEV3' })).toEqual(['slack']);
    expect(channels('DECLARED', { severity: 'SEV3', service: 'ward-4b' })).toEqual(['email', 'slack']);
    expect(channels('NOTE_ADDED', { severity: 'SEV3', service: 'ward-4b' })).toEqual(['email']);
    expect(channels('NOTE_ADDED', { severity: 'SEV3', service: 'checkout-api' })).toEqual([]);
    expect(channels('UPDATE_POSTED', { severity: 'SEV3' }, { audience: 'public', message: 'Fixed.' })).toEqual(['statusPage', 'slack']);
    expect(channels('UPDATE_POSTED', { severity: 'SEV3' }, { audience: 'internal', message: 'Looking.' })).toEqual(['slack']);
    // A route without `events` covers the default events only: no paging for every note or role change.
    expect(channels('ROLE_ASSIGNED')).toEqual([]);
    expect(channels('NOTE_ADDED')).toEqual([]);
  });

  it('never matches a service filter for an incident without a service', () => {
    const { event, incident } = eventOf('DECLARED');
    const { service: _service, ...withoutService } = incident;
    expect(route({ notifiers, routes: [{ services: ['checkout-api'], to: ['slack'] }] }, [event], withoutService)).toHaveLength(0);
  });

  it('sends one message per notifier and event, rendered with the first matching route', () => {
    const { event, incident } = eventOf('DECLARED');
    const records = route(
      {
        notifiers,
        routes: [
          { severities: ['SEV1'], to: ['slack', 'slack'], template: () => ({ title: 'SEV1 PAGE', text: 'Wake up.' }) },
          { to: ['slack', 'pager'] },
        ],
      },
      [event],
      incident,
    );
    expect(records.map((r) => r.channel)).toEqual(['slack', 'pager']);
    expect(messages(records).map((m) => m.title)).toEqual(['SEV1 PAGE', 'Incident declared: Checkout API returns errors']);
  });

  it('applies per-route templates by event type over engine-wide templates', () => {
    const options: RoutingOptions = {
      notifiers,
      templates: { DECLARED: () => ({ title: 'global', text: 'g' }), RESOLVED: () => ({ title: 'global resolved', text: 'g' }) },
      routes: [{ to: ['slack'], template: { DECLARED: () => ({ title: 'route', text: 'r' }) } }],
    };
    const declared = eventOf('DECLARED');
    const resolved = eventOf('RESOLVED');
    expect(messages(route(options, [declared.event], declared.incident))[0]?.title).toBe('route');
    expect(messages(route(options, [resolved.event], resolved.incident))[0]?.title).toBe('global resolved');
  });

  it('routes each event of a multi-event commit on its own, in order', () => {
    const declared = eventOf('DECLARED');
    const escalated = eventOf('ESCALATED');
    const records = route({ notifiers: ['slack'] }, [declared.event, escalated.event], declared.incident);
    expect(messages(records).map((m) => m.event.type)).toEqual(['DECLARED', 'ESCALATED']);
  });
});

describe('compileRoutes', () => {
  it('refuses a route to a notifier that is not configured, naming the configured ones', () => {
    const { message } = thrown(() => compileRoutes({ notifiers: ['slack', 'email'], routes: [{ to: ['slak'] }] }), 'CONFIG_INVALID');
    expect(message).toContain("Unknown notifier 'slak'; configured notifiers are slack, email");
    expect(message).toContain('routes.0.to.0');
  });

  it('refuses unknown event types, lower-case names and typos in filter names', () => {
    expect(thrown(() => compileRoutes({ notifiers: ['a'], routes: [{ events: ['declared'], to: ['a'] }] }), 'CONFIG_INVALID').message).toContain(
      "Unknown event type 'declared'",
    );
    expect(thrown(() => compileRoutes({ notifiers: ['a'], routes: [{ event: ['DECLARED'], to: ['a'] } as never] }), 'CONFIG_INVALID').message).toContain(
      'routes.0',
    );
  });

  it('refuses empty target lists, empty filters, bad audiences and non-function templates', () => {
    thrown(() => compileRoutes({ notifiers: ['a'], routes: [{ to: [] }] }), 'CONFIG_INVALID');
    thrown(() => compileRoutes({ notifiers: ['a'], routes: [{ severities: [], to: ['a'] }] }), 'CONFIG_INVALID');
    thrown(() => compileRoutes({ notifiers: ['a'], routes: [{ audiences: ['everyone' as never], to: ['a'] }] }), 'CONFIG_INVALID');
    thrown(() => compileRoutes({ notifiers: ['a'], routes: [{ to: ['a'], template: 'hello' as never }] }), 'CONFIG_INVALID');
    thrown(() => compileRoutes({ notifiers: [], routes: [{ to: ['a'] }] }), 'CONFIG_INVALID');
  });

  it('accepts event types the host adds', () => {
    const routing = compileRoutes({ notifiers: ['a'], eventTypes: ['DECLARED', 'SIGNAL_ATTACHED'], routes: [{ events: ['SIGNAL_ATTACHED'], to: ['a'] }] });
    const { event, incident } = eventOf('DECLARED');
    const records = routeNotifications(routing, { events: [{ ...event, type: 'SIGNAL_ATTACHED' as never }], incident, ids: sequentialIds(), now: NOW });
    expect(records).toHaveLength(1);
  });

  it('routes nothing when no notifier is configured', () => {
    const { event, incident } = eventOf('DECLARED');
    expect(route({ notifiers: [] }, [event], incident)).toEqual([]);
  });
});
