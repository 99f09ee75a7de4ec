// The attributes of a call's spans and measurements (operation, method, route template, server), built
// once per operation and method for the server a client calls: never per call.
import { templateOf } from "./operation-templates.js";
import { type Attributes, SPAN_KIND_INTERNAL } from "./otel-api.js";

/** The attributes a call shares with its attempts and its measurements, and its spans' names. */
export interface CallAttributes {
  spanName: string;
  spanOptions: { kind: number; attributes: Attributes };
  attemptSpanName: string;
  common: Attributes;
  metric: Attributes;
  /** each measurement's attributes by the status or the failure it records: built once, as the meter only reads them */
  measured: Map<number | string, Attributes>;
}

/**
 * The attributes of each operation and method, built once per server: a client calls one base URL
 * with a few dozen operations, and building them per call was most of the signal's cost when no
 * provider is registered. Another server starts the set anew.
 */
export function callAttributeCache(): (operation: string, method: string, url: string) => CallAttributes {
  let origin = "";
  // by operation, then method: constant strings, so no key is built per call
  let byCall = new Map<string, Map<string, CallAttributes>>();
  return (operation, method, url) => {
    if (!(url.startsWith(origin) && "/?#".includes(url.charAt(origin.length)))) {
      origin = originOf(url);
      byCall = new Map();
    }
    let byMethod = byCall.get(operation);
    if (byMethod === undefined) {
      byMethod = new Map();
      byCall.set(operation, byMethod);
    }
    let found = byMethod.get(method);
    if (found === undefined) {
      const server = serverOf(origin);
      const urlTemplate = templateOf(operation);
      const common: Attributes = { "http.request.method": method, "server.address": server.address, "server.port": server.port };
      if (urlTemplate !== undefined) common["url.template"] = urlTemplate;
      found = {
        spanName: `enable3.${operation}`,
        spanOptions: { kind: SPAN_KIND_INTERNAL, attributes: { "enable3.operation": operation } },
        attemptSpanName: urlTemplate === undefined ? method : `${method} ${urlTemplate}`,
        common,
        metric: { ...common, "enable3.operation": operation },
        measured: new Map(),
      };
      byMethod.set(method, found);
    }
    return found;
  };
}

/** The scheme and authority of a URL, without parsing it. */
function originOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.slice(start).search(/[/?#]/);
  return end === -1 ? url : url.slice(0, start + end);
}

/** `server.address` and `server.port` of an origin (the port its scheme implies when none is written). */
function serverOf(origin: string): { address: string; port: number } {
  const parsed = new URL(origin);
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  return { address: parsed.hostname.replace(/^\[|\]$/g, ""), port };
}
