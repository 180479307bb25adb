/** Playbooks and tasks on the PostgreSQL store, on a real server: the cases of playbooksSuite.ts (tasks are item rows there). */
import { describeOnPostgresStores } from '../../setup/postgresStoreSuite.js';
import { playbookCases } from './playbooksSuite.js';

describeOnPostgresStores('playbooks.int', 'playbooks on postgresStore', playbookCases);
