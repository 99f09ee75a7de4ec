// enable3-client/outbox: every committed event reaches Enable3, with the id fixed at enqueue, through
// crashes, restarts and a fleet of workers. Node only (it writes files, or uses the operator's pg);
// kept out of the core entry.

export type {
  DeadFilter,
  DeadRecord,
  FailureSummary,
  JsonValue,
  OutboxKind,
  OutboxStore,
  PublishedStatus,
  RecordBody,
} from "./outbox/contract.js";
export type { OutboxErrorReason } from "./outbox/errors.js";
export { Enable3OutboxError } from "./outbox/errors.js";
export type { FileStoreOptions } from "./outbox/file-store.js";
export { fileStore } from "./outbox/file-store.js";
export type { OutboxMinute } from "./outbox/history.js";
export type { OutboxAttemptInfo, OutboxDeadInfo, OutboxHooks, OutboxRetryInfo } from "./outbox/hooks.js";
export type { OutboxInspection, OutboxReport, ReplaySelection } from "./outbox/inspect.js";
export { inspectOutbox } from "./outbox/inspect.js";
export { createOutbox } from "./outbox/outbox.js";
export type {
  CloseOptions,
  EnqueueOptions,
  FlushOptions,
  Outbox,
  OutboxOptions,
  OutboxState,
  OutboxStats,
  PurgeOptions,
  PurgeResult,
  ReplayResult,
  SegmentEnqueueOptions,
  SegmentEnqueueResult,
} from "./outbox/outbox-types.js";
export type { OutboxPostgresStoreOptions, PostgresOutboxStore, PostgresStoreOptions } from "./outbox/postgres-store.js";
export { postgresStore } from "./outbox/postgres-store.js";
export type { EventInput, RevenueInput, SegmentAssignments, SendEventResult, SendRevenueResult } from "./types/api.js";
