/**
 * The healthcare scenario end to end: a medication error reaches a patient, reported in the AHRQ
 * Common Formats with `incidentkit/healthcare`.
 *
 * A heparin infusion runs at twice the ordered rate for three hours: the pump's drug library
 * was out of date, so the nurse programmed a plain mL/h rate meant for the look-alike bag of
 * half the concentration. The patient bleeds and the heparin is held: AHRQ harm `mild`, NCC MERP
 * category E (an error that may have contributed to temporary harm and required intervention).
 *
 * 1. The nurse declares a `medication_event` (the pack's `medicationEventType`: the AHRQ generic
 *    form plus the medication form; harm and NCC MERP category are fields, the severity SEV2 is
 *    how hard the hospital responds; the patient's identifiers and the narrative are sensitive
 *    fields, encrypted at rest with a key for the patient). The pharmacy (a signed webhook) and
 *    the attending physician (a Teams channel) are told, and the console prints every message.
 * 2. Immediate intervention, worked through the shipped medication-error playbook: acknowledge,
 *    roles, patient assessed, pump sequestered, infusion stopped (mitigated), prescriber and
 *    pharmacy informed, disclosure.
 * 3. Biomedical engineering finds the pump's wireless library update had failed: risk management
 *    starts the FDA MDR clock (user facility: 10 work days) and files the report on time. Harm
 *    `mild` and category E make no Joint Commission sentinel event, so the engine starts no
 *    45-business-day clock (it would by itself for severe harm or category G–I).
 * 4. Root cause analysis; the patient-safety officer records the just-culture assessment, which
 *    only she may read (`authorize`); corrective actions, review, close; a postmortem written to
 *    a Markdown file, without the assessment.
 * 5. The event exported as a FHIR R4 AdverseEvent (printed as JSON).
 * 6. Checks that the patient's identifiers reached no delivered notification and not the
 *    postmortem (exit code 1 if they did); then the patient's data is erased (crypto-shredding)
 *    and the timeline still verifies.
 *
 * Not legal advice: whether an event is reportable, and to whom, is for your risk manager.
 *
 * Run it with `npx tsx examples/healthcare-medication-error.ts [sqlite-file | --memory]`
 * (default: a fresh SQLite file in .tmp/).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  atLeast,
  buildPostmortem,
  consoleNotifier,
  createIncidentEngine,
  generateWebhookSecret,
  isIncidentKitError,
  memoryKeyring,
  memoryStore,
  renderPostmortemMarkdown,
  sevScale,
  verifyWebhookSignature,
  webhookNotifier,
  type Incident,
  type StorageAdapter,
} from 'incidentkit';
import { medicationErrorPlaybook, medicationEventType, toFhirAdverseEvent } from 'incidentkit/healthcare';
import { teamsNotifier } from 'incidentkit/notifiers';
import { sqliteStore } from 'incidentkit/sqlite';
import { createManualClock } from 'incidentkit/testing';

// ---- storage: a SQLite file by default ---------------------------------------------------------
const arg = process.argv[2];
let store: StorageAdapter;
let db: Database.Database | undefined;
if (arg === '--memory') {
  store = memoryStore();
} else {
  const file = arg ?? '.tmp/healthcare-medication-error.sqlite';
  mkdirSync(dirname(file), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  store = sqliteStore(db);
}

// The story runs on a manual clock so it takes a second, not three weeks; workers are driven by hand.
const clock = createManualClock('2026-05-18T19:10:00.000Z'); // Monday 14:10 in Chicago

// ---- a local receiver standing in for the pharmacy system and the attending's Teams channel ---
const secret = generateWebhookSecret();
const received: { path: string; headers: IncomingHttpHeaders; body: string; at: Date }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: clock.now() });
    // Teams Workflows answer 202 Accepted; the pharmacy system 204.
    res.writeHead(req.url?.startsWith('/teams/') === true ? 202 : 204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}`;

/** A custom field as text, for templates: `field(incident, 'patient', 'mrn')`. */
function field(incident: Incident, ...path: string[]): string {
  let value: unknown = incident.fields;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : value === undefined ? '-' : JSON.stringify(value);
}

