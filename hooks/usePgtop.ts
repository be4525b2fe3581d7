// Subscribe a component to the part of the store it shows. Selectors return
// one value or a stable reference, so a refresh re-renders only what changed.
import { useStore } from 'zustand';
import type { PgtopState } from '../src/store/store.js';
import { useAppEnvironment } from './context.js';

export function usePgtop<T>(selector: (state: PgtopState) => T): T {
  return useStore(useAppEnvironment().store, selector);
}
