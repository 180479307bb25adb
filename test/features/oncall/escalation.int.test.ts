/** Escalation to typed targets on the PostgreSQL store, on a real server: the cases of escalationSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { escalationCases } from './escalationSuite.js';

describeOnPostgresStores('escalation.int', 'escalation to typed targets on postgresStore', escalationCases);
