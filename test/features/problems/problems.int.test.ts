/** Problems on the PostgreSQL store, on a real server: the cases of problemsSuite.ts. */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { problemCases } from './problemsSuite.js';

describeOnPostgresStores('problems.int', 'problems on postgresStore', problemCases);
