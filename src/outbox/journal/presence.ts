// At open: segments that should be there and are not. A marks file without its log (compaction
// deletes the log first, the marks last) or a segment the manifest lists with neither file was
// deleted by hand: its records are reported (how many, when its sealed count is known), never
// forgotten in silence.
import { unlink } from "node:fs/promises";
import { readManifest } from "./manifest.js";
import { newSegment, readMarks } from "./segments.js";

export async function reportVanishedSegments(dir: string, names: string[], numbers: number[], damage: (message: string) => void) {
  const listed = await readManifest(dir).catch(() => undefined);
  const marksOnly = new Set<number>();
  for (const name of names) {
    const marksOf = /^(\d{10})\.marks$/.exec(name)?.[1];
    if (!marksOf || numbers.includes(Number(marksOf))) continue;
    const orphan = newSegment(dir, Number(marksOf));
    marksOnly.add(orphan.number);
    const { settled, sealedCount } = await readMarks(orphan);
    const left = sealedCount === undefined ? "an unknown number of" : String(Math.max(0, sealedCount - new Set(settled).size));
    if (left !== "0") damage(`${orphan.log}: ${left} records are in a segment file that was deleted and will not be sent`);
    await unlink(orphan.marks);
  }
  for (const [number, count] of listed ?? []) {
    if (numbers.includes(number) || marksOnly.has(number)) continue;
    const { log } = newSegment(dir, number);
    const left = count === undefined ? "an unknown number of" : `up to ${count}`;
    if (count !== 0) damage(`${log}: ${left} records are in a segment file that was deleted (its marks too) and will not be sent`);
  }
}
