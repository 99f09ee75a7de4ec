// The order the run starts files in. Vitest starts a project's files after the previous project's (by
// name: loopback first, package and postgres last), so on a 2-core CI machine the longest files began
// when most of the run was over and ran on alone at its end. The projects whose files run longest start
// first, and the package scripts and tarball files, the longest of all, first of them; within a project
// vitest's own order stays (a previous run's durations, else the larger file first).
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Projects, longest files first: the rest of the run's many short files fill in around them. */
const PROJECTS = ["package", "postgres", "mock", "loopback-node", "loopback", "pure"];
/** Files that each take minutes of a worker: started before anything else. */
const LONGEST = [
  "test/package/scripts.package.test.ts",
  "test/package/scripts-compiler.package.test.ts",
  "test/package/tarball.package.test.ts",
];

const rank = (spec: TestSpecification): number => {
  const longest = LONGEST.findIndex((file) => spec.moduleId.endsWith(file));
  if (longest >= 0) return longest - LONGEST.length;
  const project = PROJECTS.indexOf(spec.project.name);
  return project >= 0 ? project : PROJECTS.length;
};

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Array.prototype.sort is stable: vitest's order holds within a rank
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
