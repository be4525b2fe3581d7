// How a failed login is told: by the SQLSTATE or the network's code and the
// server's own words, never by a word found in the message. A fake server
// on a real socket answers as PgBouncer does when it refuses a startup
// parameter; another accepts and never answers (a real timeout).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/db/connection-options.js';
import { CONNECT_TIMEOUT_MS, openConnection } from '../../src/db/connection.js';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server that answers every login with this ErrorResponse (after saying no to TLS). */
async function refusingServer(fields: Record<string, string>): Promise<number> {
  return listen((socket) => {
    socket.on('data', (data) => {
      if (socket.writableEnded) return;
      if (data.length === 8 && data.readUInt32BE(4) === 80877103) {
        socket.write('N'); // no TLS here
        return;
      }
      const body = Buffer.concat([...Object.entries(fields).map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeUInt32BE(body.length + 4, 1);
      socket.end(Buffer.concat([header, body]));
    });
  });
}

function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function connectionTo(port: number) {
  return resolveConnection({ host: '127.0.0.1', port: String(port), username: 'postgres', dbname: 'postgres' }, { PGPASSWORD: 'x' });
}

describe('a refused login is said as the server said it', () => {
  it('a pooler refusing a startup parameter (08P01, "…statement_timeout") is not called a timeout', async () => {
    const port = await refusingServer({ S: 'FATAL', C: '08P01', M: 'unsupported startup parameter: statement_timeout' });
    const started = Date.now();
    const error = await openConnection(connectionTo(port), { purpose: 'monitor' }).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.message).toBe(
      '127.0.0.1:' + port + ' refused the login: unsupported startup parameter: statement_timeout (a pooler in between, such as PgBouncer, says this)',
    );
    expect(error?.message).not.toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS);
  });

  it('a server message with "timeout" in it under another SQLSTATE keeps its words', async () => {
    const port = await refusingServer({ S: 'FATAL', C: '53300', M: 'remaining connection slots are reserved; no timeout helps' });
    const error = await openConnection(connectionTo(port), { purpose: 'monitor' }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/^remaining connection slots are reserved; no timeout helps at 127\.0\.0\.1:\d+: the server is full/);
  });

  it('a server that never answers is a timeout, after the connect timeout', async () => {
    const port = await listen(() => undefined);
    const started = Date.now();
    const error = await openConnection(connectionTo(port), { purpose: 'monitor' }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe(
      `timed out after ${CONNECT_TIMEOUT_MS / 1000} s connecting to 127.0.0.1:${port}: check the host, port and any firewall`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
  }, 15_000);
});
