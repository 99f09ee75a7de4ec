// Turns caller input into request bodies, checking every field first. Bulk sending reuses these,
// so an invalid item is caught the same way whether it is sent alone or in a batch.
import type { components } from "../generated/enable3.js";
import { apiDate } from "../internal/dates.js";
import * as check from "../internal/validate.js";
import type { EventInput, RevenueInput, SegmentAssignments } from "../types/api.js";

type Schemas = components["schemas"];

export function eventBody(input: EventInput, field = "event"): Schemas["AppEventDto"] {
  const e = check.plainObject(input, field);
  const body: Schemas["AppEventDto"] = {
    id: e.id === undefined ? crypto.randomUUID() : check.identifier(e.id, `${field}.id`),
    userId: check.identifier(e.userId, `${field}.userId`),
    eventId: check.identifier(e.eventId, `${field}.eventId`),
    value: check.numberIn(e.value, `${field}.value`),
    createdAt: apiDate(e.createdAt, `${field}.createdAt`),
  };
  // tags are names, like ids: no control character (a NUL would also be refused by a database's JSON)
  if (e.eventTags !== undefined) body.eventTags = check.stringArray(e.eventTags, `${field}.eventTags`, { ids: true });
  return body;
}

export function revenueBody(input: RevenueInput, field = "revenue"): Schemas["RevenueDto"] {
  const r = check.plainObject(input, field);
  return {
    requestId: r.requestId === undefined ? crypto.randomUUID() : check.identifier(r.requestId, `${field}.requestId`),
    revenue: check.numberIn(r.revenue, `${field}.revenue`),
    date: apiDate(r.date, `${field}.date`),
  };
}

export function segmentsBody(input: SegmentAssignments, field = "assignments"): SegmentAssignments {
  return check.nonEmptyArray(input, field).map((item, i) => {
    const s = check.plainObject(item, `${field}[${i}]`);
    return {
      userId: check.identifier(s.userId, `${field}[${i}].userId`),
      segmentIds: check.stringArray(s.segmentIds, `${field}[${i}].segmentIds`, { nonEmpty: true, ids: true }),
    };
  });
}

export function websitesBody(input: readonly string[], field = "websites"): Schemas["OperatorWebsitesDto"] {
  return { websites: check.nonEmptyArray(input, field).map((w, i) => check.httpUrl(w, `${field}[${i}]`)) };
}
