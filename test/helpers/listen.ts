// A server of any kind (net, http, https, a proxy) listening on 127.0.0.1, its connections tracked so
// that the teardown registered here can end them: it closes when the test (or file) that started it ends.
import type { Server, Socket } from "node:net";
import { registerTeardown } from "./teardown.js";

/** Listens on 127.0.0.1 (a port of its own) and resolves to the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  registerTeardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}
