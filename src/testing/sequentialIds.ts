/** Sequential ids live in the kernel so the drills entry can number a replay's incidents too. */
export { sequentialIds } from '../kernel/sequentialIds.js';
