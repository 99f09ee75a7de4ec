// The record step of `import events` and `import revenue`: a record whose id an earlier line used is a
// dead letter at once; any other goes to the journal with its id fixed (given, or derived from the
// import and its line number), through enqueue or enqueueRevenue.
import type { Enable3Error } from "../index.js";
import { isObject, placeOf, type RecordStep } from "./import-line.js";

/** The step for events (`id`) or revenue (`requestId`). */
export function sendRecordStep(kind: "events" | "revenue"): RecordStep {
  const idField = kind === "events" ? "id" : "requestId";
  return {
    passed(run, entry) {
      const id = isObject(entry.record) ? entry.record[idField] : undefined;
      if (typeof id === "string") run.ids.firstUse(id, entry.line); // a duplicate after it is still caught
    },
    take(run, entry) {
      const record = entry.record;
      const given = isObject(record) && typeof record[idField] === "string" ? (record[idField] as string) : undefined;
      // an id that is there but not a string is the line's to fix: sent as it is, refused by the SDK
      const malformed = given === undefined && isObject(record) && record[idField] !== undefined;
      const id = malformed ? undefined : (given ?? run.state.idFor(entry.at));
      const item = isObject(record) && id !== undefined ? { ...record, [idField]: id } : record;
      const { at, line } = entry;
      const place = placeOf(entry);
      const first = given === undefined ? undefined : run.ids.firstUse(given, line);
      if (first !== undefined) {
        run.counts.duplicates++;
        run.counts.failed++;
        const message = `line ${line}: ${idField} "${given}" is already used by line ${first}: not sent`;
        return run.fail(place, { line, id, record: item, error: { name: "DuplicateId", code: "duplicate_id", message } }, message);
      }
      const enqueue = kind === "events" ? run.outbox.enqueue : run.outbox.enqueueRevenue;
      return enqueue(item as never, { context: { line, at } }).then(
        () => run.accounted(place),
        (error: Enable3Error) => run.refused(error, { place, line, id, record: item }),
      );
    },
  };
}
