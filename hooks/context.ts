// What every component can reach: the store, the services keys call, and
// whether colours are on. One provider wraps the App; tests wrap a screen in
// the same provider with a fresh store and fake services.
import { createContext, useContext } from 'react';
import type { KeyServices } from '../src/keys/dispatch.js';
import type { LearnController } from '../src/learn/controller.js';
import type { PgtopStore } from '../src/store/store.js';

export interface AppEnvironment {
  store: PgtopStore;
  services: KeyServices;
  color: boolean;
  /** The guided session, when pgtop runs against a server (the learn screen draws it). */
  learn?: LearnController;
}

export const AppContext = createContext<AppEnvironment | null>(null);

export function useAppEnvironment(): AppEnvironment {
  const env = useContext(AppContext);
  if (!env) throw new Error('pgtop components must be rendered inside <AppContext.Provider>');
  return env;
}
