// Each operation's route template, as the spec writes its path: a span's name and `url.template`.
// Never the path a call requested, which holds the user's id. Typed by the generated paths and
// operationIds, so an operation added or renamed in the spec fails to compile here.
import type { paths } from "../generated/enable3.js";
import type { OperationId } from "../types/api.js";

export const OPERATION_TEMPLATES = {
  sendEvent: "/api/v1/event",
  getWidgetUrl: "/api/v1/integration/user/{operatorUserId}/widget",
  getUserToken: "/api/v1/integration/user/{operatorUserId}/token",
  sendRevenue: "/api/v1/revenue",
  assignSegments: "/api/v1/segment/users/",
  removeSegments: "/api/v1/segment/users",
  getUserBalance: "/api/v1/integration/user/{operatorUserId}/balance",
  addWebsites: "/api/v1/integration/websites",
} as const satisfies Record<OperationId, keyof paths>;

/** The template of an operation; undefined for `raw` calls, whose route the SDK does not know. */
export function templateOf(operation: string): string | undefined {
  return (OPERATION_TEMPLATES as Record<string, string>)[operation];
}
