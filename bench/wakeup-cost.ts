/**
 * What one wake-up costs this machine: a 600-byte message to another process over loopback TCP and
 * its echo back, timed in CPU of this process (process.cpuUsage), back to back and with the
 * process asleep between two exchanges (as the engine is between the events of a call), against
 * the same exchange inside one process, where nobody sleeps. On a VM the difference is the price
 * of waking a sleeping thread; `npm run load` reports the engine's wake-ups per call beside its CPU.
 *
 * Run: npm run bench:wakeup [-- --json]
 */
import { fork } from 'node:child_process';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PAYLOAD = 'x'.repeat(600);

if (process.argv[2] === '--echo-child') {
  const srv = createServer((s) => s.on('data', (d) => s.write(d))).listen(0, '127.0.0.1', () => process.send!((srv.address() as AddressInfo).port));
} else {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, 'echo-child': { type: 'boolean', default: false } } });

  /** `n` exchanges over `sock`, `gapMs` apart (0: back to back): CPU µs of this process per exchange. */
  const exchanges = (sock: Socket, n: number, gapMs: number) =>
    new Promise<{ cpuUs: number; sysUs: number }>((resolve) => {
      let left = n;
      let got = 0;
      const c0 = process.cpuUsage();
      const next = () => sock.write(PAYLOAD);
      const onData = (chunk: Buffer) => {
        // An echo may come back in more than one chunk: one exchange is the whole payload back.
        got += chunk.length;
        if (got < PAYLOAD.length) return;
        got -= PAYLOAD.length;
        if (--left > 0) {
          if (gapMs > 0) setTimeout(next, gapMs);
          else next();
          return;
        }
        sock.off('data', onData);
        const c = process.cpuUsage(c0);
        resolve({ cpuUs: Math.round(((c.user + c.system) / n) * 10) / 10, sysUs: Math.round((c.system / n) * 10) / 10 });
      };
      sock.on('data', onData);
      next();
    });
  const connect = (port: number) => new Promise<Socket>((resolve) => {
    const s = createConnection(port, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
  });

  // Within one process: the echo server is ours.
  const local = createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
  const localSock = await connect((local.address() as AddressInfo).port);
  const inProcess = await exchanges(localSock, 20_000, 0);
  localSock.destroy();
  local.close();

  // Across processes.
  const child = fork(fileURLToPath(import.meta.url), ['--echo-child'], { execArgv: process.execArgv });
  const port = await new Promise<number>((r) => child.once('message', (m) => r(Number(m))));
  const sock = await connect(port);
  const backToBack = await exchanges(sock, 20_000, 0);
  const gap1 = await exchanges(sock, 2_000, 1);
  const gap5 = await exchanges(sock, 500, 5);
  sock.destroy();
  child.kill();

  const report = { inProcess, crossProcessBackToBack: backToBack, crossProcessEvery1ms: gap1, crossProcessEvery5ms: gap5 };
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(`wakeup: one loopback exchange, CPU of this process (µs, of which kernel):`);
    console.log(`  within one process, back to back:  ${inProcess.cpuUs} (${inProcess.sysUs})`);
    console.log(`  with another process, back to back: ${backToBack.cpuUs} (${backToBack.sysUs})`);
    console.log(`  with another process, every 1 ms:   ${gap1.cpuUs} (${gap1.sysUs})`);
    console.log(`  with another process, every 5 ms:   ${gap5.cpuUs} (${gap5.sysUs})`);
  }
  process.exit(0);
}
