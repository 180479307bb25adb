/**
 * Issue 16, item 11: `denyPrivateNetworks` refuses URLs whose host is or resolves to a
 * non-public address. Only literal IPs and `localhost` (from the hosts file) are used: no
 * public DNS is needed. The core entry stays free of Node built-ins; the check lives in
 * `incidentkit/notifiers`.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denyPrivateNetworks, isPublicAddress } from '../../src/channels/denyPrivateNetworks.js';
import * as notifiersEntry from '../../src/channels/index.js';
import { webhookNotifier } from '../../src/channels/webhook.js';
import { teamsNotifier } from '../../src/channels/teams.js';
import { slackNotifier } from '../../src/channels/slack.js';
import type { NotificationMessage, NotifierContext } from '../../src/model/notification.js';
import { sampleNotification } from '../../src/testing/notifierContract.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/notify/httpReceiver.js';
import { thrown } from '../helpers.js';

const refused = [
  // loopback, and the spellings URL parsing turns into it
  'http://127.0.0.1/',
  'http://127.1.2.3:8080/hooks',
  'http://127.1/',
  'http://2130706433/',
  'http://0x7f.0.0.1/',
  'http://localhost/',
  'http://localhost:3000/hooks',
  'http://[::1]/',
  // cloud metadata and link-local
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.0.1/',
  'http://[fe80::1]/',
  // private, CGNAT, unique-local, "this network"
  'http://10.0.0.1/',
  'http://10.255.255.255/',
  'http://172.16.0.1/',
  'http://172.31.255.254/',
  'http://192.168.1.10/',
  'http://100.64.0.1/',
  'http://100.127.255.255/',
  'http://[fc00::1]/',
  'http://[fd12:3456:789a::1]/',
  'http://0.0.0.0/',
  'http://0.1.2.3/',
  'http://[::]/',
  // IPv4-mapped, NAT64 and 6to4 forms of private addresses
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a00:1]/',
  'http://[0:0:0:0:0:ffff:192.168.0.1]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[2002:7f00:1::1]/',
  // multicast, broadcast, documentation
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://[ff02::1]/',
  'http://192.0.2.1/',
  'http://[2001:db8::1]/',
];

const allowed = [
  'https://8.8.8.8/',
  'https://1.1.1.1:8443/hooks',
  'http://172.32.0.1/',
  'http://100.128.0.1/',
  'http://169.253.255.255/',
  'https://[2606:4700:4700::1111]/',
  'https://[::ffff:8.8.8.8]/',
  'https://[64:ff9b::808:808]/',
];

describe('denyPrivateNetworks', () => {
  it.each(refused)('refuses %s', async (url) => {
    expect(await denyPrivateNetworks(new URL(url))).toBe(false);
  });

  it.each(allowed)('allows %s', async (url) => {
    expect(await denyPrivateNetworks(new URL(url))).toBe(true);
  });
});

describe('isPublicAddress', () => {
  it('judges addresses, not names', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('[2606:4700::1111]')).toBe(true);
    expect(isPublicAddress('fe80::1%eth0')).toBe(false);
    expect(isPublicAddress('::ffff:7f00:1')).toBe(false);
    expect(isPublicAddress('example.com')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
    expect(isPublicAddress('999.1.1.1')).toBe(false);
  });
});

describe('notifiers with allowUrl: denyPrivateNetworks', () => {
  let receiver: HttpReceiver;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  function context(message: NotificationMessage): NotifierContext {
    return { signal: new AbortController().signal, attempt: 1, idempotencyKey: message.idempotencyKey, now: new Date('2026-03-02T09:00:00.000Z') };
  }

  it('refuse a receiver on loopback permanently and send it nothing', async () => {
    const port = receiver.origin.split(':').at(-1) ?? '';
    const notifiers = [
      webhookNotifier({ url: `${receiver.origin}/hooks`, allowUrl: denyPrivateNetworks }),
      webhookNotifier({ url: `http://localhost:${port}/hooks`, allowUrl: denyPrivateNetworks }),
      slackNotifier({ webhookUrl: `http://[::ffff:127.0.0.1]:${port}/services/x`, allowUrl: denyPrivateNetworks }),
      slackNotifier({ token: 'xoxb-test', channel: 'C1', apiBaseUrl: `${receiver.origin}/api`, allowUrl: denyPrivateNetworks }),
      teamsNotifier({ webhookUrl: `${receiver.origin}/workflows/x`, allowUrl: denyPrivateNetworks }),
    ];
    const message = sampleNotification('DECLARED');
    for (const notifier of notifiers) {
      const error = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('allowUrl refused the host');
    }
    expect(receiver.requests).toEqual([]);
    // Without allowUrl, loopback is allowed (the default).
    await webhookNotifier({ url: receiver.origin }).send(message, context(message));
    expect(receiver.requests).toHaveLength(1);
  });

  it('is exported from incidentkit/notifiers, and the core entry pulls in no Node built-in', () => {
    expect(notifiersEntry.denyPrivateNetworks).toBe(denyPrivateNetworks);
    expect(notifiersEntry.isPublicAddress).toBe(isPublicAddress);

    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: URL): void => {
      if (seen.has(file.href)) return;
      seen.add(file.href);
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const specifier = match[1] ?? '';
        if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), file));
        else external.add(specifier);
      }
    };
    visit(new URL('../../src/index.ts', import.meta.url));
    expect([...seen].some((file) => file.endsWith('/channels/webhook.ts'))).toBe(true);
    expect([...seen].some((file) => file.endsWith('/channels/denyPrivateNetworks.ts'))).toBe(false);
    expect([...external].filter((s) => s.startsWith('node:') || builtinModules.includes(s))).toEqual([]);
  });
});
