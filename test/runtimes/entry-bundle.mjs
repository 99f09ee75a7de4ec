// What a bundler makes of the SDK for a Cloudflare Worker or a web page: run.mjs bundles this file
// (with checks.mjs) for each, and the worker or the page calls runAll.
import * as core from "enable3-client";
import * as callback from "enable3-client/callback";
import * as widget from "enable3-client/widget";
import { runChecks } from "./checks.mjs";

export const runAll = (config) => runChecks({ core, callback, widget }, config);
