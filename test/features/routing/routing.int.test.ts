/** Routing in ingest on the PostgreSQL store, on a real server: the cases of routingSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { routingCases } from './routingSuite.js';

describeOnPostgresStores('routing.int', 'routing in ingest on postgresStore', routingCases);
