// Entry point Jupyter runs: node --disable-warning=ExperimentalWarning dist/src/notebook/kernel-main.js --config-path F
import { startKernel } from "./kernel.js";

function configPathFrom(argv: string[]): string {
  const at = argv.indexOf("--config-path");
  const path = at >= 0 ? argv[at + 1] : argv.find((arg) => arg.startsWith("--config-path="))?.slice("--config-path=".length);
  if (!path) throw new Error("wattlab kernel: missing --config-path <connection file> (Jupyter passes {connection_file})");
  return path;
}

startKernel({ configPath: configPathFrom(process.argv.slice(2)) }).catch((error: unknown) => {
  console.error("wattlab kernel failed to start:", error);
  process.exitCode = 1;
});
