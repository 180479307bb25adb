/**
 * Smoke-runs the examples a newcomer copies from, as they would: `tsx examples/<name>.ts`.
 * Each must exit 0 and print what its header promises.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { FhirAdverseEvent } from '../src/healthcare/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'incidentkit-examples-'));
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const child of servers) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts an example that serves until it is stopped, as `tsx examples/<name>.ts` (no `PORT`, so on
 * a free port), and resolves with what it printed up to `ready`.
 */
function serving(name: string, ready: string, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes(ready)) resolve(out);
    });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    child.on('exit', (code) => { reject(new Error(`examples/${name}.ts exited (${String(code)}) before "${ready}":\n${out}\n${err}`)); });
  });
}

async function example(name: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, ...args], {
    cwd: join(import.meta.dirname, '..'),
    timeout: 60_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout;
}

describe('examples', () => {
  it('the README quickstart is examples/quickstart.ts, verbatim', () => {
    const root = join(import.meta.dirname, '..');
    const quickstart = readFileSync(join(root, 'examples', 'quickstart.ts'), 'utf8').trim();
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(quickstart);
  });

  it('quickstart declares, resolves and verifies', async () => {
    const out = await example('quickstart');
    expect(out).toContain('Checkout is down resolved at');
    expect(out).toContain('need a completed post-incident review');
    expect(out).toContain('{ ok: true }');
  }, 60_000);

  it('npm run demo runs the IT website outage scenario', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.demo).toBe('tsx examples/it-website-outage.ts');
  });

  it('custom-feature plugs a feature in: a timer in the commit, a note when it fires, a method and a route', async () => {
    const out = await example('custom-feature');
    expect(out).toMatch(/tick fired 1 timer\(s\): feature:nudges:inc_\w+ \(applied\)/);
    expect(out).toContain('Note on the timeline: No progress for 20 minutes since acknowledgement');
    expect(out).toMatch(/engine\.features\.nudges\.sent\(\): \[\{"incidentId":"inc_\w+","at":"2026-12-06T09:21:00\.000Z"\}\]/);
    expect(out).toMatch(/GET \/nudges → 200 \{"items":\[\{"incidentId":"inc_\w+"/);
    expect(out).toContain('Timeline verifies: {"ok":true}');
  }, 60_000);

  it('escalation survives a crashed engine', async () => {
    const out = await example('escalation');
    expect(out).toContain('[second] 2026-11-29T03:42:00.000Z escalated to level 2');
    expect(out).toContain('after acknowledging, an hour later: 1 timer(s) fired (reminder:status_update)');
  }, 60_000);

  it('it-website-outage runs the whole IT scenario through the HTTP handler', async () => {
    const out = await example('it-website-outage', join(dir, 'outage.sqlite'));
    expect(out).toContain('"outcome":"created"');
    expect(out).toContain('"outcome":"resolved"');
    expect(out).toMatch(/Webhook receiver got (\d+) signed messages \(\1 verified\)/);
    expect(out).toContain('DECLARED → TASKS_ATTACHED → ESCALATED');
    // The website-outage playbook: every task done, the status page with its link.
    expect(out).toMatch(/Playbook tasks \(website-outage\):\n(?: {2}done {4}\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}[^\n]+\n){6}/);
    expect(out).toContain('Status page updated (https://status.example.com/incidents/site-down-2026-11-29)');
    expect(out).toContain('Timeline verifies: {"ok":true}');
    expect(out).toMatch(/Key moments \(from the review\):\n {2}\d{4}-\d\d-\d\d 02:14 UTC {2}Raised "www\.example\.com is down/);
    expect(out).toContain('## Incident metrics');
    expect(out).toContain('Metrics over 3 incidents: this outage and 2 past ones imported from the old tool.');
    const postmortem = readFileSync(join(import.meta.dirname, '..', '.tmp', 'it-website-outage-postmortem.md'), 'utf8');
    expect(postmortem).toContain('# Post-incident review: www.example.com is down');
    expect(postmortem).toContain('```mermaid');
    expect(postmortem).toContain('Upgrade web-01');
  }, 60_000);

  it('healthcare-medication-error runs the medication event on the healthcare pack, exports it to FHIR and keeps the patient out of every message', async () => {
    const mrn = 'MRN-20417733';
    const out = await example('healthcare-medication-error', join(dir, 'medication.sqlite'));
    // The pack's medication event: the severity is the response; harm and NCC MERP category are fields.
    expect(out).toContain('Medication or other substance, SEV2; harm mild, NCC MERP E; triage\n');
    expect(out).toContain('responding; roles commander, attending, pharmacist');
    expect(out).toContain('(mitigated); mitigated\n');
    expect(out).toContain('contributing factors (equipment, policies_and_procedures) and preventability');
    expect(out).toContain('(resolved); resolved\n');
    // The regulatory clocks: FDA MDR started by hand; no sentinel event, so no Joint Commission clock.
    expect(out).toContain('FDA MDR clock started: report due 2026-06-04T04:59:59.999Z');
    expect(out).toContain('Joint Commission sentinel event: no (harm mild, NCC MERP E), no jointCommission clock; clocks: fdaMdr\n');
    expect(out).toContain('MDR report filed with the manufacturer: filed (MedWatch 3500A UF-2026-0147); clock complete');
    // Just culture: readable by the patient-safety officer only.
    expect(out).toContain('just culture (read by Nakamura (patient-safety officer)): human_error, version 1');
    expect(out).toContain('just culture read by Alvarez (risk management): refused (FORBIDDEN)');
    expect(out).toContain('SEV2 incidents need a completed post-incident review');
    expect(out).toContain('review started; postIncident\n');
    expect(out).toContain('5 corrective actions: prevent/stronger');
    // The medication-error playbook's tasks: who was informed, and when, in order, against each due time.
    expect(out).toMatch(
      /Who was informed when[^\n]*\n {2}done {4}Mon 14:13 {2}Patient assessed and stabilised — RN Lindqvist \(charge nurse\), due Mon 14:25\n {2}done {4}Mon 14:15 {2}Device sequestered[^\n]*\n {2}done {4}Mon 14:20 {2}Prescriber informed — Dr\. Moreau \(attending\), due Mon 15:10\n {2}done {4}Mon 14:40 {2}Pharmacy informed — PharmD Tan, due Mon 18:10\n {2}done {4}Tue 08:30 {2}Patient\/family disclosure — Dr\. Moreau \(attending\), due Tue 14:10\n/,
    );
    expect(out).toContain('Timeline verifies: {"ok":true}');
    // The FHIR R4 AdverseEvent, printed as JSON.
    const json = /FHIR R4 AdverseEvent:\n(\{\n[\s\S]*?\n\})\n/.exec(out)?.[1];
    expect(json).toBeDefined();
    const resource = JSON.parse(json ?? '{}') as FhirAdverseEvent;
    expect(resource).toMatchObject({
      resourceType: 'AdverseEvent',
      actuality: 'actual',
      event: { text: 'Heparin infusion ran at twice the ordered rate' },
      subject: { reference: 'Patient/20417733' },
      date: '2026-05-18T16:10:00Z',
      detected: '2026-05-18T19:10:00Z',
      location: { display: '4B cardiac step-down' },
    });
    expect(resource.category).toEqual([
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-category', code: 'product-use-error', display: 'Product Use Error' }], text: 'Medication or other substance' },
    ]);
    expect(resource.severity?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'mild' });
    expect(resource.outcome?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: 'resolved' });
    expect(resource.contained?.map((r) => r.resourceType)).toEqual(['Medication', 'Device']);
    expect(resource.contained?.[0]).toMatchObject({ code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '5224' }], text: 'heparin' } });
    expect(resource.suspectEntity).toEqual([{ instance: { reference: '#medication' } }, { instance: { reference: '#device' } }]);
    // Notifications, the postmortem and erasure.
    expect(out).toMatch(/Pharmacy webhook got (\d+) signed messages \(\1 verified\)/);
    expect(out).toContain('"Patient: [REDACTED] · Drug: heparin');
    expect(out).toMatch(/Patient identifiers in delivered notifications: 0 of \d+/);
    expect(out).toContain('Patient identifiers in the postmortem: no; just-culture assessment in the postmortem: no');
    expect(out).toContain('Patient identifiers kept in the store (encrypted, read through the engine): yes');
    expect(out).toContain('After erasure: patient.mrn reads [erased]; timeline verifies: {"ok":true}');
    expect(out).not.toContain(mrn);
    const postmortem = readFileSync(join(import.meta.dirname, '..', '.tmp', 'healthcare-medication-error-postmortem.md'), 'utf8');
    expect(postmortem).toContain('# Post-incident review: Heparin infusion ran at twice the ordered rate');
    expect(postmortem).toContain('| patient.mrn | \\[REDACTED\\] |');
    expect(postmortem).toContain('| narrative | \\[REDACTED\\] |');
    expect(postmortem).toContain('Pump drug library not updated');
    expect(postmortem).toContain('MedWatch 3500A UF-2026-0147');
    expect(postmortem).not.toContain(mrn);
    expect(postmortem).not.toContain('Patient/20417733');
    expect(postmortem).not.toContain('human_error');
    expect(postmortem).not.toContain('a slip the system invited');
  }, 60_000);

  it('custom-notifier retries a failed page and delivers it once', async () => {
    const out = await example('custom-notifier');
    expect(out).toContain('attempt 1 failed');
    expect(out).toMatch(/delivered on attempt 2 with key \S+:pager/);
    expect(out).toContain('[SEV1] Incident declared: Payment API down');
    expect(out).not.toContain('Typo on the pricing page');
  }, 60_000);

  it('custom-storage-adapter runs an engine on a hand-written adapter', async () => {
    const out = await example('custom-storage-adapter');
    expect(out).toMatch(/#4 \S+ RESOLVED/);
    expect(out).toContain('timeline verifies: true');
  }, 60_000);

  it('oncall prints who is on call, a week of shifts across the clock change, the load, a calendar feed and a hand-off notice', async () => {
    const out = await example('oncall');
    expect(out).toContain('SRE primary at 2026-03-10T16:00:00Z: olivia (override), until 2026-03-10T17:30:00.000Z');
    expect(out).toContain('  2026-03-10 22:00 → 2026-03-11 00:00  noah  [sydney]');
    expect(out).toContain('  2026-03-25 16:00 → 2026-03-26 07:00  dr-weber  [override]');
    // The weekend runs Saturday 08:00 CET to Monday 08:00 CEST: 07:00Z to 06:00Z.
    expect(out).toContain('  2026-03-28 07:00 → 2026-03-30 06:00  dr-weber  [weekends]');
    expect(out).toMatch(/dr-yilmaz +201\.0 h on call in +9 shifts/);
    expect(out).toContain('BEGIN:VCALENDAR\nVERSION:2.0');
    expect(out).toContain('UID:20260323T160000Z-pharmacy-oncall-dr-weber@incidentkit');
    expect(out).toContain('  [notice to dr-weber <dr-weber@pager>] On call from Wed, 25 Mar 2026, 17:00: On-call pharmacist');
  }, 60_000);

  it('status-page serves the IT outage story as a status page, JSON and a feed, with no internal note on it', async () => {
    const out = await serving('status-page', 'Serving until you stop it', join(dir, 'status-page.sqlite'));
    expect(out).toContain('Public incidents on the page: Website unavailable (resolved, 4 updates)');
    const base = /Status page: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    expect(base).toBeDefined();
    const internal = ['RAID controller', 'OPS-4411', 'web-11', 'controller replaced', 'www.example.com is down'];

    const summaryResponse = await fetch(`${base ?? ''}/api/v2/summary.json`);
    expect(summaryResponse.status).toBe(200);
    const summaryText = await summaryResponse.text();
    const summary = JSON.parse(summaryText) as { page: { name: string }; status: unknown; incidents: unknown[]; components: { name: string; status: string; group: boolean; components?: string[] }[] };
    expect(summary.page.name).toBe('Example Inc.');
    expect(summary.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(summary.incidents).toEqual([]); // resolved: the summary lists unresolved incidents only
    expect(summary.components.filter((c) => c.group).map((c) => [c.name, c.components])).toEqual([['Web', ['website', 'checkout']], ['API', ['api', 'webhooks']]]);
    expect(summary.components.every((c) => c.status === 'operational')).toBe(true);

    const incidents = (await (await fetch(`${base ?? ''}/api/v2/incidents.json`)).json()) as { incidents: { name: string; impact: string; incident_updates: { status: string }[] }[] };
    expect(incidents.incidents.map((i) => [i.name, i.impact, i.incident_updates.map((u) => u.status)])).toEqual([
      ['Website unavailable', 'major', ['resolved', 'monitoring', 'identified', 'investigating']],
    ]);

    const atom = await (await fetch(`${base ?? ''}/history.atom`)).text();
    expect(atom).toContain('<title>Website unavailable</title>');
    expect(atom).toContain('We are moving all traffic to our backup servers.');
    expect(atom).toContain('The website is back, served by our backup servers.');

    const html = await (await fetch(`${base ?? ''}/`)).text();
    expect(html).toContain('>All Systems Operational</h2>');
    expect(html).toContain('Website unavailable');
    expect(html).toContain('Thank you for your patience.');

    for (const body of [summaryText, JSON.stringify(incidents), atom, html]) {
      for (const text of internal) expect(body).not.toContain(text);
    }
  }, 60_000);
});
