// Opening a fileStore's journal: segments that vanished are reported, leftovers of a crash removed,
// every segment loaded (an unsealed one scanned and sealed), the manifest rewritten, dead.log read
// (a dead record whose settled mark was lost is settled here, never sent again).
import { readdir, unlink } from "node:fs/promises";
import path from "node:path";
import { DeadLog } from "./dead-log.js";
import { openManifest } from "./manifest.js";
import { createMarksWriter } from "./marks-writer.js";
import { reportVanishedSegments } from "./presence.js";
import { loadSegment, markSettled, SEGMENT_NAME, type Segment, settledMark } from "./segments.js";

export async function loadJournal(dir: string, syncIntervalMs: number, onError: (error: Error) => void, damage: (message: string) => void) {
  const names = await readdir(dir);
  const numbers = names
    .flatMap((n) => SEGMENT_NAME.exec(n)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b);
  await reportVanishedSegments(dir, names, numbers, damage);
  for (const name of names) if (/^dead\.log\.\d+\.tmp$/.test(name)) await unlink(path.join(dir, name));
  const segments: Segment[] = [];
  const marks = createMarksWriter(syncIntervalMs, onError);
  for (const number of numbers) segments.push(await loadSegment(dir, number, damage, (segment, mark) => marks.queue(segment, mark)));
  const manifest = await openManifest(dir, segments);
  const byNumber = (n: number) => segments.find((s) => s.number === n);
  const deadLog = await DeadLog.open(
    dir,
    (entry) => {
      // a dead record whose settled mark was lost is settled here, never sent again
      const segment = byNumber(entry.segment);
      if (segment && markSettled(segment, entry.index)) marks.queue(segment, settledMark(entry.index));
    },
    damage,
  );

  return { numbers, segments, marks, manifest, deadLog, byNumber };
}
