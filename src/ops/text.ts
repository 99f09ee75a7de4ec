// How the operations page writes text: everything from the API or the store escaped, durations and
// times in one readable form (UTC, so every operator on a call reads the same clock).

/** Text made safe for HTML content and double- or single-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A duration in ms as "850 ms", "42 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 ? `${min} min ${s % 60} s` : `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "HH:MM UTC" of a time in ms since the epoch. */
export function formatClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** "YYYY-MM-DD HH:MM:SS UTC" of an ISO 8601 time. */
export function formatTime(isoTime: string | null): string {
  return isoTime === null ? "—" : `${isoTime.slice(0, 10)} ${isoTime.slice(11, 19)} UTC`;
}
