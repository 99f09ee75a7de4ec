// What `raw` calls go through instead of the plain carriers: a real Request in, a real Response out.
// Loaded on the first raw call, so the methods' bundle does not carry it.

/** What the transport sends for a real Request: its body read once, so every attempt can resend it. */
export async function outgoingOf(input: RequestInfo | URL, init?: RequestInit) {
  const request = input instanceof Request ? input : new Request(input, init);
  const body = request.body ? await request.arrayBuffer() : undefined;
  return {
    plain: false,
    url: request.url,
    method: request.method,
    headers: request.headers,
    body,
    redirect: request.redirect,
    signal: request.signal,
  };
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A Response holding a body already read (none for statuses that cannot have one). */
export function bufferedResponse(status: number, statusText: string, headers: Headers, body: Uint8Array<ArrayBuffer>): Response {
  const keepBody = body.byteLength > 0 && !NULL_BODY_STATUSES.has(status);
  return new Response(keepBody ? body : null, { status, statusText, headers });
}
