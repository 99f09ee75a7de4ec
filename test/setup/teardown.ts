// In every test file: whatever a helper started and the file did not stop is stopped when the file ends.
import { afterAll } from "vitest";
import { stopEverything } from "../helpers/teardown.js";

afterAll(stopEverything);
