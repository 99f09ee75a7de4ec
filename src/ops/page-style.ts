// The operations page's one style sheet, sent inline under the page's nonce: system fonts only.
export const STYLE = `
:root{color-scheme:light;--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#f6f8fa;--good:#2b8a3e;--bad:#c92a2a;--warn:#b35c00}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:20px 24px 40px}
header{display:flex;align-items:baseline;justify-content:space-between;flex-wrap:wrap;gap:8px;border-bottom:1px solid var(--line);margin-bottom:12px}
h1{font-size:20px;margin:0 0 8px}h2{font-size:17px;margin:22px 0 10px}h3{font-size:14px;margin:18px 0 8px}
.meta{color:var(--muted);margin:0 0 8px}a{color:#0b5cad}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;background:#e7ecf0;color:var(--muted);font-size:12px}
.badge.writes{background:#fff0db;color:var(--warn)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .label{color:var(--muted);font-size:12px}.card .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.card.good .value{color:var(--good)}.card.bad .value{color:var(--bad)}.card.warn .value{color:var(--warn)}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;margin:12px 0 0;padding:10px 12px}
figcaption{color:var(--muted);font-size:12px;margin-bottom:4px}
.legend{display:inline-flex;align-items:center;gap:4px;margin-left:12px}
.chart{display:block;max-height:260px}.chart .axis{font-size:11px;fill:#59636e}
.alert{background:#fff5f5;border:1px solid #ffc9c9;color:var(--bad);border-radius:8px;padding:8px 12px}
.notice{background:#ebfbee;border:1px solid #b2f2bb;color:#1b5e20;border-radius:8px;padding:8px 12px}
.muted{color:var(--muted);font-weight:normal}
.scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f0f3f6;font-weight:600;font-size:12px;color:var(--muted)}
tr:last-child td{border-bottom:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}
td.reason{max-width:360px;word-break:break-word}td.time{white-space:nowrap;color:var(--muted)}
.reasons{background:#fff;border:1px solid var(--line);border-radius:8px}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
.actions{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:0 0 10px}
form.inline{display:inline;margin:0}
button{font:inherit;font-size:12px;padding:3px 10px;border-radius:6px;border:1px solid #afb8c1;background:#fff;cursor:pointer}
button:hover{background:#f3f4f6}button.danger{border-color:#ffa8a8;color:var(--bad)}
input[type=number]{width:64px;font:inherit;padding:2px 4px}
`;
