import type { ConnectionKeeper, TargetConnection } from './target-connection.js';

/** Connections kept per origin, at most this many (one scrape per target at a time needs one). */
const MAX_KEPT_PER_ORIGIN = 8;

/**
 * Connections to targets kept open between scrapes, as Prometheus keeps them: per origin, the
 * one kept last is used first (the one least likely to have been closed by its target).
 */
export class KeptConnections implements ConnectionKeeper {
  private readonly byOrigin = new Map<string, TargetConnection[]>();

  /** A kept connection to `originKey`, no longer kept; undefined when there is none. */
  take(originKey: string): TargetConnection | undefined {
    const kept = this.byOrigin.get(originKey);
    const connection = kept?.pop();
    if (kept?.length === 0) this.byOrigin.delete(originKey);
    return connection;
  }

  keep(connection: TargetConnection): void {
    const kept = this.byOrigin.get(connection.origin.key) ?? [];
    kept.push(connection);
    this.byOrigin.set(connection.origin.key, kept);
    if (kept.length > MAX_KEPT_PER_ORIGIN) kept.shift()!.destroy();
  }

  forget(connection: TargetConnection): void {
    const kept = this.byOrigin.get(connection.origin.key);
    const at = kept?.indexOf(connection) ?? -1;
    if (at < 0) return;
    kept!.splice(at, 1);
    if (kept!.length === 0) this.byOrigin.delete(connection.origin.key);
  }
}
