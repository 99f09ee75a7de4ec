// The doctor's own probes, below the SDK: DNS, a TCP connection, and a TLS handshake alone (to tell a
// server that never answers TLS from one that holds TLS but never answers HTTP). Each settles within
// its timeout and leaves no socket or timer behind.
import { lookup } from "node:dns/promises";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { connect as connectTls } from "node:tls";

export type ProbeResult = { ok: true; text: string; ms: number } | { ok: false; code: string };

/** The host's addresses, or why it has none. */
export async function dnsProbe(host: string, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  const timer = new AbortController(); // node:timers/promises: the CLI writes no timeout helper of its own
  const limit = delay(timeoutMs, undefined, { signal: timer.signal }).then(() => Promise.reject({ code: `no answer in ${timeoutMs} ms` }));
  return Promise.race([lookup(host, { all: true }), limit])
    .finally(() => timer.abort())
    .then(
      (addresses) => ({ ok: true, text: addresses.map((a) => a.address).join(", "), ms: Date.now() - started }),
      (error: unknown) => ({ ok: false, code: codeOf(error) }),
    );
}

/** Whether host:port accepts a TCP connection. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  return settleSocket(connect({ host, port, timeout: timeoutMs }), "connect", started, timeoutMs);
}

/** Whether host:port completes a TLS handshake (the certificate is not judged here: the SDK's call did that). */
export function tlsHandshakeProbe(host: string, port: number, servername: string, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  const socket = connectTls({ host, port, servername, rejectUnauthorized: false, timeout: timeoutMs });
  return settleSocket(socket, "secureConnect", started, timeoutMs);
}

function settleSocket(
  socket: ReturnType<typeof connect>,
  success: "connect" | "secureConnect",
  started: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const end = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once(success, () => end({ ok: true, text: "", ms: Date.now() - started }));
    socket.once("timeout", () => end({ ok: false, code: `no answer in ${timeoutMs} ms` }));
    socket.once("error", (error) => end({ ok: false, code: codeOf(error) }));
  });
}

/** An error's code (ECONNREFUSED, ENOTFOUND), else its message. */
function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? String((error as Error)?.message ?? error);
}
