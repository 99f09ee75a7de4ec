// The CLI's import in this process, to report its peak RSS: node bench/cli-import.mjs <import args...>.
// Prints {"seconds", "peakRssMb", "exitCode"} on stderr's last line; the CLI's own output goes to stdout.
import { main } from "../dist/cli/main.js";
import { peakRssMb } from "./peak-rss.mjs";

const started = performance.now();
const exitCode = await main(["import", ...process.argv.slice(2)]);
process.stderr.write(`\n${JSON.stringify({ seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb(), exitCode })}\n`);
process.exit(0);
