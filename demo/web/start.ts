// `npm run demo:web`: nats-server with WebSocket, the services, and the page
// on Vite's dev server; prints the URL to open.
import { createServer } from "vite";
import { startWebDemoBackend } from "./backend.js";

const backend = await startWebDemoBackend();
const vite = await createServer({
  configFile: new URL("./vite.config.ts", import.meta.url).pathname,
  server: { host: "127.0.0.1" },
});
await vite.listen();
const base = vite.resolvedUrls?.local[0] ?? "http://127.0.0.1:5173/";
console.log(`NATS ${backend.natsUrl}, WebSocket ${backend.web.ws}; services serving`);
console.log(`open ${base}${backend.query}`);
console.log("Ctrl-C stops everything");
process.once("SIGINT", async () => {
  await vite.close();
  await backend.stop();
  process.exit(0);
});
