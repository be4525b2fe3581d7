// The screens pgtop has, in the order of the number keys and Tab. Their
// definitions (title, queries, columns, keys, component) are in screens/.
export const SCREEN_IDS = ['activity', 'locks'] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];
export const DEFAULT_SCREEN: ScreenId = 'activity';

export function isScreenId(name: string): name is ScreenId {
  return (SCREEN_IDS as readonly string[]).includes(name);
}
