/** `engine.schedules` on the PostgreSQL store, on a real server: the cases of schedulesSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { scheduleCases } from './schedulesSuite.js';

describeOnPostgresStores('schedules.int', 'engine.schedules on postgresStore', scheduleCases);
