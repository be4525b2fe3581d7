// Cheap checks through a forward: PostgreSQL's SSLRequest (any server
// answers 'S' or 'N' before authentication, as pg_isready's ping relies on),
// and "is this server a primary?" for choosing among several Ready pods.
import net from 'node:net';
import pg from 'pg';
import type { ResolvedConnection } from '../db/connection-options.js';
import { tlsOptions } from '../db/tls-options.js';

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Resolves when a PostgreSQL server answers the SSLRequest at 127.0.0.1:port; rejects otherwise. */
export function sslRequestProbe(port: number, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (data: Buffer) => {
      const answer = String.fromCharCode(data[0] ?? 0);
      finish(answer === 'S' || answer === 'N' ? undefined : new Error(`unexpected answer ${JSON.stringify(answer)}: is it PostgreSQL?`));
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('the connection closed without an answer')));
  });
}

/** pg_is_in_recovery() of the server at 127.0.0.1:port; undefined when it cannot be asked. */
export async function isPrimaryAt(port: number, connection: ResolvedConnection, timeoutMs = 3_000): Promise<boolean | undefined> {
  const tls = tlsOptions(connection);
  for (const ssl of tls ? [tls, false as const] : [false as const]) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: connection.user,
      database: connection.database,
      password: connection.password,
      ssl,
      application_name: `${connection.applicationName}-probe`,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      // Qualified: this connection does not run openConnection's guards, and the server may hold planted functions.
      const result = await client.query<{ recovery: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS recovery');
      return result.rows[0]?.recovery === false;
    } catch (error) {
      if (ssl && /does not support SSL/i.test(String((error as Error).message)) && connection.sslMode === 'prefer') continue;
      return undefined;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return undefined;
}
