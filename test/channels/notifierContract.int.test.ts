/**
 * The published notifier contract, run against every notifier we ship exactly as a third party
 * would run it against theirs: each one delivers to a real receiver on loopback.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleNotifier } from '../../src/channels/console.js';
import { emailNotifier } from '../../src/channels/email.js';
import { slackNotifier } from '../../src/channels/slack.js';
import { teamsNotifier } from '../../src/channels/teams.js';
import { webhookNotifier } from '../../src/channels/webhook.js';
import { runNotifierContract, type ReceivedNotification } from '../../src/testing/notifierContract.js';
import { CHANNEL, TOKEN, slackIdempotencyKey, slackVisibleText, startFakeSlack, type FakeSlack } from '../fixtures/notify/fakeSlack.js';
import { startHttpReceiver, type HttpReceiver, type Responder } from '../fixtures/notify/httpReceiver.js';
import { parseMail } from '../fixtures/notify/mime.js';
import { startSmtpReceiver, type SmtpReceiver } from '../fixtures/notify/smtpReceiver.js';

const framework = { describe, it, expect };

function received(text: string, idempotencyKey: string | undefined): ReceivedNotification {
  return idempotencyKey === undefined ? { text } : { text, idempotencyKey };
}

/** Answers `/fail/<status>` with that status, and 2xx otherwise. */
const byPath =
  (ok: number, failBody: (status: number) => string = () => ''): Responder =>
  (request, res) => {
    const status = /^\/fail\/(\d{3})/.exec(request.url)?.[1];
    if (status === undefined) res.writeHead(ok).end();
    else if (status === '299') res.writeHead(200, { 'content-type': 'text/plain' }).end(failBody(429));
    else res.writeHead(Number(status)).end(failBody(Number(status)));
  };

let http: HttpReceiver;
let slack: FakeSlack;
let smtp: SmtpReceiver;
/** A nodemailer SMTP transport to the loopback server (plain SMTP, no TLS). */
function smtpTransport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}
let transport: ReturnType<typeof smtpTransport>;

beforeAll(async () => {
  http = await startHttpReceiver(byPath(204));
  slack = await startFakeSlack();
  smtp = await startSmtpReceiver();
  transport = smtpTransport(smtp.port);
});
afterAll(async () => {
  transport.close();
  await Promise.all([http.close(), slack.close(), smtp.close()]);
});

function fresh(list: unknown[]): void {
  list.length = 0;
}

runNotifierContract(framework, {
  name: 'webhookNotifier (Standard Webhooks)',
  create: () => {
    fresh(http.requests);
    http.respond(byPath(204));
    return webhookNotifier({ url: `${http.origin}/hooks`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
  },
  receive: () =>
    Promise.resolve(
      http.requests.map((request) => ({ text: request.body, idempotencyKey: String(request.headers['webhook-id']) })),
    ),
  failing: {
    retryable: () => webhookNotifier({ url: `${http.origin}/fail/503` }),
    permanent: () => webhookNotifier({ url: `${http.origin}/fail/400` }),
  },
});

runNotifierContract(framework, {
  name: 'slackNotifier (chat.postMessage)',
  create: () => {
    fresh(slack.posts);
    slack.fail(undefined);
    return slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl });
  },
  receive: () => {
    expect(slack.posts.flatMap((post) => post.problems)).toEqual([]);
    return Promise.resolve(slack.posts.map((post) => received(slackVisibleText(post.body), slackIdempotencyKey(post.body))));
  },
  failing: {
    retryable: () => {
      slack.fail({ error: 'rate_limited' });
      return slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl });
    },
    permanent: () => {
      slack.fail({ error: 'channel_not_found' });
      return slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl });
    },
  },
});

runNotifierContract(framework, {
  name: 'slackNotifier (incoming webhook)',
  create: () => {
    fresh(slack.posts);
    slack.fail(undefined);
    return slackNotifier({ webhookUrl: slack.webhookUrl });
  },
  receive: () => {
    expect(slack.posts.flatMap((post) => post.problems)).toEqual([]);
    return Promise.resolve(slack.posts.map((post) => received(slackVisibleText(post.body), slackIdempotencyKey(post.body))));
  },
  failing: {
    retryable: () => {
      slack.fail({ status: 500, error: 'rollup_error' });
      return slackNotifier({ webhookUrl: slack.webhookUrl });
    },
    permanent: () => {
      slack.fail({ status: 404, error: 'channel_not_found' });
      return slackNotifier({ webhookUrl: slack.webhookUrl });
    },
  },
});

runNotifierContract(framework, {
  name: 'teamsNotifier (Adaptive Card)',
  create: () => {
    fresh(http.requests);
    http.respond(byPath(202));
    return teamsNotifier({ webhookUrl: `${http.origin}/workflows/contract` });
  },
  receive: () =>
    Promise.resolve(
      http.requests.map((request) => {
        const text = request.body;
        const key = /"id":"incidentkit:([^"]+)"/.exec(text)?.[1];
        return key === undefined ? { text } : { text, idempotencyKey: key };
      }),
    ),
  failing: {
    // A legacy connector wraps Teams' 429 in a 200 answer.
    retryable: () => {
      http.respond(
        byPath(202, (status) => `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${String(status)} with ContextId x.`),
      );
      return teamsNotifier({ webhookUrl: `${http.origin}/fail/299` });
    },
    permanent: () => teamsNotifier({ webhookUrl: `${http.origin}/fail/400` }),
  },
});

runNotifierContract(framework, {
  name: 'emailNotifier (nodemailer → SMTP)',
  create: () => {
    fresh(smtp.mails);
    smtp.refuse(undefined);
    return emailNotifier({ transport, from: 'Incidents <incidents@example.com>', to: 'oncall@example.com' });
  },
  receive: () =>
    Promise.resolve(
      smtp.mails.map((mail) => {
        const parsed = parseMail(mail.raw);
        const key = parsed.headers.get('x-incidentkit-idempotency-key');
        const text = `${parsed.subject}\n${parsed.text}`;
        return key === undefined ? { text } : { text, idempotencyKey: key };
      }),
    ),
  failing: {
    retryable: () => {
      smtp.refuse({ code: 452, message: 'Insufficient system storage' });
      return emailNotifier({ transport, from: 'incidents@example.com', to: 'oncall@example.com' });
    },
    permanent: () => {
      smtp.refuse({ code: 553, message: 'Mailbox name not allowed' });
      return emailNotifier({ transport, from: 'incidents@example.com', to: 'oncall@example.com' });
    },
  },
});

const lines: string[] = [];
runNotifierContract(framework, {
  name: 'consoleNotifier',
  create: () => {
    fresh(lines);
    return consoleNotifier({ log: (line) => lines.push(line) });
  },
  receive: () =>
    Promise.resolve(
      lines.map((text) => {
        const key = /· (\S+)\)$/.exec(text)?.[1];
        return key === undefined ? { text } : { text, idempotencyKey: key };
      }),
    ),
});
