// Builds test/meter/fake-nvml.c into a temp dir (a real shared library loaded through the real koffi path)
// and writes its control file. Tests skip with the printed reason where no C compiler exists.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../support/shared.js";

export interface FakeNvml {
  libraryPath: string;
  /** Rewrites the control file; takes effect at the next nvmlInit_v2 (the next Meter.open). */
  configure(settings: Record<string, string | number>): void;
}

let built: FakeNvml | string | null = null;

/** The compiled fake, or a skip reason. Sets FAKE_NVML_CONFIG for this process. */
export function fakeNvml(): FakeNvml | string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), "wattlab-fake-nvml-"));
  const libraryPath = join(dir, "libnvidia-ml-fake.so");
  try {
    execFileSync("cc", ["-shared", "-fPIC", "-O1", "-o", libraryPath, join(repoRoot, "test", "meter", "fake-nvml.c")], { stdio: "pipe" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    built = code === "ENOENT" ? "no C compiler (cc) on PATH: cannot build the fake NVML library" : `cc failed to build fake-nvml.c: ${(error as Error).message}`;
    return built;
  }
  const configPath = join(dir, "fake-nvml.conf");
  process.env.FAKE_NVML_CONFIG = configPath;
  const configure = (settings: Record<string, string | number>): void =>
    writeFileSync(configPath, Object.entries(settings).map(([key, value]) => `${key}=${value}\n`).join(""));
  configure({});
  built = { libraryPath, configure };
  return built;
}

/** node:test `skip` option value: false when the fake is available. */
export function skipWithoutFake(): false | string {
  const fake = fakeNvml();
  return typeof fake === "string" ? fake : false;
}

export function requireFake(): FakeNvml {
  const fake = fakeNvml();
  if (typeof fake === "string") throw new Error(fake);
  return fake;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Relative difference. */
export const relative = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);
