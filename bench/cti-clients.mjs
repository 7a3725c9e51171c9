// Worker for bench/cti.ts (plain JavaScript: Node 20 applies no TypeScript loader in workers).
// N WebSocket clients that stamp each message of one type (default AgentStateEvent) on arrival,
// after sending `subscribe` (a CTI command) when given.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, clients, msgType = 'AgentStateEvent', subscribe } = workerData;
const stamps = [];
let received = 0;
const sockets = [];
for (let i = 0; i < clients; i++) {
  const ws = new WebSocket(url);
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.msgType !== msgType) return;
    stamps.push(performance.timeOrigin + performance.now());
    if (++received % clients === 0) parentPort.postMessage({ type: 'round' });
  });
  sockets.push(ws);
  await new Promise((resolve, reject) => {
    ws.once('open', () => {
      if (subscribe) ws.send(JSON.stringify(subscribe));
      resolve();
    });
    ws.once('error', reject);
  });
}
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (m) => {
  if (m.type !== 'finish') return;
  for (const ws of sockets) ws.terminate();
  parentPort.postMessage({ type: 'stamps', stamps });
});
