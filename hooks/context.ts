// What every component can reach: the store, the services keys call, and
// whether colours are on. One provider wraps the App; tests wrap a screen in
// the same provider with a fresh store and fake services.
import { createContext, useContext } from 'react';
import type { KeyServices } from '../src/keys/dispatch.js';
import type { LearnController } from '../src/learn/controller.js';
import type { PgtopStore } from '../src/store/store.js';
import type { ScreenComponent, ScreenDefinition } from '../screens/definition.js';

export interface AppEnvironment {
  store: PgtopStore;
  services: KeyServices;
  color: boolean;
  /** The guided session, when pgtop runs against a server (the learn screen draws it). */
  learn?: LearnController;
  /** The screens, in the tab bar's order: screens/index.ts's list (a test may add one of its own). */
  screens: readonly ScreenDefinition[];
  /** The screens' own components, loaded (startDashboard loads them before the first frame). */
  components?: ReadonlyMap<string, ScreenComponent>;
}

export const AppContext = createContext<AppEnvironment | null>(null);

export function useAppEnvironment(): AppEnvironment {
  const env = useContext(AppContext);
  if (!env) throw new Error('pgtop components must be rendered inside <AppContext.Provider>');
  return env;
}

/** The screens the dashboard has, in the tab bar's order. */
export function useScreens(): readonly ScreenDefinition[] {
  return useAppEnvironment().screens;
}

/** One screen's definition (the first screen's, for an id the list does not have). */
export function useScreen(id: string): ScreenDefinition {
  const screens = useScreens();
  return screens.find((s) => s.id === id) ?? screens[0]!;
}
