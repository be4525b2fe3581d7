// The screens pgtop has, in the order of the number keys and Tab. Their
// definitions (title, queries, columns, keys, component) are in screens/.
// SPEC order: activity, locks, statements, sizes, bloat, roles, config, backups, health;
// then learn, the guided session, last: once the nine are there it has no number key
// (:learn, Tab, or `pgtop learn` reach it).
export const SCREEN_IDS = ['activity', 'locks', 'statements', 'sizes', 'bloat', 'roles', 'config', 'backups', 'health', 'learn'] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];
export const DEFAULT_SCREEN: ScreenId = 'activity';

export function isScreenId(name: string): name is ScreenId {
  return (SCREEN_IDS as readonly string[]).includes(name);
}