const PATIENT = 'MRN-20417733';
const PATIENT_REFERENCE = 'Patient/20417733';
const nurse = { id: 'u_nurse_okafor', name: 'RN Okafor' };
const charge = { id: 'u_charge_lindqvist', name: 'RN Lindqvist (charge nurse)' };
const attending = { id: 'u_dr_moreau', name: 'Dr. Moreau (attending)' };
const pharmacist = { id: 'u_pharm_tan', name: 'PharmD Tan' };
const riskManager = { id: 'u_risk_alvarez', name: 'Alvarez (risk management)' };
const safetyOfficer = { id: 'u_pso_nakamura', name: 'Nakamura (patient-safety officer)' };
const privacyOfficer = { id: 'u_privacy_osei', name: 'Osei (privacy officer)' };

// ---- the engine ---------------------------------------------------------------------------------
const consoleLines: string[] = [];
const engine = createIncidentEngine({
  store,
  clock,
  // The pack's medication event: the AHRQ generic and medication forms, the patient's identifiers
  // and the narrative as sensitive fields, and the sentinel-event test. SEV1 and SEV2 events close
  // only after a completed review with an action item stronger than training (the default policies).
  types: [medicationEventType],
  // The shipped checklist for medication errors (types medication_error and medication_event): who
  // is informed, and when, is on the timeline; open required tasks block mitigate, resolve and close.
  playbooks: [medicationErrorPlaybook],
  // FDA "work days" are Monday to Friday except federal holidays (Memorial Day falls in this story).
  // The patient's identifiers are encrypted with a key per data subject (crypto-shredding).
  // memoryKeyring() is for examples and tests: in production, a keyring over a KMS or HSM.
  keyring: memoryKeyring(),
  // The just-culture assessment is for the patient-safety officer alone; erasure for the privacy
  // officer. Everything else is open to everyone in this example.
  authorize: ({ actor, action }) =>
    action.startsWith('justCulture.') ? actor.id === safetyOfficer.id : action === 'erase' ? actor.id === privacyOfficer.id : true,
  calendar: { timeZone: 'America/Chicago', holidays: ['2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07'] },
  notifiers: {
    pharmacy: webhookNotifier({ url: `${origin}/pharmacy/medication-safety`, secret }),
    attending: teamsNotifier({ webhookUrl: `${origin}/teams/cardiology-attending` }),
    console: consoleNotifier({
      log: (line) => {
        consoleLines.push(line);
        console.log(`  [console notifier] ${line.split('\n')[0] ?? ''}`);
      },
    }),
  },
  // No route sets `includeSensitiveFields: true` (for a channel allowed to see patient data), so
  // every message carries the patient's identifiers as '[REDACTED]'.
  routes: [
    // SEV3 or worse goes to the pharmacy's medication-safety system.
    // Templates see the redacted incident too: this one prints `Patient: [REDACTED]`.
    {
      events: ['DECLARED', 'FIELDS_UPDATED', 'MITIGATED', 'ROOT_CAUSE_RECORDED', 'RESOLVED', 'CLOSED'],
      severities: atLeast(sevScale, 'SEV3'),
      to: ['pharmacy'],
      template: {
        DECLARED: ({ incident }) => ({
          title: `Medication event ${incident.severity}, NCC MERP ${field(incident, 'nccMerp')}: ${incident.title}`,
          text: `Patient: ${field(incident, 'patient', 'mrn')} · Drug: ${field(incident, 'medication', 'name')} ${field(incident, 'medication', 'dose')} · Pump: ${field(incident, 'device', 'serialNumber')}`,
        }),
      },
    },
    { events: ['DECLARED', 'ACKNOWLEDGED', 'MITIGATED', 'UPDATE_POSTED', 'RESOLVED'], to: ['attending'] },
    { events: ['DECLARED', 'ACKNOWLEDGED', 'MITIGATED', 'RESOLVED', 'CLOSED', 'CLOCK_STARTED', 'REPORT_FILED', 'REPORT_OVERDUE'], to: ['console'] },
  ],
});

