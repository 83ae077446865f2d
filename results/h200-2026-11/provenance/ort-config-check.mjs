// Do onnxruntime settings reach the WebGPU EP from Node? (../REPORT.md, "WebGPU EP settings")
// Opens a wattlab-built model on webgpu with good and bad values, (a) as session config entries (`extra`, what
// `--ort-config` passes) and (b) as keys of the execution-provider object, and prints whether the session opened.
// A bad value that still opens a session was never parsed.
//   node results/h200-2026-11/provenance/ort-config-check.mjs MODEL.onnx      (from the repo root, after npm ci)
import * as ort from "onnxruntime-node";
const model = process.argv[2];
const K = "ep.webgpuexecutionprovider.";
const asExtra = [{}, { [K + "validationMode"]: "bogus" }, { [K + "maxNumPendingDispatches"]: "abc" }, { [K + "enableGraphCapture"]: "bogus" }, { [K + "enableGraphCapture"]: "1" }];
const asProvider = [{ validationMode: "bogus" }, { validationMode: "disabled" }, { maxNumPendingDispatches: 4 }, { enableGraphCapture: true }, { enableGraphCapture: "1" }];
const open = async (label, options) => {
  try { await ort.InferenceSession.create(model, { logSeverityLevel: 2, ...options }); console.log(label, "-> session opened"); }
  catch (e) { console.log(label, "-> ERROR", String(e.message).split("\n")[0].slice(0, 300)); }
};
for (const extra of asExtra) await open(`extra ${JSON.stringify(extra)}`, { executionProviders: ["webgpu"], extra });
for (const ep of asProvider) await open(`provider ${JSON.stringify(ep)}`, { executionProviders: [{ name: "webgpu", ...ep }] });
