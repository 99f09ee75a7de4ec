// enable3-client/node: Node-only helpers (they spawn processes), kept out of the core entry.
export { startMockServer, BUNDLED_SPEC, PRISM_INSTALL_HINT } from "./node/mock-server.js";
export type { MockServer, MockServerOptions } from "./node/mock-server.js";