/** The host's workers, called by hand: fire due timers, then deliver every due message. */
async function work(): Promise<void> {
  await engine.tick();
  while ((await engine.dispatch()).delivered > 0) {
    // deliver what is due
  }
}

/** Moves the story's clock to a time in Chicago (UTC−5 in May) and runs the workers. */
async function at(chicagoTime: string): Promise<void> {
  clock.set(new Date(`${chicagoTime}:00.000-05:00`));
  await work();
}

function show(incident: Incident): string {
  return incident.status;
}

// ---- 1. the error is found ----------------------------------------------------------------------
console.log('Mon 14:10  heparin running at twice the ordered rate; bleeding at the IV site');
const declared = await engine.declare({
  type: 'medication_event',
  title: 'Heparin infusion ran at twice the ordered rate',
  severity: 'SEV2',
  startedAt: '2026-05-18T16:10:00.000Z', // the bag change at 11:10, when the wrong rate began
  summary: 'Heparin 25,000 units/250 mL programmed at 20 mL/h (the rate for the 500 mL bag): 2,000 instead of 1,000 units/h for about 3 hours.',
  fields: {
    eventClass: 'incident',
    discoveredAt: '2026-05-18T19:10:00Z',
    occurredAt: '2026-05-18T16:10:00Z',
    location: '4B cardiac step-down',
    reporterRole: 'nurse',
    patient: { mrn: PATIENT, reference: PATIENT_REFERENCE },
    harm: 'mild',
    nccMerp: 'E',
    medication: { name: 'heparin', rxnorm: '5224', dose: '25,000 units/250 mL at 1,000 units/h ordered', route: 'intravenous' },
    processStage: 'administering',
    device: { name: 'Volumetric infusion pump', serialNumber: 'PUMP-4B-07' },
    narrative: `Hourly check on ${PATIENT}: pump at 20 mL/h, ordered 10 mL/h; oozing at the IV site.`,
  },
  // An opaque pseudonym the hospital maps to the patient: the key of the patient's data.
  subjectId: 'subj_4b_0518_a',
  actor: nurse,
});
const id = declared.id;
const harmAndCategory = (incident: Incident): string => `harm ${field(incident, 'harm')}, NCC MERP ${field(incident, 'nccMerp')}`;
console.log(`           declared ${id}: ${medicationEventType.title}, ${declared.severity}; ${harmAndCategory(declared)}; ${show(declared)}`);
await work();

// ---- 2. immediate intervention -------------------------------------------------------------------
await at('2026-05-18T14:12');
console.log('Mon 14:12  charge nurse takes command; attending and pharmacist on the case');
let incident = await engine.acknowledge(id, { actor: charge });
await engine.assignRole(id, { role: 'commander', assignee: charge, actor: charge });
await engine.assignRole(id, { role: 'attending', assignee: attending, actor: charge });
incident = await engine.assignRole(id, { role: 'pharmacist', assignee: pharmacist, actor: charge });
console.log(`           ${show(incident)}; roles ${Object.keys(incident.roles).join(', ')}`);

await at('2026-05-18T14:13');
await engine.completeTask(id, { taskId: 'medication-error:patient-assessed', evidence: 'BP 118/76, HR 92; oozing at the IV site, pressure applied; no other bleeding.', actor: charge });
await at('2026-05-18T14:15');
await engine.completeTask(id, { taskId: 'medication-error:device-sequestered', actor: charge });
incident = await engine.mitigate(id, {
  summary: 'Infusion stopped and heparin held; pressure dressing at the IV site; STAT aPTT and CBC; pump taken out of service.',
  actor: attending,
});
console.log(`Mon 14:15  infusion stopped, heparin held (mitigated); ${show(incident)}`);
await engine.postUpdate(id, { audience: 'stakeholders', message: 'Heparin held after a rate error; aPTT every 2 h, resume per protocol when in range.', actor: attending });
// Typed from the incident type: a misspelt field or a wrong value type does not compile, and the
// merged fields are validated again by the schema.
incident = await engine.updateFields<typeof medicationEventType>(id, {
  fields: {
    device: { name: 'Volumetric infusion pump', manufacturer: 'Acme Medical', model: 'VP-400', serialNumber: 'PUMP-4B-07' },
    contributingFactors: ['equipment', 'policies_and_procedures'],
    preventability: 'almost_certainly_preventable',
  },
  actor: pharmacist,
});
console.log(`           the pharmacist adds the pump's maker and model, contributing factors (${(incident.fields.contributingFactors as string[]).join(', ')}) and preventability`);
await work();

