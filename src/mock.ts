// enable3-client/mock: the local mock API (Prism on the bundled spec), Node-only (it spawns a process),
// kept out of the core entry. `enable3-client/node` is the same file under its old name.

export type { MockServer, MockServerOptions } from "./mock/mock-server.js";
export { BUNDLED_SPEC, PRISM_INSTALL_HINT, startMockServer } from "./mock/mock-server.js";
