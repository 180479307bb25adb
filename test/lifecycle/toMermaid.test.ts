/**
 * toMermaid renders the machine definition itself: every state and event of the incident
 * machine appears, the structure is Mermaid's, and the diagram in docs/concepts.md is current.
 */
import { readFileSync } from 'node:fs';
import { and, createMachine, not } from 'xstate';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_EVENT_TYPES } from '../../src/lifecycle/events.js';
import { incidentMachine } from '../../src/lifecycle/incidentMachine.js';
import { toMermaid, type MermaidStateNodeLike } from '../../src/lifecycle/toMermaid.js';

const diagram = toMermaid(incidentMachine);
const lines = diagram.trimEnd().split('\n').map((line) => line.trim());

/** Every state node below the root, with its parent's key (`undefined` for top-level ones). */
function statesOf(node: MermaidStateNodeLike, parent?: string): { key: string; parent: string | undefined }[] {
  return Object.values(node.states).flatMap((child) => [{ key: child.key, parent }, ...statesOf(child, child.key)]);
}

// The line shapes of Mermaid's stateDiagram grammar (mermaid-js/mermaid stateDiagram.jison) that toMermaid emits.
const ID = '[A-Za-z_][A-Za-z0-9_]*';
const TEXT = '[^:;\\n]+';
const LINE_SHAPES = [
  new RegExp(`^stateDiagram-v2$`),
  new RegExp(`^direction (TB|BT|LR|RL)$`),
  new RegExp(`^\\[\\*\\] --> ${ID}$`),
  new RegExp(`^${ID} --> \\[\\*\\]$`),
  new RegExp(`^${ID} --> ${ID} : ${TEXT}$`),
  new RegExp(`^state ${ID} \\{$`),
  new RegExp(`^state "[^"\\n]+" as ${ID}( \\{)?$`),
  new RegExp(`^${ID}$`),
  new RegExp(`^${ID} : ${TEXT}$`),
  /^\}$/,
  /^--$/,
];

/** Where each state is declared: the composite block around its declaration. */
function declaredParents(text: string): Map<string, string | undefined> {
  const parents = new Map<string, string | undefined>();
  const stack: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    const composite = /^state (?:"[^"]*" as )?([A-Za-z_]\w*) \{$/.exec(line);
    const plain = /^(?:state "[^"]*" as )?([A-Za-z_]\w*)$/.exec(line);
    const name = composite?.[1] ?? plain?.[1];
    if (name !== undefined && !parents.has(name)) parents.set(name, stack.at(-1));
    if (composite?.[1] !== undefined) stack.push(composite[1]);
    if (line === '}') stack.pop();
  }
  return parents;
}

describe('toMermaid(incidentMachine)', () => {
  it('is a stateDiagram-v2 made only of lines Mermaid’s grammar accepts, with balanced blocks', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    for (const line of lines) expect(LINE_SHAPES.some((shape) => shape.test(line)), line).toBe(true);
    expect(lines.filter((l) => l.endsWith('{')).length).toBe(lines.filter((l) => l === '}').length);
  });

  it('declares every state of the machine inside its parent state', () => {
    const parents = declaredParents(diagram);
    const states = statesOf(incidentMachine.root);
    expect(states.map((s) => s.key).sort()).toEqual(
      ['active', 'canceled', 'closed', 'mitigated', 'open', 'postIncident', 'resolved', 'responding', 'triage'].sort(),
    );
    for (const { key, parent } of states) expect(parents.get(key), key).toBe(parent);
  });

  it('shows every event the machine accepts', () => {
    const shown = new Set(diagram.match(/\b[A-Z][A-Z_]+[A-Z]\b/g));
    for (const event of LIFECYCLE_EVENT_TYPES) expect(shown.has(event), event).toBe(true);
    for (const event of incidentMachine.root.events) expect(shown.has(event), event).toBe(true);
  });

  it('draws the initial states, the transitions with their targets, and guards in brackets', () => {
    expect(lines).toContain('[*] --> open');
    expect(lines).toContain('[*] --> active');
    expect(lines).toContain('[*] --> triage');
    for (const arrow of [
      'triage --> responding : ACKNOWLEDGE',
      'triage --> mitigated : MITIGATE [tasksSettled]',
      'mitigated --> responding : REOPEN',
      'triage --> resolved : RESOLVE [tasksSettled]',
      'responding --> canceled : CANCEL',
      'resolved --> postIncident : START_REVIEW',
      'resolved --> closed : CLOSE [canClose]',
      'postIncident --> closed : CLOSE [canClose]',
      'postIncident --> responding : REOPEN',
    ]) {
      expect(lines).toContain(arrow);
    }
    expect(lines).toContain('triage : ESCALATE [escalationIsNext]');
    expect(lines).toContain('closed : UPDATE_ACTION_ITEM [actionItemExists]');
  });

  it('is the diagram pasted in docs/concepts.md (regenerate with npx tsx scripts/gen-concepts-diagram.ts)', () => {
    const doc = readFileSync(new URL('../../docs/concepts.md', import.meta.url), 'utf8');
    expect(doc).toContain(`\`\`\`mermaid\n${diagram}\`\`\``);
  });
});

describe('toMermaid of other machines', () => {
  const machine = createMachine(
    {
      id: 'player',
      type: 'parallel',
      states: {
        deck: {
          initial: 'idle',
          states: {
            idle: { on: { PLAY: { target: 'playing', guard: and(['hasTrack', not('isLocked')]) } }, after: { 5000: 'sleeping' } },
            playing: { on: { STOP: 'idle', TICK: { actions: 'count' } }, always: { target: 'done', guard: 'finished' } },
            sleeping: {},
            done: { type: 'final' },
            state: { on: { 'x:y;z': { actions: 'count' } } },
          },
        },
        volume: {
          initial: 'idle',
          states: { idle: { on: { MUTE: 'muted' } }, muted: { on: { UNMUTE: 'idle' } } },
        },
      },
    },
    { guards: { hasTrack: () => true, isLocked: () => false, finished: () => false }, actions: { count: () => undefined } },
  );
  const text = toMermaid(machine, { direction: 'LR' });
  const out = text.trimEnd().split('\n').map((line) => line.trim());

  it('renders regions, delayed, eventless and final transitions, and higher-order guards', () => {
    expect(out.slice(0, 3)).toEqual(['stateDiagram-v2', 'direction LR', '[*] --> player']);
    expect(out).toContain('--');
    expect(out).toContain('s_deck_idle --> playing : PLAY [and(hasTrack, not(isLocked))]');
    expect(out).toContain('s_deck_idle --> sleeping : after 5000');
    expect(out).toContain('playing --> done : always [finished]');
    expect(out).toContain('done --> [*]');
    expect(out).toContain('playing : TICK');
  });

  it('gives duplicate, reserved or unusual state names and event names safe ids and text', () => {
    for (const line of out) expect(LINE_SHAPES.some((shape) => shape.test(line)), line).toBe(true);
    expect(out).toContain('state "idle" as s_deck_idle');
    expect(out).toContain('state "idle" as s_volume_idle');
    expect(out).toContain('state "state" as s_deck_state');
    expect(out).toContain('s_deck_state : x.y,z');
    expect(declaredParents(text).get('s_volume_idle')).toBe('volume');
  });
});
