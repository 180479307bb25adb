/**
 * Test helpers for hosts and adapter authors: a manual clock, and the contract suites.
 *
 * @packageDocumentation
 */
export { createManualClock, type ManualClock } from './manualClock.js';
export { sequentialIds } from './sequentialIds.js';
export {
  CONTRACT_EVENT_TYPES,
  runNotifierContract,
  sampleNotification,
  type NotifierContractAssertion,
  type NotifierContractFramework,
  type NotifierContractOptions,
  type ReceivedNotification,
} from './notifierContract.js';
export {
  runStorageContract,
  STORAGE_CONTRACT_TESTS,
  type StorageContractAssertion,
  type StorageContractFramework,
  type StorageContractOptions,
  type StorageContractTestName,
  type StorageInspection,
} from './storageContract.js';
