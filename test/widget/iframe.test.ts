// The iframe helper: every attribute escaped, only http(s) URLs, sensible defaults.
import { describe, expect, it } from "vitest";
import { Enable3ValidationError } from "../../src/index.js";
import { escapeHtml, widgetIframeHtml } from "../../src/widget.js";

describe("widgetIframeHtml", () => {
  it("renders the defaults", () => {
    expect(widgetIframeHtml("https://widget.enable3.io/?token=a.b.c&x=1")).toBe(
      '<iframe src="https://widget.enable3.io/?token=a.b.c&amp;x=1" title="Enable3 rewards" width="100%" height="600" ' +
        'allow="clipboard-write" referrerpolicy="strict-origin-when-cross-origin" loading="lazy" style="border:0"></iframe>',
    );
  });

  it("makes a hostile URL inert", () => {
    const html = widgetIframeHtml('https://x/"><script>alert(1)</script>');
    expect(html).not.toContain("<script>");
    expect(html.startsWith('<iframe src="https://x/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" title=')).toBe(true);
    expect(html.match(/<iframe /g)).toHaveLength(1);
  });

  it("escapes every overridable attribute", () => {
    const html = widgetIframeHtml("https://w.example/", {
      title: `Rewards "VIP" <b>`,
      className: "a' onload='x",
      id: "w`1",
      width: 320,
      height: "480",
      allow: "fullscreen",
      referrerPolicy: "no-referrer",
      loading: "eager",
    });
    expect(html).toContain('title="Rewards &quot;VIP&quot; &lt;b&gt;"');
    expect(html).toContain('class="a&#39; onload=&#39;x"');
    expect(html).toContain('id="w&#96;1"');
    expect(html).toContain('width="320" height="480"');
    expect(html).toContain('allow="fullscreen" referrerpolicy="no-referrer" loading="eager"');
  });

  it("refuses URLs that are not http(s)", () => {
    for (const url of ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example", ""]) {
      expect(() => widgetIframeHtml(url)).toThrow(Enable3ValidationError);
    }
    expect(() => widgetIframeHtml("https://w.example/", { loading: "soon" as never })).toThrow(Enable3ValidationError);
  });

  it("escapeHtml covers the characters that end or open markup", () => {
    expect(escapeHtml(`&<>"'\``)).toBe("&amp;&lt;&gt;&quot;&#39;&#96;");
  });
});
