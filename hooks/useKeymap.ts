// Terminal keys into commands: Ink's useInput, translated to key names and
// handed to the pure dispatcher with the current screen's view.
import { useInput } from 'ink';
import { handleKey } from '../src/keys/dispatch.js';
import { keyPresses } from '../src/keys/key-name.js';
import { SCREENS } from '../screens/registry.js';
import { useAppEnvironment } from './context.js';

export function useKeymap(pageSize: number, body: { width: number; height: number }): void {
  const { store, services } = useAppEnvironment();
  useInput((input, key) => {
    for (const press of keyPresses(input, key)) {
      handleKey(press, { store, services, pageSize, body, viewFor: (screen) => SCREENS[screen].view });
    }
  });
}
