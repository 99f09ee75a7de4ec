// The resume step of an import: where this run starts reading, the check that the lines an earlier run
// took are the same bytes, and the progress mark (`through`, saved to progress.json) that moves on as
// lines are accounted for, in order.
import { UsageError } from "./args.js";
import type { ImportState } from "./import-state.js";
import type { LinePlace, NdjsonLine } from "./ndjson.js";
import { fmt } from "./progress.js";

export class ResumePoint {
  /** The last line an earlier run accounted for, or before --from-line: lines up to it are passed, not taken. */
  readonly startAt: number;
  /** The last line before which every line is accounted for: what progress.json saves. */
  through: LinePlace;
  private readonly finished = new Map<number, LinePlace>();
  private saving: NodeJS.Immediate | undefined;
  private saved: LinePlace | undefined;

  constructor(
    private readonly state: ImportState,
    private readonly where: { file: string; stateDir: string },
    private readonly onSaveError: (why: string) => void,
  ) {
    // lines before --from-line are never imported; a resumed run also skips what was accounted for
    this.startAt = Math.max(state.fromLine - 1, state.resumed ? state.progress.at : 0);
    this.through = { end: 0, next: 0, sum: 0, ...state.progress }; // moved on by what this run accounts for
  }

  /** A line up to the resume point: the bytes read up to the saved point are checked, and the mark moves past it. */
  passed(entry: NdjsonLine): void {
    const saved = this.state.progress;
    if (this.state.resumed && entry.at === saved.at && saved.sum !== undefined && (entry.sum !== saved.sum || entry.end !== saved.end))
      throw this.changed(`what it holds up to line ${fmt(entry.at)} is not what was read`);
    if (entry.at > saved.at) this.through = { at: entry.at, end: entry.end, next: entry.next, sum: entry.sum }; // before --from-line
  }

  /** The file ended at line `last`: shorter than what an earlier run read is a changed file. */
  ended(last: number): void {
    const saved = this.state.progress;
    if (last < saved.at && saved.sum !== undefined) throw this.changed(`it ends at line ${fmt(last)}`);
  }

  /**
   * The line is delivered, journaled, a dead letter or blank: the mark may move past it. It is saved
   * once the lines of this turn are taken (every line of a group commit resolves in one turn), so a
   * kill -9 re-reads only what was not yet committed, never what the journal already holds.
   */
  accounted(place: LinePlace): void {
    this.finished.set(place.at, place);
    for (let next = this.finished.get(this.through.at + 1); next; next = this.finished.get(this.through.at + 1)) {
      this.through = next;
      this.finished.delete(next.at);
    }
    this.saving ??= setImmediate(() => {
      this.saving = undefined;
      this.save();
    });
  }

  /** Writes the mark, if it moved; a failure is the run's state error (told in the summary). */
  save(): void {
    if (this.saving) clearImmediate(this.saving);
    this.saving = undefined;
    if (this.saved === this.through) return;
    try {
      this.state.saveProgress(this.through);
      this.saved = this.through;
    } catch (error) {
      this.onSaveError((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    }
  }

  private changed(how: string) {
    const { file, stateDir } = this.where;
    return new UsageError(
      `${file} is not the file the import saved in ${stateDir} began with (${how}): rerun with --fresh to start over (lines without an id then get new ids)`,
    );
  }
}
