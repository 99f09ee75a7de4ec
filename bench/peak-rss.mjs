// This process's peak RSS in MB. On Linux the kernel's high-water mark of this process's own memory
// (VmHWM): getrusage's maxRSS is carried across exec, so a child spawned by a big parent would report
// the parent's pages as its own. Elsewhere getrusage's figure.
import { readFileSync } from "node:fs";

export function peakRssMb() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // no /proc here
  }
  return process.resourceUsage().maxRSS / 1024;
}
