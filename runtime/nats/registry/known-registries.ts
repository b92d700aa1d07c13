/**
 * Registry instances known to answer queries, each until its TTL runs out
 * without news from it. Every instance holding a service answers each lookup
 * of it (even with nothing), so once all known holders have answered a
 * lookup is complete and need not wait for the quiet window. An instance we
 * do not know yet either answered an earlier query or announced itself on
 * the watch subject before it could hold anything we look for.
 */
export class KnownRegistries {
  private readonly expiry = new Map<string, number>();

  heard(id: string, ttlMs: number, now: number): void {
    this.expiry.set(id, now + ttlMs);
  }

  forget(): void {
    this.expiry.clear();
  }

  /** Live known ids; forgets the expired ones on the way. */
  live(now: number): Set<string> {
    const ids = new Set<string>();
    for (const [id, until] of this.expiry) {
      if (until > now) ids.add(id);
      else this.expiry.delete(id);
    }
    return ids;
  }
}
