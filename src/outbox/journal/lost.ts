// Records the journal could not read (a damaged line, lines run together, a segment cut short or
// deleted) are told once, with how many and the ids that could still be read, then settled so they
// hold back neither flush() nor the records after them.
import type { Segment } from "./segments.js";

/** Ids listed in one report, at most. */
const IDS_SHOWN = 20;

const WHY: Record<string, string> = {
  damaged: "damaged (checksum or framing wrong)",
  missing: "missing (the segment is shorter than its sealed count: cut short?)",
  deleted: "in a segment file that was deleted",
};

export function reportLost(
  segment: Segment,
  from: number,
  to: number,
  salvaged: { index: number; id: string }[],
  why: string,
  report: (message: string) => void,
  settle: (index: number) => void,
): void {
  const indexes: number[] = [];
  for (let i = from; i < to; i++) if (!segment.settled.has(i)) indexes.push(i);
  if (indexes.length === 0) return; // settled already: nothing is lost
  const ids = [...new Set(salvaged.filter((s) => s.index >= from && s.index < to && !segment.settled.has(s.index)).map((s) => s.id))];
  for (const index of indexes) settle(index);
  const shown = ids.slice(0, IDS_SHOWN).map((id) => JSON.stringify(id));
  const more = ids.length > IDS_SHOWN ? ` and ${ids.length - IDS_SHOWN} more` : "";
  const named = ids.length === 0 ? "no id could be read" : `ids ${shown.join(", ")}${more}`;
  const unread = indexes.length - ids.length;
  report(
    `${segment.log}: ${indexes.length} record${indexes.length === 1 ? " is" : "s are"} ${WHY[why] ?? why} and will not be sent (${to - from === 1 ? `record ${to}` : `records ${from + 1}–${to}`} of the segment; ${named}${ids.length > 0 && unread > 0 ? `, ${unread} without a readable id` : ""})`,
  );
}
