// `embedtune setup-gpu` runs onnxruntime-node's install script with the CUDA flag. Here stand-in scripts
// take its place (no download is ever attempted): the flag they get, their progress lines passed on,
// a failed download (to a closed port on 127.0.0.1, crashing as the real script does) reported in one
// line with its host, a half-written provider removed, an installed provider left alone, other
// platforms refused. The real script is checked to still read that flag and write where we look.

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { cudaProviderLibrary } from "../../src/engines/device.ts";
import { GpuSetupError, installCudaProvider, onnxruntimeInstallScript } from "../../src/cli/setup-gpu.ts";
import { temporaryDirectory } from "../support/temp.ts";

const PROVIDER = "libonnxruntime_providers_cuda.so";

/** A stand-in install script running `body`, and the provider library path it may write (`library`). */
function standIn(body: string): { script: string; library: string } {
  const folder = temporaryDirectory("embedtune-setup-gpu-");
  const script = join(folder, "install.js");
  const library = join(folder, PROVIDER);
  writeFileSync(script, `const fs = require("fs");\nconst library = ${JSON.stringify(library)};\n${body}\n`);
  return { script, library };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("runs the script with ONNXRUNTIME_NODE_INSTALL_CUDA=v12 (v11 when asked for; skip or true are not kept) and passes its lines on", async () => {
  const saved = process.env.ONNXRUNTIME_NODE_INSTALL_CUDA;
  try {
    for (const [given, passed] of [[undefined, "v12"], ["skip", "v12"], ["true", "v12"], ["v11", "v11"]] as const) {
      if (given === undefined) delete process.env.ONNXRUNTIME_NODE_INSTALL_CUDA;
      else process.env.ONNXRUNTIME_NODE_INSTALL_CUDA = given;
      const { script, library } = standIn(`
        console.log('Downloading "https://github.com/microsoft/onnxruntime/releases/download/v1.21.0/onnxruntime-linux-x64-gpu-1.21.0.tgz"...');
        fs.writeFileSync(library, process.env.ONNXRUNTIME_NODE_INSTALL_CUDA);
        process.stdout.write('Extracting "${PROVIDER}"...');`);
      const printed: string[] = [];
      assert.equal(await installCudaProvider({ installScript: script, providerLibrary: library, platform: "linux/x64", print: (line) => printed.push(line) }), true);
      assert.equal(readFileSync(library, "utf8"), passed, `ONNXRUNTIME_NODE_INSTALL_CUDA=${given}`);
      assert.deepEqual(printed, [
        'Downloading "https://github.com/microsoft/onnxruntime/releases/download/v1.21.0/onnxruntime-linux-x64-gpu-1.21.0.tgz"...',
        `Extracting "${PROVIDER}"...`,
      ]);
    }
  } finally {
    if (saved === undefined) delete process.env.ONNXRUNTIME_NODE_INSTALL_CUDA;
    else process.env.ONNXRUNTIME_NODE_INSTALL_CUDA = saved;
  }
});

test("a download that fails is one line naming the host, and a half-written provider is removed", async () => {
  const port = await closedPort();
  const url = `https://127.0.0.1:${port}/onnxruntime-linux-x64-gpu-1.21.0.tgz`;
  const { script, library } = standIn(`
    console.log('Downloading "${url}"...');
    fs.writeFileSync(library, "half");
    require("https").get(${JSON.stringify(url)}, () => {});`);
  await assert.rejects(installCudaProvider({ installScript: script, providerLibrary: library, platform: "linux/x64", print: () => {} }), (error) => {
    assert.ok(error instanceof GpuSetupError);
    assert.equal(error.message, `could not download the CUDA provider from 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    return true;
  });
  assert.equal(existsSync(library), false, "the half-written provider library is removed");
});

test("a script that fails before downloading, or ends without the library, is one line too", async () => {
  const thrown = standIn(`throw new Error("Invalid value for --onnxruntime-node-install-cuda: yes");`);
  await assert.rejects(
    installCudaProvider({ installScript: thrown.script, providerLibrary: thrown.library, platform: "linux/x64", print: () => {} }),
    (error) => error instanceof GpuSetupError && error.message === "onnxruntime-node's install script failed: Invalid value for --onnxruntime-node-install-cuda: yes",
  );
  const silent = standIn(`process.exit(0);`);
  await assert.rejects(
    installCudaProvider({ installScript: silent.script, providerLibrary: silent.library, platform: "linux/x64", print: () => {} }),
    (error) => error instanceof GpuSetupError && error.message === `onnxruntime-node's install script ended without writing ${silent.library}`,
  );
});

test("an installed provider is left alone unless forced; other platforms are refused", async () => {
  const { script, library } = standIn(`fs.writeFileSync(library, "fetched again");`);
  writeFileSync(library, "installed");
  assert.equal(await installCudaProvider({ installScript: script, providerLibrary: library, platform: "linux/x64" }), false);
  assert.equal(readFileSync(library, "utf8"), "installed");
  assert.equal(await installCudaProvider({ installScript: script, providerLibrary: library, platform: "linux/x64", force: true, print: () => {} }), true);
  assert.equal(readFileSync(library, "utf8"), "fetched again");
  await assert.rejects(
    installCudaProvider({ installScript: script, providerLibrary: library, platform: "darwin/arm64" }),
    (error) => error instanceof GpuSetupError && error.message === "onnxruntime-node's CUDA provider is published for Linux x64 only; this machine is darwin/arm64",
  );
});

test("onnxruntime-node's real script reads the flag and writes the provider where the engine looks for it", () => {
  const source = readFileSync(onnxruntimeInstallScript(), "utf8");
  assert.match(source, /process\.env\.ONNXRUNTIME_NODE_INSTALL_CUDA/);
  assert.match(source, /const BIN_FOLDER = path\.join\(__dirname, '\.\.', 'bin\/napi-v3\/linux\/x64'\)/);
  assert.match(source, /'libonnxruntime_providers_cuda\.so'/);
  if (process.platform === "linux" && process.arch === "x64") {
    assert.equal(cudaProviderLibrary(), join(onnxruntimeInstallScript(), "..", "..", "bin", "napi-v3", "linux", "x64", PROVIDER));
  }
});
