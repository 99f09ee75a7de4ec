// For the ordered-delivery tests: a recording segment server on 127.0.0.1 that keeps each user's
// membership as the API would (assign adds, remove takes away), notes when two requests of one user
// overlap (ordered delivery sends one at a time), and answers 503 to the users `refuse` names.
import { type RecordedRequest, reply, startScriptedServer } from "../helpers/http-server.js";

export type Op = { op: "assign" | "remove"; userId: string; segmentIds: string[] };

export async function segmentServer(refuse: (userId: string, method: string) => boolean = () => false) {
  const members = new Map<string, Set<string>>();
  const inFlight = new Map<string, number>();
  const overlaps: string[] = [];
  /** Changes applied, per user, in the order they arrived. */
  const applied = new Map<string, number>();
  /** The user of each change applied, in the order applied. */
  const order: string[] = [];
  /** The user and method of each change applied, in the order applied. */
  const log: { userId: string; method: string }[] = [];
  let refused = 0;
  const server = await startScriptedServer((req: RecordedRequest, res) => {
    if (!req.url.startsWith("/api/v1/segment/users")) return reply(res, 201);
    const entries = JSON.parse(req.body) as { userId: string; segmentIds: string[] }[];
    const users = entries.map((e) => e.userId);
    if (users.some((u) => refuse(u, req.method))) {
      refused++;
      return server.later(Math.floor(Math.random() * 3), () => reply(res, 503));
    }
    for (const u of users) {
      const n = (inFlight.get(u) ?? 0) + 1;
      inFlight.set(u, n);
      if (n > 1) overlaps.push(u);
    }
    server.later(Math.floor(Math.random() * 4), () => {
      for (const { userId, segmentIds } of entries) {
        inFlight.set(userId, inFlight.get(userId)! - 1);
        const set = members.get(userId) ?? new Set();
        for (const s of segmentIds) req.method === "DELETE" ? set.delete(s) : set.add(s);
        members.set(userId, set);
        applied.set(userId, (applied.get(userId) ?? 0) + 1);
        order.push(userId);
        log.push({ userId, method: req.method });
      }
      reply(res, 201);
    });
  });
  return { server, members, overlaps, applied, order, log, refused: () => refused };
}

/** Random assign/remove changes for `users` users, `perUser` each, interleaved at random. */
export function randomChanges(users: number, perUser: number, segments = ["vip", "gold", "new", "churn"]): Op[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
  const queues = Array.from({ length: users }, (_, u) =>
    Array.from({ length: perUser }, (): Op => {
      const chosen = segments.filter(() => Math.random() < 0.4);
      return { op: Math.random() < 0.5 ? "assign" : "remove", userId: `user-${u}`, segmentIds: chosen.length ? chosen : [pick(segments)] };
    }),
  );
  const out: Op[] = [];
  while (queues.some((q) => q.length > 0)) {
    const open = queues.filter((q) => q.length > 0);
    out.push(pick(open).shift()!);
  }
  return out;
}

/** Each user's membership once `changes` are applied in program order. */
export function expectedMembers(changes: Op[]): Map<string, Set<string>> {
  const members = new Map<string, Set<string>>();
  for (const { op, userId, segmentIds } of changes) {
    const set = members.get(userId) ?? new Set();
    for (const s of segmentIds) op === "assign" ? set.add(s) : set.delete(s);
    members.set(userId, set);
  }
  return members;
}

export const sorted = (m: Map<string, Set<string>>) => new Map([...m].map(([u, s]) => [u, [...s].sort()]));
