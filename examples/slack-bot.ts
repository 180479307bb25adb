/**
 * A Slack incident bot on node:http: `/incident` slash commands, the incident message's buttons,
 * the note modal and mentions, with incident notifications posted to a channel.
 *
 *   SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-… SLACK_CHANNEL=C0123456789 npx tsx examples/slack-bot.ts
 *
 * It serves http://127.0.0.1:3000 (`PORT` to change): point the Slack app's request URLs
 * (docs/chat.md has the manifest) at /slack/commands, /slack/interactions and /slack/events
 * through a tunnel or your ingress. `SLACK_API_URL` points it at a Slack stand-in (the tests use
 * a local fake Slack).
 */
import { createIncidentEngine, memoryStore } from 'incidentkit';
import { createIncidentHandler, createNodeServer } from 'incidentkit/http';
import { slackApp } from 'incidentkit/slack';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`Set ${name} (see the header of examples/slack-bot.ts).`);
  return value;
}

const apiUrl = process.env.SLACK_API_URL;
const slack = slackApp({
  signingSecret: env('SLACK_SIGNING_SECRET'),
  botToken: env('SLACK_BOT_TOKEN'),
  channel: env('SLACK_CHANNEL'),
  ...(apiUrl === undefined ? {} : { apiUrl }),
});

const engine = createIncidentEngine({ store: memoryStore(), notifiers: { slack: slack.notifier } });
engine.on('incident.declared', ({ incident }) => {
  console.log(`declared ${incident.id}: ${incident.title}`);
});

// Mounting binds the app to this engine and serves /slack/commands, /slack/interactions, /slack/events.
const server = createNodeServer(createIncidentHandler(engine, { slack }));
// The workers deliver notifications (and fire escalation timers).
const workers = engine.runWorkers({ intervalMs: 200 });

server.listen(Number(env('PORT', '3000')), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  console.log(`Slack bot listening on http://127.0.0.1:${String(port)}`);
});

process.once('SIGTERM', () => {
  server.close();
  void workers.stop().then(() => slack.settled());
});