await at('2026-05-18T14:20');
await engine.completeTask(id, { taskId: 'medication-error:prescriber-informed', actor: attending });
await at('2026-05-18T14:40');
await engine.completeTask(id, { taskId: 'medication-error:pharmacy-informed', actor: pharmacist });
await at('2026-05-18T20:30');
incident = await engine.resolve(id, { summary: 'aPTT back in range, no further bleeding; heparin resumed at 1,000 units/h on a library-checked pump.', actor: attending });
console.log(`Mon 20:30  patient stable (resolved); ${show(incident)}`);
await work();

// ---- 3. the pump, and the regulatory clocks ------------------------------------------------------
await at('2026-05-19T08:30');
await engine.completeTask(id, { taskId: 'medication-error:disclosure', evidence: 'The attending told the patient and her daughter what happened and what we are doing; both questions answered.', actor: attending });
await at('2026-05-19T09:00');
console.log('Tue 09:00  biomedical engineering: the wireless drug-library update had failed on PUMP-4B-07');
// The pump may have contributed to a serious injury: a user facility reports within 10 work days.
incident = await engine.startClock(id, { regime: 'fdaMdr', trigger: 'awareness', actor: riskManager });
const mdr = () => incident.clocks?.find((c) => c.regime === 'fdaMdr')?.phases.find((p) => p.phase === 'report');
const dueAt = mdr()?.dueAt ?? '';
const dueLocal = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(dueAt));
console.log(`           FDA MDR clock started: report due ${dueAt} (end of ${dueLocal} in Chicago: 10 work days, Memorial Day skipped)`);
// A sentinel event (harm death or severe, or NCC MERP G–I) would have started The Joint
// Commission's 45-business-day clock by itself, at declare or when an update raised the harm.
const sentinel = incident.clocks?.some((c) => c.regime === 'jointCommission') ?? false;
console.log(`           Joint Commission sentinel event: ${sentinel ? 'yes, its clock runs' : `no (${harmAndCategory(incident)}), no jointCommission clock`}; clocks: ${(incident.clocks ?? []).map((c) => c.regime).join(', ')}`);
await work();

await at('2026-05-22T11:00');
incident = await engine.recordRootCause(id, {
  summary: 'The pump ran an out-of-date drug library without the new 100 units/mL heparin premix, so the infusion was programmed in basic mL/h mode with the rate of the old 50 units/mL bag.',
  contributingFactors: [
    'Pump drug library not updated: the wireless library push failed silently on pumps running firmware 4.2',
    'Look-alike concentrations: the new 25,000 units/250 mL bag looks like the 25,000 units/500 mL bag it replaced',
    'Basic (mL/h) mode allowed for a high-alert drug, with no dose limits',
    'No independent double check at bag changes of high-alert infusions',
  ],
  actor: pharmacist,
});
console.log(`Fri 11:00  root cause recorded with ${String(incident.rootCause?.contributingFactors.length ?? 0)} contributing factors`);

// The just-culture assessment of the nurse: a record of its own, apart from the system-level causes.
const JUST_CULTURE_RATIONALE = 'Programmed the rate of the old 500 mL bag in basic mode, the only mode the out-of-date library left: a slip the system invited. Console; no disciplinary action.';
await engine.justCulture.assess(id, { behaviour: 'human_error', rationale: JUST_CULTURE_RATIONALE, actor: safetyOfficer });
const assessment = await engine.justCulture.get(id, { actor: safetyOfficer });
console.log(`           just culture (read by ${safetyOfficer.name}): ${assessment?.behaviour ?? '?'}, version ${String(assessment?.version ?? 0)}`);
try {
  await engine.justCulture.get(id, { actor: riskManager });
} catch (error) {
  if (!isIncidentKitError(error, 'FORBIDDEN')) throw error;
  console.log(`           just culture read by ${riskManager.name}: refused (${error.code})`);
}

