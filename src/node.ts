// enable3-client/node: Node-only helpers (they spawn processes), kept out of the core entry.

export type { MockServer, MockServerOptions } from "./node/mock-server.js";
export { BUNDLED_SPEC, PRISM_INSTALL_HINT, startMockServer } from "./node/mock-server.js";
