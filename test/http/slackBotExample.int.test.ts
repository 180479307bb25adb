/**
 * examples/slack-bot.ts, run as a newcomer runs it (`tsx examples/slack-bot.ts`), against a
 * local fake Slack: a signed slash command declares an incident and the result reaches the
 * command's response_url; an unsigned one is refused.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { slackSignature } from '../../src/channels/slack/signature.js';
import { CHANNEL, startFakeSlack, TOKEN, type FakeSlack } from '../fixtures/notify/fakeSlack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'example-signing-secret';

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
});

describe('examples/slack-bot.ts', () => {
  it('serves signed slash commands over node:http', async () => {
    fake = await startFakeSlack();
    const slack = fake;
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/slack-bot.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_CHANNEL: CHANNEL, SLACK_API_URL: slack.apiBaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => {
          reject(new Error(`the example exited with ${String(code)}: ${output}`));
        });
      });
      const body = new URLSearchParams({
        token: 'gIkuvaNzQIHg97ATvDxqgjtO',
        team_id: 'T0001',
        channel_id: CHANNEL,
        user_id: 'U2147483697',
        user_name: 'alice',
        command: '/incident',
        text: 'declare Checkout is down sev2',
        response_url: slack.inbound.responseUrl('example'),
        trigger_id: '13345224609.738474920.8088930838d88f008e0',
      }).toString();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await fetch(`${url}/slack/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SECRET, timestamp, body) },
        body,
      });
      expect(response.status).toBe(200);
      const result = await slack.inbound.responseTo('example');
      expect(result.body).toMatchObject({ response_type: 'in_channel', text: expect.stringContaining('alice declared') as unknown });
      const unsigned = await fetch(`${url}/slack/commands`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(unsigned.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
