// Node 20/22/24, Bun and Deno load the SDK as any project that installed it would (this folder's
// package.json links it), each through its own export condition. Prints the results as JSON.
import * as core from "enable3-client";
import * as callback from "enable3-client/callback";
import * as widget from "enable3-client/widget";
import { runChecks } from "./checks.mjs";

const config = JSON.parse(globalThis.Deno ? globalThis.Deno.args[0] : process.argv[2]);
const results = await runChecks({ core, callback, widget }, config);
console.log(JSON.stringify(results));
