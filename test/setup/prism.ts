// Starts one Prism mock for the whole run on a free 127.0.0.1 port; contract tests `inject` its URL.
import type { TestProject } from "vitest/node";
import { startMockServer } from "../../src/node/mock-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const mock = await startMockServer();
  project.provide("prismUrl", mock.url);
  return () => mock.stop();
}
