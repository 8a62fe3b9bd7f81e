// HTTPS_PROXY / HTTP_PROXY / NO_PROXY for Hub requests (Python honours them; Node's fetch does not): a proxy
// double on 127.0.0.1 forwards absolute-URI requests and CONNECT tunnels (undici 6's ProxyAgent tunnels even
// plain-HTTP targets) and counts them: every request to the Hub and the CDN goes through it (undici's
// ProxyAgent), and NO_PROXY exempts hosts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, test } from "node:test";
import { resolveModelFolder } from "../../src/hub/index.ts";
import { proxyFor } from "../../src/hub/http.ts";
import { HubDouble } from "../support/hub-double.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
const weights = new Uint8Array(50_000).map((_, index) => index % 251);

/** A forward proxy: absolute-URI requests are sent on, CONNECT opens a tunnel; each is counted by host. */
function startProxy(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing) => {
    const target = new URL(incoming.url ?? "/");
    seen.push(`${incoming.method} ${target.host}${target.pathname}`);
    const forwarded = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.on("connect", (incoming: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${incoming.url}`);
    const [host, port] = (incoming.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => (upstream.destroy(), client.destroy());
    upstream.on("error", close);
    client.on("error", close);
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

let hub: HubDouble;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let saved: Record<string, string | undefined> = {};
let stderr = "";
const writeStderr = process.stderr.write.bind(process.stderr);
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 1024 });
  hub.addRepo("org/tiny").commit({ "config.json": '{"model_type": "bert"}', "model.safetensors": weights });
  proxy = await startProxy();
});
after(async () => {
  await hub.close();
  proxy.server.closeAllConnections();
  await new Promise((done) => proxy.server.close(done));
});
const env = useHubTestEnv(() => hub);
beforeEach(() => {
  saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARIABLES) delete process.env[name];
  proxy.seen.length = 0;
  stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = writeStderr;
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test("HTTP_PROXY and lowercase http_proxy: the Hub's and the CDN's requests go through the proxy", async () => {
  // the proxy under two names, so that the second variable gets its own agent (a tunnel is kept alive and reused)
  for (const [name, proxyUrl] of [["HTTP_PROXY", proxy.url], ["http_proxy", proxy.url.replace("127.0.0.1", "localhost")]]) {
    for (const other of PROXY_VARIABLES) delete process.env[other];
    process.env[name] = proxyUrl;
    proxy.seen.length = 0;
    process.env.HF_HUB_CACHE = join(env.home, name);
    const { folder } = await resolveModelFolder("org/tiny");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), Buffer.from(weights));
    const hubHost = new URL(hub.endpoint).host;
    const cdnHost = new URL(hub.cdnOrigin).host;
    // a tunnel carries several requests: each origin's connections went through the proxy, none directly
    assert.ok(proxy.seen.includes(`CONNECT ${hubHost}`) || proxy.seen.some((line) => line.startsWith(`GET ${hubHost}/api/`)), proxy.seen.join("\n"));
    assert.ok(proxy.seen.includes(`CONNECT ${cdnHost}`) || proxy.seen.some((line) => line.startsWith(`GET ${cdnHost}/cdn/`)), proxy.seen.join("\n"));
    assert.equal(stderr, "", "no note, no warning");
    hub.requests.length = 0;
  }
});

test("NO_PROXY exempts the Hub's hosts", async () => {
  process.env.HTTPS_PROXY = proxy.url;
  process.env.HTTP_PROXY = proxy.url;
  process.env.NO_PROXY = "127.0.0.1,localhost";
  await resolveModelFolder("org/tiny");
  assert.deepEqual(proxy.seen, []);
  assert.ok(hub.requests.length > 0);
});

test("proxyFor: the variable by scheme (upper or lower case), NO_PROXY's hosts, domains, ports and * exempt", () => {
  process.env.https_proxy = "http://proxy.corp:3128";
  process.env.HTTP_PROXY = "http://plain.corp:8080";
  assert.equal(proxyFor(new URL("https://huggingface.co/api/models")), "http://proxy.corp:3128");
  assert.equal(proxyFor(new URL("http://127.0.0.1:9/x")), "http://plain.corp:8080");
  process.env.NO_PROXY = "localhost, .internal.corp,hf-mirror.example:8443,10.0.0.5";
  assert.equal(proxyFor(new URL("http://localhost:5000/")), undefined);
  assert.equal(proxyFor(new URL("https://cdn.internal.corp/x")), undefined);
  assert.equal(proxyFor(new URL("https://internal.corp/x")), undefined);
  assert.equal(proxyFor(new URL("https://hf-mirror.example:8443/x")), undefined);
  assert.equal(proxyFor(new URL("https://hf-mirror.example/x")), "http://proxy.corp:3128", "another port is proxied");
  assert.equal(proxyFor(new URL("http://10.0.0.5/x")), undefined);
  assert.equal(proxyFor(new URL("https://notinternal.corp/x")), "http://proxy.corp:3128");
  process.env.no_proxy = "*";
  delete process.env.NO_PROXY;
  assert.equal(proxyFor(new URL("https://huggingface.co/")), undefined);
  delete process.env.https_proxy;
  delete process.env.no_proxy;
  assert.equal(proxyFor(new URL("https://huggingface.co/")), undefined, "an https URL does not take HTTP_PROXY");
});
