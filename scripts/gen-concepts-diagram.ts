/**
 * Prints the lifecycle diagram of docs/concepts.md, generated from the machine the engine runs:
 *
 *   npx tsx scripts/gen-concepts-diagram.ts
 *
 * Paste the output over the ```mermaid block in docs/concepts.md; test/lifecycle/toMermaid.test.ts
 * fails while the two differ.
 */
import { incidentMachine } from '../src/lifecycle/incidentMachine.js';
import { toMermaid } from '../src/lifecycle/toMermaid.js';

process.stdout.write(`\`\`\`mermaid\n${toMermaid(incidentMachine)}\`\`\`\n`);