await at('2026-05-28T15:00');
incident = await engine.fileReport(id, { regime: 'fdaMdr', phase: 'report', reference: 'MedWatch 3500A UF-2026-0147', actor: riskManager });
console.log(`Thu 28 May  MDR report filed with the manufacturer: ${mdr()?.status ?? '?'} (${mdr()?.filingReference ?? ''}); clock ${incident.clocks?.[0]?.status ?? '?'}`);
await work();

// ---- 4. review, corrective actions, close --------------------------------------------------------
await at('2026-06-02T10:00');
try {
  await engine.close(id, { actor: riskManager });
} catch (error) {
  if (!isIncidentKitError(error, 'INVALID_TRANSITION')) throw error;
  console.log(`Tue 2 Jun  close refused: ${error.message}`);
}
incident = await engine.startReview(id, { owner: riskManager.id, actor: riskManager });
console.log(`           review started; ${show(incident)}`);
const actions = [
  { title: 'Pump configuration: push the current drug library to every pump and alarm on pumps more than 7 days behind', owner: 'u_biomed', dueAt: '2026-06-15T00:00:00Z', kind: 'prevent', strength: 'stronger' },
  { title: 'Pump configuration: block basic (mL/h) mode for heparin and other high-alert drugs', owner: 'u_biomed', dueAt: '2026-06-30T00:00:00Z', kind: 'prevent', strength: 'stronger' },
  { title: 'Stock one heparin premix concentration on adult units; distinct labels for the other', owner: 'u_pharm_tan', dueAt: '2026-07-15T00:00:00Z', kind: 'prevent', strength: 'intermediate' },
  { title: 'Daily report of pumps running an out-of-date drug library', owner: 'u_biomed', dueAt: '2026-06-20T00:00:00Z', kind: 'detect', strength: 'intermediate' },
  { title: 'Staff training: independent double check of high-alert infusions at every bag change', owner: 'u_nurse_educator', dueAt: '2026-06-30T00:00:00Z', kind: 'process', strength: 'weaker' },
] as const;
for (const item of actions) incident = await engine.addActionItem(id, { ...item, actor: riskManager });
console.log(`           ${String(incident.actionItems.length)} corrective actions: ${actions.map((a) => `${a.kind}/${a.strength}`).join(', ')}`);
await engine.completeReview(id, { summary: 'RCA² review with nursing, pharmacy, biomedical engineering and risk management.', actor: riskManager });
const closed = await engine.close(id, { actor: riskManager });
console.log(`           closed; ${show(closed)}`);
await work();

// ---- the evidence a patient-safety reviewer asks for: who was informed, and when -----------------
const chicago = (iso: string | undefined): string =>
  iso === undefined ? '—' : new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
console.log('\nWho was informed when (the medication-error playbook, Chicago time):');
const people = new Map([charge, attending, pharmacist, riskManager].map((p) => [p.id, p.name]));
const settled = [...(closed.tasks ?? [])].sort((a, b) => ((a.completedAt ?? a.skippedAt ?? '') < (b.completedAt ?? b.skippedAt ?? '') ? -1 : 1));
for (const task of settled) {
  const late = task.completedAt !== undefined && task.dueAt !== undefined && task.completedAt > task.dueAt ? ' (late)' : '';
  console.log(`  ${task.status.padEnd(7)} ${chicago(task.completedAt ?? task.skippedAt)}  ${task.title} — ${people.get(task.completedBy ?? task.skippedBy ?? '') ?? task.completedBy ?? task.skippedBy ?? '?'}, due ${chicago(task.dueAt)}${late}`);
}

