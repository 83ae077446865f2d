// wattlab kernel install: register the "wattlab" TypeScript kernel (tslab from this checkout) with Jupyter.
import { installKernelSpec, writeKernelSpec } from "../../notebook/index.js";
import { get, UsageError, type CommandSpec } from "../args.js";

export const kernelCommand: CommandSpec = {
  name: "kernel",
  summary: "kernel install: register the wattlab Jupyter kernel (tslab)",
  usage: "wattlab kernel install [--prefix DIR | --system] | wattlab kernel project",
  options: [
    { name: "prefix", kind: "string", help: "install under DIR/share/jupyter/kernels (a virtualenv or conda env)" },
    { name: "system", kind: "boolean", help: "install for all users (/usr/local/share/jupyter/kernels)" },
  ],
  positionals: true,
  async run(parsed) {
    const [action] = parsed.positionals;
    if (action === "install") {
      const dir = await installKernelSpec({ prefix: get.string(parsed, "prefix"), user: !get.boolean(parsed, "system") });
      console.log(`installed kernel "wattlab" in ${dir}; pick "TypeScript (wattlab)" in Jupyter or VS Code`);
    } else if (action === "project") {
      console.log(`wrote ${writeKernelSpec(".jupyter/kernels/wattlab", { portable: true })}; use JUPYTER_PATH=$PWD/.jupyter`);
    } else {
      throw new UsageError(`wattlab kernel: say "install" (user-level kernelspec) or "project" (regenerate .jupyter/kernels/wattlab)`);
    }
  },
};
