/**
 * What the pool needs of one server connection, whatever the driver: run a statement, run
 * control statements, say whether it is still usable, close.
 */
import type { Row, SqlValue } from '../../../core/db/types';
import type { ServerKind } from '../connection-target';

export interface StatementResult {
  rows: Row[];
  /** Rows inserted, updated or deleted (0 for a query). */
  changes: number;
}

let nextConnectionId = 1;

export abstract class DriverConnection {
  abstract readonly kind: ServerKind;
  readonly id = nextConnectionId++;
  /** The search_path this connection has (PostgreSQL); undefined is the server's default. */
  schema: string | undefined;
  /** When the connection last finished a statement (or was opened). */
  lastUsedAt = Date.now();
  private brokenReason: string | undefined;
  private goneListeners: Array<() => void> = [];

  /** Runs one statement with `?` placeholders bound to `params`. */
  abstract query(sql: string, params: readonly SqlValue[]): Promise<StatementResult>;
  /** Runs statements without parameters (BEGIN, SAVEPOINT, SET); `;`-separated on PostgreSQL. */
  abstract control(sql: string): Promise<void>;
  /** Says goodbye to the server and closes the socket. */
  protected abstract endGracefully(): Promise<void>;
  /** Closes the socket without waiting for the server. */
  protected abstract endAbruptly(): void;
  /** Whether a driver error means the connection (or server) is gone, not that the SQL failed. */
  abstract isConnectionError(error: unknown): boolean;
  /** Whether a driver error is a primary key or unique index collision. */
  abstract isDuplicateKey(error: unknown): boolean;

  /** True once the server closed it, it reported a fault, or the pool gave it up. */
  get broken(): boolean {
    return this.brokenReason !== undefined;
  }

  get whyBroken(): string | undefined {
    return this.brokenReason;
  }

  /** Runs `listener` once, when this connection is known to be closed. */
  onGone(listener: () => void): void {
    if (this.broken) listener();
    else this.goneListeners.push(listener);
  }

  /** Marks the connection unusable; the pool destroys it instead of handing it out again. */
  markBroken(reason: string): void {
    if (this.brokenReason !== undefined) return;
    this.brokenReason = reason;
    const listeners = this.goneListeners;
    this.goneListeners = [];
    for (const listener of listeners) listener();
  }

  /** Closes politely when still usable, at once otherwise; never throws. */
  async close(): Promise<void> {
    const wasUsable = !this.broken;
    this.markBroken('closed by the pool');
    if (!wasUsable) {
      this.endAbruptly();
      return;
    }
    try {
      await this.endGracefully();
    } catch {
      this.endAbruptly();
    }
  }

  /** Closes at once (a connection whose state is unknown, or one that stopped answering). */
  destroy(reason: string): void {
    this.markBroken(reason);
    this.endAbruptly();
  }
}

/** A JavaScript value the drivers send for a bound parameter. */
export function bindableValue(value: SqlValue | undefined): string | number | Buffer | null {
  if (value === undefined || value === null) return null;
  // SQLite stores true as 1; an INTEGER column on PostgreSQL refuses 'true'.
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Whole numbers beyond 2^53 stay exact as bigint; the others become plain numbers. */
export function integerFromText(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}
