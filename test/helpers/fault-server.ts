// A fault server whose answers are scripted per request: answer i handles request i; the last repeats.
import type { ServerResponse } from "node:http";
import { type RecordedRequest, type ScriptedServer, startScriptedServer } from "./http-server.js";

export type Answer = (res: ServerResponse, server: ScriptedServer, req: RecordedRequest) => void;

export async function scriptedFaultServer(...answers: Answer[]) {
  /** Date.now() when each request arrived (fake when the test fakes Date). */
  const arrivals: number[] = [];
  const server: ScriptedServer = await startScriptedServer((req, res, index) => {
    arrivals.push(Date.now());
    answers[Math.min(index, answers.length - 1)]!(res, server, req);
  });
  return Object.assign(server, { arrivals });
}
