// The User-Agent every request carries: the SDK and its version, then the runtime, so Enable3's support
// can tell which SDK called. A browser forbids setting it (its fetch would drop or refuse it): none there.
import { PACKAGE_VERSION } from "../internal/version.js";

interface RuntimeGlobals {
  Bun?: { version: string };
  Deno?: { version?: { deno?: string }; build?: { os?: string } };
  process?: { versions?: { node?: string }; platform?: string };
  navigator?: { userAgent?: string };
  document?: unknown;
}

/** `enable3-client/0.1.0 (node 22.12.0; linux)`, or the runtime's equivalent; undefined in a browser. */
export function defaultUserAgent(): string | undefined {
  let runtime: string | undefined;
  try {
    runtime = runtimeOf(globalThis as RuntimeGlobals);
  } catch {
    runtime = "unknown runtime"; // a global that throws when read (a sandbox) never stops a client being made
  }
  return runtime === undefined ? undefined : `enable3-client/${PACKAGE_VERSION} (${runtime})`;
}

function runtimeOf(g: RuntimeGlobals): string | undefined {
  if (g.Bun) return `bun ${g.Bun.version}; ${g.process?.platform ?? "unknown"}`;
  if (g.Deno?.version?.deno) return `deno ${g.Deno.version.deno}; ${g.Deno.build?.os ?? "unknown"}`;
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  const node = g.process?.versions?.node;
  if (node) return `node ${node}; ${g.process?.platform ?? "unknown"}`;
  // a page (or a web worker's own fetch): the browser writes its User-Agent itself
  if (g.document !== undefined || g.navigator !== undefined) return undefined;
  return "unknown runtime";
}
