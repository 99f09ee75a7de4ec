// Real TLS for tests: a CA and server certificates made by openssl at test time (never committed, never
// downloaded), and HTTPS servers on 127.0.0.1 that present them. The certificates name "localhost" and
// 127.0.0.1, except the wrong-name one; the expired one ended in 2020. No test process trusts the CA
// unless it is started with NODE_EXTRA_CA_CERTS=<ca>, as an operator would do for a re-signing proxy.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { listenOnLoopback } from "./listen.js";

export interface Certificates {
  dir: string;
  /** The CA's certificate file: give it as NODE_EXTRA_CA_CERTS to trust the servers below. */
  caFile: string;
  key: string;
  /** For localhost and 127.0.0.1, signed by the CA. */
  good: string;
  /** For other.example only, signed by the CA. */
  wrongName: string;
  /** For localhost and 127.0.0.1, signed by the CA, valid in 2020 only. */
  expired: string;
}

let made: Certificates | undefined;

/** Made once per test process (about 100 ms), removed when it exits. */
export function certificates(): Certificates {
  if (made) return made;
  const dir = mkdtempSync(path.join(tmpdir(), "enable3-tls-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const day = ["-days", "2"];
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    ...day,
    "-subj",
    "/CN=enable3-client test CA",
  );
  run("genrsa", "-out", "server.key", "2048");
  const leaf = (name: string, subject: string, altNames: string) =>
    run("req", "-new", "-key", "server.key", "-subj", `/CN=${subject}`, "-addext", `subjectAltName=${altNames}`, "-out", `${name}.csr`);
  leaf("good", "localhost", "DNS:localhost,IP:127.0.0.1");
  leaf("wrong", "other.example", "DNS:other.example");
  // each leaf signed by the CA, its subjectAltName carried over from its request
  const sign = (name: string) =>
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-copy_extensions",
      "copy",
      ...day,
      "-out",
      `${name}.pem`,
    );
  sign("good");
  sign("wrong");
  // `openssl ca` is the one command that takes explicit dates: the certificate ended years ago
  writeFileSync(
    path.join(dir, "ca.cnf"),
    "[ca]\ndefault_ca=test\n[test]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=any\ncopy_extensions=copy\nunique_subject=no\n[any]\ncommonName=supplied\n",
  );
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "serial"), "1000\n");
  run(
    "ca",
    "-batch",
    "-config",
    "ca.cnf",
    "-cert",
    "ca.pem",
    "-keyfile",
    "ca.key",
    "-in",
    "good.csr",
    "-out",
    "expired.pem",
    "-notext",
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200102000000Z",
  );
  const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
  made = {
    dir,
    caFile: path.join(dir, "ca.pem"),
    key: read("server.key"),
    good: read("good.pem"),
    wrongName: read("wrong.pem"),
    expired: read("expired.pem"),
  };
  return made;
}

export interface TlsServer {
  /** https://127.0.0.1:PORT (an address the good and expired certificates carry). */
  url: string;
  port: number;
  server: Server;
}

/** An HTTPS server presenting `cert`; it closes when the test (or file) that started it ends. */
export async function startTlsServer(
  cert: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"balance":"1.00","userExists":true}');
  },
): Promise<TlsServer> {
  const server = createServer({ key: certificates().key, cert }, handler);
  // a client that gives up on the certificate resets the handshake: not this server's failure
  server.on("tlsClientError", () => {});
  const port = await listenOnLoopback(server);
  return { url: `https://127.0.0.1:${port}`, port, server };
}
