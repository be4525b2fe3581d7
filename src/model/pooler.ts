// What pgtop says when it sees a pooler (PgBouncer) between it and the
// server: in the header, and in the confirmations of cancel and terminate.
// Behind a pooler the sessions pg_stat_activity lists are the pooler's
// server connections, not its clients; a signal hits that server backend,
// which in transaction pooling serves whichever client has a transaction now.

/** The header's words: what is in between and what that means for the sessions shown. */
export function poolerText(pooler: string): string {
  return `via ${pooler}: sessions are its server connections`;
}

/** A line for the confirmation of cancel or terminate behind a pooler. */
export function poolerSignalNote(pooler: string, verb: 'cancel' | 'terminate'): string {
  return verb === 'cancel'
    ? `behind ${pooler}: this cancels the query running on that server connection, whichever of the pool's clients sent it`
    : `behind ${pooler}: this ends the server connection; the pool's clients using it now lose their transaction, the pooler opens another`;
}
