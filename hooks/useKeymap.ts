// Terminal keys into commands: Ink's useInput, translated to key names and
// handed to the pure dispatcher with the screens (their views and keys).
import { useInput } from 'ink';
import { handleKey } from '../src/keys/dispatch.js';
import { keyPresses } from '../src/keys/key-name.js';
import { useAppEnvironment, useScreens } from './context.js';

export function useKeymap(pageSize: number, body: { width: number; height: number }): void {
  const { store, services } = useAppEnvironment();
  const screens = useScreens();
  useInput((input, key) => {
    for (const press of keyPresses(input, key)) {
      handleKey(press, { store, services, pageSize, body, screens });
    }
  });
}
