// The import command's usage line and help text (what `enable3 import --help` prints).
import { SEGMENTS_LINE_HELP } from "./import-segments.js";

export const importUsage =
  "enable3 import events|revenue|segments <file.ndjson|-> [--concurrency N] [--dead-letter FILE] [--state DIR] [--fresh] [--from-line N] [--quiet]";

export const importHelp = `Each line of the file is one JSON object, sent as is:
  events:  {"userId": "u1", "eventId": "deposit", "value": 50, "id"?: "…", "createdAt"?: "2024-02-22 10:00:00", "eventTags"?: ["slots"]}
  revenue: {"revenue": 1250.5, "requestId"?: "…", "date"?: "2024-02-22 10:00:00"}
${SEGMENTS_LINE_HELP}
Lines end with LF, CRLF or CR; a UTF-8 BOM is fine; blank lines are skipped. A line without an id (or
requestId) is sent with one derived from the import and its line number, the same on every run.

Every line that is not delivered goes to the dead-letter file (default: FILE.failed.ndjson) with its
line number, the id it was sent with and the error: a refusal by the API, a line that is not JSON or
not valid UTF-8, a line longer than 1 MiB, an id already used by an earlier line. Give that file to
the same command to replay it: the same ids are sent again, so the server never counts an event
twice. Dead letters of earlier runs are appended to, never truncated or removed; a symbolic link
there is refused.

The import keeps its state beside the dead-letter file (FILE.import/). However it stops (Ctrl-C,
SIGTERM, a lost terminal, kill -9, a power loss), run the same command again: it resumes where it
was, and no line is ever sent under a second id. Lines appended after a finished run are sent by the
same command; a file changed where it was already read is refused; --fresh starts over (new ids for
lines without one).

From a pipe, stdin (- or /dev/stdin) or a FIFO, the lines are read once, as they come (no percentage):
the dead letters and the state go to the working directory (stdin.failed.ndjson, stdin.import/), or
--state DIR. Piping the same data again resumes, or sends what was appended; other data is refused.

Ctrl-C once: stop reading and let the requests in flight finish. Twice (or SIGTERM, SIGHUP): abort
those too; they stay in the state for the next run.

Options:
  --concurrency N      requests in flight at once (default 8, at most 1024)
  --dead-letter FILE   where failed lines go (refused if it is the input file); the state goes beside it
  --state DIR          where the import keeps its state (default: beside the dead-letter file)
  --fresh              forget the saved state of this import and start over
  --from-line N        start at line N of the file (with --fresh, or on a first run)
  --quiet              no progress display

Examples:
  enable3 import events deposits.ndjson --concurrency 16
  enable3 import events deposits.ndjson                 # after any stop: resumes
  enable3 import events deposits.failed.ndjson          # replay the dead letters
  zcat deposits.ndjson.gz | enable3 import events -     # from a pipe
  enable3 import revenue revenue.ndjson --fresh --from-line 12346
  enable3 import segments tiers.ndjson                  # each user's changes in file order`;
