// Type tests of the withdrawal receiver, checked by `npm run typecheck` (tsc over test/): node:http's
// own request and response fit receiver.node, `tx` has the store's type (pg's client for
// postgresStore<pg.PoolClient>), and the hooks' events are narrowed by outcome.
import type { IncomingMessage, ServerResponse } from "node:http";
import type pg from "pg";
import { expectTypeOf } from "vitest";
import {
  createWithdrawalReceiver,
  type DuplicateEvent,
  memoryStore,
  type NodeRequest,
  type NodeResponse,
  type ParsedWithdrawalCallback,
  postgresStore,
  type WithdrawalStore,
} from "../../src/callback.js";

declare const pool: pg.Pool;
declare const req: IncomingMessage;
declare const res: ServerResponse;

expectTypeOf(req).toMatchTypeOf<NodeRequest>();
expectTypeOf(res).toMatchTypeOf<NodeResponse>();

const inMemory = createWithdrawalReceiver({
  secrets: ["s"],
  store: memoryStore(),
  onWithdrawal(withdrawal, { tx, transactionId, signal }) {
    expectTypeOf(withdrawal).toEqualTypeOf<ParsedWithdrawalCallback>();
    expectTypeOf(tx).toEqualTypeOf<undefined>();
    expectTypeOf(transactionId).toEqualTypeOf<string>();
    expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
  },
  onDuplicate(event) {
    expectTypeOf(event).toEqualTypeOf<DuplicateEvent>();
    expectTypeOf(event.reason).toEqualTypeOf<"already-processed" | "in-flight">();
  },
});
expectTypeOf(inMemory.fetch).toEqualTypeOf<(request: Request) => Promise<Response>>();
void inMemory.node(req, res);

createWithdrawalReceiver({
  secrets: ["s"],
  store: postgresStore<pg.PoolClient>(pool),
  async onWithdrawal(_withdrawal, { tx }) {
    expectTypeOf(tx).toEqualTypeOf<pg.PoolClient>();
    await tx.query("SELECT 1");
  },
});

expectTypeOf(memoryStore()).toMatchTypeOf<WithdrawalStore<undefined>>();
// @ts-expect-error the secrets are an array, even for one
createWithdrawalReceiver({ secrets: "s", store: memoryStore(), onWithdrawal() {} });
