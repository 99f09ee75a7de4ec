// Plain carriers for the SDK's own calls. openapi-fetch builds a Request for every call and reads a
// Response back; the WHATWG classes wrap every body in a ReadableStream, which Node makes costly to
// create, only for the transport to read it straight back (about a third of a call's time, measured
// in bench/). The methods' calls use these instead; calls made through `raw` keep the real classes.

export class PlainRequest implements Outgoing {
  readonly plain = true;
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | undefined;
  /** The SDK's own calls never follow a redirect: fetch would carry X-API-KEY to wherever it points. */
  readonly redirect = "error";

  constructor(input: string | URL, init: RequestInit = {}) {
    this.url = String(input);
    this.method = init.method ?? "GET";
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body ?? undefined;
  }
}

/** All the SDK and openapi-fetch read of response headers: a WHATWG Headers, or a lighter lookup. */
export type HeaderLookup = Pick<Headers, "get">;

/** A response whose body was read in full during the attempt, served back from memory. */
export class PlainResponse {
  readonly ok: boolean;
  constructor(
    readonly status: number,
    readonly headers: HeaderLookup,
    private readonly body: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }
  /** The SDK's calls read every body as text (`parseAs: "text"`) and parse it themselves. */
  async text(): Promise<string> {
    return this.body;
  }
}

/** What the transport sends on every attempt. */
export interface Outgoing {
  /** Answer with a PlainResponse (the SDK's own calls) rather than a Response (`raw` calls). */
  plain: boolean;
  url: string;
  method: string;
  headers: Headers;
  body: BodyInit | ArrayBuffer | undefined;
  /** "error" means the SDK's "never follow" (see fetch-attempt.ts). */
  redirect: RequestRedirect | undefined;
  /** A raw call's own signal; the methods pass theirs in the call's settings. */
  signal?: AbortSignal;
}
