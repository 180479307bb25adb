/** The manual clock lives in the kernel so the drills entry can run scenarios on one too. */
export { createManualClock, type ManualClock } from '../kernel/manualClock.js';
