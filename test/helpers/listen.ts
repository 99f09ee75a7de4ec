// A server of any kind (net, http, https, a proxy) listening on 127.0.0.1, its connections tracked so
// that the teardown registered here can end them: it closes when the test (or file) that started it ends.
import type { Server, Socket } from "node:net";
import { registerTeardown } from "./teardown.js";

interface Tracked {
  sockets: Set<Socket>;
  close: () => Promise<void>;
}

const tracked = new WeakMap<Server, Tracked>();

/**
 * Listens on 127.0.0.1 (a port of its own) and resolves to the port. `beforeClose` runs at the
 * teardown first (a helper's own timers), then every connection is destroyed and the server closed.
 */
export async function listenOnLoopback(server: Server, beforeClose?: () => void): Promise<number> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const close = registerTeardown(
    () =>
      new Promise<void>((resolve) => {
        beforeClose?.();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  tracked.set(server, { sockets, close });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/** The connections open now on a server listenOnLoopback started. */
export function openSockets(server: Server): Socket[] {
  return [...(tracked.get(server)?.sockets ?? [])];
}

/** Closes a server listenOnLoopback started, before its teardown would (safe to call twice). */
export function closeLoopback(server: Server): Promise<void> {
  return tracked.get(server)?.close() ?? Promise.resolve();
}
