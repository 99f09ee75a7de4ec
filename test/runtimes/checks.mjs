// The behavioural checks every runtime runs (Node 20/22/24, Bun, Deno, workerd, Chromium): plain ESM
// with no runtime-specific API, given the SDK's three entries and the addresses of the loopback servers.
// Each check returns nothing or throws; runChecks reports every check by name, passed or with its reason.

const KEY = "runtime-key-4c2d9e";
const VECTOR = {
  body: "your_request_body",
  secret: "your_secret_key",
  signature: "Sji3ztm3P5bsWGgiR8jZ2fJmJ7BDmDJ/HI6AXXcyy2m7mozCeF+ceKN3c7Ha0E/0NI2ALy2Sq/jXsn4JJZbtow==",
};

export const CHECK_NAMES = [
  "8 operations on the mock",
  "wire: method, encoded path, key, body",
  "503→503→201 keeps the event id",
  "Retry-After: 1 honoured",
  "a hang hits timeoutMs",
  "a caller abort ends the call at once",
  "a redirect is refused, not retried",
  "typed errors (instanceof)",
  "the key never in message or JSON",
  "callback: vector and tamper",
  "widget: single flight and escaping",
  "environment defaults, never a throw",
  ...receiverCheckNames(),
];

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function rejectionOf(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/**
 * @param {{ core: any, callback: any, widget: any }} sdk the entries as this runtime loads them
 * @param {{ prismUrl: string, faultUrl: string, environment: "set" | "none" | "refused" }} config
 */
export async function runChecks(sdk, config) {
  const { core, callback, widget } = sdk;
  const { prismUrl, faultUrl } = config;
  const client = (baseUrl, options = {}) => core.createEnable3Client({ apiKey: KEY, baseUrl, maxRetries: 0, ...options });
  const seen = async () => await (await fetch(`${faultUrl}/_seen`)).json();
  const reset = () => fetch(`${faultUrl}/_reset`, { method: "POST" }).then((r) => r.text());

  const checks = {
    async "8 operations on the mock"() {
      const enable3 = client(prismUrl);
      const { id } = await enable3.sendEvent({ userId: "u1", eventId: "deposit", value: 5, eventTags: ["slots"], createdAt: new Date() });
      assert(typeof id === "string", "sendEvent returned no id");
      assert((await enable3.getWidgetUrl("u1", { referralCode: "R" })).url.startsWith("https://"), "getWidgetUrl");
      assert(typeof (await enable3.getUserToken("u1")).token === "string", "getUserToken");
      assert(typeof (await enable3.sendRevenue({ revenue: 1.5 })).requestId === "string", "sendRevenue");
      await enable3.assignSegments([{ userId: "u1", segmentIds: ["vip"] }]);
      await enable3.removeSegments([{ userId: "u1", segmentIds: ["vip"] }]);
      assert(typeof (await enable3.getUserBalance("u1")).balance === "string", "getUserBalance");
      assert((await enable3.addWebsites(["https://casino.example"])).registeredByEarlierAttempt === false, "addWebsites");
    },
    async "wire: method, encoded path, key, body"() {
      await reset();
      const enable3 = client(faultUrl);
      await enable3.getUserBalance("echo a/ü");
      await enable3.sendEvent({ id: "wire-1", userId: "echo", eventId: "deposit", value: 7, createdAt: "2024-02-22 10:00:00" });
      const [get, post] = await seen();
      assert(get.method === "GET" && get.url === "/api/v1/integration/user/echo%20a%2F%C3%BC/balance", `GET ${get.method} ${get.url}`);
      assert(get.key === KEY && post.key === KEY, "X-API-KEY not sent");
      assert(post.method === "POST" && post.url === "/api/v1/event", `POST ${post.url}`);
      const body = JSON.parse(post.body);
      assert(body.id === "wire-1" && body.value === 7 && body.createdAt === "2024-02-22 10:00:00", post.body);
    },
    async "503→503→201 keeps the event id"() {
      await reset();
      const { id } = await client(faultUrl, { maxRetries: 3, initialDelayMs: 10, maxDelayMs: 20 }).sendEvent({
        userId: "flaky",
        eventId: "deposit",
        value: 1,
      });
      const ids = (await seen()).map((r) => JSON.parse(r.body).id);
      assert(ids.length === 3 && ids.every((x) => x === id), `ids sent: ${ids.join(", ")}`);
    },
    async "Retry-After: 1 honoured"() {
      await reset();
      const started = performance.now();
      await client(faultUrl, { maxRetries: 1, initialDelayMs: 1 }).getUserBalance("retry-after");
      const waited = performance.now() - started;
      assert(waited >= 900 && waited < 5000, `retried after ${Math.round(waited)} ms`);
    },
    async "a hang hits timeoutMs"() {
      const started = performance.now();
      const error = await rejectionOf(client(faultUrl, { timeoutMs: 300 }).getUserBalance("hang"));
      assert(error instanceof core.Enable3TimeoutError, `got ${error?.name}: ${error?.message}`);
      assert(performance.now() - started < 3000, "took too long");
    },
    async "a caller abort ends the call at once"() {
      const controller = new AbortController();
      const started = performance.now();
      const call = client(faultUrl, { timeoutMs: 10_000 }).getUserBalance("hang", { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      const error = await rejectionOf(call);
      assert(error instanceof core.Enable3AbortError, `got ${error?.name}`);
      assert(performance.now() - started < 2000, "the abort did not end the call at once");
    },
    async "a redirect is refused, not retried"() {
      await reset();
      const error = await rejectionOf(client(faultUrl, { maxRetries: 3, initialDelayMs: 1 }).getUserBalance("redirect"));
      assert(error instanceof core.Enable3RedirectError, `got ${error?.name}: ${error?.message}`);
      assert(!(error instanceof core.Enable3ConnectionError), "taken for a connection error");
      assert((await seen()).length === 1, "retried");
    },
    async "typed errors (instanceof)"() {
      const validation = await rejectionOf(client(faultUrl).sendEvent({ userId: "u", eventId: "e", value: "1" }));
      assert(
        validation instanceof core.Enable3ValidationError && validation instanceof core.Enable3Error && validation instanceof Error,
        "validation",
      );
      const notFound = await rejectionOf(client(prismUrl).getUserBalance("u1", { headers: { Prefer: "code=404" } }));
      assert(
        notFound instanceof core.Enable3NotFoundError && notFound instanceof core.Enable3ApiError && notFound.status === 404,
        `got ${notFound?.name}`,
      );
      const invalid = await rejectionOf((async () => callback.parseWithdrawalCallback("{}", "x", "secret"))());
      assert(
        invalid instanceof callback.Enable3CallbackError && invalid instanceof core.Enable3Error,
        "callback errors share the base class",
      );
    },
    async "the key never in message or JSON"() {
      const error = await rejectionOf(client(faultUrl).getUserBalance("leak"));
      assert(error instanceof core.Enable3ServerError, `got ${error?.name}`);
      const text = `${error.message} ${String(error)} ${JSON.stringify(error)} ${error.requestId}`;
      assert(!text.includes(KEY), "the key leaked");
      assert(text.includes("[redacted]"), "nothing was redacted: the server did not echo the key?");
    },
    async "callback: vector and tamper"() {
      assert(callback.signCallback(VECTOR.body, VECTOR.secret) === VECTOR.signature, "the published vector");
      assert(callback.verifyCallbackSignature(VECTOR.body, VECTOR.signature, VECTOR.secret) === true, "verify");
      assert(callback.verifyCallbackSignature(`${VECTOR.body} `, VECTOR.signature, VECTOR.secret) === false, "a tampered body verified");
      const payload = JSON.stringify({
        userId: "u",
        amount: 1,
        tokenAmount: 100,
        tokenRate: 0.01,
        transactionId: "t",
        createdAt: "2024-02-22 10:00:00",
      });
      const parsed = callback.parseWithdrawalCallback(payload, callback.signCallback(payload, "s"), "s");
      assert(parsed.createdAtDate.toISOString() === "2024-02-22T10:00:00.000Z", "parsed date");
    },
    async "widget: single flight and escaping"() {
      await reset();
      const cache = widget.createWidgetCache(client(faultUrl));
      const [a, b] = await Promise.all([cache.getWidgetUrl("echo-widget"), cache.getWidgetUrl("echo-widget")]);
      assert(a.url === b.url && (await seen()).length === 1, "two API calls for one key");
      const html = widget.widgetIframeHtml('https://w.example/?a="><script>x</script>');
      assert(!html.includes("<script>") && html.includes("&quot;&gt;&lt;script&gt;"), html);
    },
    async "environment defaults, never a throw"() {
      if (config.environment === "set") {
        const enable3 = core.createEnable3Client({ maxRetries: 0 }); // key and base URL from ENABLE3_API_KEY / ENABLE3_BASE_URL
        assert(typeof (await enable3.getUserBalance("u1")).balance === "string", "the environment was not read");
        return;
      }
      let error;
      try {
        core.createEnable3Client();
      } catch (e) {
        error = e;
      }
      assert(
        error instanceof core.Enable3ValidationError && /ENABLE3_API_KEY/.test(error.message),
        `expected the missing-key error, got ${error}`,
      );
      client(prismUrl); // an explicit key still works
    },
  };

  Object.assign(checks, receiverChecks(callback));

  const results = [];
  for (const name of CHECK_NAMES) {
    try {
      await checks[name]();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, reason: `${error?.name ?? "Error"}: ${error?.message ?? error}`.slice(0, 300) });
    }
  }
  return results;
}

// ── The withdrawal receiver's fetch adapter (enable3-client/callback) ──────────────────────────────
// Real Request and Response objects of the runtime, memoryStore, no server: what a Bun.serve, Deno.serve
// or Worker handler does with each delivery.

function receiverCheckNames() {
  return ["receiver: pays once, a duplicate 200", "receiver: 401, 400, 405, 413", "receiver: 20 concurrent deliveries, one payout"];
}

function receiverChecks(callback) {
  const secret = "runtime-receiver-secret";
  const body = (id) =>
    `{"userId":"u","amount":1234567.123456789123,"tokenAmount":123456789012345678,"tokenRate":0.01,"transactionId":"${id}","createdAt":"${callback.formatCallbackDate(new Date())}"}`;
  const delivery = (raw, signature = callback.signCallback(raw, secret), method = "POST") =>
    new Request("http://operator.example/enable3/callback", {
      method,
      headers: { "content-type": "application/json", "x-request-signature": signature },
      body: method === "POST" ? raw : undefined,
    });
  const setup = (onWithdrawal = () => {}) => {
    const paid = [];
    const receiver = callback.createWithdrawalReceiver({
      secrets: [secret],
      store: callback.memoryStore(),
      logger: null,
      maxBodyBytes: 4096,
      async onWithdrawal(withdrawal) {
        // money keeps its digits in every runtime: the exact text of the signed body (lossless-json)
        assert(withdrawal.amount === "1234567.123456789123", `amount ${withdrawal.amount}`);
        assert(withdrawal.tokenAmount === "123456789012345678", `tokenAmount ${withdrawal.tokenAmount}`);
        paid.push(withdrawal.transactionId);
        await onWithdrawal();
      },
    });
    return { receiver, paid };
  };
  const answer = async (response) => ({ status: response.status, body: await response.json() });
  return {
    async "receiver: pays once, a duplicate 200"() {
      const { receiver, paid } = setup();
      const first = await answer(await receiver.fetch(delivery(body("rt-1"))));
      const again = await answer(await receiver.fetch(delivery(body("rt-1"))));
      assert(first.status === 200 && first.body.duplicate === false, `first: ${JSON.stringify(first)}`);
      assert(again.status === 200 && again.body.duplicate === true, `duplicate: ${JSON.stringify(again)}`);
      assert(paid.length === 1, `paid ${paid.length} times`);
    },
    async "receiver: 401, 400, 405, 413"() {
      const { receiver, paid } = setup();
      const statuses = [
        (await receiver.fetch(delivery(body("rt-2"), callback.signCallback(body("rt-2"), "wrong")))).status,
        (await receiver.fetch(delivery('{"transactionId":" "}'))).status,
        (await receiver.fetch(delivery("", undefined, "GET"))).status,
        (await receiver.fetch(delivery("x".repeat(5000)))).status,
      ];
      assert(statuses.join() === "401,400,405,413", `statuses ${statuses.join()}`);
      assert(paid.length === 0, "a refused delivery was paid");
    },
    async "receiver: 20 concurrent deliveries, one payout"() {
      let open;
      const gate = new Promise((resolve) => {
        open = resolve;
      });
      const { receiver, paid } = setup(() => gate);
      const answers = Array.from({ length: 20 }, () => receiver.fetch(delivery(body("rt-burst"))));
      await new Promise((resolve) => setTimeout(resolve, 20));
      open();
      const statuses = (await Promise.all(answers)).map((r) => r.status);
      assert(
        statuses.every((s) => s === 200),
        `statuses ${statuses.join()}`,
      );
      assert(paid.length === 1, `paid ${paid.length} times`);
    },
  };
}
