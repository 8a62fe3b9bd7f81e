// `embedtune setup-gpu`: installs onnxruntime-node's CUDA provider by running onnxruntime-node's own
// install script (script/install.js) with its CUDA flag, ONNXRUNTIME_NODE_INSTALL_CUDA — the script
// that package.json's allowScripts keeps from running at `npm ci`, so that CPU installs never download.
// The script fetches onnxruntime's Linux x64 GPU release from GitHub and extracts the provider
// libraries into onnxruntime-node's bin folder. Its progress lines pass through; a failure is one line
// (`could not download the CUDA provider from <host>: …`), and a provider library it left half-written
// is removed. On success the provider is tried at once and the outcome printed, with how to check later.

import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cudaProviderLibrary, DeviceUnavailableError } from "../engines/device.ts";
import { EmbedtuneError } from "../errors.ts";
import type { Command } from "./main.ts";

/** The CUDA provider could not be installed. */
export class GpuSetupError extends EmbedtuneError {}

export interface SetupGpuOptions {
  /** Fetch the provider even when it is installed. */
  force?: boolean;
  /** onnxruntime-node's install script (default: the installed package's script/install.js). */
  installScript?: string;
  /** The provider library the script installs (default: cudaProviderLibrary()). */
  providerLibrary?: string;
  /** "<platform>/<arch>" (default: this machine's). */
  platform?: string;
  /** Where the script's progress lines go (default: stdout). */
  print?: (line: string) => void;
}

/** onnxruntime-node's install script. */
export function onnxruntimeInstallScript(): string {
  return join(dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json")), "script", "install.js");
}

/**
 * Runs onnxruntime-node's install script with ONNXRUNTIME_NODE_INSTALL_CUDA=v12 (v11 when the
 * environment asks for it): the CUDA 12 build, the only one the script downloads. Its own detection
 * (the flag "true") asks `nvcc` and, where nvcc reports CUDA 13, downloads "undefined". Returns whether
 * it ran (false: the provider was installed already); throws GpuSetupError in one line.
 */
export async function installCudaProvider(options: SetupGpuOptions = {}): Promise<boolean> {
  const platform = options.platform ?? `${process.platform}/${process.arch}`;
  if (platform !== "linux/x64") {
    throw new GpuSetupError(`onnxruntime-node's CUDA provider is published for Linux x64 only; this machine is ${platform}`);
  }
  const library = options.providerLibrary ?? cudaProviderLibrary();
  const installedBefore = existsSync(library);
  if (installedBefore && !options.force) return false;
  const script = options.installScript ?? onnxruntimeInstallScript();
  if (!existsSync(script)) throw new GpuSetupError(`${script} is missing: reinstall onnxruntime-node (npm ci)`);
  const requested = process.env.ONNXRUNTIME_NODE_INSTALL_CUDA;
  const flag = requested === "v11" ? requested : "v12";
  const { status, stdout, stderr } = await runScript(script, flag, options.print ?? ((line) => console.log(line)));
  if (status === 0 && existsSync(library)) return true;
  if (!installedBefore) rmSync(library, { force: true });
  throw new GpuSetupError(failureLine(status, stdout, stderr, library));
}

function runScript(script: string, flag: string, print: (line: string) => void): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: dirname(dirname(script)),
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL_CUDA: flag },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const lines = (pending + chunk).split("\n");
      pending = lines.pop()!;
      lines.forEach((line) => print(line));
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (pending !== "") print(pending);
      resolve({ status, stdout, stderr });
    });
  });
}

/** One line from what the script printed: the download's host and the error Node reported, without its stack. */
function failureLine(status: number | null, stdout: string, stderr: string, library: string): string {
  const url = /Downloading "([^"]+)"/.exec(stdout)?.[1];
  const error = /^\w*Error: (.+)$/m.exec(stderr)?.[1]?.trim() ?? stderr.split("\n").find((line) => line.trim() !== "")?.trim();
  if (status === 0) return `onnxruntime-node's install script ended without writing ${library}${error ? `: ${error}` : ""}`;
  const what = error ?? `exit code ${status}`;
  const host = url !== undefined && URL.canParse(url) ? new URL(url).host : undefined;
  return host === undefined ? `onnxruntime-node's install script failed: ${what}` : `could not download the CUDA provider from ${host}: ${what}`;
}

export const setupGpuCommand: Command = {
  summary: "install onnxruntime-node's CUDA provider (downloads onnxruntime's Linux x64 GPU release from GitHub) so that training and encoding run on an NVIDIA GPU",
  usage: "embedtune setup-gpu [--force]",
  options: { force: { type: "boolean" } },
  async run(values) {
    const ran = await installCudaProvider({ force: values.force === true });
    const library = cudaProviderLibrary();
    console.log(ran ? `installed ${library}` : `already installed: ${library} (--force fetches it again)`);
    const { probeDevice } = await import("../engines/onnxruntime/session.ts");
    try {
      await probeDevice("cuda");
      console.log("CUDA runs: models compute on GPU 0 by default (device \"cuda:N\" or --device cuda:N picks another). `npx embedtune info` shows it any time.");
    } catch (error) {
      if (!(error instanceof DeviceUnavailableError)) throw error;
      console.log(`CUDA cannot run yet: ${error.reason}. It needs an NVIDIA driver, the CUDA 12 runtime and cuDNN 9; \`npx embedtune info\` checks again.`);
    }
  },
};
