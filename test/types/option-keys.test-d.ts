// Type tests of optionKeys (src/internal/option-keys.ts), checked by `npm run typecheck` (tsc over
// test/): a list of an options type's keys compiles only when it names every key of the type, and no other.
import { expectTypeOf } from "vitest";
import { optionKeys } from "../../src/internal/option-keys.js";

interface Options {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onDone(): void;
}

const keys = optionKeys<Options>()(["timeoutMs", "signal", "onDone"]);
expectTypeOf(keys).toEqualTypeOf<readonly ["timeoutMs", "signal", "onDone"]>();

// @ts-expect-error a key of the type left out of the list ("onDone")
optionKeys<Options>()(["timeoutMs", "signal"]);
// @ts-expect-error a key the type does not have
optionKeys<Options>()(["timeoutMs", "signal", "onDone", "timeout"]);
