// enable3-client/ops: an operations page (HTML, and the same figures as JSON) for an outbox and a
// withdrawal receiver, mounted by the operator behind their own authentication. Kept out of the other
// entries: it imports their types only, and works on whatever outbox and receiver it is handed.

export type { OpsDeadRecord, OpsFigures, OpsOutbox, OpsOutboxFigures, OpsReceiver } from "./ops/figures.js";
export type { OpsHandler, OpsHandlerOptions } from "./ops/handler.js";
export { createOpsHandler } from "./ops/handler.js";
export type { OpsNodeRequest } from "./ops/http.js";