const timeline = await engine.timeline(id);
const markdown = renderPostmortemMarkdown(
  buildPostmortem(closed, timeline, {
    now: clock.now(),
    wentWell: ['The nurse caught the rate at the next hourly check.', 'Bleeding was controlled within minutes of stopping the infusion.'],
    wentPoorly: ['Nobody knew the library update had failed on some pumps.'],
  }),
);
mkdirSync('.tmp', { recursive: true });
writeFileSync('.tmp/healthcare-medication-error-postmortem.md', markdown);
console.log(`\nPostmortem written to .tmp/healthcare-medication-error-postmortem.md (${String(markdown.split('\n').length)} lines)`);
console.log(`Timeline: ${timeline.map((event) => event.type).join(' → ')}`);
console.log(`Timeline verifies: ${JSON.stringify(await engine.verifyTimeline(id))}`);

// ---- 5. the FHIR R4 export: an AdverseEvent for the hospital's FHIR server or a PSO -----------------
// It identifies the patient (subject: patient.reference): send it only where identifiers may go.
const adverseEvent = toFhirAdverseEvent(closed, { identifierSystem: 'urn:oid:2.16.840.1.113883.3.72.5.99' });
console.log(`\nFHIR R4 AdverseEvent:\n${JSON.stringify(adverseEvent, null, 2)}`);

// ---- 6. where the patient identifiers went ---------------------------------------------------------
const pharmacy = received.filter((r) => r.path.startsWith('/pharmacy/'));
const teams = received.filter((r) => r.path.startsWith('/teams/'));
let verified = 0;
for (const request of pharmacy) {
  if (await verifyWebhookSignature({ secret, headers: request.headers, body: request.body, now: request.at })) verified += 1;
}
const kinds = (requests: typeof received) => requests.map((r) => (JSON.parse(r.body) as { type?: string }).type ?? 'teams card');
console.log(`\nPharmacy webhook got ${String(pharmacy.length)} signed messages (${String(verified)} verified): ${kinds(pharmacy).join(', ')}`);
const firstPharmacyText = (JSON.parse(pharmacy[0]?.body ?? '{}') as { data?: { text?: string } }).data?.text ?? '';
console.log(`  first pharmacy message, from the route's template: "${firstPharmacyText}"`);
console.log(`Attending's Teams channel got ${String(teams.length)} cards; console notifier printed ${String(consoleLines.length)} messages`);

const bodies = [...received.map((r) => r.body), ...consoleLines];
const identifies = (text: string): boolean => text.includes(PATIENT) || text.includes(PATIENT_REFERENCE);
const leaks = bodies.filter(identifies).length;
const redactedBodies = bodies.filter((body) => body.includes('[REDACTED]')).length;
const inPostmortem = identifies(markdown);
const justCultureInPostmortem = markdown.includes(JUST_CULTURE_RATIONALE) || markdown.includes('human_error');
const readable = (await engine.get(id, { actor: riskManager })).fields.patient as { mrn?: string } | undefined;
const stored = readable?.mrn === PATIENT;
console.log(`Patient identifiers in delivered notifications: ${String(leaks)} of ${String(bodies.length)} (${String(redactedBodies)} show [REDACTED])`);
console.log(`Patient identifiers in the postmortem: ${inPostmortem ? 'yes' : 'no'}; just-culture assessment in the postmortem: ${justCultureInPostmortem ? 'yes' : 'no'}`);
console.log(`Patient identifiers kept in the store (encrypted, read through the engine): ${stored ? 'yes' : 'no'}`);

// ---- 7. the patient asks for erasure: destroy the key, keep the (unreadable) record --------------
await engine.erase({ subjectId: 'subj_4b_0518_a', actor: privacyOfficer });
const erased = (await engine.get(id)).fields.patient as { mrn?: string } | undefined;
console.log(`After erasure: patient.mrn reads ${erased?.mrn ?? '-'}; timeline verifies: ${JSON.stringify(await engine.verifyTimeline(id))}`);

receiver.close();
db?.close();
if (leaks > 0 || inPostmortem || justCultureInPostmortem || !stored) {
  console.error('FAIL: a patient identifier or the just-culture assessment leaked (or the identifiers were lost from the store).');
  process.exit(1);
}
console.log('OK: the patient identifiers reached no notification and no postmortem; the just-culture assessment stayed apart.');
