// Builds unsigned-looking JWTs for tests: the SDK only reads their payload.
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function fakeJwt(payload: object): string {
  return `${b64url({ alg: "HS512", typ: "JWT" })}.${b64url(payload)}.c2lnbmF0dXJl`;
}
