/** `engine.heartbeats` on the PostgreSQL store, on a real server: the cases of heartbeatsSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { heartbeatCases } from './heartbeatsSuite.js';

describeOnPostgresStores('heartbeats.int', 'engine.heartbeats on postgresStore', heartbeatCases);
