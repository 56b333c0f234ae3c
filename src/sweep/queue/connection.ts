import type { ConnectionOptions } from 'bullmq';
import { QueueUsageError } from './queue-error.js';

/** The queue a URL names: Redis's address and database, and the queue's name within it. */
export interface QueueAddress {
  readonly connection: ConnectionOptions & { readonly host: string; readonly port: number; readonly db: number };
  /** Shown in messages, without a password. */
  readonly shown: string;
  readonly name: string;
}

/** Every spinarch queue's name starts with this, so a Redis shared with other programs stays apart. */
const PREFIX = 'spinarch';

/** Reads `redis://[:password@]host[:port][/db]` and a queue name; a bad one is a usage error. */
export function queueAddress(url: string, name = 'points'): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUsageError(`--queue ${url}: expected redis://HOST:PORT[/DB], like redis://127.0.0.1:6379/0`);
  }
  if (u.protocol !== 'redis:') throw new QueueUsageError(`--queue ${url}: expected a redis:// URL, like redis://127.0.0.1:6379/0`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new QueueUsageError(`--queue ${url}: the database is a number from 0 to 15, got '${dbText}'`);
  if (!/^[\w.-]{1,64}$/.test(name)) throw new QueueUsageError(`--name ${name}: letters, digits, '.', '-' and '_', at most 64`);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  return {
    connection: {
      host: u.hostname === '' ? '127.0.0.1' : u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      db,
      ...(password === undefined ? {} : { password }),
      // BullMQ's workers block on Redis and must not give up on a request while it restarts.
      maxRetriesPerRequest: null,
    },
    shown: `redis://${u.hostname}:${port}/${db}`,
    name: `${PREFIX}-${name}`,
  };
}
