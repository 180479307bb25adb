/** Status pages on the PostgreSQL store, on a real server: the cases of statusPageSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { statusPageCases } from './statusPageSuite.js';

describeOnPostgresStores('statusPage.int', 'status pages on postgresStore', statusPageCases);
