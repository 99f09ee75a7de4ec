// One Prism mock on a free 127.0.0.1 port for every project that lists this setup; tests `inject`
// its URL. It stops when the last of those projects is done.
import type { TestProject } from "vitest/node";
import { type MockServer, startMockServer } from "../../src/mock/mock-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

const SHARED = Symbol.for("enable3-client.test.prism");
interface Shared {
  mock: Promise<MockServer>;
  users: number;
}

export default async function setup(project: TestProject) {
  const state = globalThis as { [SHARED]?: Shared };
  state[SHARED] ??= { mock: startMockServer(), users: 0 };
  const shared = state[SHARED];
  shared.users++;
  project.provide("prismUrl", (await shared.mock).url);
  return async () => {
    if (--shared.users > 0) return;
    delete state[SHARED];
    await (await shared.mock).stop();
  };
}
