// examples/widget-page run as documented, against the Prism mock: the widget is only ever the signed-in
// user's; the browser cannot name another user, and a forged session is refused before any API call.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createEnable3Client } from "../../src/index.js";
import { TEST_KEY } from "../helpers/client.js";
import { type Started, startScript } from "../helpers/process.js";

let page: Started;
beforeAll(async () => {
  page = await startScript("examples/widget-page/server.mjs", { ENABLE3_BASE_URL: inject("prismUrl"), ENABLE3_API_KEY: TEST_KEY });
});

const signIn = (user: string, password: string) =>
  fetch(`${page.url}/login`, { method: "POST", body: new URLSearchParams({ user, password }), redirect: "manual" });

describe("widget-page example", () => {
  it("without a session, sends the browser to sign in: ?user= names no one", async () => {
    for (const path of ["/", "/?user=player-42", "/?user=someone-else"]) {
      const response = await fetch(`${page.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(303);
      expect(response.headers.get("location")).toBe("/login");
    }
  });

  it("a wrong password gets no session", async () => {
    const response = await signIn("player-42", "guess");
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toContain("Wrong user or password.");
  });

  it("signed in, serves the page embedding the URL the API returned for that user, without the key", async () => {
    const cookie = (await signIn("player-42", "let-me-in")).headers.get("set-cookie")!.split(";")[0]!;
    const { url } = await createEnable3Client({ apiKey: TEST_KEY, baseUrl: inject("prismUrl") }).getWidgetUrl("player-42");
    const response = await fetch(`${page.url}/?user=someone-else`, { headers: { cookie } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain(`<iframe src="${url}"`);
    expect(html).not.toContain(TEST_KEY);
  });

  it("a session cookie changed to another user is refused", async () => {
    const cookie = (await signIn("player-42", "let-me-in")).headers.get("set-cookie")!.split(";")[0]!;
    const forged = cookie.replace("session=player-42.", "session=player-43.");
    const response = await fetch(page.url, { headers: { cookie: forged }, redirect: "manual" });
    expect(response.status).toBe(303);
  });
});
