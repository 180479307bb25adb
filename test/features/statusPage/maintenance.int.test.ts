/** Scheduled maintenance on the PostgreSQL store, on a real server: the cases of maintenanceSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { maintenanceCases } from './maintenanceSuite.js';

describeOnPostgresStores('statusPageMaintenance.int', 'scheduled maintenance on postgresStore', maintenanceCases);
